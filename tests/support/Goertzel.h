#pragma once
// The frequency of a steady tone in a stretch of audio (tests and benchmarks): Goertzel's power
// at candidate frequencies, scanned coarse to fine. Header-only, so benchmarks built without the
// test support library use it too.
#include <cmath>
#include <cstddef>
#include <vector>

namespace stemdeck::test {

/// The power of x[from, to) at `hz` (Goertzel).
inline double tonePower(const std::vector<float>& x, std::size_t from, std::size_t to, double sampleRate, double hz) {
    const double c = 2.0 * std::cos(2.0 * M_PI * hz / sampleRate);
    double s1 = 0, s2 = 0;
    for (std::size_t i = from; i < to && i < x.size(); ++i) {
        const double s0 = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/// The strongest frequency within `span` Hz of `near` in x[from, to): 0.5 Hz steps, then 0.1 and
/// 0.02 Hz steps around the best so far (a window of a second or more resolves a tone to 0.02 Hz).
inline double toneFrequency(const std::vector<float>& x, std::size_t from, std::size_t to, double sampleRate,
                            double near, double span = 60.0) {
    double best = near - span, bestPower = -1;
    for (double hz = near - span; hz <= near + span; hz += 0.5)
        if (const double p = tonePower(x, from, to, sampleRate, hz); p > bestPower) {
            bestPower = p;
            best = hz;
        }
    for (const double step : {0.1, 0.02}) {
        const double centre = best;
        for (double hz = centre - 5 * step; hz <= centre + 5 * step; hz += step)
            if (const double p = tonePower(x, from, to, sampleRate, hz); p > bestPower) {
                bestPower = p;
                best = hz;
            }
    }
    return best;
}

} // namespace stemdeck::test
