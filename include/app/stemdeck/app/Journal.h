#pragma once
// The show journal: where the show is (song, position, every stem's state, scene, A/B, vamp),
// written a few times a second by the control thread so that the next start after a crash, a
// kill -9 or a pulled plug comes back in the same song at the last bar line, with the same stems.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::app {

/// A song of tonight's running order as the journal keeps it: by its folder (absolute).
struct JournalOrderLine {
    std::string source;
    bool skipped = false, played = false;
    bool operator==(const JournalOrderLine&) const = default;
};

/// What the journal holds: where the show is (control::ShowPoint) and which show it is.
struct JournalEntry {
    std::string set;        ///< what is playing: the set file, or the song folders, as absolute paths
    std::string songSource; ///< the song's folder (a check that the set has not changed under it)
    control::ShowPoint at;
    /// Tonight's running order (none in a journal from before running orders: the set's order),
    /// and the folders added tonight (the songs after the set's, in order: `at.song` counts them).
    std::optional<std::vector<JournalOrderLine>> order;
    std::vector<std::string> added;
    bool ended = false;           ///< the run ended cleanly (quit, or the set played through): nothing to resume
    std::int64_t writtenAtMs = 0; ///< wall clock, ms since the epoch
    bool operator==(const JournalEntry&) const = default;
};

/// @thread any. $XDG_STATE_HOME/stemdeck/journal.json, else ~/.local/state/stemdeck/journal.json.
[[nodiscard]] std::filesystem::path defaultJournalPath();

/// @thread any. The journal's text (JSON), and back. parseJournal throws stemdeck::Error naming
/// `file` and what is wrong (a torn or hand-edited file is reported, never half-used).
[[nodiscard]] std::string formatJournal(const JournalEntry& state);
[[nodiscard]] JournalEntry parseJournal(const std::string& text, const std::filesystem::path& file);

/// @thread control. Writes the show state to `file` atomically (a temporary file, fsync, rename:
/// a kill -9 mid-write leaves the previous journal whole), at most every `interval` and only when
/// something changed. Never called from the audio thread.
class Journal {
public:
    explicit Journal(std::filesystem::path file, std::chrono::milliseconds interval = std::chrono::milliseconds(250));
    /// Records `state` if it changed and the last write is `interval` old. False if a write failed
    /// (said once through `problem`; the show goes on).
    bool record(const JournalEntry& state, std::chrono::steady_clock::time_point now);
    /// Writes `state` marked ended: a clean quit leaves nothing to resume.
    void end(JournalEntry state);
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
    [[nodiscard]] std::uint64_t writes() const noexcept { return writes_; }

private:
    bool write(const JournalEntry& state);
    std::filesystem::path file_;
    std::chrono::milliseconds interval_;
    std::chrono::steady_clock::time_point last_{};
    std::optional<JournalEntry> written_;
    std::string problem_;
    std::uint64_t writes_ = 0;
};

/// What a start with --resume found.
struct ResumeFind {
    std::optional<JournalEntry> state; ///< set: resume here
    std::string said;                  ///< why not (no journal, ended cleanly, corrupt, another set, …) or where
};

/// @thread control. Reads `file` for a resume of the set `set` whose songs are `songSources`:
/// a missing, cleanly ended, corrupt or stale journal (another set, a song that is not there any
/// more) gives no state and a sentence saying why.
[[nodiscard]] ResumeFind findResume(const std::filesystem::path& file, const std::string& set,
                                    const std::vector<std::string>& songSources);

} // namespace stemdeck::app
