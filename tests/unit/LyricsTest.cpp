// Lyrics: LRC and ChordPro as other tools write them, their errors at file:line, the line sung at
// a time, tap-to-time stamping and writing the file back, and check's lyrics findings.
#include <catch2/catch.hpp>

#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/app/CheckReport.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/control/SongLyrics.h"
#include "stemdeck/set/Check.h"
#include "stemdeck/set/Lyrics.h"

using namespace stemdeck;
using namespace stemdeck::set;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// An LRC as lyric sites and players write it (ID tags, a [length:] tag, hundredths and
// thousandths, a line sung twice, an enhanced-LRC word-timed line, CRLF endings, a BOM).
const char* kLrc = "\xEF\xBB\xBF[ar:The Band]\r\n"
                   "[ti:Night Drive]\r\n"
                   "[length: 03:20]\r\n"
                   "[by:lrc-maker]\r\n"
                   "\r\n"
                   "[00:12.50]City lights are calling\r\n"
                   "[00:16.25][01:20.000]Drive, drive all night\r\n"
                   "[00:20.10]<00:20.10>We <00:20.60>never <00:21.00>stop\r\n"
                   "[01:24.00]\r\n";

const char* kChordPro = "# a comment line\n"
                        "{title: Night Drive}\n"
                        "{key: Am}\n"
                        "{x_other_tool: ignored}\n"
                        "{start_of_verse: Verse 1}\n"
                        "{x_time: 0:12.5}\n"
                        "[Am]City lights are [F]calling\n"
                        "{x_bar: 9}\n"
                        "[C]Drive, drive all [G]night\n"
                        "{end_of_verse}\n"
                        "\n"
                        "{soc}\n"
                        "{x_bar: 17.3}\n"
                        "We [Dm]never \\\n"
                        "   stop[E]\n"
                        "{eoc}\n"
                        "{start_of_tab}\n"
                        "e|---0---|\n"
                        "{end_of_tab}\n"
                        "{comment: band out}\n";

} // namespace

TEST_CASE("An LRC file as other tools write it: tags, several stamps, word stamps, CRLF and a BOM", "[unit][lyrics]") {
    const Lyrics l = parseLrc(kLrc, "song/lyrics.lrc");
    CHECK(l.title == "Night Drive");
    CHECK(l.header.size() == 4);
    REQUIRE(l.lines.size() == 5);
    CHECK(l.lines[0].time.seconds == Approx(12.5));
    CHECK(l.lines[0].text == "City lights are calling");
    CHECK(l.lines[1].time.seconds == Approx(16.25));
    CHECK(l.lines[2].text == "We never stop"); // the word stamps dropped
    CHECK(l.lines[3].time.seconds == Approx(80.0));
    CHECK(l.lines[3].text == "Drive, drive all night"); // sung again, in its place by time
    CHECK(l.lines[4].text.empty());                     // a blank: the singer rests
    CHECK(l.untimed() == 0);
    // [offset:+500]: the lines come half a second earlier
    const Lyrics o = parseLrc("[offset:+500]\n[00:10.00]a\n", "x.lrc");
    CHECK(o.lines.at(0).time.seconds == Approx(9.5));
}

TEST_CASE("A ChordPro file: chords over their syllables, sections, x_time and x_bar, a continued line, tabs left "
          "out",
          "[unit][lyrics]") {
    const Lyrics l = parseChordPro(kChordPro, "song/Night Drive.cho");
    CHECK(l.title == "Night Drive");
    REQUIRE(l.lines.size() == 3);
    CHECK(l.lines[0].text == "City lights are calling");
    REQUIRE(l.lines[0].chords.size() == 2);
    CHECK(l.lines[0].chords[0] == LyricChord{0, "Am"});
    CHECK(l.lines[0].chords[1] == LyricChord{16, "F"}); // over "calling"
    CHECK(l.lines[0].section == "Verse 1");
    CHECK(l.lines[0].time.seconds == Approx(12.5));
    CHECK(l.lines[0].timeSourceLine == 6);
    CHECK(l.lines[1].time.bar == 9);
    CHECK(l.lines[1].time.secondsOn(120.0, 4, 0.0) == Approx(16.0)); // bar 9 at 120 BPM in 4/4
    CHECK(l.lines[2].text == "We never stop");
    CHECK(l.lines[2].section == "Chorus");
    CHECK(l.lines[2].time.bar == 17);
    CHECK(l.lines[2].time.beat == Approx(3.0));
    CHECK(l.lines[2].chords.back() == LyricChord{13, "E"}); // at the end of the joined line
    CHECK(l.lines[2].sourceLine == 14);
    const auto sections = l.sections();
    REQUIRE(sections.size() == 2);
    CHECK(sections[0].first == "Verse 1");
    CHECK(sections[1].first == "Chorus");
}

