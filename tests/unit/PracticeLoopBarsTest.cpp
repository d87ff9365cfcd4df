// The A-B practice loop's bar arithmetic on its own (no engine): where A and B land for a press,
// which bar ranges a song has, what the status line says, and A and B kept in the music when the
// song's tempo changes. 4/4 at 120 BPM, 48 kHz: a beat is 24000 frames, a bar 96000.
#include <catch2/catch.hpp>

#include "stemdeck/control/PracticeLoop.h"

using stemdeck::control::PracticeLoop;
using stemdeck::engine::SongTiming;

namespace {
constexpr std::int64_t kBeat = 24000, kBar = 96000;
const SongTiming kTiming{120.0, 4, 4, 0};
const PracticeLoop::Grid kGrid{kTiming, 48000.0, 32 * kBar}; // a 32-bar song
} // namespace

TEST_CASE("A lands on the bar line at or before the press", "[unit][practice]") {
    PracticeLoop l;
    CHECK_FALSE(l.hasA());
    l.setA(kGrid, 16 * kBar + 3 * kBeat); // in bar 17, its last beat
    CHECK(l.a() == 16 * kBar);
    CHECK(l.barNumbers(kGrid) == std::pair{17, 0});
    CHECK(l.statusText(kGrid) == "A bar 17");
    l.setA(kGrid, 0);
    CHECK(l.a() == 0);
}

TEST_CASE("B ends the bar the press is in, or is the line just passed on the downbeat", "[unit][practice]") {
    PracticeLoop l;
    CHECK_FALSE(l.setB(kGrid, 5 * kBar)); // no A yet
    l.setA(kGrid, 16 * kBar);
    CHECK_FALSE(l.setB(kGrid, 15 * kBar)); // before A: nothing changes
    CHECK_FALSE(l.hasB());

    SECTION("pressed in the passage's last bar (bar 24): B is the line ending it") {
        REQUIRE(l.setB(kGrid, 23 * kBar + 2 * kBeat));
        CHECK(l.b() == 24 * kBar);
        CHECK(l.barNumbers(kGrid) == std::pair{17, 24});
        CHECK(l.rangeText(kGrid) == "bars 17-24");
    }
    SECTION("pressed a quarter beat after bar 25's downbeat: B is that line") {
        REQUIRE(l.setB(kGrid, 24 * kBar + kBeat / 4));
        CHECK(l.b() == 24 * kBar);
    }
    SECTION("pressed a beat after the downbeat: the bar it is in is played to its end") {
        REQUIRE(l.setB(kGrid, 24 * kBar + kBeat));
        CHECK(l.b() == 25 * kBar);
    }
    SECTION("pressed less than a tenth of a second before a bar line: the next one (time to get there)") {
        REQUIRE(l.setB(kGrid, 24 * kBar - 4000));
        CHECK(l.b() == 25 * kBar);
    }
    SECTION("pressed in A's own bar: at least a bar long") {
        REQUIRE(l.setB(kGrid, 16 * kBar + kBeat / 8));
        CHECK(l.b() == 17 * kBar);
        CHECK(l.rangeText(kGrid) == "bar 17");
    }
    SECTION("never past the song's end") {
        const PracticeLoop::Grid shortSong{kTiming, 48000.0, 24 * kBar + kBeat};
        REQUIRE(l.setB(shortSong, 24 * kBar + 2 * kBeat));
        CHECK(l.b() == 24 * kBar + kBeat);
    }
}

TEST_CASE("A range of bars must be in the song", "[unit][practice]") {
    PracticeLoop l;
    REQUIRE(l.setBars(kGrid, 17, 24));
    CHECK(l.a() == 16 * kBar);
    CHECK(l.b() == 24 * kBar);
    CHECK_FALSE(l.setBars(kGrid, 0, 4));   // there is no bar 0
    CHECK_FALSE(l.setBars(kGrid, 9, 8));   // backwards
    CHECK_FALSE(l.setBars(kGrid, 33, 40)); // past the end
    CHECK(l.a() == 16 * kBar);             // and nothing changed
    REQUIRE(l.setBars(kGrid, 31, 40));     // the end cut to the song's
    CHECK(l.b() == 32 * kBar);
    CHECK(PracticeLoop::lastBar(kGrid) == 32);
}

TEST_CASE("The status line, the count-in and a song change", "[unit][practice]") {
    PracticeLoop l;
    CHECK(l.statusText(kGrid).empty());
    l.setCountIn(1);
    CHECK(l.statusText(kGrid) == "A-B count-in 1 bar");
    REQUIRE(l.setBars(kGrid, 17, 24));
    l.setWaiting(true);
    CHECK(l.statusText(kGrid) == "A-B bars 17-24 (on its way), 1-bar count-in");
    l.setWaiting(false);
    CHECK(l.statusText(kGrid) == "A-B bars 17-24, 1-bar count-in");
    l.releaseB();
    CHECK(l.hasA());
    CHECK(l.statusText(kGrid) == "A bar 17, 1-bar count-in");
    l.clear(); // a song change
    CHECK_FALSE(l.hasA());
    CHECK(l.countIn() == 1); // the count-in is the performer's, not the song's
}

TEST_CASE("Reloads to hold A in RAM are counted and given up", "[unit][practice]") {
    PracticeLoop l;
    l.setA(kGrid, 0);
    CHECK(l.mayReload());
    l.reloading();
    l.reloading();
    CHECK_FALSE(l.mayReload());
    l.setA(kGrid, kBar); // a new A: tried afresh
    CHECK(l.mayReload());
    l.giveUpReloads();
    CHECK_FALSE(l.mayReload());
}

TEST_CASE("A resume puts the loop back and a retime keeps it in the music", "[unit][practice]") {
    PracticeLoop l;
    l.restore(kGrid, 17, 24);
    CHECK(l.barNumbers(kGrid) == std::pair{17, 24});
    l.restore(kGrid, 17, 0);
    CHECK(l.hasA());
    CHECK_FALSE(l.hasB());
    l.restore(kGrid, 0, 0);
    CHECK_FALSE(l.hasA());

    // At 80% tempo a bar is 120000 frames: bars 17-24 are where they were in the music.
    REQUIRE(l.setBars(kGrid, 17, 24));
    const SongTiming slower{96.0, 4, 4, 0};
    l.retimed(kTiming, slower, 48000.0);
    CHECK(l.a() == 16 * 120000);
    CHECK(l.b() == 24 * 120000);
    const PracticeLoop::Grid slowGrid{slower, 48000.0, 32 * 120000};
    CHECK(l.barNumbers(slowGrid) == std::pair{17, 24});
}
