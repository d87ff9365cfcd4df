// Renders through real streaming from files on disk: stems far longer than the preloaded head,
// so the ring, the disk thread, seeks and faults are all on the path.
#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "../support/TestSupport.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Ramp.h"
#include "stemdeck/stream/DiskStreamer.h"

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

// A stem that is a ramp of its own frame index (scaled): any frame played tells where it came from.
test::StemAudio indexStem(std::int64_t length, float scale, bool stereo) {
    test::StemAudio s;
    s.left.resize(static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < s.left.size(); ++i)
        s.left[i] = scale * static_cast<float>(i % 65536) / 65536.0f;
    if (stereo) {
        s.right = s.left;
        for (auto& v : s.right)
            v = -v;
    }
    return s;
}

// Frames in [resume + fade, until) that are not the two index stems (0.5 stereo, 0.25 mono)
// playing song frame `target` onwards from frame `resume` of the render.
std::size_t wrongAfterResume(const test::Rendered& out, std::size_t resume, std::size_t fade, std::size_t target,
                             std::size_t until) {
    std::size_t wrong = 0;
    for (std::size_t k = resume + fade; k < until; ++k) {
        const float x = static_cast<float>((target + (k - resume)) % 65536) / 65536.0f;
        if (out.left[k] != 0.5f * x + 0.25f * x || out.right[k] != -0.5f * x + 0.25f * x) ++wrong;
    }
    return wrong;
}

// Renders a script whose seek targets are NOT preloaded as cue points: they exist only on disk.
test::Rendered renderUncued(const control::Song& song, const std::string& yaml, int block) {
    const auto script = control::parseEventScript(
        yaml, "events.yaml", {song.stemNames, static_cast<double>(song.sampleRate), song.bpmKnown});
    control::MemorySink sink;
    engine::Engine engine;
    test::Rendered out;
    out.report = control::renderSong(engine, song.view(), song.sampleRate, script, sink, test::blockOptions(block));
    out.left = std::move(sink.left_);
    out.right = std::move(sink.right_);
    return out;
}

} // namespace

TEST_CASE("Long streamed stems stay sample-exact and in sync at every block size", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 14; // far past the 3 s head and the 2.7 s ring
    test::TempDir dir;
    std::vector<std::int64_t> hits;
    for (std::int64_t f = 17; f < len; f += 12345)
        hits.push_back(f);
    const std::vector<test::StemAudio> stems = {test::impulseStem(len, hits, 0.5f, true),
                                                test::impulseStem(len, hits, 0.25f, false),
                                                test::impulseStem(len - 777, hits, 0.125f, true)};
    test::writeStemFolder(dir.path(), rate, stems, {"A", "B", "C"});
    for (int block : {32, 128, 1024, 333, 0}) {
        DYNAMIC_SECTION("block " << block) {
            const auto out = test::renderFolder(dir.path(), "", test::blockOptions(block));
            REQUIRE(out.left.size() == static_cast<std::size_t>(len));
            CHECK(out.report.underruns == 0);
            CHECK(test::mismatchesAgainstSum(out, stems) == 0);
        }
    }
}

TEST_CASE("Seeks far into a streamed song play the target frames, all stems together", "[render][stream]") {
    const int rate = 44100;
    const std::int64_t len = rate * 20;
    test::TempDir dir;
    test::writeStemFolder(dir.path(), rate, {indexStem(len, 0.5f, true), indexStem(len, 0.25f, false)}, {"A", "B"});
    const int tfade = engine::secondsToFrames(engine::kTransportFadeSeconds, rate);
    for (int block : {64, 1000, 0}) {
        DYNAMIC_SECTION("block " << block) {
            // Seek forward past the ring, back before the head's end, then into the middle.
            const auto out = test::renderFolder(dir.path(),
                                                "events:\n  - { time: 1.0, action: seek, value: 15.0 }\n"
                                                "  - { time: 2.0, action: seek, value: 1.5 }\n"
                                                "  - { time: 4.0, action: seek, value: 9.25 }\n"
                                                "  - { time: 8.0, action: stop }\n",
                                                test::blockOptions(block));
            CHECK(out.report.underruns == 0);
            // After each jump's fade-out, render frame k plays song frame target + (k − issue − fade).
            const auto check = [&](double issue, double target, double until) {
                const auto from = static_cast<std::size_t>(issue * rate) + 2 * static_cast<std::size_t>(tfade);
                const auto to = static_cast<std::size_t>(until * rate);
                std::size_t wrong = 0;
                for (std::size_t k = from; k < to; ++k) {
                    const auto song = static_cast<std::size_t>(target * rate) + k -
                                      static_cast<std::size_t>(issue * rate) - static_cast<std::size_t>(tfade);
                    const float a = 0.5f * static_cast<float>(song % 65536) / 65536.0f;
                    const float b = 0.25f * static_cast<float>(song % 65536) / 65536.0f;
                    if (out.left[k] != a + b || out.right[k] != -a + b) ++wrong;
                }
                return wrong;
            };
            CHECK(check(1.0, 15.0, 2.0) == 0);
            CHECK(check(2.0, 1.5, 4.0) == 0);
            CHECK(check(4.0, 9.25, 8.0) == 0);
        }
    }
}