TEST_CASE("Bad lyrics files are refused at their file and line, saying what to write", "[unit][lyrics]") {
    CHECK(errorOf([] {
              (void)parseLrc("[00:10.00]one\n[00:xx]two\n", "s/lyrics.lrc");
          }).starts_with("s/lyrics.lrc:2: [00:xx] is not a time"));
    CHECK(errorOf([] {
              (void)parseLrc("[00:10.00]one\n[00:05.00 two\n", "s/lyrics.lrc");
          }).starts_with("s/lyrics.lrc:2: a '[' is never closed"));
    CHECK(errorOf([] { (void)parseLrc("[00:70.00]one\n", "a.lrc"); }).starts_with("a.lrc:1: [00:70.00] is not a time"));
    CHECK(errorOf([] {
              (void)parseLrc("[00:01.00][Chorus] words\n", "a.lrc");
          }).starts_with("a.lrc:1: [Chorus] is not a time"));
    CHECK(errorOf([] { (void)parseLrc("[offset:soon]\n", "a.lrc"); }).find("whole number of milliseconds") !=
          std::string::npos);
    CHECK(errorOf([] {
              (void)parseChordPro("{x_time: 0:20}\nOne\n{x_time: 0:10}\nTwo\n", "a.cho");
          }).starts_with("a.cho:3: this line's time 00:10.00 is before line 2's 00:20.00"));
    CHECK(errorOf([] {
              (void)parseChordPro("{x_time: soon}\nOne\n", "a.cho");
          }).starts_with("a.cho:1: {x_time: soon} is not a time"));
    CHECK(errorOf([] {
              (void)parseChordPro("{x_bar: 0}\nOne\n", "a.cho");
          }).starts_with("a.cho:1: {x_bar: 0} is not a bar"));
    CHECK(errorOf([] {
              (void)parseChordPro("One\n{x_time: 1:00}\n", "a.cho");
          }).starts_with("a.cho:2: this time has no line after it"));
    CHECK(errorOf([] {
              (void)parseChordPro("{x_time: 1:00}\n{x_bar: 5}\nOne\n", "a.cho");
          }).starts_with("a.cho:2: two times in a row"));
    CHECK(errorOf([] {
              (void)parseChordPro("[Am One\n", "a.cho");
          }).starts_with("a.cho:1: a chord's '[' is never closed"));
    CHECK(errorOf([] { (void)parseChordPro("{title: x\n", "a.cho"); }).starts_with("a.cho:1: a directive's '{'"));
    // Anything else reads: no crash, no exception, for odd but valid input.
    CHECK(parseChordPro("", "a.cho").lines.empty());
    CHECK(parseLrc("just words\nno times\n", "a.lrc").untimed() == 2);
}

TEST_CASE("The line sung at a time, by seconds and on the song's bars", "[unit][lyrics]") {
    const Lyrics l = parseChordPro(kChordPro, "a.cho");
    CHECK_FALSE(lyricLineAt(l, 12.0, 120.0, 4));
    CHECK(lyricLineAt(l, 12.5, 120.0, 4) == 0u);
    CHECK(lyricLineAt(l, 15.99, 120.0, 4) == 0u);
    CHECK(lyricLineAt(l, 16.0, 120.0, 4) == 1u); // bar 9 at 120 BPM
    CHECK(lyricLineAt(l, 19.1, 100.0, 4) == 0u); // at 100 BPM bar 9 is at 19.2 s
    CHECK(lyricLineAt(l, 19.2, 100.0, 4) == 1u);
    CHECK(lyricLineAt(l, 33.0, 120.0, 4) == 2u); // bar 17 beat 3: 33 s
    CHECK(lyricLineAt(l, 32.9, 120.0, 4) == 1u);
}

