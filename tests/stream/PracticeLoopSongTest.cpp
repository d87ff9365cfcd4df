// The A-B practice loop through the whole path: real files, the real SetPlayer (A held in RAM by
// loading the song again as it plays and switching to it on a beat line), the disk thread, the
// engine driven block by block as a device would.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/SetPlayer.h"

using namespace stemdeck;
using namespace stemdeck::control;

namespace {
constexpr int kRate = 48000;
constexpr int kBlock = 256;
constexpr std::int64_t kBar = 96000; // 4/4 at 120 BPM

/// Every frame of the "Ramp" stem tells where it was read.
float rampAt(std::int64_t frame) {
    return test::rampAt(frame, 0.1f);
}

void writeSong(const std::filesystem::path& dir) {
    const std::int64_t len = 40 * kRate;
    test::writeStemFolder(dir, kRate, {test::rampStem(len, 0.1f), test::sineStem(len, 110.0, kRate, 0.3f, false)},
                          {"Ramp", "Bass"}, "BPM: 120\n");
}

// One song in a folder of its own: "Ramp" (routed to direct bus 0, where its frames can be read
// back) and "Bass" (a tone in the main mix), 40 s at 120 BPM, no markers at all.
struct Rig {
    test::TempDir dir;
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<SetPlayer> player;
    std::vector<float> main, ramp, click;
    explicit Rig(const std::optional<ShowPoint>& resume = std::nullopt, std::vector<set::Marker> markers = {}) {
        writeSong(dir.path());
        engine.prepare(kRate, kBlock);
        PlayerOptions o;
        o.song.sampleRate = kRate;
        o.routes.push_back({"Ramp", 0});
        std::vector<set::SetSong> songs = songsFromFolders({dir.path()});
        songs[0].markers = std::move(markers);
        player = std::make_unique<SetPlayer>(engine, std::move(songs), o, log);
        player->start(resume, true);
    }
    void run(std::int64_t frames) {
        std::vector<float> l(kBlock), r(kBlock), rl(kBlock), rr(kBlock), c(kBlock);
        engine::OutputBuses out;
        out.mainLeft = l.data();
        out.mainRight = r.data();
        out.directLeft[0] = rl.data();
        out.directRight[0] = rr.data();
        out.click = c.data();
        for (std::int64_t done = 0; done < frames; done += kBlock) {
            (void)player->waitForLoads(10.0); // a step or reload on the loader thread lands first
            (void)player->waitForDisk(engine::kSeekReadyFrames, 5.0); // faster than real time, as render
            engine.process(out, kBlock);
            main.insert(main.end(), l.begin(), l.end());
            ramp.insert(ramp.end(), rl.begin(), rl.end());
            click.insert(click.end(), c.begin(), c.end());
            player->poll();
        }
    }
    void runTo(std::int64_t outputFrame) { run(outputFrame - static_cast<std::int64_t>(main.size())); }
    /// Plays from the top; a in bar `aBar` (its second beat), b in bar `bBar` (its third).
    /// `afterA` looks in between.
    template <typename Check>
    void pressAB(int aBar, int bBar, Check&& afterA) {
        player->play();
        runTo((aBar - 1) * kBar + kBar / 4);
        player->setLoopA();
        afterA();
        runTo((bBar - 1) * kBar + kBar / 2);
        player->setLoopB();
    }
    /// The output frame, from `from` on, where the song's frame `songFrame` played (found by a
    /// frame `past` after it, clear of a fade-in: every frame of the ramp is its own value); -1 if none.
    [[nodiscard]] std::int64_t playedAt(std::int64_t songFrame, std::int64_t from, std::int64_t past) const {
        const float mark = rampAt(songFrame + past);
        for (auto k = from; k < static_cast<std::int64_t>(ramp.size()); ++k)
            if (ramp[static_cast<std::size_t>(k)] == mark) return k - past;
        return -1;
    }
    /// Output frames from `at` whose ramp values are not the song's frames from `songFrame`.
    [[nodiscard]] int mismatches(std::int64_t at, std::int64_t songFrame, std::int64_t n) const {
        int bad = 0;
        for (std::int64_t k = 0; k < n; ++k)
            bad += ramp[static_cast<std::size_t>(at + k)] != rampAt(songFrame + k) ? 1 : 0;
        return bad;
    }
};

} // namespace

