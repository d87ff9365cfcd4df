#pragma once
// Private to src/set: the steps of `check` that its files share. Check.cpp checks a source (a
// folder, a stem file or a set) and holds the rules every stem meets; CheckFolder.cpp checks a
// stem folder, CheckStemFile.cpp a .stem.mp4.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "stemdeck/set/Check.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/SetFile.h"

namespace stemdeck::set::detail {

/// Adds a finding about `file` to the song's.
void add(SongReport& s, Severity sev, const std::filesystem::path& file, std::string what, std::string fix);
/// An error the song plays through (Finding::songPlays): a stem cut off or undecodable part way.
void addPlaysThrough(SongReport& s, const std::filesystem::path& file, std::string what, std::string fix);

/// "1.234 s"
[[nodiscard]] std::string seconds(std::int64_t frames, int rate);

/// "4:21.7"
[[nodiscard]] std::string clock(std::int64_t frames, int rate);

/// The rules every stem meets, a file of its own or a track of a stem file: lossy or low-resolution
/// coding, clipping, too little headroom. `prefix` names a track ("Bass: ") in a stem file.
void qualityFindings(SongReport& s, const FileReport& r, const std::string& prefix);

/// A .stem.mp4 (CheckStemFile.cpp), with the readme beside it if there is one and the set file's
/// entry for it if any (`plan`). `done` of `total` bytes scanned so far, advanced as it is scanned.
[[nodiscard]] SongReport checkStemFile(const std::filesystem::path& file,
                                       const std::optional<std::filesystem::path>& readme, const SetSong* plan,
                                       std::uint64_t& done, std::uint64_t total, const CheckProgress& progress);

/// The song's lyrics file, if it has one (CheckLyrics.cpp): read as play reads it, its lines timed
/// on the song's grid (`info` and `plan`) against its length (the stems in `s`).
void checkLyrics(SongReport& s, const std::filesystem::path& source, const ReadmeInfo& info, const SetSong* plan);

/// A stem folder, or a folder holding one .stem.mp4, or a .stem.mp4 itself (CheckFolder.cpp).
[[nodiscard]] SongReport checkFolder(const std::filesystem::path& dir, const SetSong* plan, std::uint64_t& done,
                                     std::uint64_t total, const CheckProgress& progress);

/// checkFolder in a watched worker (stemdeck/common/IoWatch.h): a song on a mount that stopped
/// answering is an error of that song, and the check goes on with the next one.
[[nodiscard]] SongReport checkFolderWatched(const std::filesystem::path& dir, const SetSong* plan, std::uint64_t& done,
                                            std::uint64_t total, const CheckProgress& progress);

/// A progress callback for watched work: forwards to `to` until the work is given up on, never
/// after (the work may run on, asleep in a read, after its caller and `to` are gone).
class GuardedProgress {
public:
    explicit GuardedProgress(const CheckProgress& to);
    [[nodiscard]] CheckProgress callback() const;
    void abandon();

private:
    struct State;
    std::shared_ptr<State> state_;
};

} // namespace stemdeck::set::detail
