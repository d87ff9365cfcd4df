#pragma once
// Set files (sets/*.yaml): the ordered songs of a show, what each one needs, and the set-wide
// audio and controller settings. Every problem is reported with file, line and column.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/common/Timecode.h"
#include "stemdeck/set/Cue.h"
#include "stemdeck/set/Loudness.h"

namespace stemdeck::set {

/// What happens when a song reaches its end.
enum class SongEnd {
    stop,  ///< the next song waits, stopped, at its start
    next,  ///< the next song plays after its count-in
    runOn, ///< the next song's first frame follows with no gap
};

/// A named position in a song, on a bar line.
struct Marker {
    std::string name;
    int bar = 1;                      ///< 1-based
    std::optional<std::string> cue{}; ///< what the spoken guide says before it (default: its name)
    bool silent = false;              ///< `cue: false`: the guide says nothing before it
};

/// A spoken guide cue on any bar (a song's `guides:`): "Key change", said to end by its beat.
struct GuideLine {
    int bar = 1, beat = 1;
    std::string say;
    int line = 0;
};

/// The set's `guides:` section: spoken guide cues in the in-ears (any may be absent: the command
/// line or the defaults decide).
struct SetGuides {
    bool present = false; ///< the section is there (guides: on, or a map): the set is made for them
    std::optional<bool> on;
    std::optional<bool> markers;                 ///< say each marker's name (default yes)
    std::optional<bool> countIn;                 ///< count the count-ins aloud (default yes)
    std::optional<std::string> voice;            ///< espeak-ng's voice (default "en")
    std::optional<std::filesystem::path> folder; ///< recorded cues for every song, absolute
    int line = 0;
};

/// A stem's state when its song loads.
struct StemStart {
    std::string stem; ///< name or 1-based number, resolved against the song's stems at load
    bool muted = false;
    bool soloed = false;
    std::optional<float> gain;   ///< linear
    std::optional<float> filter; ///< knob, -1 … 1
    int line = 0, column = 0;    ///< where it was written, for messages
};

/// A scene: a named state of every stem. Stems it does not name play at unity, unmuted,
/// unsoloed, filter off.
struct SceneDef {
    std::string name;
    int slot = 0; ///< 0-based: what `scene: 1` (or pad 1 of a scene row) recalls
    std::vector<StemStart> stems;
    int line = 0;
    bool stored = false; ///< stored live (store_scene): kept in the set's stored-scenes file
};

/// A song's tempo as written: a ratio of its own ("80%") or a target BPM ("112 BPM").
struct TempoSetting {
    double value = 1.0; ///< the ratio (0.8), or the BPM when `bpm`
    bool bpm = false;
    bool operator==(const TempoSetting&) const = default;
};

/// One song of a set, as written (the folder's readme fills in what is left out).
struct SetSong {
    std::filesystem::path source; ///< the stem folder, absolute (relative paths are from the set file)
    std::optional<std::string> title;
    std::optional<double> bpm;
    std::optional<int> beatsPerBar, beatUnit;
    std::optional<std::string> key;
    std::optional<TempoSetting> tempo; ///< rehearsal tempo (stretched, pitch kept)
    std::optional<double> transpose;   ///< semitones (cents as hundredths), tempo kept
    std::optional<int> countInBars;
    std::optional<SongEnd> atEnd;
    std::vector<StemStart> start;
    std::vector<Marker> markers;
    std::vector<GuideLine> guides; ///< spoken cues on bars of its own choosing, sorted by place
    std::vector<SceneDef> scenes;  ///< sorted by slot
    std::vector<Cue> cues;         ///< what it sends on the MIDI output or over OSC, and when
    /// `timecode: 03:00:00:00`: bar 1's timecode (else song N of the set file starts at N:00:00:00).
    std::optional<TimecodeLabel> timecode;
    int timecodeLine = 0;
    /// `gain: -3 dB`: the song's own level on the main output (it wins over a loudness trim).
    std::optional<double> gainDb;
    /// The loudness trim accepted for it (applyAcceptedTrims; never read from the set file).
    std::optional<double> trimDb;
    int line = 0;      ///< where the song's entry starts in the set file
    std::string error; ///< "" when the entry is fine; else why this song cannot play (file:line:col: …)

