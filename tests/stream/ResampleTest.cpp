// 44.1 kHz stems played at 48 kHz: right pitch, right length, all stems sample-aligned, and no
// seam where the preloaded head hands over to the streamed ring or after a seek.
#include <catch2/catch.hpp>

#include "../support/TestSupport.h"

using namespace stemdeck;

namespace {

// Frequency by counting rising zero crossings over a stretch, with linear interpolation.
double measureHz(const std::vector<float>& x, std::size_t from, std::size_t to, double rate) {
    double first = -1, last = -1;
    int crossings = 0;
    for (std::size_t i = from + 1; i < to; ++i)
        if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
            const double t = static_cast<double>(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0)
                first = t;
            else
                ++crossings;
            last = t;
        }
    return crossings / (last - first) * rate;
}

} // namespace

TEST_CASE("44.1 kHz stems rendered at 48 kHz keep pitch, length and alignment", "[render][stream]") {
    test::TempDir dir;
    const int in = 44100, out = 48000;
    const std::int64_t len = in * 8; // past the 3 s head: the ring's resampler is on the path
    // Stem 1: a 1 kHz sine. Stems 2 and 3: clicks at the same instants (every 0.5 s), one mono.
    std::vector<std::int64_t> clicks;
    for (std::int64_t f = in / 4; f < len; f += in / 2)
        clicks.push_back(f);
    test::writeStemFolder(dir.path(), in,
                          {test::sineStem(len, 1000.0, in, 0.5f, true), test::impulseStem(len, clicks, 0.5f, true),
                           test::impulseStem(len, clicks, 0.5f, false)},
                          {"Sine", "ClickA", "ClickB"});
    // The sine alone, then the clicks alone, each rendered at 48 kHz.
    const auto sine = test::renderFolder(
        dir.path(), "events:\n  - { frame: 0, action: mute, stem: 2 }\n  - { frame: 0, action: mute, stem: 3 }\n", {},
        out);
    CHECK(sine.left.size() == static_cast<std::size_t>(len * out / in));                // 8 s at 48 kHz
    CHECK(measureHz(sine.left, 24000, 140000, out) == Approx(1000.0).epsilon(0.0005));  // in the head
    CHECK(measureHz(sine.left, 150000, 380000, out) == Approx(1000.0).epsilon(0.0005)); // streamed
    // No seam at the head/ring hand-over (3 s) or anywhere else: a pure sine's slope, nothing more.
    CHECK(test::maxSlopeRatio(sine.left, 2000, sine.left.size() - 2000, 1000.0, out) < 1.01);

    const auto clicksOnly =
        test::renderFolder(dir.path(), "events:\n  - { frame: 0, action: mute, stem: 1 }\n", {}, out);
    // Every click lands at round(t · 48000) on both stems at once: the loudest sample of each
    // click is where the original instant maps to, in the head and in the stream alike.
    std::size_t misplaced = 0;
    for (std::int64_t c : clicks) {
        const auto expect = static_cast<std::size_t>((c * out + in / 2) / in);
        std::size_t peakAt = expect - 10;
        for (std::size_t i = expect - 10; i <= expect + 10 && i < clicksOnly.left.size(); ++i)
            if (std::fabs(clicksOnly.left[i]) > std::fabs(clicksOnly.left[peakAt])) peakAt = i;
        if (peakAt + 1 < expect || peakAt > expect + 1) ++misplaced;
    }
    CHECK(misplaced == 0);
    // Mono and stereo clicks were resampled identically: the right side (stereo −x plus mono +x)
    // cancels to the resampler's rounding. (From 0.1 s: the sine's mute fades over its first 5 ms.)
    double residue = 0;
    for (std::size_t i = 4800; i < clicksOnly.right.size(); ++i)
        residue = std::max(residue, static_cast<double>(std::fabs(clicksOnly.right[i])));
    CHECK(residue < 1e-6);
}