TEST_CASE("A stem truncated and another deleted mid-render: the others do not notice", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 16;
    test::TempDir dir;
    const std::vector<test::StemAudio> stems = {test::sineStem(len, 220.0, rate, 0.2f, true),
                                                test::sineStem(len, 330.0, rate, 0.2f, true),
                                                test::sineStem(len, 440.0, rate, 0.2f, false)};
    test::writeStemFolder(dir.path(), rate, stems, {"Keep", "Cut", "Gone"});
    // The reference: the same render with only the untouched stem audible.
    const std::string soloKeep =
        "events:\n  - { frame: 0, action: mute, stem: cut }\n  - { frame: 0, action: mute, stem: gone }\n";
    const auto clean = test::renderFolder(dir.path(), soloKeep, test::blockOptions(256));

    // At 2 s into the render, cut 02_Cut.wav to 8 s of audio and delete 03_Gone.wav.
    control::RenderOptions o = test::blockOptions(256);
    bool done = false;
    const fs::path cut = dir / "02_Cut.wav", gone = dir / "03_Gone.wav";
    o.beforeBlock = [&](std::int64_t frame) {
        if (done || frame < 2 * rate) return;
        done = true;
        fs::resize_file(cut, 44 + 8 * static_cast<std::uintmax_t>(rate) * 2 * 4); // header + 8 s of stereo float
        fs::remove(gone);
    };
    const auto faulty = test::renderFolder(dir.path(), soloKeep, o);
    REQUIRE(done);
    REQUIRE(faulty.left.size() == clean.left.size());
    CHECK(faulty.left == clean.left); // bit-identical: the broken stems are muted here…
    CHECK(faulty.right == clean.right);
    REQUIRE(faulty.faults.size() == 1); // …and the cut one was reported once, naming the file
    CHECK_THAT(faulty.faults[0], Catch::Contains("02_Cut.wav: cannot read past 8.00 s"));

    // Audible, the cut stem plays to 8 s, then silence, while the deleted one (still open) plays on.
    const auto all = test::renderFolder(dir.path(), "", test::blockOptions(256));
    const auto at = [&](double s) { return static_cast<std::size_t>(s * rate); };
    CHECK(test::rms(all.left, at(3.0), at(7.5)) > 0.1); // the three stems, as written
}

TEST_CASE("A slow disk: no underruns while the read-ahead lasts, silence then resync beyond it", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 10;
    test::TempDir dir;
    test::writeStemFolder(dir.path(), rate, {indexStem(len, 0.5f, true), indexStem(len, 0.25f, true)}, {"A", "B"});
    control::RenderOptions paced = test::blockOptions(256);
    paced.waitForDisk = false; // like a device: the render does not wait for the disk
    paced.realTimePace = true;

    SECTION("each 170 ms chunk takes 40 ms to read: the ring keeps ahead") {
        stream::DiskStreamer::setReadDelay(std::chrono::milliseconds(40));
        const auto out = test::renderFolder(dir.path(), "events:\n  - { time: 4.0, action: stop }\n", paced);
        stream::DiskStreamer::setReadDelay({});
        CHECK(out.report.underruns == 0);
    }
    SECTION("a 4 s stall: silence where the disk could not keep up, then exact again") {
        // At 3.5 s (past the 3 s head) the disk stalls: reads wait until it is back at 7.5 s. The
        // ring holds about 2.5 s ahead, so it runs dry near 6 s. (The second stem's read is handed
        // to a new disk thread after 1 s, DiskStreamer::kHandOver, and waits for the same disk.)
        control::RenderOptions stall = paced;
        bool stalled = false, lifted = false;
        stall.beforeBlock = [&](std::int64_t frame) {
            if (!stalled && frame >= rate * 7 / 2) {
                stalled = true;
                stream::DiskStreamer::setReadDelay(std::chrono::milliseconds(4000));
            } else if (stalled && !lifted && frame >= rate * 15 / 2) { // the disk is back
                lifted = true;
                stream::DiskStreamer::setReadDelay({});
            }
        };
        const auto out = test::renderFolder(dir.path(), "", stall);
        stream::DiskStreamer::setReadDelay({});
        CHECK(out.report.underruns > 0);
        // The ring ran dry during the stall: silence there (the stem's own samples are never 0
        // for long: only at multiples of 65536 frames)…
        std::size_t silentFrames = 0;
        for (std::size_t i = static_cast<std::size_t>(6.5 * rate); i < static_cast<std::size_t>(7.2 * rate); ++i)
            if (out.left[i] == 0.0f && out.right[i] == 0.0f) ++silentFrames;
        CHECK(silentFrames > static_cast<std::size_t>(rate) / 2);
        // …and once the disk is back, every frame is the right one again, in sync.
        std::size_t wrong = 0;
        for (std::size_t i = static_cast<std::size_t>(8.5 * rate); i < out.left.size(); ++i) {
            const float v = 0.75f * static_cast<float>(i % 65536) / 65536.0f;
            if (out.left[i] != v || out.right[i] != -v) ++wrong;
        }
        CHECK(wrong == 0);
    }
}

