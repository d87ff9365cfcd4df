#pragma once
// `stemdeck play`: songs on an audio device, with routing, click, keys and a status display.
#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/app/MidiOutSetup.h"
#include "stemdeck/app/OscSurface.h"
#include "stemdeck/app/GuideSetup.h"
#include "stemdeck/app/LinkSetup.h"
#include "stemdeck/app/TimecodeSetup.h"
#include "stemdeck/app/WebSurface.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/control/SetPlayer.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

/// Rehearsal tempo and key for every song (`--tempo 80%`, `--tempo 112bpm`, `--transpose -2`);
/// they win over a set file's `tempo:` and `transpose:`.
struct StretchArgs {
    std::optional<set::TempoSetting> tempo;
    std::optional<double> transpose;
};

/// @thread main. Adds --tempo and --transpose (play, the stage GUI, render).
void addStretchOptions(CLI::App& command, StretchArgs& args);

struct PlayArgs {
    std::vector<std::string> sources; ///< stem folders, one song each, in set order; or one set file
    int firstSong = 1;
    std::optional<double> bpm;
    StretchArgs stretch;
    audio::DeviceOptions device;
    // Unset options fall back to the set file's values, then to the defaults.
    std::optional<int> mainOut;        ///< first channel (1-based) of the main pair (default 1)
    std::optional<int> clickOut;       ///< first channel of the click pair (default: no click outputs)
    std::vector<std::string> stemOuts; ///< "STEM=CHANNEL"
    std::string loudness;              ///< --loudness match|off (else the set file's loudness:)
    std::optional<int> countInBars;
    std::string clickMode;  ///< off | count-in | always; "" = always if routed
    std::string atEnd;      ///< stop | next | run-on; "" = stop with keys, next without
    std::string events;     ///< YAML script of timed actions
    std::string controller; ///< MIDI mapping file (controllers/*.yaml); "" = the set file's, or none
    std::string midiPort;   ///< MIDI port-name part; "" = the mapping's ports
    std::string midiApi;    ///< alsa | jack; "" = jack when playing through JACK, else alsa
    bool keys = true;       ///< keyboard control when stdin is a terminal
    bool lock = false;      ///< start with the show lock on
    /// The show journal (default: defaultJournalPath()); "" keeps none.
    std::optional<std::string> journal;
    std::string order;       ///< tonight's running order to start with (play --order FILE); "": the set's
    bool resume = false;     ///< come back where the journal says a crashed show was
    bool resumePlay = false; ///< … and play on from there (if it was playing), instead of waiting armed
    bool waitDevice = false; ///< no audio device yet: wait for one (say so once) instead of exiting 69
    bool armed = false;      ///< wait for play (a pad, a pedal, space) instead of starting song 1 at once
    std::string shutdownCommand = "systemctl poweroff"; ///< what the shutdown action runs ("": nothing)
    OscArgs osc;                                        ///< the OSC surface (off unless asked for)
    WebArgs web;                                        ///< the web remote (off unless asked for)
    TimecodeArgs timecode;                              ///< MTC and LTC (off unless asked for)
    MidiOutArgs midiOut;                                ///< the MIDI output: clock and cues (off unless asked for)
    LinkArgs link;                                      ///< Ableton Link (off unless asked for)
    GuideArgs guides;                                   ///< spoken guide cues (off unless asked for)
};

/// @thread any. A click mode as play's --click-mode and a set file's click_mode write it (off,
/// count-in, always or on); throws stemdeck::Error naming --click-mode for anything else.
[[nodiscard]] engine::ClickMode parseClickMode(const std::string& mode);

/// Exit status of `play` when the machine has no audio output (EX_UNAVAILABLE).
inline constexpr int kExitNoDevice = 69;

/// @thread main. The options of `play` (and of the stage GUI, which takes the same ones).
void addPlayOptions(CLI::App& command, PlayArgs& args);

/// @thread main. `--io-timeout SECONDS`: how long a file may go without answering before it is
/// called stalled (stemdeck/common/IoWatch.h); every command and the GUI take it.
void addIoTimeoutOption(CLI::App& app);

/// @thread main. Runs `stemdeck play` until the set is played through or it is stopped.
int runPlay(const PlayArgs& args, const std::atomic<bool>& stop);

/// "the JACK server", "an ALSA device matching 'Scarlett'", "an audio device": what a show waits for.
[[nodiscard]] std::string waitedDevice(const audio::DeviceOptions& device);

} // namespace stemdeck::app