    [[nodiscard]] const SceneDef* sceneAt(int slot) const;
    /// By slot, kMaxScenes of them; "" for an empty slot.
    [[nodiscard]] std::vector<std::string> sceneNames() const;
};

/// Set-wide audio settings (any may be absent: the command line or the defaults decide).
struct SetAudio {
    std::optional<std::string> driver, device, clientName;
    std::optional<bool> connect; ///< JACK: connect the main pair to the playback ports (default yes)
    std::optional<int> rate, block;
    std::optional<int> mainOut, clickOut; ///< first output (1-based) of the pair
    std::optional<int> ltcOut;            ///< LTC's output (1-based, mono)
    int ltcLine = 0;
    std::vector<std::pair<std::string, int>> stemOuts; ///< stem (name or number) → first output
    std::optional<std::string> click;                  ///< off | count-in | always
    std::optional<int> guideOut;                       ///< the spoken guide's own pair (default: the click's)
    std::optional<double> clickLevel, guideLevel;      ///< dBFS peak (click_level, guide_level)
};

/// The set's `timecode:` section (MTC and LTC; any may be absent: the command line or the
/// defaults decide).
struct SetTimecode {
    bool present = false; ///< the section is there: the set is made for timecode
    int line = 0;
    std::optional<bool> mtc;
    std::optional<TimecodeRate> rate;   ///< fps:
    std::optional<double> ltcLevel;     ///< level: LTC's peak, dBFS
    std::optional<double> preroll;      ///< seconds of timecode before bar 1
    std::optional<TimecodeTempo> tempo; ///< at another tempo: follow, wall, stop
};

/// @thread any. Song `number` (1-based, its place in the set file)'s bar-1 timecode at `rate`: its
/// own `timecode:` (none if its frame is not one the rate has), else number:00:00:00; none from
/// song 24 on without one (hours wrap at 24). What is wrong, said: timecodeProblems.
[[nodiscard]] std::optional<TimecodeLabel> songTimecode(const SetSong& song, int number, TimecodeRate rate);

/// @thread any. What is wrong with the set's timecode at `rate`: a song from 24 on without its
/// own start, a start whose frame the rate does not have, two songs on one start. Each a message
/// naming the song and its line.
[[nodiscard]] std::vector<std::string> timecodeProblems(const std::vector<SetSong>& songs, TimecodeRate rate);

struct SetFile {
    std::filesystem::path file;
    std::string name;
    SetAudio audio;
    std::optional<std::filesystem::path> controller; ///< mapping file, absolute
    /// … or a mapping by name (`controller: akai-apc-mini-mk2`): the user's mapping of that name,
    /// else the shipped one (the app finds it; a name has no '/' and no .yaml at its end).
    std::optional<std::string> controllerName;
    std::optional<int> countInBars; ///< default for songs
    std::optional<SongEnd> atEnd;   ///< default for songs
    bool lock = false;              ///< the show starts locked (show lock)
    SetMidiOut midiOut;             ///< the MIDI output (clock, where it connects)
    SetTimecode timecode;           ///< MTC and LTC
    SetGuides guides;               ///< spoken guide cues
    SetLoudness loudness;           ///< songs levelled across the set (loudness: match)
    std::vector<SetSong> songs;

