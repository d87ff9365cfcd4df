// Offline renders through the real loader and engine, asserting on samples, across rates ×
// block sizes × a randomised block pattern (Tracktion's way of catching block-boundary bugs).
#include <catch2/catch.hpp>

#include <random>

#include "../support/TestSupport.h"
#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/DjFilterBank.h"
#include "stemdeck/engine/Ramp.h"

using namespace stemdeck;
using test::StemAudio;

namespace {

// Every case runs at both rates and these block sizes; 0 stands for a random pattern of sizes.
const int kRates[] = {44100, 48000};
const int kBlocks[] = {32, 64, 128, 1024, 333, 0};

int fadeFrames(int rate) {
    return engine::secondsToFrames(engine::kMuteFadeSeconds, rate);
}
int gainRampFrames(int rate) {
    return engine::secondsToFrames(engine::kGainRampSeconds, rate);
}

} // namespace

TEST_CASE("Impulse stems sum to exactly the expected samples at every block size", "[render]") {
    for (int rate : kRates) {
        for (int block : kBlocks) {
            DYNAMIC_SECTION("rate " << rate << " block " << block) {
                test::TempDir dir;
                const std::int64_t len = rate * 2 + 17;
                // Power-of-two amplitudes: any sum of them is exact in float, so equality is fair.
                std::vector<StemAudio> stems = {
                    test::impulseStem(len, {0, 1, 127, 128, 129, 4095, len - 1}, 0.5f, true),
                    test::impulseStem(len, {0, 31, 32, 333, 1024, 44100, 47999}, 0.25f, false),
                    test::impulseStem(len - 1000, {5, 128, 666, 20000, len - 1001}, 0.125f, true),
                    test::impulseStem(len, {1, 127, 1023, 1025, 30001, len - 2}, 0.0625f, true),
                };
                test::writeStemFolder(dir.path(), rate, stems, {"A", "B", "C", "D"});
                const auto out = test::renderFolder(dir.path(), "", test::blockOptions(block));
                REQUIRE(out.left.size() == static_cast<std::size_t>(len));
                REQUIRE(out.report.songEnded);
                CHECK(out.report.underruns == 0);
                CHECK(test::mismatchesAgainstSum(out, stems) == 0);
            }
        }
    }
}

TEST_CASE("A mute at frame F changes nothing before F and is silent a fade later", "[render]") {
    for (int rate : kRates) {
        for (int block : kBlocks) {
            DYNAMIC_SECTION("rate " << rate << " block " << block) {
                test::TempDir dir;
                const std::int64_t len = rate;
                test::writeStemFolder(dir.path(), rate,
                                      {test::constantStem(len, 0.5f, true), test::constantStem(len, 0.25f, false)},
                                      {"Drums", "Bass"});
                const std::int64_t f = 12345;
                const auto out = test::renderFolder(
                    dir.path(), "events:\n  - { frame: " + std::to_string(f) + ", action: mute, stem: drums }\n",
                    test::blockOptions(block));
                const auto F = static_cast<std::size_t>(f);
                const std::size_t fade = static_cast<std::size_t>(fadeFrames(rate));
                for (std::size_t i = 0; i < F; ++i)
                    REQUIRE(out.left[i] == 0.75f);
                CHECK(out.left[F] < 0.75f); // the fade starts on exactly F
                for (std::size_t i = F + fade; i < out.left.size(); ++i)
                    REQUIRE(out.left[i] == 0.25f);
                // No click: the fade is a ramp, no step larger than the ramp allows.
                CHECK(test::maxStep(out.left, F - 1, F + fade + 1) <= 0.5 / static_cast<double>(fade) + 1e-6);
            }
        }
    }
}