TEST_CASE("Tap-to-time: an untimed LRC timed in one pass, written, and read back the same", "[unit][lyrics]") {
    Lyrics l = parseLrc("[ar:The Band]\nFirst line\nSecond line\nThird line\n", "s/lyrics.lrc");
    REQUIRE(l.untimed() == 3);
    double now = 4.0;
    std::optional<std::size_t> cursor;
    for (int tap = 0; tap < 3; ++tap, now += 3.5) {
        const auto i = nextLyricToTap(l, now, 120.0, 4, cursor);
        REQUIRE(i);
        CHECK(*i == static_cast<std::size_t>(tap));
        stampLyricLine(l, *i, now, 120.0, 4);
        cursor = *i + 1;
    }
    CHECK_FALSE(nextLyricToTap(l, now, 120.0, 4, cursor));
    const std::string text = formatLyrics(l);
    CHECK(text == "[ar:The Band]\n[00:04.00]First line\n[00:07.50]Second line\n[00:11.00]Third line\n");
    Lyrics again = parseLrc(text, "s/lyrics.lrc");
    REQUIRE(again.lines.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(again.lines[i].time.seconds == Approx(l.lines[i].time.seconds));
        CHECK(again.lines[i].text == l.lines[i].text);
        CHECK(again.lines[i].chords == l.lines[i].chords);
    }
    // Timed again, a line earlier than before: the lines after it timed before it lose their
    // times, to be tapped in turn.
    stampLyricLine(again, 0, 9.0, 120.0, 4);
    CHECK(again.lines[0].time.seconds == Approx(9.0));
    CHECK_FALSE(again.lines[1].time.timed());
    CHECK(again.lines[2].time.seconds == Approx(11.0));
    CHECK(nextLyricToTap(again, 9.5, 120.0, 4, 1u) == 1u);
}

TEST_CASE("Tap-to-time picks the line at the play head: never one far back, never one skipped", "[unit][lyrics]") {
    // Lines 1-4 timed at 2, 6, 10, 14 s; line 5 missed in an earlier pass; line 6 timed at 22 s.
    Lyrics l = parseLrc("[00:02.00]a\n[00:06.00]b\n[00:10.00]c\n[00:14.00]d\ne\n[00:22.00]f\n", "s.lrc");
    REQUIRE(l.lines.size() == 6);
    REQUIRE_FALSE(l.lines[4].time.timed());
    // A first tap at 15.2 s (line d sung over a second ago): the untimed line e, not line a's time.
    CHECK(nextLyricToTap(l, 15.2, 120.0, 4) == 4u);
    // A first tap at 14.5 s, half a second after d's old time: d is being re-timed.
    CHECK(nextLyricToTap(l, 14.5, 120.0, 4) == 3u);
    // A first tap at the very start: line a.
    CHECK(nextLyricToTap(l, 0.0, 120.0, 4) == 0u);
    // With a cursor (the line after the last tapped), that line, however late the tap.
    CHECK(nextLyricToTap(l, 30.0, 120.0, 4, 2u) == 2u);
    // Stamping e at 16 s keeps the rest of the file as it was.
    stampLyricLine(l, 4, 16.0, 120.0, 4);
    CHECK(l.lines[4].time.seconds == Approx(16.0));
    CHECK(l.lines[5].time.seconds == Approx(22.0));
    CHECK(l.untimed() == 0);
    // A rest (an empty timed line) is never a tap's line and keeps its time.
    Lyrics r = parseLrc("[00:02.00]a\n[00:04.00]\nb\n", "r.lrc");
    REQUIRE(r.lines.size() == 3);
    CHECK(nextLyricToTap(r, 2.5, 120.0, 4, 1u) == 2u);
}

TEST_CASE("LRC's [offset:] is in the times read: written back, the times stay where they were", "[unit][lyrics]") {
    Lyrics l = parseLrc("[ar:X]\n[offset:+500]\n[00:10.00]a\nb\n", "o.lrc");
    REQUIRE(l.lines.size() == 2);
    CHECK(l.lines[0].time.seconds == Approx(9.5));
    stampLyricLine(l, 1, 12.0, 120.0, 4);
    const std::string text = formatLyrics(l);
    CHECK(text == "[ar:X]\n[00:09.50]a\n[00:12.00]b\n");
    const Lyrics back = parseLrc(text, "o.lrc");
    CHECK(back.lines[0].time.seconds == Approx(9.5)); // (not 9.0: the offset is not applied twice)
    CHECK(back.lines[1].time.seconds == Approx(12.0));
}

