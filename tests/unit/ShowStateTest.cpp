// The one published show state: snapshots from the control thread to any number of readers, none
// of which can hold the writer up; change events told apart from position frames.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "stemdeck/control/ShowState.h"

using namespace stemdeck::control;
using Clock = std::chrono::steady_clock;

namespace {
ShowState sample(double seconds, bool muted) {
    ShowState s;
    s.setName = "Friday";
    s.songs = {{1, "Opener", 180.0, false}, {2, "Closer", -1.0, false}};
    s.player.song = 1;
    s.player.songs = 2;
    s.player.title = "Opener";
    s.player.seconds = seconds;
    s.player.barBeat.bar = 1 + static_cast<std::int64_t>(seconds / 2.0);
    s.player.stems.resize(2);
    s.player.stems[0].name = "Drums";
    s.player.stems[0].mix.muted = muted;
    s.player.stems[0].peak = static_cast<float>(seconds) / 100.0f; // the meter moves on its own
    s.clock.songFrame = static_cast<std::int64_t>(seconds * 48000.0);
    s.clock.monotonicNs = static_cast<std::int64_t>(seconds * 1e9);
    return s;
}
} // namespace

TEST_CASE("Show state: every snapshot is numbered, and only what is more than the position and meters is a change",
          "[unit][showstate]") {
    ShowStatePublisher p;
    CHECK(p.latest()->version == 0);
    p.publish(sample(1.0, false));
    CHECK(p.latest()->version == 1);
    CHECK(p.latest()->changes == 1); // the first is a change
    p.publish(sample(1.5, false));   // only the position and the meters moved: a position frame
    CHECK(p.latest()->version == 2);
    CHECK(p.latest()->changes == 1);
    CHECK(p.latest()->clock.songFrame == 72000);
    p.publish(sample(2.0, true)); // a mute: a change event
    CHECK(p.latest()->changes == 2);
    ShowState cued = sample(2.5, true);
    cued.cuedSong = 1;
    p.publish(cued);
    CHECK(p.latest()->changes == 3);
    ShowState health = cued;
    health.health.xruns = 1;
    p.publish(health);
    CHECK(p.latest()->changes == 4);
    CHECK(p.latest()->version == 5);
    CHECK_FALSE(showChanged(sample(3.0, false), sample(9.0, false)));
    CHECK(showChanged(sample(3.0, false), sample(3.0, true)));
}

TEST_CASE("Show state: a reader that stops reading for 10 s holds one old snapshot and never delays the writer",
          "[unit][showstate]") {
    ShowStatePublisher p;
    p.publish(sample(0.0, false));
    std::atomic<bool> holding{false}, done{false};
    // The stalled reader: takes a snapshot and keeps it, reading nothing more for 10 s (a WebSocket
    // client that never reads, a remote whose network went away).
    std::thread stalled([&] {
        const std::shared_ptr<const ShowState> held = p.latest();
        holding = true;
        for (int i = 0; i < 1000 && !done; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(held->version == 1); // its snapshot is as it was, whatever the writer did meanwhile
        CHECK(held->player.stems[0].name == "Drums");
    });
    // A waiter that waits for a version that never comes, for as long as the writer writes.
    std::thread waiter([&] {
        while (!done)
            (void)p.waitForVersion(~0ull, 50);
    });
    while (!holding)
        std::this_thread::yield();
    // The writer: 200 snapshots a second for 10 s, as the control thread publishes.
    double worstUs = 0.0;
    auto next = Clock::now();
    for (int i = 1; i <= 2000; ++i) { // (i % 100 == 0: muted, a change; the one after: unmuted, a change)
        next += std::chrono::milliseconds(5);
        std::this_thread::sleep_until(next);
        const auto t0 = Clock::now();
        p.publish(sample(i * 0.005, i % 100 == 0));
        worstUs = std::max(worstUs, std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    done = true;
    stalled.join();
    waiter.join();
    std::printf("show state: 2000 publishes beside a stalled reader and a waiter, the slowest %.0f us\n", worstUs);
    // (A publish that met a reader copying the pointer is swapped in by the next: one more, alone.)
    p.publish(sample(10.005, false));
    CHECK(p.latest()->version == 2002);
    CHECK(p.latest()->changes == 41); // the first, every 100th (a mute) and the one after it (its release)
    // Never a wait on a reader: a publish is an allocation and two stores (this bound is a hang
    // detector, 200 times the slowest seen under ASan and two CPU hogs, not a timing goal).
    CHECK(worstUs < 200000.0);
}

TEST_CASE("Show state under three readers and a waiter while the control thread publishes (TSan)",
          "[unit][showstate][tsan]") {
    ShowStatePublisher p;
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> reads{0}, woken{0}, backwards{0}, torn{0};
    std::vector<std::thread> readers;
    // (Catch's assertions are the main thread's only: the readers count what they see.)
    for (int r = 0; r < 3; ++r)
        readers.emplace_back([&] {
            std::uint64_t last = 0;
            while (!done) {
                const std::shared_ptr<const ShowState> s = p.latest();
                if (s->version < last) backwards.fetch_add(1, std::memory_order_relaxed); // never goes back
                last = s->version;
                if (!s->player.stems.empty() && s->player.stems[0].name != "Drums")
                    torn.fetch_add(1, std::memory_order_relaxed);
                reads.fetch_add(1, std::memory_order_relaxed);
            }
        });
    std::thread waiter([&] {
        std::uint64_t seen = 0;
        while (!done) {
            const auto s = p.waitForVersion(seen, 100);
            if (s->version > seen) woken.fetch_add(1, std::memory_order_relaxed);
            seen = s->version;
        }
    });
    for (int i = 1; i <= 3000; ++i) {
        p.publish(sample(i * 0.005, i % 7 == 0));
        if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    done = true;
    for (auto& t : readers)
        t.join();
    waiter.join();
    p.publish(sample(20.0, false)); // (swaps in one that met a reader copying the pointer)
    CHECK(p.latest()->version == 3001);
    CHECK(reads.load() > 0);
    CHECK(woken.load() > 0);
    CHECK(backwards.load() == 0);
    CHECK(torn.load() == 0);
}
