#include <catch2/catch.hpp>

#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
// Two stems of constants (a: 0.5 mono, b: 0.25 / -0.25) at 120 BPM 4/4, `frames` long.
struct Fixture {
    stream::MemoryStemSource a, b;
    Engine engine;
    std::vector<float> l, r;
    explicit Fixture(std::size_t frames = 48000, int block = 512)
        : a(std::vector<float>(frames, 0.5f), {}),
          b(std::vector<float>(frames, 0.25f), std::vector<float>(frames, -0.25f)), l(static_cast<std::size_t>(block)),
          r(static_cast<std::size_t>(block)) {
        engine.prepare(48000.0, block);
        SongView v;
        v.stems[0] = &a;
        v.stems[1] = &b;
        v.stemCount = 2;
        v.lengthFrames = static_cast<std::int64_t>(frames);
        engine.setSong(v);
    }
    std::vector<Event> events() {
        std::vector<Event> out;
        Event e;
        while (engine.nextEvent(e))
            out.push_back(e);
        return out;
    }
};
} // namespace

TEST_CASE("Engine applies a command on its exact frame and reports it", "[unit]") {
    Fixture f;
    auto sender = f.engine.makeSender();
    REQUIRE(sender.send(Command{Op::play}));
    Command mute{Op::mute, Quantize::none, 1, 0.0f, 700, 0};
    REQUIRE(sender.send(mute));
    f.engine.process(f.l.data(), f.r.data(), 512);
    CHECK(f.l[0] == 0.75f);
    CHECK(f.r[0] == 0.25f);
    f.engine.process(f.l.data(), f.r.data(), 512); // frames 512…1023: mute lands at 700
    CHECK(f.l[700 - 512 - 1] == 0.75f);
    CHECK(f.l[700 - 512] < 0.75f);
    const auto ev = f.events();
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].type == EventType::transportStarted);
    CHECK(ev[1].type == EventType::commandApplied);
    CHECK(ev[2].type == EventType::commandApplied);
    CHECK(ev[2].frame == 700);
    CHECK(ev[2].stem == 1);
    CHECK(f.engine.outputFrame() == 1024);
    CHECK(f.engine.songFrame() == 1024);
    CHECK(f.engine.rolling());
    CHECK(f.engine.stem(1).muted.load());
    CHECK(f.engine.stem(0).peak.load() == 0.5f);
    CHECK(f.engine.mainPeak() > 0.5f);
}

TEST_CASE("A quantised command shows as pending on its stem until its beat", "[unit]") {
    Fixture f; // 120 BPM: a beat is 24000 frames
    auto sender = f.engine.makeSender();
    REQUIRE(sender.send(Command{Op::play}));
    f.engine.process(f.l.data(), f.r.data(), 512);
    REQUIRE(sender.send(Command{Op::toggleMute, Quantize::beat, 0}));
    REQUIRE(sender.send(Command{Op::mute, Quantize::none, 1, 0.0f, 100000, 0})); // later, but not quantised
    f.engine.process(f.l.data(), f.r.data(), 512);
    CHECK(f.engine.stem(0).pending.load() == kPendingMute);
    CHECK_FALSE(f.engine.stem(0).muted.load());
    CHECK(f.engine.stem(1).pending.load() == 0);
    REQUIRE(sender.send(Command{Op::solo, Quantize::beat, 1}));
    f.engine.process(f.l.data(), f.r.data(), 512);
    CHECK(f.engine.stem(1).pending.load() == kPendingSolo);
    std::int64_t done = 1536;
    while (done + 512 <= 24000) {
        f.engine.process(f.l.data(), f.r.data(), 512);
        done += 512;
    }
    CHECK(f.engine.stem(0).pending.load() == kPendingMute); // frame 23552: still waiting
    f.engine.process(f.l.data(), f.r.data(), 512);
    CHECK(f.engine.stem(0).pending.load() == 0);
    CHECK(f.engine.stem(0).muted.load());
    CHECK(f.engine.stem(1).pending.load() == 0);
    CHECK(f.engine.stem(1).soloed.load());
}

TEST_CASE("Commands for stems that do not exist are dropped and reported", "[unit]") {
    Fixture f;
    auto sender = f.engine.makeSender();
    REQUIRE(sender.send(Command{Op::mute, Quantize::none, 5}));
    f.engine.process(f.l.data(), f.r.data(), 64);
    const auto ev = f.events();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].type == EventType::commandDropped);
    CHECK(ev[0].stem == 5);
}

TEST_CASE("The command queue is bounded: a full queue refuses and counts, never allocates", "[unit]") {
    Fixture f;
    auto sender = f.engine.makeSender();
    // moodycamel rounds the capacity up to whole blocks per producer; it is still a fixed size.
    const int tries = 50000;
    std::size_t accepted = 0;
    for (int i = 0; i < tries; ++i)
        if (sender.send(Command{Op::gain, Quantize::none, 0, 0.5f, 100000 + i, 0})) ++accepted;
    CHECK(accepted >= kCommandQueueCapacity);
    CHECK(accepted < 20000);
    CHECK(f.engine.droppedCommands() == tries - accepted);
    // Once the audio thread drains it, there is room again.
    f.engine.process(f.l.data(), f.r.data(), 64);
    CHECK(sender.send(Command{Op::play}));
}

