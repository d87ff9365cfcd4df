#include <catch2/catch.hpp>

#include "stemdeck/engine/Timing.h"

using namespace stemdeck::engine;

TEST_CASE("Beat and bar grid at integer frames per beat", "[unit]") {
    const SongTiming t{120.0, 4, 4, 0};
    CHECK(framesPerBeat(t, 48000.0) == 24000.0);
    CHECK(gridFrame(t, 48000.0, Quantize::bar, 1) == 96000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::bar, 62400) == 96000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::beat, 62400) == 72000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::bar, 96000) == 96000); // exactly on the line: now
    CHECK(nextGridFrame(t, 48000.0, Quantize::bar, 96001) == 192000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::beat, 0) == 0);
    CHECK(nextGridFrame(t, 48000.0, Quantize::none, 12345) == 12345);
}

TEST_CASE("Fractional frames per beat round per line and never drift", "[unit]") {
    const SongTiming t{128.0, 4, 4, 0};
    // 44.1 kHz at 128 BPM: 20671.875 frames per beat.
    CHECK(framesPerBeat(t, 44100.0) == 20671.875);
    CHECK(gridFrame(t, 44100.0, Quantize::beat, 1) == 20672);
    CHECK(gridFrame(t, 44100.0, Quantize::bar, 1) == 82688); // 82687.5 rounds up
    CHECK(gridFrame(t, 44100.0, Quantize::bar, 1000) == 82687500);
    CHECK(nextGridFrame(t, 44100.0, Quantize::bar, 82687) == 82688);
    CHECK(nextGridFrame(t, 44100.0, Quantize::bar, 82688) == 82688);
    CHECK(nextGridFrame(t, 44100.0, Quantize::bar, 82689) == 165375);
    // Far into a long set the next bar is still the exact line, not a sum of rounded bars.
    CHECK(nextGridFrame(t, 44100.0, Quantize::bar, 82687500 - 5) == 82687500);
}

TEST_CASE("Downbeat offset and odd meters", "[unit]") {
    const SongTiming t{90.0, 7, 8, 1000};
    const double beat = framesPerBeat(t, 48000.0); // 32000
    CHECK(beat == 32000.0);
    CHECK(gridFrame(t, 48000.0, Quantize::bar, 1) == 1000 + 7 * 32000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::bar, 0) == 1000);
    CHECK(nextGridFrame(t, 48000.0, Quantize::bar, 1001) == 1000 + 224000);
}

TEST_CASE("Bar and beat of a frame", "[unit]") {
    const SongTiming t{120.0, 4, 4, 0};
    auto bb = toBarBeat(t, 48000.0, 0);
    CHECK(bb.bar == 1);
    CHECK(bb.beat == 1);
    bb = toBarBeat(t, 48000.0, 96000 + 24000 * 2 + 12000);
    CHECK(bb.bar == 2);
    CHECK(bb.beat == 3);
    CHECK(bb.fraction == Approx(0.5));
    const SongTiming later{120.0, 4, 4, 48000};
    bb = toBarBeat(later, 48000.0, 24000); // a beat before the downbeat: count-in bar 0, beat 4
    CHECK(bb.bar == 0);
    CHECK(bb.beat == 4);
}
