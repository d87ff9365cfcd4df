#include "stemdeck/engine/Timing.h"

#include <cmath>

namespace stemdeck::engine {

double framesPerBeat(const SongTiming& timing, double sampleRate) noexcept {
    return sampleRate * 60.0 / timing.bpm;
}

namespace {
double framesPerUnit(const SongTiming& timing, double sampleRate, Quantize grid) noexcept {
    const double beat = framesPerBeat(timing, sampleRate);
    return grid == Quantize::bar ? beat * timing.beatsPerBar : beat;
}
} // namespace

std::int64_t gridFrame(const SongTiming& timing, double sampleRate, Quantize grid, std::int64_t k) noexcept {
    const double unit = framesPerUnit(timing, sampleRate, grid);
    return timing.downbeatFrame + static_cast<std::int64_t>(std::floor(static_cast<double>(k) * unit + 0.5));
}

std::int64_t nextGridFrame(const SongTiming& timing, double sampleRate, Quantize grid,
                           std::int64_t songFrame) noexcept {
    if (grid == Quantize::none) return songFrame;
    const double unit = framesPerUnit(timing, sampleRate, grid);
    // Start one line early and walk forward: the rounding in gridFrame() decides, not the division.
    auto k = static_cast<std::int64_t>(std::floor(static_cast<double>(songFrame - timing.downbeatFrame) / unit)) - 1;
    while (gridFrame(timing, sampleRate, grid, k) < songFrame)
        ++k;
    return gridFrame(timing, sampleRate, grid, k);
}

BarBeat toBarBeat(const SongTiming& timing, double sampleRate, std::int64_t songFrame) noexcept {
    double beats = static_cast<double>(songFrame - timing.downbeatFrame) / framesPerBeat(timing, sampleRate);
    // A beat line is the frame gridFrame() rounds it to: from there on it counts as reached.
    if (const auto k = static_cast<std::int64_t>(std::ceil(beats));
        static_cast<double>(k) > beats && gridFrame(timing, sampleRate, Quantize::beat, k) <= songFrame)
        beats = static_cast<double>(k);
    const double whole = std::floor(beats);
    const auto beatIndex = static_cast<std::int64_t>(whole);
    const std::int64_t perBar = timing.beatsPerBar;
    // Floor division, so positions before the downbeat count down from bar 0 (a count-in).
    std::int64_t bar = beatIndex / perBar;
    std::int64_t beatInBar = beatIndex % perBar;
    if (beatInBar < 0) {
        beatInBar += perBar;
        bar -= 1;
    }
    return BarBeat{bar + 1, static_cast<int>(beatInBar) + 1, beats - whole};
}

std::int64_t retimedFrame(const SongTiming& from, const SongTiming& to, double sampleRate,
                          std::int64_t frame) noexcept {
    const double beats = static_cast<double>(frame - from.downbeatFrame) / framesPerBeat(from, sampleRate);
    const auto k = static_cast<std::int64_t>(std::llround(beats));
    if (gridFrame(from, sampleRate, Quantize::beat, k) == frame) return gridFrame(to, sampleRate, Quantize::beat, k);
    return to.downbeatFrame + std::llround(beats * framesPerBeat(to, sampleRate));
}

} // namespace stemdeck::engine
