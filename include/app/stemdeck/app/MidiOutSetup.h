#pragma once
// The MIDI output of a live show and of a render: play's (and the GUI's) --midi-out options merged
// with the set file's `midi_out:`, the clock's options for the engine, and the OSC cues' sender.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/engine/MidiOut.h"
#include "stemdeck/set/SetFile.h"

namespace CLI {
class App;
}

namespace stemdeck::remote {
class OscClient;
}

namespace stemdeck::app {

struct MidiOutArgs {
    std::string connect;       ///< --midi-out NAME: connect to the MIDI inputs whose names hold NAME
    bool clock = false;        ///< --midi-clock
    bool clockOnly = false;    ///< --midi-clock-only: no Start/Stop/Continue/Song Position
    bool whileStopped = false; ///< --midi-clock-while-stopped
    std::string start;         ///< --midi-clock-start bar-1|count-in ("": bar-1)
    bool cues = false;         ///< a song of the set has MIDI cues (not an option: the set says so)
    bool oscCues = false;      ///< … or OSC cues (the engine places them; no MIDI port for them alone)
    bool mtc = false;          ///< MIDI timecode goes out on it too (the timecode's options say so)
    /// The MIDI output (a port) exists: asked for, or the set has MIDI cues to send.
    [[nodiscard]] bool enabled() const { return !connect.empty() || clock || clockOnly || cues || mtc; }
    /// The engine's MIDI part runs: a MIDI output, or OSC cues to place.
    [[nodiscard]] bool engineOn() const { return enabled() || oscCues; }
    /// "MIDI out: clock (from bar 1) → Helix" (or "" when off), for the log and the faces.
    [[nodiscard]] std::string describe() const;
};

/// @thread main. The --midi-out options (play's and the GUI's).
void addMidiOutOptions(CLI::App& command, MidiOutArgs& args);

/// @thread main. The set file's `midi_out:` where the command line said nothing, and whether
/// any song has MIDI cues. Throws stemdeck::Error for a bad --midi-clock-start.
void takeSetMidiOut(MidiOutArgs& args, const set::SetMidiOut& set, const std::vector<set::SetSong>& songs);

/// @thread any. The clock as the engine runs it.
[[nodiscard]] engine::MidiClockOptions clockOptions(const MidiOutArgs& args);

/// Sends the OSC cues the engine says are due, over UDP (one socket per host and port, made at
/// the first cue for it; nothing here waits). @thread control.
class OscCueSender {
public:
    explicit OscCueSender(std::ostream& log);
    ~OscCueSender();
    OscCueSender(const OscCueSender&) = delete;
    OscCueSender& operator=(const OscCueSender&) = delete;
    void send(const set::OscCue& cue);
    [[nodiscard]] std::uint64_t sent() const noexcept { return sent_; }

private:
    std::ostream& log_;
    std::map<std::string, std::unique_ptr<remote::OscClient>> clients_;
    std::map<std::string, bool> failed_; ///< said once per target
    std::uint64_t sent_ = 0;
};

} // namespace stemdeck::app
