#pragma once
// Timecode for a live show and a render: the --mtc / --ltc options merged with the set file's
// `timecode:` (and `audio: { ltc: N }`), the engine's options from them, and each song's start.
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/engine/TimecodeOut.h"
#include "stemdeck/set/SetFile.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

struct TimecodeArgs {
    bool mtc = false;               ///< --mtc: on the MIDI output
    std::optional<int> ltcOut;      ///< play's --ltc OUTPUT (1-based, mono)
    std::string ltcFile;            ///< render's --ltc FILE.wav
    std::string fps;                ///< --timecode-fps ("": the set's, else 25)
    std::optional<double> preroll;  ///< --timecode-preroll SECONDS
    std::string tempo;              ///< --timecode-tempo follow|wall|stop
    std::optional<double> ltcLevel; ///< --ltc-level dBFS
    [[nodiscard]] bool any() const { return mtc || ltcOut || !ltcFile.empty(); }
    /// The engine's options. Throws stemdeck::Error for MTC at 23.976.
    [[nodiscard]] engine::TimecodeOptions options() const;
    /// "timecode: MTC + LTC on output 7 (-18 dBFS), 25 fps, pre-roll 2 s, at another tempo: follow"
    /// ("" when off), for the log and the faces.
    [[nodiscard]] std::string describe() const;
};

/// @thread main. The timecode options; `render`: --ltc names a file, not an output.
void addTimecodeOptions(CLI::App& command, TimecodeArgs& args, bool render);

/// @thread main. The set file's timecode (its `timecode:`, its audio: section's LTC output) where
/// the command line said nothing.
void takeSetTimecode(TimecodeArgs& args, const set::SetTimecode& set, std::optional<int> ltcOut);

/// @thread any. What play says before the show about the songs' starts at this rate (songs from 24
/// on without one play without timecode): one warning each.
[[nodiscard]] std::vector<std::string> timecodeWarnings(const TimecodeArgs& args,
                                                        const std::vector<set::SetSong>& songs);

} // namespace stemdeck::app
