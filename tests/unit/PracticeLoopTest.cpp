// The engine's part of the A-B practice loop: a loop with a count-in before each pass (its end
// fades out, the click counts the bars in with the stems silent, its start fades in), and the
// song reloaded as it plays (to hold A in RAM) switched to with no crossfade at all.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
constexpr double kRate = 48000.0;
constexpr int kBlock = 512;
constexpr std::int64_t kBar = 96000; // 4/4 at 120 BPM

/// A stem whose every frame tells where it was read: 0.25 + frame / 1e7.
float valueAt(std::int64_t frame) {
    return test::rampAt(frame, 0.25f);
}
std::vector<float> ramp(std::int64_t frames) {
    return test::rampStem(frames, 0.25f).left;
}

struct Rig {
    stream::MemoryStemSource a{ramp(1440000), {}}, same{ramp(1440000), {}};
    SongView view, reloaded;
    Engine engine;
    CommandSender sender;
    std::vector<float> out, click;
    std::vector<Event> events;
    Rig() : sender((engine.prepare(kRate, kBlock), engine.makeSender())) {
        view.stems = {&a};
        view.stemCount = 1;
        view.lengthFrames = 1440000;
        view.timing.bpm = 120.0;
        view.id = 3;
        reloaded = view;
        reloaded.stems = {&same};
        engine.setSong(view);
    }
    void run(std::int64_t untilFrame) {
        std::vector<float> l(kBlock), r(kBlock), c(kBlock);
        OutputBuses buses;
        buses.mainLeft = l.data();
        buses.mainRight = r.data();
        buses.click = c.data();
        while (static_cast<std::int64_t>(out.size()) < untilFrame) {
            engine.process(buses, kBlock);
            out.insert(out.end(), l.begin(), l.end());
            click.insert(click.end(), c.begin(), c.end());
            Event e;
            while (engine.nextEvent(e))
                events.push_back(e);
        }
    }
    [[nodiscard]] float peak(const std::vector<float>& x, std::int64_t from, std::int64_t to) const {
        float p = 0.0f;
        for (auto i = from; i < to; ++i)
            p = std::max(p, std::fabs(x[static_cast<std::size_t>(i)]));
        return p;
    }
};
} // namespace

TEST_CASE("A loop with a one-bar count-in: its end fades out, the click counts a bar in with the stems silent, "
          "its start fades in, and every pass after the first is the loop plus a bar long",
          "[unit][practice]") {
    Rig rig;
    rig.sender.send(Command{Op::play});
    Command loop{Op::loopOn};
    loop.target = kBar;     // A: bar 2
    loop.length = 2 * kBar; // B: bar 4
    loop.value = 1.0f;      // a bar of count-in
    rig.sender.send(loop);
    const std::int64_t a = kBar, b = 3 * kBar, period = b - a + kBar;
    rig.run(b + 2 * period + kBar);
    const auto xfade = static_cast<std::int64_t>(kLoopCrossfadeSeconds * kRate);

    // The first pass plays straight through A (no fade there) up to B's fade.
    CHECK(rig.out[static_cast<std::size_t>(a)] == valueAt(a));
    CHECK(rig.out[static_cast<std::size_t>(b - xfade - 1)] == valueAt(b - xfade - 1));
    for (int pass = 0; pass < 2; ++pass) {
        const std::int64_t end = b + pass * period; // the output frame of B in this pass
        INFO("pass " << pass + 2 << ", its count-in at output frame " << end);
        // The end fades out, to silence on B.
        CHECK(rig.out[static_cast<std::size_t>(end - xfade / 2)] ==
              Approx(valueAt(b - xfade / 2) * (1.0f - static_cast<float>(xfade / 2 + 1) / static_cast<float>(xfade)))
                  .margin(1e-6));
        CHECK(std::fabs(rig.out[static_cast<std::size_t>(end - 1)]) < 1e-6f);
        // A bar of count-in: the stems silent, the click on each of its four beats (the click's mode is off).
        CHECK(rig.peak(rig.out, end, end + kBar) == 0.0f);
        for (int beat = 0; beat < 4; ++beat)
            CHECK(rig.peak(rig.click, end + beat * kBar / 4, end + beat * kBar / 4 + 480) > 0.1f);
        // Then A, fading in, then on at full level: the loop's start, frame for frame.
        const std::int64_t start = end + kBar;
        CHECK(rig.out[static_cast<std::size_t>(start)] == Approx(valueAt(a) / static_cast<float>(xfade)).margin(1e-6));
        CHECK(rig.out[static_cast<std::size_t>(start + xfade / 2)] ==
              Approx(valueAt(a + xfade / 2) * static_cast<float>(xfade / 2 + 1) / static_cast<float>(xfade))
                  .margin(1e-6));
        for (const std::int64_t k : {xfade, xfade + 1000, kBar, 2 * kBar - xfade - 1})
            CHECK(rig.out[static_cast<std::size_t>(start + k)] == valueAt(a + k));
        // No click while the stems play.
        CHECK(rig.peak(rig.click, start + 1000, start + 2 * kBar - 1000) == 0.0f);
    }
}

TEST_CASE("A loop's count-in can be turned off while it runs: the next pass follows seamlessly", "[unit][practice]") {
    Rig rig;
    rig.sender.send(Command{Op::play});
    Command loop{Op::loopOn};
    loop.target = kBar;
    loop.length = 2 * kBar;
    loop.value = 1.0f;
    rig.sender.send(loop);
    rig.run(2 * kBar);
    loop.value = 0.0f; // (the player sends the loop again)
    rig.sender.send(loop);
    rig.run(3 * kBar + kBar / 2);
    // At B the loop's crossfade brings A's audio: A's frames follow at once, no count-in.
    CHECK(rig.out[static_cast<std::size_t>(3 * kBar)] == Approx(valueAt(kBar)).margin(1e-6));
    CHECK(rig.out[static_cast<std::size_t>(3 * kBar + 1000)] == valueAt(kBar + 1000));
    CHECK(rig.peak(rig.click, 3 * kBar, 3 * kBar + kBar / 2) == 0.0f);
}

TEST_CASE("The song reloaded as it plays (retime value 1, the same audio from other sources) switches on its "
          "frame with no crossfade: the output runs on sample for sample",
          "[unit][practice]") {
    Rig rig;
    rig.sender.send(Command{Op::play});
    rig.run(50000);
    rig.engine.retimeSong(&rig.reloaded);
    Command retime{Op::retime};
    retime.target = 72000; // beat 4
    retime.value = 1.0f;
    rig.sender.send(retime);
    rig.run(150000);
    for (std::int64_t f = 0; f < 150000; ++f)
        if (rig.out[static_cast<std::size_t>(f)] != valueAt(f)) {
            FAIL("frame " << f << ": " << rig.out[static_cast<std::size_t>(f)] << ", the file has " << valueAt(f));
        }
    bool applied = false, retimed = false;
    for (const Event& e : rig.events) {
        if (e.type == EventType::commandApplied && e.action == static_cast<std::uint8_t>(Op::retime)) {
            applied = true;
            CHECK(e.frame == 72000);
        }
        if (e.type == EventType::songRetimed) {
            retimed = true;
            CHECK(e.frame == 72000); // the old view is free at once
        }
    }
    CHECK(applied);
    CHECK(retimed);
}