TEST_CASE("An uncued seek waits, silent, until every stem has the target, then all start together",
          "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 20;
    test::TempDir dir;
    test::writeStemFolder(dir.path(), rate, {indexStem(len, 0.5f, true), indexStem(len, 0.25f, false)}, {"A", "B"});
    control::Song song = control::loadSong(dir.path()); // no cue at 12 s: the target is only on disk
    const auto out = renderUncued(song,
                                  "events:\n  - { time: 1.0, action: seek, value: 12.0 }\n"
                                  "  - { time: 3.0, action: stop }\n",
                                  256);
    CHECK(out.report.underruns == 0); // nobody played a partial range: the engine waited instead
    const auto tfade = static_cast<std::size_t>(engine::secondsToFrames(engine::kTransportFadeSeconds, rate));
    const std::size_t faded = static_cast<std::size_t>(rate) + tfade; // fade-out over: at the target
    std::size_t resume = faded;
    while (resume < out.left.size() && out.left[resume] == 0.0f)
        ++resume;
    INFO("waited " << resume - faded << " frames at the target");
    REQUIRE(resume < static_cast<std::size_t>(2 * rate));
    // From the first frame heard, both stems play the target onwards, together, exactly.
    CHECK(wrongAfterResume(out, resume, tfade, static_cast<std::size_t>(12 * rate),
                           static_cast<std::size_t>(2.5 * rate)) == 0);
}

TEST_CASE("A cut file that comes back re-enters in sync", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 16;
    test::TempDir dir;
    const std::vector<test::StemAudio> stems = {indexStem(len, 0.5f, true)};
    test::writeStemFolder(dir.path(), rate, stems, {"Flaky"});
    const std::filesystem::path file = dir / "01_Flaky.wav";
    control::RenderOptions o = test::blockOptions(256);
    int step = 0;
    o.beforeBlock = [&](std::int64_t frame) {
        if (step == 0 && frame >= 2 * rate) { // cut to 8 s of audio
            std::filesystem::resize_file(file, 44 + 8 * static_cast<std::uintmax_t>(rate) * 2 * 4);
            step = 1;
        } else if (step == 1 && frame >= 10 * rate) { // put the whole file back, as a new file
            test::writeStemFolder(dir.path(), rate, stems, {"Flaky"});
            std::this_thread::sleep_for(std::chrono::milliseconds(600)); // the next retry is due
            step = 2;
        }
    };
    const auto out = test::renderFolder(dir.path(), "", o);
    REQUIRE(step == 2);
    REQUIRE(out.faults.size() == 1); // reported once, not again when it recovers
    std::size_t silent = 0, wrong = 0;
    for (std::size_t i = 9 * static_cast<std::size_t>(rate); i < 10 * static_cast<std::size_t>(rate); ++i)
        if (out.left[i] == 0.0f) ++silent;
    for (std::size_t i = static_cast<std::size_t>(13.5 * rate); i < out.left.size(); ++i)
        if (out.left[i] != stems[0].left[i] || out.right[i] != stems[0].right[i]) ++wrong;
    CHECK(silent == static_cast<std::size_t>(rate)); // the missing range was silence…
    CHECK(wrong == 0);                               // …and the stem is back, in sync
}

TEST_CASE("Play from a stopped, uncued position waits until every stem has it", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 20;
    test::TempDir dir;
    test::writeStemFolder(dir.path(), rate, {indexStem(len, 0.5f, true), indexStem(len, 0.25f, false)}, {"A", "B"});
    control::Song song = control::loadSong(dir.path());
    // Stop, jump while stopped to 12 s (not preloaded), and press play on the same frame.
    const auto out = renderUncued(song,
                                  "events:\n  - { time: 1.0, action: stop }\n"
                                  "  - { time: 1.5, action: seek, value: 12.0 }\n"
                                  "  - { time: 1.5, action: play }\n  - { time: 3.0, action: stop }\n",
                                  512);
    CHECK(out.report.underruns == 0);
    std::size_t resume = static_cast<std::size_t>(1.5 * rate);
    while (resume < out.left.size() && out.left[resume] == 0.0f)
        ++resume;
    REQUIRE(resume < static_cast<std::size_t>(2 * rate));
    const auto tfade = static_cast<std::size_t>(engine::secondsToFrames(engine::kTransportFadeSeconds, rate));
    CHECK(wrongAfterResume(out, resume, tfade, static_cast<std::size_t>(12 * rate),
                           static_cast<std::size_t>(2.5 * rate)) == 0);
}