TEST_CASE("A half-timed LRC with a line sung twice reads in time order, the untimed line after its neighbour",
          "[unit][lyrics]") {
    const Lyrics l = parseLrc("[00:12.50]a\n[00:16.25][01:20.00]chorus\n[00:20.10]b\nnew line\n", "h.lrc");
    REQUIRE(l.lines.size() == 5);
    CHECK(l.lines[0].text == "a");
    CHECK(l.lines[1].text == "chorus");
    CHECK(l.lines[2].text == "b");
    CHECK(l.lines[3].text == "new line"); // after b, the line written before it
    CHECK(l.lines[4].text == "chorus");   // at 1:20
    CHECK(l.lines[4].time.seconds == Approx(80.0));
}

TEST_CASE("A ChordPro file with CRLF line ends is written back with CRLF", "[unit][lyrics]") {
    Lyrics l = parseChordPro("{title: x}\r\nOne\r\nTwo\r\n", "c.cho");
    stampLyricLine(l, 0, 1.0, 120.0, 4);
    CHECK(formatLyrics(l) == "{title: x}\r\n{x_time: 00:01.00}\r\nOne\r\nTwo\r\n");
}

TEST_CASE("Tap-to-time in a ChordPro file: x_time put in or replaced, bars kept, the rest as written",
          "[unit][lyrics]") {
    Lyrics l = parseChordPro(kChordPro, "a.cho");
    stampLyricLine(l, 0, 12.0, 120.0, 4); // (was x_time 0:12.5)
    const std::string text = formatLyrics(l);
    const Lyrics again = parseChordPro(text, "a.cho");
    REQUIRE(again.lines.size() == 3);
    CHECK(again.lines[0].time.seconds == Approx(12.0));
    CHECK(again.lines[1].time.bar == 9);
    CHECK(again.lines[2].time.bar == 17);
    CHECK(again.lines[0].chords == l.lines[0].chords);
    CHECK(text.find("{x_time: 0:12.5}") == std::string::npos);
    CHECK(text.find("{x_time: 00:12.00}\n[Am]City lights") != std::string::npos);
    CHECK(text.find("# a comment line\n{title: Night Drive}") == 0); // the rest untouched
    CHECK(text.find("{start_of_tab}\ne|---0---|\n{end_of_tab}") != std::string::npos);
    // An untimed line timed by a tap gets its x_time before it.
    Lyrics u = parseChordPro("{title: x}\nOne\nTwo\n", "u.cho");
    stampLyricLine(u, 1, 3.0, 120.0, 4);
    CHECK(formatLyrics(u) == "{title: x}\nOne\n{x_time: 00:03.00}\nTwo\n");
}

TEST_CASE("The lyrics file of a folder and of a stem file", "[unit][lyrics]") {
    test::TempDir d;
    fs::create_directories(d / "song");
    CHECK_FALSE(lyricsFileFor(d / "song"));
    std::ofstream(d / "song" / "Night Drive.cho") << "One\n";
    CHECK(lyricsFileFor(d / "song") == d / "song" / "Night Drive.cho");
    std::ofstream(d / "song" / "lyrics.lrc") << "One\n";
    CHECK(lyricsFileFor(d / "song") == d / "song" / "lyrics.lrc"); // lyrics.lrc first
    std::ofstream(d / "Track.stem.mp4") << "";
    CHECK_FALSE(lyricsFileFor(d / "Track.stem.mp4"));
    std::ofstream(d / "Track.lrc") << "One\n";
    CHECK(lyricsFileFor(d / "Track.stem.mp4") == d / "Track.lrc");
}

