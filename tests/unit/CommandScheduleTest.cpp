#include <catch2/catch.hpp>

#include <vector>

#include "stemdeck/engine/CommandSchedule.h"

using namespace stemdeck::engine;
using Added = CommandSchedule::Added;

namespace {
CommandSchedule::Entry entry(CommandSchedule& s, Op op, std::int64_t due, Quantize q = Quantize::none, int stem = 0,
                             float value = 0.0f) {
    Command c;
    c.op = op;
    c.quantize = q;
    c.stem = static_cast<std::int8_t>(stem);
    c.value = value;
    return {c, due, s.nextSeq(), false};
}

std::vector<std::int64_t> drainDue(CommandSchedule& s) {
    std::vector<std::int64_t> due;
    while (!s.empty())
        due.push_back(s.pop().due);
    return due;
}
} // namespace

TEST_CASE("The schedule gives commands back by frame, and in arrival order on one frame", "[unit][schedule]") {
    CommandSchedule s;
    CHECK(s.add(entry(s, Op::mute, 300)) == Added::queued);
    CHECK(s.add(entry(s, Op::unmute, 100)) == Added::queued);
    CHECK(s.add(entry(s, Op::solo, 200)) == Added::queued);
    CHECK(s.add(entry(s, Op::unsolo, 200)) == Added::queued);
    REQUIRE(s.size() == 4);
    CHECK(s.nextDue() == 100);
    CHECK(s.pop().command.op == Op::unmute);
    CHECK(s.pop().command.op == Op::solo); // both at 200: the one that came first
    CHECK(s.pop().command.op == Op::unsolo);
    CHECK(s.pop().command.op == Op::mute);
    CHECK(s.empty());
}

TEST_CASE("A quantised fader move replaces the one still waiting for the same stem", "[unit][schedule]") {
    CommandSchedule s;
    const auto first = entry(s, Op::gain, 1000, Quantize::bar, 2, 0.5f);
    REQUIRE(s.add(first) == Added::queued);
    REQUIRE(s.add(entry(s, Op::gain, 1000, Quantize::bar, 3, 0.7f)) == Added::queued);  // another stem
    REQUIRE(s.add(entry(s, Op::gain, 1010, Quantize::bar, 2, 0.25f)) == Added::queued); // the newer move
    REQUIRE(s.size() == 2);
    bool newest = false;
    for (std::size_t i = 0; i < s.size(); ++i)
        newest = newest || (s[i].command.stem == 2 && s[i].command.value == 0.25f);
    CHECK(newest);
    // The engine puts a resolved move back: being older than the one waiting, it is left out.
    CHECK(s.add(first) == Added::superseded);
    CHECK(s.size() == 2);
    // An immediate gain for the stem does not replace the quantised one.
    CHECK(s.add(entry(s, Op::gain, 5, Quantize::none, 2, 1.0f)) == Added::queued);
    CHECK(s.size() == 3);
}

TEST_CASE("Waiting commands never take the places kept for commands that apply now", "[unit][schedule]") {
    CommandSchedule s;
    int queued = 0;
    for (int i = 0; i < 1000; ++i)
        if (s.add(entry(s, Op::toggleMute, 10'000 + i, Quantize::bar, i % 8)) == Added::queued) ++queued;
    CHECK(queued == static_cast<int>(kMaxPendingCommands - kPendingReservedForNow));
    CHECK(s.add(entry(s, Op::toggleMute, 10'000, Quantize::beat)) == Added::full);
    for (std::size_t i = 0; i < kPendingReservedForNow; ++i)
        CHECK(s.add(entry(s, Op::mute, 50)) == Added::queued);
    CHECK(s.add(entry(s, Op::mute, 50)) == Added::full);
    CHECK(s.size() == kMaxPendingCommands);
    CHECK(s.nextDue() == 50); // the immediate ones come first
}

TEST_CASE("A panic drops what waits for the grid and keeps what is due on a frame", "[unit][schedule]") {
    CommandSchedule s;
    s.add(entry(s, Op::mute, 400, Quantize::bar));
    s.add(entry(s, Op::stop, 300));
    s.add(entry(s, Op::solo, 200, Quantize::beat, 1));
    s.add(entry(s, Op::play, 500));
    s.dropQuantised();
    CHECK(drainDue(s) == std::vector<std::int64_t>{300, 500});
}
