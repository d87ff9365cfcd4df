#include "stemdeck/engine/Vamp.h"

#include <algorithm>

#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Ramp.h"
#include "stemdeck/engine/Transport.h"

namespace stemdeck::engine {

void Vamp::prepare(double sampleRate, int segmentFrames) {
    segmentFrames_ = segmentFrames;
    startAudio_.assign(static_cast<std::size_t>(segmentFrames) * 2, 0.0f);
    xfade_ = std::max(1, secondsToFrames(kLoopCrossfadeSeconds, sampleRate));
    on_ = false;
}

bool Vamp::engage(std::int64_t start, std::int64_t length, std::int64_t songLength, int countInBars) noexcept {
    const std::int64_t from = std::clamp<std::int64_t>(start, 0, songLength);
    const std::int64_t to = std::clamp<std::int64_t>(start + length, 0, songLength);
    if (to - from < 2 * xfade_) return false; // too short to loop
    if (!on_ || from != start_) fadeIn_ = false;
    on_ = true;
    countInBars_ = std::max(0, countInBars);
    start_ = from;
    end_ = to;
    return true;
}

int Vamp::framesToEdge(std::int64_t pos, bool playing) const noexcept {
    if (!on_ || !playing) return Transport::kForever;
    if (pos >= end_) return Transport::kForever; // past it (engaged late): nothing to do
    const std::int64_t fadeStart = end_ - xfade_;
    const std::int64_t edge = pos < fadeStart ? fadeStart : end_;
    return static_cast<int>(std::min<std::int64_t>(edge - pos, Transport::kForever));
}

ReadStatus Vamp::read(StemSource& src, std::int64_t pos, bool playing, float* left, float* right, int n) noexcept {
    ReadStatus status = src.read(pos, left, right, n);
    // (Segments never straddle the crossfade's edges: framesToEdge() splits them there.)
    const std::int64_t fadeStart = end_ - xfade_;
    if (on_ && playing && countInBars_ > 0) { // a count-in between passes: fade out, later fade in
        const float step = 1.0f / static_cast<float>(xfade_);
        if (pos >= fadeStart && pos < end_) {
            const auto base = static_cast<float>(pos - fadeStart);
            for (int i = 0; i < n; ++i) {
                const float g = 1.0f - (base + static_cast<float>(i) + 1.0f) * step;
                left[i] *= g;
                right[i] *= g;
            }
        } else if (fadeIn_ && pos < start_ + xfade_ && pos + n > start_) {
            for (int i = 0; i < n; ++i) {
                const std::int64_t into = pos + i - start_;
                if (into < 0 || into >= xfade_) continue;
                const float g = static_cast<float>(into + 1) * step;
                left[i] *= g;
                right[i] *= g;
            }
        }
        return status;
    }
    if (!on_ || !playing || pos < fadeStart || pos >= end_) return status;
    float* otherLeft = startAudio_.data();
    float* otherRight = startAudio_.data() + segmentFrames_;
    const ReadStatus other = src.read(pos - (end_ - start_), otherLeft, otherRight, n);
    const float step = 1.0f / static_cast<float>(xfade_);
    const auto base = static_cast<float>(pos - fadeStart);
    for (int i = 0; i < n; ++i) {
        const float g = (base + static_cast<float>(i) + 1.0f) * step;
        left[i] += g * (otherLeft[i] - left[i]);
        right[i] += g * (otherRight[i] - right[i]);
    }
    return status == ReadStatus::complete ? other : status;
}

} // namespace stemdeck::engine
