// Watched file work (stemdeck/common/IoWatch.h): a job that stops making progress is given up on
// after the timeout, naming the file it was on; one that keeps answering runs as long as it
// needs; what it returns or throws comes back; nested watches and side-by-side jobs.
// (A real stalled mount, through FUSE: tests/stall/stall_test.sh.)
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "stemdeck/common/IoWatch.h"

using namespace stemdeck;
using namespace std::chrono_literals;

namespace {
/// A read that does not come back until released (a stalled mount); then the worker ends.
struct Gate {
    std::atomic<bool> open{false};
    void wait() const {
        while (!open.load())
            std::this_thread::sleep_for(1ms);
    }
};
} // namespace

TEST_CASE("A job that stops answering is given up on, named, and left behind", "[iowatch]") {
    auto gate = std::make_shared<Gate>();
    auto ended = std::make_shared<std::atomic<bool>>(false);
    const auto start = std::chrono::steady_clock::now();
    try {
        watchedIo(
            [gate, ended] {
                ioFile("/mnt/share/song/01_Drums.wav");
                gate->wait();
                ended->store(true);
            },
            200ms);
        FAIL("no NoAnswer");
    } catch (const NoAnswer& e) {
        CHECK(e.file() == "/mnt/share/song/01_Drums.wav");
        CHECK(std::string(e.what()).starts_with("no answer from /mnt/share/song/01_Drums.wav in 0.2 s"));
    }
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
    CHECK_FALSE(ended->load()); // still asleep in its "read"
    gate->open.store(true);     // the share answers: the worker ends on its own
    for (int i = 0; i < 2000 && !ended->load(); ++i)
        std::this_thread::sleep_for(1ms);
    CHECK(ended->load());
}

TEST_CASE("A job that keeps answering runs past the timeout: progress, not duration", "[iowatch]") {
    // 40 reads of 10 ms: 0.4 s in all, never 0.2 s without one.
    const int reads = watchedIo(
        [] {
            int n = 0;
            for (; n < 40; ++n) {
                std::this_thread::sleep_for(10ms);
                ioBeat();
            }
            return n;
        },
        200ms);
    CHECK(reads == 40);
}

TEST_CASE("What a watched job returns or throws comes back to its caller", "[iowatch]") {
    CHECK(watchedIo([] { return std::string("header"); }) == "header");
    CHECK_THROWS_WITH(watchedIo([]() -> int { throw Error("x.wav: not audio"); }), "x.wav: not audio");
    CHECK_THROWS_AS(watchedIo([] { throw std::logic_error("bug"); }), std::logic_error);
}

TEST_CASE("Nested watches: the inner one answers for its stall, the outer goes on", "[iowatch]") {
    auto gate = std::make_shared<Gate>();
    // The outer job waits on an inner one that stalls for good; the outer itself is never quiet
    // for its timeout (the inner wait beats for it), so the inner's NoAnswer is what it sees.
    const std::string seen = watchedIo(
        [gate] {
            try {
                watchedIo([gate] { gate->wait(); }, 150ms);
                return std::string("answered");
            } catch (const NoAnswer&) {
                return std::string("inner gave up");
            }
        },
        150ms);
    CHECK(seen == "inner gave up");
    gate->open.store(true);
}

TEST_CASE("Side by side: every stalled job gives up at the same timeout, not one after another", "[iowatch]") {
    auto gate = std::make_shared<Gate>();
    std::vector<WatchedIo<int>> jobs;
    for (int i = 0; i < 8; ++i)
        jobs.emplace_back([gate, i] {
            if (i % 2 == 0) gate->wait(); // stems 0, 2, 4 and 6 are on the stalled share
            return i;
        });
    const auto start = std::chrono::steady_clock::now();
    int answered = 0, stalled = 0;
    for (auto& j : jobs) {
        try {
            answered += j.get(300ms) >= 0 ? 1 : 0;
        } catch (const NoAnswer&) {
            ++stalled;
        }
    }
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(answered == 4);
    CHECK(stalled == 4);
    // One timeout for all four, not one each, nor one plus a slice for each after the first (each
    // job's quiet time is its own, counted from its last beat: 300 ms, not 525 ms or 1.2 s).
    CHECK(took < 450ms);
    gate->open.store(true);
}
