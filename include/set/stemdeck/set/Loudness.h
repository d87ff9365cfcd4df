#pragma once
// Songs levelled across a set: the set file's loudness: section, each song's trim toward a
// target (never past the true-peak ceiling, capped either way), and the trims accepted beside the
// set (NAME.loudness.yaml) that play and render apply. The measuring itself (an offline render of
// each song's main output through libebur128) is the control module's (control/Loudness.h).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::set {

struct SetFile;
struct SetSong;
struct SetAudio;

/// A song's main output as EBU R128 (ITU-R BS.1770-4) measures it.
struct LoudnessFigures {
    double integrated = 0.0; ///< LUFS
    double range = 0.0;      ///< loudness range, LU
    double truePeak = 0.0;   ///< dBTP (4x oversampled)
    bool silent = false;     ///< nothing above the absolute gate (-70 LUFS): no loudness to match
};

enum class LoudnessTarget {
    median,   ///< the set's median (of the songs measured)
    song,     ///< a named song's loudness (an anchor)
    absolute, ///< a figure, e.g. -14 LUFS
};

/// The set file's `loudness:` section. `loudness: match` (toward the set's median), `loudness:
/// off`, or a map { match: median | -14 LUFS | SONG, ceiling: -1 dBTP, max_trim: 6 dB }.
struct SetLoudness {
    bool present = false; ///< the section is there
    bool match = false;   ///< trims asked for (opt-in; --loudness match|off overrides)
    LoudnessTarget target = LoudnessTarget::median;
    std::string anchor;    ///< LoudnessTarget::song: its title or folder name, as written
    double lufs = -14.0;   ///< LoudnessTarget::absolute
    double ceiling = -1.0; ///< dBTP: no trim takes a song's true peak above it
    double maxTrim = 6.0;  ///< dB, either way
    int line = 0;
};

/// Why a song's trim is not simply target minus its loudness.
enum class TrimLimit {
    none,
    ceiling,   ///< held so that its true peak stays at or below the ceiling
    cap,       ///< capped at ±max_trim
    ownGain,   ///< the set file gives it a gain: of its own, which wins (no trim)
    unmeasured ///< silent or not measured (cannot play): no trim
};

struct SongTrim {
    double db = 0.0;     ///< the trim applied
    double wanted = 0.0; ///< the trim that would reach the target
    TrimLimit limit = TrimLimit::none;
};

struct LoudnessPlan {
    double target = 0.0;    ///< LUFS
    std::string targetText; ///< "the set's median, -16.2 LUFS", "'Neon Drive', -15.0 LUFS", "-14.0 LUFS"
    std::vector<SongTrim> trims;
    double spread = 0.0;      ///< LU between the loudest and the quietest song measured
    double spreadAfter = 0.0; ///< … and after the trims
    std::string error;        ///< "" or why there is no plan (the anchor song unknown or silent)
};

/// @thread any. Each song's trim toward `setting`'s target from what was measured (nullopt:
/// not measured), songs in set order. A song with its own gain: keeps it (no trim); a trim that
/// raises never takes the true peak above the ceiling (a song already above it is not raised);
/// every trim within ±maxTrim.
[[nodiscard]] LoudnessPlan planLoudness(const std::vector<std::optional<LoudnessFigures>>& measured,
                                        const std::vector<SetSong>& songs, const SetLoudness& setting);

/// @thread any. A song's trim in words: "-2.0 dB", "+2.3 dB (held at -1.0 dBTP: 4.1 wanted)".
[[nodiscard]] std::string describeTrim(const SongTrim& t, const SetLoudness& setting);

/// @thread control. What the song's main output depends on, as a hex string: its stem files (name,
/// size, modification time), its start state, which stems are on outputs of their own, its own
/// gain. A change to any of them asks for a new measurement and a new acceptance.
[[nodiscard]] std::string loudnessFingerprint(const SetSong& song, const SetAudio& audio);

/// @thread any. A song as the accepted file names it: its source relative to the set file's folder
/// (both made absolute first).
[[nodiscard]] std::string loudnessSongName(const std::filesystem::path& source, const std::filesystem::path& setFile);

/// One song's line in the accepted trims.
struct StoredLoudness {
    std::string song; ///< its source relative to the set file's folder
    std::string fingerprint;
    LoudnessFigures figures;
    double trim = 0.0; ///< dB
};

/// The trims accepted for a set (`check --accept-loudness`), kept beside it.
struct StoredLoudnessFile {
    std::string target; ///< the plan's target in words, as accepted
    std::vector<StoredLoudness> songs;
    /// The song's entry: the one with its fingerprint, else its first by name; nullptr if none.
    [[nodiscard]] const StoredLoudness* find(const SetSong& song, const std::filesystem::path& setFile,
                                             const std::string& fingerprint) const;
};

/// @thread any. Beside the set: "NAME.loudness.yaml".
[[nodiscard]] std::filesystem::path loudnessFile(const std::filesystem::path& setFile);

/// @thread control. The accepted trims, if the file is there (nullopt when it is not). Throws
/// stemdeck::Error naming file:line for a broken file.
[[nodiscard]] std::optional<StoredLoudnessFile> loadLoudnessFile(const std::filesystem::path& setFile);

/// @thread control. Writes the accepted trims atomically. Throws stemdeck::Error when it cannot.
void saveLoudnessFile(const std::filesystem::path& setFile, const StoredLoudnessFile& file);

/// @thread control. Puts each song's accepted trim (SetSong::trimDb) on the set's songs where its
/// fingerprint is as accepted; messages for the songs left untrimmed (never accepted, changed since,
/// a broken file) and none when `set.loudness.match` is off. Never throws.
[[nodiscard]] std::vector<std::string> applyAcceptedTrims(SetFile& set);

} // namespace stemdeck::set