TEST_CASE("check: a song's lyrics file, its errors at file:line, lines after the end, lines not timed",
          "[unit][lyrics][check]") {
    test::TempDir d;
    const fs::path song = d / "song";
    test::writeStemFolder(song, 48000, {test::sineStem(48000 * 20, 220.0, 48000, 0.3f, false)}, {"Vox"},
                          "BPM: 120\nKey: A minor\n");
    { // a clean, timed file: nothing to say
        std::ofstream(song / "lyrics.lrc") << "[00:01.00]One\n[00:05.00]Two\n";
        const CheckReport r = checkSource(song);
        INFO(app::formatCheckReport(r));
        CHECK(r.songs.at(0).findings.empty());
    }
    { // a line past the song's end (20 s), one not timed
        std::ofstream(song / "lyrics.lrc") << "[00:01.00]One\n[00:25.00]Late\nUntimed\n";
        const CheckReport r = checkSource(song);
        const std::string text = app::formatCheckReport(r);
        INFO(text);
        CHECK(r.canPlay());
        CHECK(text.find("lyrics.lrc:2") != std::string::npos);
        CHECK(text.find("'Late' is timed at 00:25.00, after the song's end (00:20.00)") != std::string::npos);
        CHECK(text.find("1 of 3 lines have no time yet") != std::string::npos);
    }
    { // a broken file: an error at its line; the song still plays
        std::ofstream(song / "lyrics.lrc") << "[00:01.00]One\n[0x:05]Two\n";
        const CheckReport r = checkSource(song);
        const std::string text = app::formatCheckReport(r);
        INFO(text);
        CHECK(r.canPlay());
        CHECK(r.songs.at(0).count(Severity::error) == 1);
        CHECK(text.find("lyrics.lrc:2") != std::string::npos);
        CHECK(text.find("[0x:05] is not a time") != std::string::npos);
        CHECK(text.find("without its lyrics on screen") != std::string::npos);
    }
    { // ChordPro by bars, bar 12 past the end of a 20 s song at 120 BPM (bar 11 starts at 20 s)
        fs::remove(song / "lyrics.lrc");
        std::ofstream(song / "song.cho") << "{x_bar: 2}\nOne\n{x_bar: 12}\nTwo\n";
        const CheckReport r = checkSource(song);
        const std::string text = app::formatCheckReport(r);
        INFO(text);
        CHECK(text.find("song.cho:3") != std::string::npos);
        CHECK(text.find("'Two' is timed at 00:22.00") != std::string::npos);
    }
}

TEST_CASE("The screen's lyrics at a play head: at 100%, at 80%, the wait for the next line, sections as markers",
          "[unit][lyrics]") {
    const Lyrics l =
        parseChordPro("{start_of_verse: Verse 1}\n{x_time: 0:02}\n[Am]One\n{x_time: 0:06}\nTwo\n"
                      "{end_of_verse}\n{soc}\n{x_bar: 6}\nThree\n{eoc}\n{soc}\n{x_bar: 9.4}\nFour\n{eoc}\n",
                      "s.cho");
    // At 80% the song plays 1/0.8 as long: 5 s heard is 4 s of song time, in line One.
    const control::LyricsNow at80 = control::lyricsNow(l, 5.0 * 0.8, 120.0, 4, 0.8, std::nullopt);
    CHECK(at80.present);
    CHECK(at80.index == 0);
    CHECK(at80.line.text == "One");
    CHECK(at80.line.chords == std::vector<LyricChord>{{0, "Am"}});
    CHECK(at80.next.text == "Two");
    CHECK(at80.nextIn == Approx((6.0 - 4.0) / 0.8)); // 2.5 s heard
    CHECK(at80.section == "Verse 1");
    const control::LyricsNow before = control::lyricsNow(l, 1.0, 120.0, 4, 1.0, std::nullopt);
    CHECK(before.index == -1);
    CHECK(before.line.text.empty());
    CHECK(before.next.text == "One");
    CHECK(before.section == "Verse 1");
    const control::LyricsNow chorus = control::lyricsNow(l, 10.5, 120.0, 4, 1.0, std::nullopt);
    CHECK(chorus.line.text == "Three");
    CHECK(chorus.section == "Chorus");
    // Markers: Verse 1 on bar 2 (2 s at 120 BPM), Chorus on bar 6, the second chorus (a pickup on
    // bar 9 beat 4, a beat before bar 10) on bar 10, numbered.
    const std::vector<set::Marker> m = control::sectionMarkers(l, 120.0, 4);
    REQUIRE(m.size() == 3);
    CHECK(m[0].name == "Verse 1");
    CHECK(m[0].bar == 2);
    CHECK(m[1].name == "Chorus");
    CHECK(m[1].bar == 6);
    CHECK(m[2].name == "Chorus 2");
    CHECK(m[2].bar == 10);
}
