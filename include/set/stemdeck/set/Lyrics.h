#pragma once
// A song's words and chords, timed to the song: a folder's `lyrics.lrc` (LRC: timed lines) or
// ChordPro file (chords over syllables, timed by stemdeck's custom directives `{x_time: 1:23.45}`
// and `{x_bar: 9}` / `{x_bar: 9.3}` before a line). Times are song time at 100% tempo; the player
// maps them onto the song as it plays (a rehearsal tempo, a jump, a loop).
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stemdeck::set {

/// A chord over a syllable: `at` is the byte in the line's text it stands over.
struct LyricChord {
    std::size_t at = 0;
    std::string name; ///< "G", "Am7/E"; an annotation ([*Riff]) as "*Riff" (shown without its star)
    bool operator==(const LyricChord&) const = default;
};

/// When a line is sung: seconds at 100% tempo, or a bar and beat (ChordPro's x_bar), or neither
/// (an untimed line: tap it in during a rehearsal).
struct LyricTime {
    double seconds = -1.0;
    int bar = 0;       ///< 1-based; 0: not by bar
    double beat = 1.0; ///< 1-based, with its fraction
    [[nodiscard]] bool timed() const noexcept { return seconds >= 0.0 || bar > 0; }
    /// Seconds at 100% on a grid of `bpm`, `beatsPerBar`, bar 1 at `downbeatSeconds`; -1 untimed.
    [[nodiscard]] double secondsOn(double bpm, int beatsPerBar, double downbeatSeconds) const noexcept;
    bool operator==(const LyricTime&) const = default;
};

struct LyricLine {
    LyricTime time;
    std::string text;               ///< the words, chords taken out
    std::vector<LyricChord> chords; ///< left to right
    std::string section;            ///< "Chorus", "Verse 2" (ChordPro's environments), "" outside one
    int sectionNumber = 0;          ///< which of the file's sections, from 1 (a chorus sung twice: two)
    int sourceLine = 0;             ///< 1-based line in the file
    int timeSourceLine = 0;         ///< the directive that timed it (ChordPro), 0: none or the line itself
    bool operator==(const LyricLine&) const = default;
};

enum class LyricsFormat { lrc, chordPro };

struct Lyrics {
    std::filesystem::path file;
    LyricsFormat format = LyricsFormat::lrc;
    std::string title;               ///< [ti:] or {title:}
    std::vector<std::string> header; ///< LRC: its ID tag lines ([ar:], [ti:] …), written back as they were
    std::vector<LyricLine> lines;    ///< in the order sung (LRC: by time; with untimed lines, as written)
    std::string original;            ///< the file's text as read (a ChordPro file is written back from it)
    /// The first line of each section, in order: a marker where the set file names none.
    [[nodiscard]] std::vector<std::pair<std::string, const LyricLine*>> sections() const;
    [[nodiscard]] int untimed() const; ///< how many lines have no time yet
};

/// @thread control. The lyrics file in a song folder: lyrics.lrc, another .lrc, then a ChordPro
/// file (.cho, .chordpro, .chopro, .crd); nullopt when there is none.
[[nodiscard]] std::optional<std::filesystem::path> findLyricsFile(const std::filesystem::path& folder);

/// @thread control. The lyrics of a song source: a folder's (findLyricsFile), or for a stem file
/// (Song.stem.mp4) the file beside it of the same name (Song.lrc, Song.cho …).
[[nodiscard]] std::optional<std::filesystem::path> lyricsFileFor(const std::filesystem::path& source);

/// Parses LRC ([mm:ss.xx] lines, several stamps on one line, [offset:], enhanced <mm:ss.xx> word
/// stamps dropped). Throws stemdeck::Error naming file:line, what is wrong and how to fix it.
[[nodiscard]] Lyrics parseLrc(std::string_view text, const std::filesystem::path& file);

/// Parses ChordPro (directives, [chords], sections, `#` comments, `\` continuations; x_time and
/// x_bar time the next line; other x_ directives are ignored, as the spec asks). Throws stemdeck::Error.
[[nodiscard]] Lyrics parseChordPro(std::string_view text, const std::filesystem::path& file);

/// @thread control. Reads and parses by the file's extension; throws stemdeck::Error.
[[nodiscard]] Lyrics readLyrics(const std::filesystem::path& file);

/// "1:23.45" (minutes:seconds.hundredths), as LRC and x_time write it.
[[nodiscard]] std::string lyricTimeText(double seconds);

/// The file again with every line's time as `lyrics` holds it (after tap-to-time): LRC written
/// whole; ChordPro as its `original` text with the lines' x_time directives put in or replaced.
[[nodiscard]] std::string formatLyrics(const Lyrics& lyrics);

/// Tap-to-time: line `index` is sung from `seconds` (song time at 100%). Lines before it timed
/// later, and lines after it timed earlier, lose their times (to be tapped in turn; a rest, an
/// empty line, is then dropped when the file is written): the file stays in order. Lines timed by bar are placed on the grid of `bpm` and `beatsPerBar`.
void stampLyricLine(Lyrics& lyrics, std::size_t index, double seconds, double bpm, int beatsPerBar);

/// The line a tap stamps at `seconds` (100%): the `cursor` line (the one after the last tapped);
/// without one, the first after the lines timed over a second before now. Rests (empty lines) are
/// passed over. nullopt when none is left.
[[nodiscard]] std::optional<std::size_t> nextLyricToTap(const Lyrics& lyrics, double seconds, double bpm,
                                                        int beatsPerBar, std::optional<std::size_t> cursor = {});

/// The line sung at `seconds` (100%): the last timed line at or before it; nullopt before the
/// first. Lines timed by bar on the grid of `bpm` and `beatsPerBar` (bar 1 at 0).
[[nodiscard]] std::optional<std::size_t> lyricLineAt(const Lyrics& lyrics, double seconds, double bpm, int beatsPerBar);

} // namespace stemdeck::set
