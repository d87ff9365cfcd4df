#pragma once
// Reading a file whole; writing files so that a crash leaves the old file or the new one, never
// half of one.
#include <filesystem>
#include <optional>
#include <string>

namespace stemdeck {

/// @thread any. Every byte of `file`; nullopt when it cannot be opened. (A folder opens, as
/// std::ifstream opens it, and reads as "": the caller's parser then says what is wrong, or the
/// caller asks fs::is_directory first.)
[[nodiscard]] std::optional<std::string> readWholeFile(const std::filesystem::path& file);

/// @thread control. Writes `text` to a temporary file beside `file` (".name.tmpPID"; the folder is
/// created if need be), flushes it to disk, renames it
/// over `file` and flushes the folder. Throws stemdeck::Error naming the file and `what` ("the
/// mapping", "the settings") when it cannot; the old file is then unchanged.
/// Temporary files left by saves that were killed before their rename are removed first.
void writeFileAtomically(const std::filesystem::path& file, const std::string& text, const std::string& what);

/// @thread control. Removes the temporary files of saves of `file` whose process no longer runs
/// (".name.tmpPID" beside it, left by a save that was killed).
void removeStaleTemporaries(const std::filesystem::path& file);

} // namespace stemdeck
