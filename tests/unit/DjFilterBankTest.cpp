#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "stemdeck/engine/DjFilterBank.h"

using stemdeck::engine::DjFilterBank;

namespace {

std::vector<float> sine(double hz, double rate, int n) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(2.0 * M_PI * hz * i / rate));
    return x;
}

// Steady-state gain in dB at `hz` for one stem with this knob, measured on a sine once the
// filter has settled (the last half second of one).
double measuredGainDb(float knob, double hz, double rate) {
    DjFilterBank bank;
    bank.prepare(rate);
    bank.resetKnob(0, knob);
    const int n = static_cast<int>(rate);
    std::vector<float> l = sine(hz, rate, n), r = l;
    float* ls[] = {l.data()};
    float* rs[] = {r.data()};
    bank.process(ls, rs, 1, n);
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
    const double fc = std::min<double>(DjFilterBank::cutoffHz(knob), 0.45 * rate);
    const double omega = std::tan(M_PI * hz / rate) / std::tan(M_PI * fc / rate);
    const double k = 1.0 / DjFilterBank::resonanceQ(knob);
    const std::complex<double> s(0.0, omega);
    const std::complex<double> den = s * s + k * s + 1.0;
    const std::complex<double> h = knob < 0 ? 1.0 / den : (s * s) / den;
    const double wet = std::min(1.0, static_cast<double>(std::fabs(knob) / DjFilterBank::kFullWetAt));
    return 20.0 * std::log10(std::abs(wet * h + (1.0 - wet)));
}

} // namespace

TEST_CASE("DJ filter at the centre is an exact bypass", "[unit]") {
    DjFilterBank bank;
    bank.prepare(48000.0);
    bank.resetKnob(1, -0.5f); // another stem filtering does not disturb this one
    std::vector<float> l{0.1f, -0.5f, 0.25f, 1.0f}, r{0.3f, 0.2f, -0.9f, 0.0f};
    std::vector<float> l1 = l, r1 = r;
    const auto l0 = l, r0 = r;
    float* ls[] = {l.data(), l1.data()};
    float* rs[] = {r.data(), r1.data()};
    bank.process(ls, rs, 2, 4);
    CHECK(l == l0);
    CHECK(r == r0);
    CHECK(l1 != l0);
}

TEST_CASE("DJ filter response matches the TPT state-variable filter's theory", "[unit]") {
    for (double rate : {44100.0, 48000.0}) {
        for (float knob : {-1.0f, -0.75f, -0.5f, -0.25f, 0.25f, 0.5f, 0.75f, 1.0f}) {
            for (double hz : {50.0, 200.0, 1000.0, 4000.0, 12000.0}) {
                INFO("rate " << rate << " knob " << knob << " at " << hz << " Hz, cutoff "
                             << DjFilterBank::cutoffHz(knob));
                CHECK(measuredGainDb(knob, hz, rate) == Approx(expectedGainDb(knob, hz, rate)).margin(0.3));
            }
        }
    }
}

TEST_CASE("DJ filter attenuates what it should", "[unit]") {
    const double rate = 48000.0;
    // Half left: low-pass near 1.1 kHz. Bass passes, treble is cut hard.
    CHECK(DjFilterBank::cutoffHz(-0.5f) == Approx(1095.4).epsilon(0.01));
    CHECK(measuredGainDb(-0.5f, 100.0, rate) == Approx(0.0).margin(0.5));
    CHECK(measuredGainDb(-0.5f, 8000.0, rate) < -30.0);
    // Fully left: only the sub-bass is left.
    CHECK(measuredGainDb(-1.0f, 1000.0, rate) < -45.0);
    // Half right: high-pass near 450 Hz. Treble passes, bass is cut hard.
    CHECK(DjFilterBank::cutoffHz(0.5f) == Approx(447.2).epsilon(0.01));
    CHECK(measuredGainDb(0.5f, 8000.0, rate) == Approx(0.0).margin(0.5));
    CHECK(measuredGainDb(0.5f, 50.0, rate) < -30.0);
    // Resonance: a bump at the cutoff, not a whistle.
    const double peak = measuredGainDb(-0.5f, DjFilterBank::cutoffHz(-0.5f), rate);
    CHECK(peak > 1.5);
    CHECK(peak < 4.0);
}

TEST_CASE("Each stem's filter is independent of the others in the bank", "[unit]") {
    const double rate = 48000.0;
    const int n = 4800;
    const float knobs[] = {-0.9f, 0.0f, 0.3f, -0.2f, 0.95f, -0.6f, 0.6f, 0.05f};
    // All eight together, knobs gliding from their start values while the audio runs…
    DjFilterBank all;
    all.prepare(rate);
    std::vector<std::vector<float>> l(8), r(8);
    float* ls[8];
    float* rs[8];
    for (int s = 0; s < 8; ++s) {
        l[static_cast<std::size_t>(s)] = sine(100.0 * (s + 1), rate, n);
        r[static_cast<std::size_t>(s)] = sine(130.0 * (s + 1), rate, n);
        ls[s] = l[static_cast<std::size_t>(s)].data();
        rs[s] = r[static_cast<std::size_t>(s)].data();
        all.resetKnob(s, knobs[s]);
        all.setKnob(s, -knobs[s]);
    }
    all.process(ls, rs, 8, n);
    // …match each stem run on its own, to the bit.
    for (int s = 0; s < 8; ++s) {
        DjFilterBank one;
        one.prepare(rate);
        one.resetKnob(0, knobs[s]);
        one.setKnob(0, -knobs[s]);
        std::vector<float> lo = sine(100.0 * (s + 1), rate, n), ro = sine(130.0 * (s + 1), rate, n);
        float* l1[] = {lo.data()};
        float* r1[] = {ro.data()};
        one.process(l1, r1, 1, n);
        INFO("stem " << s);
        CHECK(lo == l[static_cast<std::size_t>(s)]);
        CHECK(ro == r[static_cast<std::size_t>(s)]);
    }
}

TEST_CASE("DJ filter knob glides in log-frequency", "[unit]") {
    DjFilterBank bank;
    bank.prepare(48000.0);
    bank.setKnob(0, -1.0f);
    std::vector<float> l(48000, 0.0f), r(48000, 0.0f);
    float* ls[] = {l.data()};
    float* rs[] = {r.data()};
    bank.process(ls, rs, 1, 720); // half the 30 ms glide
    CHECK(bank.knob(0) == Approx(-0.5f).margin(0.02));
    bank.process(ls, rs, 1, 720);
    CHECK(bank.knob(0) == Approx(-1.0f));
    // The cutoff halfway through the glide is the geometric mean of the ends: log-frequency.
    CHECK(DjFilterBank::cutoffHz(-0.5f) ==
          Approx(std::sqrt(DjFilterBank::cutoffHz(-0.05f) * DjFilterBank::cutoffHz(-0.95f))).epsilon(0.01));
}