TEST_CASE("A bar-quantised action lands on the bar's first frame", "[render]") {
    for (int rate : kRates) {
        for (int block : kBlocks) {
            DYNAMIC_SECTION("rate " << rate << " block " << block) {
                test::TempDir dir;
                const std::int64_t len = rate * 5;
                // 128 BPM: at 44.1 kHz a bar is 82687.5 frames, so the bar line is a rounded frame.
                test::writeStemFolder(dir.path(), rate, {test::constantStem(len, 0.5f, true)}, {"Drums"}, "BPM: 128\n");
                const auto bar2 = static_cast<std::size_t>(std::llround(rate * 60.0 / 128.0 * 4.0));
                const auto out = test::renderFolder(dir.path(),
                                                    "events:\n  - { time: 1.3, action: mute, stem: 1, quantize: bar }\n"
                                                    "  - { time: 2.0, action: unmute, stem: 1, quantize: beat }\n",
                                                    test::blockOptions(block));
                for (std::size_t i = 0; i < bar2; ++i)
                    REQUIRE(out.left[i] == 0.5f);
                CHECK(out.left[bar2] < 0.5f);
                CHECK(out.left[bar2 + static_cast<std::size_t>(fadeFrames(rate))] == 0.0f);
                // The unmute at 2.0 s lands on the next beat line: beat 5 of the song.
                const auto beat5 = static_cast<std::size_t>(std::llround(rate * 60.0 / 128.0 * 4.0));
                const auto beat6 = static_cast<std::size_t>(std::llround(rate * 60.0 / 128.0 * 5.0));
                CHECK(beat5 == bar2);
                CHECK(out.left[beat6 - 1] == 0.0f);
                CHECK(out.left[beat6] > 0.0f);
            }
        }
    }
}

TEST_CASE("Gain moves ramp with no step larger than the ramp allows", "[render]") {
    for (int rate : kRates) {
        for (int block : {32, 333, 0}) {
            DYNAMIC_SECTION("rate " << rate << " block " << block) {
                test::TempDir dir;
                test::writeStemFolder(dir.path(), rate, {test::constantStem(rate, 0.5f, true)}, {"Bass"});
                const auto out = test::renderFolder(dir.path(),
                                                    "events:\n  - { frame: 1000, action: gain, stem: 1, value: 0.25 }\n"
                                                    "  - { frame: 9000, action: gain, stem: 1, value: +6dB }\n",
                                                    test::blockOptions(block));
                const auto ramp = static_cast<std::size_t>(gainRampFrames(rate));
                CHECK(out.left[999] == 0.5f);
                CHECK(out.left[1000 + ramp] == Approx(0.125f));
                CHECK(test::maxStep(out.left, 999, 1001 + ramp) <= 0.5 * 0.75 / static_cast<double>(ramp) + 1e-6);
                CHECK(out.left[9000 + ramp + 1] == Approx(0.5f * 1.995262f));
                CHECK(test::maxStep(out.left, 8999, 9001 + ramp) <=
                      0.5 * (1.995262 - 0.25) / static_cast<double>(ramp) + 1e-6);
            }
        }
    }
}

TEST_CASE("Filter moves sweep without clicks and reach the expected attenuation", "[render]") {
    for (int rate : kRates) {
        for (int block : {64, 1024, 0}) {
            DYNAMIC_SECTION("rate " << rate << " block " << block) {
                test::TempDir dir;
                const double hz = 2000.0;
                const float amp = 0.5f;
                test::writeStemFolder(dir.path(), rate, {test::sineStem(rate * 2, hz, rate, amp, true)}, {"Keys"});
                // Slam the knob across its range: left, right, centre.
                const auto out = test::renderFolder(dir.path(),
                                                    "events:\n  - { time: 0.2, action: filter, stem: 1, value: -1 }\n"
                                                    "  - { time: 0.6, action: filter, stem: 1, value: 1 }\n"
                                                    "  - { time: 1.0, action: filter, stem: 1, value: 0 }\n",
                                                    test::blockOptions(block));
                // A click is a step no sine of the local level and this frequency can make. (The
                // resonant sweep through 2 kHz lifts the level itself; that is not a click.)
                CHECK(test::maxSlopeRatio(out.left, 1, out.left.size(), hz, rate) < 1.2);
                // Fully closed low-pass (60 Hz) leaves 2 kHz more than 50 dB down.
                const auto at = [&](double s) { return static_cast<std::size_t>(s * rate); };
                CHECK(test::rms(out.left, at(0.4), at(0.6)) < amp / std::sqrt(2.0) * std::pow(10.0, -50.0 / 20.0));
                // Fully open high-pass (10 kHz) cuts 2 kHz by well over 20 dB.
                CHECK(test::rms(out.left, at(0.8), at(1.0)) < amp / std::sqrt(2.0) * 0.1);
                // Centre again: exact bypass once the glide is over.
                for (std::size_t i = at(1.1); i < at(1.9); ++i)
                    REQUIRE(out.left[i] ==
                            Approx(amp * std::sin(2.0 * M_PI * hz * static_cast<double>(i) / rate)).margin(1e-6));
            }
        }
    }
}

