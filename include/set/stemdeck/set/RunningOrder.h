#pragma once
// Tonight's running order: the songs of the set in the order they play tonight, separate from the
// set file (the band's catalogue and plan). The MD cuts a song for time (skip), swaps two (move),
// calls an encore (add, or play next); songs played are marked. A song's identity stays its place
// in the catalogue (the set file's songs, then any folders added tonight), never its place tonight:
// cues, timecode hours and mappings (go_to_song 3) follow the song, wherever it moved.
//
// Each song of the catalogue is in tonight's order at most once; a song not in it is "not tonight"
// (add puts it in). Adding a song that has played already moves it to its new place, to play again.
// Kept beside the set file as NAME.order.yaml (songs named by their folder, as the stored scenes
// are) and in the crash journal.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::set {

struct SetSong;

/// One song of tonight's order.
struct OrderEntry {
    int song = 0;         ///< 0-based, in the catalogue (its identity)
    bool skipped = false; ///< cut tonight: passed over, shown struck through, may be brought back
    bool played = false;  ///< has played tonight: "next" passes over it; "previous" does not
    bool operator==(const OrderEntry&) const = default;
};

/// @thread any (a value; the set player keeps its own on the control thread).
class RunningOrder {
public:
    RunningOrder() = default;
    /// The plan: songs 0 … songs-1 in the catalogue's order, none skipped or played.
    [[nodiscard]] static RunningOrder plan(int songs);
    /// `entries` over a catalogue of `songs`; throws stemdeck::Error on a song out of range or twice.
    [[nodiscard]] static RunningOrder of(std::vector<OrderEntry> entries, int songs);

    [[nodiscard]] const std::vector<OrderEntry>& entries() const noexcept { return entries_; }
    [[nodiscard]] int catalogueSize() const noexcept { return songs_; }
    /// A song added to the catalogue tonight (a folder): its index. It is not in the order yet.
    int grow() noexcept { return songs_++; }
    /// The song's place tonight (0-based), or -1: not tonight.
    [[nodiscard]] int placeOf(int song) const noexcept;
    [[nodiscard]] bool tonight(int song) const noexcept { return placeOf(song) >= 0; }
    [[nodiscard]] bool skipped(int song) const noexcept;
    [[nodiscard]] bool played(int song) const noexcept;
    /// The catalogue's songs not in tonight's order, in catalogue order.
    [[nodiscard]] std::vector<int> notTonight() const;

    /// The song to play after `song` (-1: from the top): the next one tonight neither skipped nor
    /// played, or -1 (the set ends). A song not tonight counts from the top.
    [[nodiscard]] int after(int song) const noexcept;
    /// The song before `song` tonight that is not skipped (played or not), or -1.
    [[nodiscard]] int before(int song) const noexcept;
    /// Songs to play after `song`, in order (after() repeated): what is left of the set.
    [[nodiscard]] std::vector<int> ahead(int song) const;

    // Edits. Each returns "" when done, else why not (said to the MD; nothing changes).
    /// `song` to place `place` (0-based; clamped to the end). A song not tonight is added there; a
    /// song that has played is marked to play again; a skipped one stays skipped.
    std::string move(int song, int place);
    /// Added at `place` (-1: the end) if not tonight, else moved there; played again; not skipped.
    std::string add(int song, int place);
    /// To play right after `after` (not tonight, or -1: at the top): taken from its place, put back
    /// there, neither cut nor played (play_next, a song gone to by name).
    std::string playAfter(int song, int after);
    /// Cut (on) or brought back (off). The song stays in the list, struck through.
    std::string skip(int song, bool on);
    /// Marked played (on) or to play (off).
    std::string markPlayed(int song, bool on);
    /// Out of tonight's order altogether (back to the catalogue).
    std::string remove(int song);

    bool operator==(const RunningOrder&) const = default;

private:
    [[nodiscard]] std::string outside(int song) const; ///< "" if `song` is in the catalogue
    /// `song`'s entry tonight, or nullptr and `error` (not in the catalogue, or not tonight).
    OrderEntry* entryOf(int song, std::string& error);
    std::vector<OrderEntry> entries_;
    int songs_ = 0;
};

/// @thread any. Where tonight's order for a set is kept: beside it, "NAME.order.yaml".
[[nodiscard]] std::filesystem::path runningOrderFile(const std::filesystem::path& setFile);

/// A running order read from a file: the order over the set's songs and the folders it added
/// (appended to the catalogue after the set's songs, in the order given).
struct OrderFile {
    RunningOrder order;
    std::vector<std::filesystem::path> added; ///< folders (or .stem.mp4 files) added tonight, absolute
};

/// @thread any. The file's text: one line per song of tonight, by its folder (relative to the set
/// file's folder when inside it), with its number and title as a comment; skipped and played flags.
/// `songs`: the catalogue (the set's songs, then the added folders).
[[nodiscard]] std::string formatRunningOrder(const RunningOrder& order, const std::vector<SetSong>& songs,
                                             std::size_t setSongs, const std::filesystem::path& setFile);

/// @thread control. Parses an order file against the set's songs (`setSongs`). Throws stemdeck::Error
/// "FILE:LINE:COLUMN: what is wrong; how to fix it" for anything it cannot use: not YAML, an unknown
/// key, a song the set does not have and that is no stem folder, a song twice.
[[nodiscard]] OrderFile parseRunningOrder(std::string_view text, const std::filesystem::path& file,
                                          const std::vector<SetSong>& setSongs, const std::filesystem::path& setFile);

/// @thread control. Reads and parses an order file (parseRunningOrder; a missing file is an error too).
[[nodiscard]] OrderFile loadRunningOrder(const std::filesystem::path& file, const std::vector<SetSong>& setSongs,
                                         const std::filesystem::path& setFile);

/// @thread control. Writes `order` to `file` atomically (a crash leaves the old file or the new one),
/// having checked that it reads back the same. Throws stemdeck::Error naming the file when it cannot.
void saveRunningOrder(const RunningOrder& order, const std::vector<SetSong>& songs, std::size_t setSongs,
                      const std::filesystem::path& setFile, const std::filesystem::path& file);

} // namespace stemdeck::set
