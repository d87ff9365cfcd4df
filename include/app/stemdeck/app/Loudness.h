#pragma once
// Songs levelled across the set, for check, play and render: --loudness over the set file's
// loudness:, each song measured on its main output (check), the trims planned, shown and accepted
// (check --accept-loudness), and the accepted trims applied (play, render).
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "stemdeck/set/SetFile.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

/// @thread main. --loudness match|off (over the set file's loudness:).
void addLoudnessOption(CLI::App& command, std::string& loudness);

/// @thread main. --loudness's word over the set file's loudness: ("" leaves it).
void takeLoudnessArg(const std::string& loudness, set::SetFile& set);

/// @thread control, before the show. Puts the accepted trims on the set's songs (loudness:
/// match) and says them, and any song left untrimmed, on `log`.
void applyLoudness(set::SetFile& set, std::ostream& log);

/// One song of a loudness report.
struct SongLoudness {
    std::string title;
    std::optional<set::LoudnessFigures> figures; ///< nullopt: not measured (`error` says why)
    std::string error;
    std::string fingerprint;
    std::string sourceName;             ///< as the accepted file names it (set::loudnessSongName)
    bool reused = false;                ///< the accepted file's figures (its fingerprint unchanged)
    std::optional<double> acceptedTrim; ///< the accepted file's trim for it, fingerprint unchanged
};

struct LoudnessReport {
    std::filesystem::path setFile; ///< empty for a folder
    set::SetLoudness setting;
    std::vector<SongLoudness> songs;
    set::LoudnessPlan plan;
    bool acceptedFile = false;  ///< NAME.loudness.yaml is there
    std::string acceptedTarget; ///< its target, as accepted
    std::string fileError;      ///< it is there and broken
    /// Every song's planned trim is the one accepted (within 0.05 dB).
    [[nodiscard]] bool accepted() const;
};

/// @thread control. Measures each song of `set` (the accepted file's figures reused where a
/// song's fingerprint is unchanged) and plans the trims. `progress` gets each song's title.
/// `skip` (by set index, may be shorter): songs not to touch (check found files it could not
/// read: a stalled share would hang a render), reported as not measured with that reason.
[[nodiscard]] LoudnessReport measureSetLoudness(const set::SetFile& set,
                                                const std::function<void(const std::string&)>& progress = {},
                                                const std::vector<std::string>& skip = {});

/// @thread control. One stem folder (or .stem.mp4) measured, as a set of one song.
[[nodiscard]] LoudnessReport measureFolderLoudness(const std::filesystem::path& source);

/// The report as check prints it.
[[nodiscard]] std::string formatLoudness(const LoudnessReport& r);

/// The report as check --json gives it (a JSON object's text).
[[nodiscard]] std::string loudnessJson(const LoudnessReport& r);

/// @thread control. Writes the planned trims as accepted beside the set. Throws stemdeck::Error
/// when there is nothing to accept (loudness: match off, no plan) or the file cannot be written.
void acceptLoudness(const LoudnessReport& r);

} // namespace stemdeck::app