TEST_CASE("More future commands than the pending list holds are dropped with an event", "[unit]") {
    Fixture f;
    auto sender = f.engine.makeSender();
    const std::size_t n = kMaxPendingCommands + 10;
    for (std::size_t i = 0; i < n; ++i)
        REQUIRE(sender.send(Command{Op::gain, Quantize::none, 0, 0.5f, static_cast<std::int64_t>(10000 + i), 0}));
    f.engine.process(f.l.data(), f.r.data(), 64);
    std::size_t dropped = 0;
    for (const auto& e : f.events())
        if (e.type == EventType::commandDropped) ++dropped;
    CHECK(dropped == 10);
}

TEST_CASE("Song end stops the transport and says so", "[unit]") {
    Fixture f;
    auto sender = f.engine.makeSender();
    sender.send(Command{Op::play});
    for (int i = 0; i < 100; ++i)
        f.engine.process(f.l.data(), f.r.data(), 512);
    CHECK_FALSE(f.engine.rolling());
    CHECK(f.engine.songFrame() == 48000);
    bool ended = false;
    for (const auto& e : f.events())
        if (e.type == EventType::songEnded) {
            ended = true;
            CHECK(e.frame == 48000);
        }
    CHECK(ended);
    CHECK(f.l[0] == 0.0f); // silence after the end
}

TEST_CASE("A flood of bar-quantised fader moves never crowds out a pad press", "[unit]") {
    // 3000 gain messages a second (8 per 128-frame block) for a fader bound with quantize: bar, and
    // a mute pad pressed every quarter second: every press lands, nothing is dropped, and at the bar
    // line the fader's gain is its latest value (a fader move is one target, not a queue of them).
    Fixture f(192000, 128); // a bar is 96000 frames
    auto fader = f.engine.makeSender();
    auto pad = f.engine.makeSender();
    REQUIRE(pad.send(Command{Op::play}));
    int presses = 0, landed = 0;
    bool muted = false;
    float last = 1.0f;
    for (int block = 0; block < 90000 / 128; ++block) { // the first bar line after 0 is at 96000
        for (int k = 0; k < 8 && block > 0; ++k) {      // from just after bar 1's first frame
            last = 0.25f + 0.5f * static_cast<float>((block * 8 + k) % 100) / 100.0f;
            fader.send(Command{Op::gain, Quantize::bar, 1, last});
        }
        if (block % 94 == 50) { // about every quarter second
            REQUIRE(pad.send(Command{Op::toggleMute, Quantize::none, 0}));
            ++presses;
            muted = !muted;
        }
        f.engine.process(f.l.data(), f.r.data(), 128);
        if (block % 94 == 50 && f.engine.stem(0).muted.load() == muted) ++landed;
    }
    CHECK(presses >= 7);
    CHECK(landed == presses);
    CHECK(f.engine.droppedCommands() == 0);
    CHECK(f.engine.stem(1).gain.load() == 1.0f); // nothing applied before the bar line
    for (int block = 0; block < 60; ++block)     // past 96000
        f.engine.process(f.l.data(), f.r.data(), 128);
    CHECK(f.engine.stem(1).gain.load() == last);
}

TEST_CASE("Waiting quantised commands never starve immediate ones, and what cannot wait is counted", "[unit]") {
    // 400 bar-quantised toggles (each one counts, none supersedes another) fill the waiting list;
    // presses that apply now still land, and the toggles that found no room are counted and reported.
    Fixture f(192000, 128); // a bar is 96000 frames
    auto script = f.engine.makeSender();
    auto pad = f.engine.makeSender();
    REQUIRE(pad.send(Command{Op::play}));
    f.engine.process(f.l.data(), f.r.data(), 128);
    for (int k = 0; k < 400; ++k) {
        script.send(Command{Op::toggleSolo, Quantize::bar, 1});
        if (k % 40 == 0) f.engine.process(f.l.data(), f.r.data(), 128);
    }
    f.engine.process(f.l.data(), f.r.data(), 128);
    const std::uint64_t dropped = f.engine.droppedCommands();
    CHECK(dropped > 0);
    for (int press = 0; press < 20; ++press) {
        REQUIRE(pad.send(Command{Op::toggleMute, Quantize::none, 0}));
        f.engine.process(f.l.data(), f.r.data(), 128);
        CHECK(f.engine.stem(0).muted.load() == (press % 2 == 0));
    }
    CHECK(f.engine.droppedCommands() == dropped); // no press was lost
    int reported = 0;
    Event e;
    while (f.engine.nextEvent(e))
        reported += e.type == EventType::commandDropped ? 1 : 0;
    CHECK(reported == static_cast<int>(dropped));
}
