#pragma once
// `stemdeck check`: a stem folder or a whole set against the delivery conventions (STEMS.md), in
// the afternoon rather than in the show.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace stemdeck::set {

enum class Severity {
    error,   ///< cannot play (or a stem would stay silent)
    warning, ///< plays, but not as delivered
};

struct Finding {
    Severity severity = Severity::warning;
    std::string file; ///< the file (or folder, or set file:line:col) it is about
    std::string what; ///< what is wrong
    std::string fix;  ///< what to do
    /// An error the song plays through: a stem cut off (or undecodable part way) plays what there
    /// is, then silence, in play and in render alike. A delivery defect to fix, but the song plays.
    bool songPlays = false;
};

/// One audio file as found on disk.
struct FileReport {
    std::filesystem::path path;
    std::string name; ///< the stem's display name ("Drums"), or "reference mix"
    bool readable = false;
    std::string problem; ///< why it cannot be read, when it cannot ("is a folder, not an audio file")
    int sampleRate = 0, channels = 0, bitDepth = 0;
    std::string format; ///< "WAV PCM 24-bit"
    bool lossy = false;
    std::int64_t frames = 0;
    std::optional<float> peak; ///< linear sample peak over the whole file
};

/// Stems that sum to within this of the master (relative RMS) count as summing to it: AAC's
/// coding noise on five tracks stays far below it; a master with its own limiter or EQ does not.
inline constexpr double kStemSumToleranceDb = -30.0;

struct SongReport {
    std::filesystem::path source;
    std::string title;
    std::optional<double> bpm;
    std::optional<std::string> key;
    std::vector<FileReport> stems;
    std::optional<FileReport> reference;
    /// A .stem.mp4: how far the stems' sum is from the master, in dB below the master's level
    /// (RMS of the difference over RMS of the master; −inf when they match exactly).
    std::optional<double> stemSumResidualDb;
    /// The song's cues, one line each as the set file says them: "bar 17: program 5 on channel 1".
    std::vector<std::string> cues;
    std::string timecode; ///< bar 1's timecode ("03:00:00:00") when the set sends timecode; "" otherwise
    std::vector<Finding> findings;
    [[nodiscard]] bool canPlay() const; ///< no error the song cannot play through
    [[nodiscard]] int count(Severity s) const;
};

/// What a check says of a set as a whole: the one rule behind check's summary and the preflight's.
enum class SetVerdict {
    asDelivered,     ///< no error: it can play as delivered
    playsWithErrors, ///< every song plays, but with errors it plays through (a cut-off stem)
    cannotPlay,      ///< every song can, but the set cannot (a set error, or no songs)
    someSongsCannot, ///< playableSongs() of them can
};

struct CheckReport {
    std::filesystem::path source;
    std::string setName;              ///< "" for a single folder
    std::vector<Finding> setFindings; ///< about the set as a whole (its controller mapping)
    std::vector<SongReport> songs;
    [[nodiscard]] bool canPlay() const;        ///< every song can play (with errors it plays through, maybe)
    [[nodiscard]] int count(Severity s) const; ///< findings of that severity, the set's and every song's
    [[nodiscard]] int playableSongs() const;   ///< songs that can play
    [[nodiscard]] SetVerdict verdict() const;
};

/// @thread control. "" when the controller mapping file parses; else what is wrong with it. (The
/// MIDI module parses mappings; set does not link it, so the caller hands its parser in.) A set's
/// mapping by name comes as that bare name: the caller finds it (app::mappingCheck does).
using ControllerCheck = std::function<std::string(const std::filesystem::path&)>;

/// Called as files are scanned: (file, bytes done, bytes total). For a progress bar.
using CheckProgress = std::function<void(const std::filesystem::path&, std::uint64_t, std::uint64_t)>;

/// @thread control. Checks a stem folder (one song) or a set file (every song). Never throws for
/// problems in what it checks: each is a finding.
/// A set's `controller:` must exist and (with `controller` given) parse, as `play` requires.
[[nodiscard]] CheckReport checkSource(const std::filesystem::path& source, const CheckProgress& progress = {},
                                      const ControllerCheck& controller = {});

} // namespace stemdeck::set
