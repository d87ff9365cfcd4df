#pragma once
// What the set player says of the show: one song's line per stem, the status snapshot the show
// state and its faces read, a stem's mixer state and where the show is (the journal's point).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stemdeck/engine/Timing.h"
#include "stemdeck/engine/Command.h"
#include "stemdeck/engine/StemMix.h"
#include "stemdeck/set/Lyrics.h"

namespace stemdeck::control {

/// One song's line in the status display.
struct StemLine {
    std::string name;
    engine::StemMix mix; ///< mute, solo, gain, filter as the engine plays them
    bool broken = false;
    float peak = 0.0f;
    int bus = -1;         ///< direct bus, or -1 for the main mix
    bool pending = false; ///< a quantised mute or solo waits for its beat or bar
    std::string color;    ///< "#RRGGBB" from a .stem.mp4's metadata, else ""
    bool operator==(const StemLine&) const = default;
};

/// A line of the lyrics as shown: its words and the chords over them.
struct LyricShown {
    std::string text;
    std::vector<set::LyricChord> chords;
    bool operator==(const LyricShown&) const = default;
};

/// The song's lyrics where the play head is (at the tempo it plays, after a jump, in a loop).
struct LyricsNow {
    bool present = false; ///< the song has a lyrics file that reads
    std::string file;     ///< its name ("lyrics.lrc")
    std::string section;  ///< of the line sung now ("Chorus"), or of the next before the first
    LyricShown line;      ///< sung now (empty before the first line, and in a rest)
    LyricShown next;      ///< the one after
    int index = -1;       ///< 0-based, the line sung now (-1: before the first)
    int count = 0;        ///< lines in all
    double nextIn = -1.0; ///< seconds (at the tempo playing) until the next line starts; -1 unknown
    int untimed = 0;      ///< lines not timed yet (tap-to-time)
    int tapLine = -1;     ///< 0-based, the line a tap stamps now; -1 none left
    std::string tapText;  ///< its words
    bool operator==(const LyricsNow&) const = default;
};

/// A snapshot for the status line (control thread).
struct PlayerStatus {
    int song = 0, songs = 0; ///< 1-based current song, number of songs
    std::string title;
    bool rolling = false;
    double seconds = 0.0, lengthSeconds = 0.0; ///< negative seconds: in the count-in
    engine::BarBeat barBeat;
    double bpm = 120.0;
    int beatsPerBar = 4, beatUnit = 4; ///< the time signature: 4/4, 6/8
    /// The song's rehearsal tempo and key, "80% tempo, -2 st" ("" as recorded); on its way to a
    /// tempo or key set live: "as recorded -> 70% tempo", "85% tempo -> 70% tempo".
    std::string stretch;
    engine::ClickMode click = engine::ClickMode::off;
    bool guides = true;     ///< the spoken guide cues are on (the `guides` toggle; said where a guide is set up)
    bool reference = false; ///< A/B: the reference mix is playing instead of the stems
    bool vamp = false;      ///< a section is looping
    /// The A–B practice loop: "A bar 17", "A-B bars 17-24, 1-bar count-in" ("" when none is set).
    std::string practiceLoop;
    double loopA = -1.0, loopB = -1.0; ///< seconds: the loop's A and B (-1: not set)
    std::vector<StemLine> stems;
    std::vector<std::pair<std::string, double>> markers; ///< the song's markers: name, seconds
    LyricsNow lyrics;                                    ///< the words sung now and next
    std::vector<std::string> scenes;                     ///< the song's scenes by slot ("" for an empty slot)
    int scene = -1;                                      ///< the slot recalled last, or -1
    int sceneWaiting = -1;                               ///< a recall waiting for its beat or bar, or -1
    bool locked = false;                                 ///< the show lock is on (the session fills this in)
    std::string nextTitle;                               ///< the song that comes next ("" at the end)
    float mainPeak = 0.0f;
    std::uint64_t underruns = 0; ///< every stem, every song, since start
    std::uint64_t dropped = 0;   ///< commands lost (a full queue or waiting list), since start: never expected
    bool operator==(const PlayerStatus&) const = default;
};

/// One stem's mixer state (engine::StemMix: the one record of it).
using StemState = engine::StemMix;

/// Where the show is, as the show journal keeps it and a resume restores it.
struct ShowPoint {
    int song = 0;           ///< 0-based, in the set
    std::int64_t frame = 0; ///< the song frame reached
    int sampleRate = 0;     ///< of `frame`
    bool playing = false;
    std::vector<StemState> stems;
    int scene = -1; ///< the scene slot recalled last, -1: none
    bool reference = false;
    bool vamp = false;
    /// The song's tempo (a share of its own) and key as it played: `frame` is on that timeline.
    double tempo = 1.0;
    double transpose = 0.0; ///< semitones
    /// The A-B practice loop: its first and last bar (both played; 0: not set, last 0: only A),
    /// and its count-in bars. With `vamp` it was looping.
    int loopFirstBar = 0, loopLastBar = 0, loopCountIn = 0;
    bool operator==(const ShowPoint&) const = default;
};

} // namespace stemdeck::control