TEST_CASE("A-B loop set live over bars that are no markers: A is held in RAM by loading the song again as it "
          "plays, and every pass comes back to A sample for sample, with no underrun",
          "[stream][practice]") {
    Rig rig;
    rig.pressAB(3, 5, [&] { CHECK(rig.player->status().practiceLoop == "A bar 3"); }); // B: the end of bar 5
    const std::int64_t a = 2 * kBar, b = 5 * kBar, length = b - a;
    rig.runTo(b + 3 * length + kBar);
    INFO(rig.log.str());
    CHECK(rig.log.str().find("A-B loop: A at bar 3 (0:04.0)") != std::string::npos);
    CHECK(rig.log.str().find("A-B loop: bars 3-5; v lets it go") != std::string::npos);
    CHECK(rig.player->status().practiceLoop == "A-B bars 3-5");
    CHECK(rig.player->underruns() == 0);
    CHECK(rig.engine.looping());
    // Up to B, the song as it is (the reload switched in between without a seam).
    CHECK(rig.mismatches(0, 0, b - 300) == 0);
    // Then A, B, A, …: each pass the song's frames from A (past the 5 ms crossfade before B).
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * kRate) + 1;
    for (int pass = 0; pass < 3; ++pass) {
        INFO("pass " << pass + 2);
        CHECK(rig.mismatches(b + pass * length, a, length - xfade) == 0);
    }
    // The player lets it go with v: the play head runs on past B at the end of the pass.
    rig.player->toggleVamp();
    rig.run(length + kBar);
    CHECK_FALSE(rig.engine.looping());
    CHECK(rig.engine.songFrame() > b);
    CHECK(rig.log.str().find("A-B loop released") != std::string::npos);
}

TEST_CASE("b pressed on the downbeat after the passage (a moment late) ends the loop on that bar line and goes "
          "back to A at once",
          "[stream][practice]") {
    Rig rig;
    rig.player->play();
    rig.runTo(2 * kBar + kBar / 4); // bar 3
    rig.player->setLoopA();
    rig.runTo(5 * kBar + kBar / 16); // bar 6, a sixteenth in: the passage was bars 3-5
    rig.player->setLoopB();
    rig.run(kBar / 2);
    INFO(rig.log.str());
    CHECK(rig.log.str().find("A-B loop: bars 3-5; v lets it go") != std::string::npos);
    CHECK(rig.player->underruns() == 0);
    const std::int64_t here = rig.engine.songFrame();
    CHECK(here >= 2 * kBar); // back in bars 3-5 already
    CHECK(here < 2 * kBar + kBar / 2);
    // And a press later in a bar still means the end of that bar: a loop of bar 3 alone.
    rig.run(kBar / 4);
    rig.player->setLoopB();
    CHECK(rig.log.str().find("A-B loop: bar 3; v lets it go") != std::string::npos);
}

TEST_CASE("practice_loop 2-3 with a count-in: the passage, then before each pass a bar of the click with the stems "
          "silent, and the passage again from its first frame, faded in",
          "[stream][practice]") {
    Rig rig;
    ActionCall countIn;
    countIn.action = Action::loopCountIn;
    rig.player->perform(countIn);
    CHECK(rig.player->status().practiceLoop == "A-B count-in 1 bar");
    rig.player->play();
    rig.runTo(10 * kBar); // bar 11: the loop is elsewhere, so the player goes there
    ActionCall loop;
    loop.action = Action::practiceLoop;
    std::string error;
    REQUIRE(parseValue(info(Action::practiceLoop), "2-3", {}, loop, error));
    rig.player->perform(loop);
    rig.run(10 * kBar); // (the jump there, A held in RAM, two passes and their count-ins)
    INFO(rig.log.str());
    CHECK(rig.log.str().find("A-B loop: bars 2-3, a 1-bar count-in before each pass") != std::string::npos);
    CHECK(rig.player->underruns() == 0);
    const std::int64_t a = kBar, length = 2 * kBar;
    // Where A came back (after the jump there and its count-in): the output frame of A's first
    // frame (found by a frame past its fade-in).
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * kRate);
    const std::int64_t first = rig.playedAt(a, 10 * kBar, xfade + 10);
    REQUIRE(first > 0);
    // The pass after: the end fades out, a bar of silence with four clicks, A fades in.
    const std::int64_t end = first + length;
    CHECK(rig.playedAt(a, end, xfade + 10) == end + kBar);
    float stems = 0.0f, clicks = 0.0f;
    for (std::int64_t k = end + 10; k < end + kBar - 10; ++k) {
        stems = std::max({stems, std::fabs(rig.ramp[static_cast<std::size_t>(k)]),
                          std::fabs(rig.main[static_cast<std::size_t>(k)])});
        clicks = std::max(clicks, std::fabs(rig.click[static_cast<std::size_t>(k)]));
    }
    CHECK(stems == 0.0f);
    CHECK(clicks > 0.1f);
    CHECK(rig.mismatches(end + kBar + xfade, a + xfade, length - 2 * xfade) == 0);
}

