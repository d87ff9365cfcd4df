#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "stemdeck/stream/StemRing.h"

using stemdeck::stream::StemRing;

namespace {
// Producer side of the tests: writes frame indices as sample values (exact in float below 2^24).
int produce(StemRing& ring, int maxFrames) {
    const StemRing::Work w = ring.work();
    const int n = std::min(w.space, maxFrames);
    std::vector<float> l(static_cast<std::size_t>(n)), r(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        l[static_cast<std::size_t>(i)] = static_cast<float>(w.writeFrame + i);
        r[static_cast<std::size_t>(i)] = -static_cast<float>(w.writeFrame + i);
    }
    ring.write(l.data(), r.data(), n);
    return n;
}
} // namespace

TEST_CASE("Ring hands frames over in order across the wrap", "[unit][stream]") {
    StemRing ring(100); // rounds up to 128
    REQUIRE(ring.capacity() == 128);
    ring.request(0);
    std::vector<float> l(50), r(50);
    std::int64_t at = 0;
    for (int round = 0; round < 20; ++round) {
        produce(ring, 70);
        const int got = ring.read(at, l.data(), r.data(), 50);
        REQUIRE(got == 50);
        for (int i = 0; i < got; ++i) {
            REQUIRE(l[static_cast<std::size_t>(i)] == static_cast<float>(at + i));
            REQUIRE(r[static_cast<std::size_t>(i)] == -static_cast<float>(at + i));
        }
        at += got;
    }
}

TEST_CASE("Producer never writes more than a ring ahead of the reader", "[unit][stream]") {
    StemRing ring(64);
    ring.request(1000);
    CHECK(produce(ring, 1000) == 64);
    CHECK(produce(ring, 1000) == 0); // full until the reader moves
    std::vector<float> l(16), r(16);
    CHECK(ring.read(1000, l.data(), r.data(), 16) == 16);
    CHECK(produce(ring, 1000) == 16);
    CHECK(ring.has(1016, 64));
    CHECK_FALSE(ring.has(1016, 65));
}

TEST_CASE("A seek starts a new generation: nothing from before it is read after it", "[unit][stream]") {
    StemRing ring(256);
    ring.request(0);
    produce(ring, 200);
    std::vector<float> l(32), r(32);
    REQUIRE(ring.read(0, l.data(), r.data(), 32) == 32);
    ring.request(5000);
    CHECK(ring.read(5000, l.data(), r.data(), 32) == 0); // old data is not served for the new range
    CHECK_FALSE(ring.has(32, 1));
    const StemRing::Work w = ring.work();
    CHECK(w.restarted);
    CHECK(w.writeFrame == 5032); // the reader already moved past 5000…5031: catch up there
    produce(ring, 100);
    CHECK(ring.read(5032, l.data(), r.data(), 32) == 32);
    CHECK(l[0] == 5032.0f);
}

TEST_CASE("A partial read returns the available prefix", "[unit][stream]") {
    StemRing ring(256);
    ring.request(10);
    produce(ring, 20);
    std::vector<float> l(64, 9.0f), r(64, 9.0f);
    CHECK(ring.read(10, l.data(), r.data(), 64) == 20);
    CHECK(l[19] == 29.0f);
}

TEST_CASE("Ring under two threads: every frame read is the frame asked for", "[stream][threads]") {
    // The producer streams the frame index; the consumer reads random block sizes, waits for data
    // the way the offline renderer does, and seeks at random. Any stale, torn or misplaced sample
    // shows up as a value that is not its frame.
    StemRing ring(4096);
    ring.request(0);
    std::atomic<bool> done{false};
    std::thread producer([&] {
        std::mt19937 rng(1);
        while (!done.load(std::memory_order_relaxed))
            if (produce(ring, static_cast<int>(rng() % 3000) + 1) == 0) std::this_thread::yield();
    });
    std::mt19937 rng(2);
    std::vector<float> l(1024), r(1024);
    std::int64_t at = 0;
    long frames = 0, wrong = 0, seeks = 0;
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60); // a hang, not a pace
    while ((frames < 300000 || seeks < 50) && std::chrono::steady_clock::now() < giveUp) {
        if (rng() % 100 == 0) {
            at = static_cast<std::int64_t>(rng() % 5'000'000);
            ring.request(at);
            ++seeks;
        }
        const int n = static_cast<int>(rng() % 1024) + 1;
        while (!ring.has(at, n) && std::chrono::steady_clock::now() < giveUp)
            std::this_thread::yield();
        const int got = ring.read(at, l.data(), r.data(), n);
        for (int i = 0; i < got; ++i)
            if (l[static_cast<std::size_t>(i)] != static_cast<float>(at + i) ||
                r[static_cast<std::size_t>(i)] != -static_cast<float>(at + i))
                ++wrong;
        frames += got;
        at += n;
    }
    done = true;
    producer.join();
    INFO(frames << " frames read across " << seeks << " seeks");
    CHECK(frames >= 300000);
    CHECK(seeks >= 50);
    CHECK(wrong == 0);
}

TEST_CASE("Frames below an earlier read are not served again", "[unit][stream]") {
    StemRing ring(256);
    ring.request(0);
    std::vector<float> l(64), r(64);
    CHECK(ring.read(0, l.data(), r.data(), 64) == 0); // nothing yet: the reader moves on anyway
    CHECK(ring.work().writeFrame == 64);              // so the producer catches up at 64
    produce(ring, 100);
    CHECK(ring.read(32, l.data(), r.data(), 16) == 0); // 32…47 were skipped, never written
    CHECK(ring.read(64, l.data(), r.data(), 16) == 16);
    CHECK(l[0] == 64.0f);
}