    /// Songs that cannot play, one message each.
    [[nodiscard]] std::vector<std::string> errors() const;
};

/// @thread control. Parses a set file's text. Problems with the file as a whole (not YAML, not a
/// map, an unknown top-level key, a bad audio section, no songs) throw stemdeck::Error naming
/// file:line:column and the fix; a problem with one song (a missing folder, a typo in its keys, a
/// repeated song) marks only that song (SetSong::error) and the rest of the set loads.
[[nodiscard]] SetFile parseSetFile(std::string_view text, const std::filesystem::path& file);

/// @thread any. "" for a voice the spoken guide may ask eSpeak NG for (a name such as en-us, not
/// a path: it also names the cache's files); else what is wrong. The set file's guides: voice and
/// --guide-voice both.
[[nodiscard]] std::string guideVoiceProblem(std::string_view voice);

/// @thread any. Where a set's synthesised guide cues are kept: beside it, "NAME.guides/".
[[nodiscard]] std::filesystem::path guidesCacheFolder(const std::filesystem::path& setFile);

/// @thread control. Reads and parses a set file.
[[nodiscard]] SetFile loadSetFile(const std::filesystem::path& file);

/// @thread any. Where the scenes stored live for a set are kept: beside it, "NAME.scenes.yaml".
[[nodiscard]] std::filesystem::path storedScenesFile(const std::filesystem::path& setFile);

/// @thread control. Reads the set's stored scenes (if the file is there) over the songs' own.
/// Never throws: a broken file gives messages (file:line: what, and that it was not loaded).
[[nodiscard]] std::vector<std::string> loadStoredScenes(SetFile& set);

/// @thread control. Parses stored scenes into `songs` (matched by their source); messages as above.
[[nodiscard]] std::vector<std::string> parseStoredScenes(std::string_view text, const std::filesystem::path& sidecar,
                                                         std::vector<SetSong>& songs,
                                                         const std::filesystem::path& setFile);

/// @thread control. The stored scenes file's text for the songs' stored scenes.
[[nodiscard]] std::string formatStoredScenes(const std::vector<SetSong>& songs, const std::filesystem::path& setFile);

/// @thread control. Writes every stored scene of `songs` beside the set file, atomically (a crash
/// leaves the old file or the new one). Throws stemdeck::Error naming the file when it cannot.
void saveStoredScenes(const std::vector<SetSong>& songs, const std::filesystem::path& setFile);

/// @thread any. True for a path that names a set file (.yaml / .yml) rather than a stem folder.
[[nodiscard]] bool isSetFileName(const std::filesystem::path& path);

/// @thread any. "stop", "next", "run-on" (also "run_on").
[[nodiscard]] std::optional<SongEnd> parseSongEnd(std::string_view text);

/// @thread any. "" when a song can play at this tempo and time signature (BPM 1-999, 1-32 beats a
/// bar, a beat unit of 1, 2, 4, 8, 16 or 32); else what is wrong. The one rule check, render and
/// play all apply.
[[nodiscard]] std::string tempoProblem(double bpm, int beatsPerBar, int beatUnit);

/// @thread any. "80%", "112 BPM" (also "112bpm"); nullopt for anything else.
[[nodiscard]] std::optional<TempoSetting> parseTempo(std::string_view text);

/// @thread any. Semitones: "-2", "+1.5", "-2 st", "+30 c" / "+30 cents" (hundredths of a
/// semitone); nullopt for anything else.
[[nodiscard]] std::optional<double> parseTranspose(std::string_view text);

/// @thread any. The ratio a tempo setting asks of a song whose own tempo is `songBpm` (a target
/// BPM needs it known: `bpmKnown`). Throws stemdeck::Error saying what is wrong and how to fix it
/// when the BPM is unknown or the ratio is outside 50%-200%.
[[nodiscard]] double tempoRatio(const TempoSetting& tempo, double songBpm, bool bpmKnown);

/// @thread any. "" for a tempo stemdeck plays as written (a share within 50%-200%, or any target
/// BPM, which tempoRatio() checks against the song); else what is wrong.
[[nodiscard]] std::string tempoShareProblem(const TempoSetting& tempo);

/// @thread any. "" for a transposition stemdeck plays (an octave either way); else what is wrong.
[[nodiscard]] std::string transposeProblem(double semitones);

} // namespace stemdeck::set
