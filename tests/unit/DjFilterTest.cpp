#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "stemdeck/engine/DjFilter.h"

using stemdeck::engine::DjFilter;

namespace {

// Steady-state gain in dB of the filter at `hz`, measured on a sine after the filter settles.
double measuredGainDb(float knob, double hz, double rate) {
    DjFilter f;
    f.prepare(rate);
    f.resetKnob(knob);
    const int n = static_cast<int>(rate); // 1 s; measure the last half
    std::vector<float> l(static_cast<std::size_t>(n)), r(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) l[static_cast<std::size_t>(i)] = r[static_cast<std::size_t>(i)] =
        static_cast<float>(std::sin(2.0 * M_PI * hz * i / rate));
    f.process(l.data(), r.data(), n);
    double in = 0, out = 0;
    for (int i = n / 2; i < n; ++i) {
        const double x = std::sin(2.0 * M_PI * hz * i / rate);
        in += x * x;
        out += static_cast<double>(l[static_cast<std::size_t>(i)]) * l[static_cast<std::size_t>(i)];
    }
    return 10.0 * std::log10(out / in);
}

// The analogue prototype through the bilinear transform, pre-warped at the cutoff: the TPT SVF
// is exactly this, so measurement and theory must agree closely.
double expectedGainDb(float knob, double hz, double rate) {
    const double fc = std::min<double>(DjFilter::cutoffHz(knob), 0.45 * rate);
    const double omega = std::tan(M_PI * hz / rate) / std::tan(M_PI * fc / rate);
    const double k = 1.0 / DjFilter::resonanceQ(knob);
    const std::complex<double> s(0.0, omega);
    const std::complex<double> den = s * s + k * s + 1.0;
    const std::complex<double> h = knob < 0 ? 1.0 / den : (s * s) / den;
    const double wet = std::min(1.0, static_cast<double>(std::fabs(knob) / DjFilter::kFullWetAt));
    return 20.0 * std::log10(std::abs(wet * h + (1.0 - wet)));
}

} // namespace

TEST_CASE("DJ filter at the centre is an exact bypass", "[unit]") {
    DjFilter f;
    f.prepare(48000.0);
    std::vector<float> l{0.1f, -0.5f, 0.25f, 1.0f}, r{0.3f, 0.2f, -0.9f, 0.0f};
    const auto l0 = l, r0 = r;
    f.process(l.data(), r.data(), 4);
    CHECK(l == l0);
    CHECK(r == r0);
}

TEST_CASE("DJ filter response matches the TPT state-variable filter's theory", "[unit]") {
    for (double rate : {44100.0, 48000.0}) {
        for (float knob : {-1.0f, -0.75f, -0.5f, -0.25f, 0.25f, 0.5f, 0.75f, 1.0f}) {
            for (double hz : {50.0, 200.0, 1000.0, 4000.0, 12000.0}) {
                INFO("rate " << rate << " knob " << knob << " at " << hz << " Hz, cutoff " << DjFilter::cutoffHz(knob));
                CHECK(measuredGainDb(knob, hz, rate) == Approx(expectedGainDb(knob, hz, rate)).margin(0.3));
            }
        }
    }
}

TEST_CASE("DJ filter attenuates what it should", "[unit]") {
    const double rate = 48000.0;
    // Half left: low-pass near 1.1 kHz. Bass passes, treble is cut hard.
    CHECK(DjFilter::cutoffHz(-0.5f) == Approx(1095.4).epsilon(0.01));
    CHECK(measuredGainDb(-0.5f, 100.0, rate) == Approx(0.0).margin(0.5));
    CHECK(measuredGainDb(-0.5f, 8000.0, rate) < -30.0);
    // Fully left: only the sub-bass is left.
    CHECK(measuredGainDb(-1.0f, 1000.0, rate) < -45.0);
    // Half right: high-pass near 450 Hz. Treble passes, bass is cut hard.
    CHECK(DjFilter::cutoffHz(0.5f) == Approx(447.2).epsilon(0.01));
    CHECK(measuredGainDb(0.5f, 8000.0, rate) == Approx(0.0).margin(0.5));
    CHECK(measuredGainDb(0.5f, 50.0, rate) < -30.0);
    // Resonance: a bump at the cutoff, not a whistle.
    const double peak = measuredGainDb(-0.5f, DjFilter::cutoffHz(-0.5f), rate);
    CHECK(peak > 1.5);
    CHECK(peak < 4.0);
}

TEST_CASE("DJ filter knob glides in log-frequency", "[unit]") {
    DjFilter f;
    f.prepare(48000.0);
    f.setKnob(-1.0f);
    std::vector<float> l(48000, 0.0f), r(48000, 0.0f);
    f.process(l.data(), r.data(), 720); // half the 30 ms glide
    CHECK(f.knob() == Approx(-0.5f).margin(0.02));
    f.process(l.data(), r.data(), 720);
    CHECK(f.knob() == Approx(-1.0f));
    // The cutoff halfway through the glide is the geometric mean of the ends: log-frequency.
    CHECK(DjFilter::cutoffHz(-0.5f) ==
          Approx(std::sqrt(DjFilter::cutoffHz(-0.05f) * DjFilter::cutoffHz(-0.95f))).epsilon(0.01));
}