TEST_CASE("Solo is engine state: soloed stems play, the rest fade out", "[render]") {
    test::TempDir dir;
    const int rate = 48000;
    test::writeStemFolder(dir.path(), rate,
                          {test::constantStem(rate, 0.5f, true), test::constantStem(rate, 0.25f, true),
                           test::constantStem(rate, 0.125f, true)},
                          {"Drums", "Bass", "Vox"});
    const auto out = test::renderFolder(dir.path(),
                                        "events:\n  - { frame: 1000, action: solo, stem: bass }\n"
                                        "  - { frame: 5000, action: solo, stem: vox }\n"
                                        "  - { frame: 10000, action: unsolo, stem: bass }\n"
                                        "  - { frame: 15000, action: unsolo, stem: vox }\n"
                                        "  - { frame: 20000, action: mute, stem: drums }\n"
                                        "  - { frame: 25000, action: solo, stem: drums }\n",
                                        test::blockOptions(128));
    const auto fade = static_cast<std::size_t>(fadeFrames(rate));
    CHECK(out.left[999] == 0.875f);
    CHECK(out.left[1000 + fade] == 0.25f);   // only bass
    CHECK(out.left[5000 + fade] == 0.375f);  // bass + vox: any number may be soloed
    CHECK(out.left[10000 + fade] == 0.125f); // vox
    CHECK(out.left[15000 + fade] == 0.875f); // nobody soloed: all back
    CHECK(out.left[20000 + fade] == 0.375f); // drums muted
    CHECK(out.left[25000 + fade] == 0.0f);   // a muted stem stays muted when soloed
}

TEST_CASE("Stop fades out and ends the render, seek jumps with a fade", "[render]") {
    for (int block : {64, 333, 0}) {
        DYNAMIC_SECTION("block " << block) {
            test::TempDir dir;
            const int rate = 48000;
            // A ramp stem: its value tells which frame of the song is playing.
            StemAudio ramp;
            for (int i = 0; i < rate * 2; ++i)
                ramp.left.push_back(static_cast<float>(i) / (rate * 4.0f));
            test::writeStemFolder(dir.path(), rate, {ramp}, {"Ramp"});
            const auto out = test::renderFolder(dir.path(),
                                                "events:\n  - { frame: 10000, action: seek, value: 1.0 }\n"
                                                "  - { frame: 30000, action: stop }\n",
                                                test::blockOptions(block));
            const auto tfade = static_cast<std::size_t>(engine::secondsToFrames(engine::kTransportFadeSeconds, rate));
            CHECK(out.left[9999] == ramp.left[9999]);
            // After the fade-out the play head is at 1.0 s; once faded back in, frame k of the
            // render plays song frame 48000 + (k − 10000 − fade).
            const std::size_t k = 10000 + 3 * tfade;
            CHECK(out.left[k] == ramp.left[48000 + k - 10000 - tfade]);
            CHECK(test::maxStep(out.left, 9990, 10000 + 2 * tfade + 10) < 0.5 / static_cast<double>(tfade));
            // The render ends exactly where the stop fade finished, silent at its end.
            CHECK(out.left.size() == 30000 + tfade);
            CHECK(std::fabs(out.left.back()) < 1e-3f);
            CHECK(out.report.songEnded == false);
        }
    }
}