TEST_CASE("An A-B loop goes on at a practice tempo: after a change to 90% it loops the same bars on the new grid, "
          "A still held in RAM, with no underrun",
          "[stream][practice][stretch]") {
    Rig rig;
    rig.pressAB(2, 4, [] {}); // bars 2-4
    rig.runTo(5 * kBar);
    REQUIRE(rig.engine.looping());
    rig.player->setTempo(set::TempoSetting{0.9, false});
    rig.run(12 * kRate);
    INFO(rig.log.str());
    CHECK(rig.engine.timing().bpm == Approx(108.0));
    CHECK(rig.player->underruns() == 0);
    CHECK(rig.engine.looping());
    const engine::SongTiming& t = rig.engine.timing();
    CHECK(rig.engine.loopStart() == engine::gridFrame(t, kRate, engine::Quantize::bar, 1));
    CHECK(rig.player->status().practiceLoop == "A-B bars 2-4");
    // Still inside the loop's bars.
    const std::int64_t bar = engine::toBarBeat(t, kRate, rig.engine.songFrame()).bar;
    CHECK(bar >= 2);
    CHECK(bar <= 4);
}

TEST_CASE("A crash while the A-B loop runs resumes looping the same bars with the same count-in, A held in RAM "
          "by the resume's load",
          "[stream][practice]") {
    Rig rig;
    rig.pressAB(2, 4, [] {});
    ActionCall countIn;
    countIn.action = Action::loopCountIn;
    rig.player->perform(countIn);
    rig.runTo(5 * kBar);
    REQUIRE(rig.engine.looping());
    ShowPoint at = rig.player->showPoint();
    CHECK(at.loopFirstBar == 2);
    CHECK(at.loopLastBar == 4);
    CHECK(at.loopCountIn == 1);
    CHECK(at.vamp);

    // A new player (as after a crash) from there, in bar 3 (so the resume starts on bar 3's line).
    at.frame = 2 * kBar + kBar / 2;
    Rig again(at);
    again.run(8 * kBar);
    INFO(again.log.str());
    CHECK(again.log.str().find("looping bars 2-4; playing") != std::string::npos);
    CHECK(again.log.str().find("A-B loop: bars 2-4, a 1-bar count-in before each pass") != std::string::npos);
    CHECK(again.log.str().find("as soon as A is held in RAM") == std::string::npos); // held from the load
    CHECK(again.player->underruns() == 0);
    CHECK(again.engine.looping());
    CHECK(again.engine.loopStart() == kBar);
    // Bars 3 and 4, then a bar of count-in, then bar 2 again: the ramp's A after a bar of silence.
    const std::int64_t seen = again.playedAt(kBar, 0, 1000);
    REQUIRE(seen > kBar);
    CHECK(again.mismatches(seen + 1000, kBar + 1000, kBar) == 0);
    float before = 0.0f;
    for (std::int64_t k = seen - kBar + 600; k < seen - 600; ++k)
        before = std::max(before, std::fabs(again.ramp[static_cast<std::size_t>(k)]));
    CHECK(before == 0.0f);
}

TEST_CASE("After a live tempo change the set file's markers are still held in RAM at the new tempo: a jump to one "
          "never waits for the disk",
          "[stream][practice][stretch]") {
    Rig rig(std::nullopt, {{"Verse", 9}, {"Drop", 17}});
    rig.player->play();
    rig.runTo(kBar);
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * kRate) + 1;
    // At the set's tempo: bar 17 (32 s in, far past the ring's 2.5 s) is in RAM from the load.
    CHECK(rig.player->readableNow(16 * kBar - xfade, 4096));
    rig.player->setTempo(set::TempoSetting{0.9, false});
    rig.run(8 * kRate);
    INFO(rig.log.str());
    REQUIRE(rig.engine.timing().bpm == Approx(108.0));
    const double bar = 4.0 * 60.0 / 108.0 * kRate; // at 90%
    for (const int markerBar : {9, 17}) {
        const auto at = static_cast<std::int64_t>(std::llround((markerBar - 1) * bar));
        INFO("bar " << markerBar << " at frame " << at << ", the play head at " << rig.engine.songFrame());
        CHECK(rig.engine.songFrame() + 3 * kRate < at - xfade); // not in the ring: only RAM can hold it
        CHECK(rig.player->readableNow(at - xfade, 4096));
    }
    // And the jump plays the marker's frames at the new tempo, with no underrun.
    rig.player->goToMarker(1);
    rig.run(3 * kBar);
    CHECK(rig.player->underruns() == 0);
    CHECK(rig.player->status().song == 1);
}
