#include "stemdeck/engine/Click.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stemdeck::engine {

namespace {
// A decaying tone burst: a four-sample rise (no step from silence, yet the onset is the beat's own
// frame) and an exponential decay that reaches −60 dB by the end of the tick.
std::vector<float> tick(double hz, float level, double sampleRate) {
    const auto frames = static_cast<std::size_t>(std::lround(Click::kSeconds * sampleRate));
    const double tau = Click::kSeconds / std::log(1000.0);
    std::vector<float> t(frames);
    for (std::size_t k = 0; k < frames; ++k) {
        const double s = static_cast<double>(k) / sampleRate;
        const double rise = std::min(1.0, static_cast<double>(k + 1) / 4.0);
        t[k] = level * static_cast<float>(rise * std::exp(-s / tau) * std::cos(2.0 * std::numbers::pi * hz * s));
    }
    return t;
}
} // namespace

void Click::prepare(double sampleRate, float accentPeak) {
    sampleRate_ = sampleRate;
    accent_ = tick(kAccentHz, accentPeak, sampleRate);
    beat_ = tick(kBeatHz, accentPeak * (kBeatLevel / kAccentLevel), sampleRate);
    reset();
}

void Click::render(float* out, int n, std::int64_t position, const SongTiming& timing, std::int64_t until) noexcept {
    for (int i = 0; i < n;) {
        const std::int64_t f = position + i;
        std::int64_t next = nextGridFrame(timing, sampleRate_, Quantize::beat, f);
        if (next == f) { // a beat starts on this frame
            if (f < until) {
                // f is grid line k rounded to a frame, so rounding the quotient recovers k exactly.
                const auto k = static_cast<std::int64_t>(
                    std::lround(static_cast<double>(f - timing.downbeatFrame) / framesPerBeat(timing, sampleRate_)));
                const bool downbeat = k % timing.beatsPerBar == 0;
                voice_ = downbeat ? accent_.data() : beat_.data();
                voiceLen_ = static_cast<int>(downbeat ? accent_.size() : beat_.size());
                voicePos_ = 0;
            }
            next = nextGridFrame(timing, sampleRate_, Quantize::beat, f + 1);
        }
        const int end = static_cast<int>(std::min<std::int64_t>(n, next - position));
        const int len = std::min(end - i, voiceLen_ - voicePos_);
        for (int k = 0; k < len; ++k)
            out[i + k] += voice_[voicePos_ + k];
        voicePos_ += len;
        i = end;
    }
}

} // namespace stemdeck::engine
