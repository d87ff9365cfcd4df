#include "stemdeck/engine/Retime.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

void Retime::prepare(int segmentFrames) {
    segmentFrames_ = segmentFrames;
    audio_.assign(static_cast<std::size_t>(segmentFrames) * 2, 0.0f);
}

void Retime::blend(StemSource& old, std::int64_t pos, float* left, float* right, int n) noexcept {
    // The first frames after a retime: the old stretcher's audio fades into the new one's.
    const std::int64_t into = pos - start_;
    if (into < 0 || into >= fade_) return; // (a vamp's jump back: the crossfade ends with this segment)
    n = static_cast<int>(std::min<std::int64_t>(n, fade_ - into));
    float* oldLeft = audio_.data();
    float* oldRight = audio_.data() + segmentFrames_;
    (void)old.read(pos + shift_, oldLeft, oldRight, n);
    // Equal power: the two stretcher runs agree in level and spectrum but not in phase (to each
    // other they are uncorrelated), so their powers add; a linear fade would dip 3 dB on average.
    const double step = 0.5 * M_PI / static_cast<double>(fade_ + 1);
    for (int i = 0; i < n; ++i) {
        const double x = static_cast<double>(into + i + 1) * step;
        const auto in = static_cast<float>(std::sin(x)), out = static_cast<float>(std::cos(x));
        left[i] = out * oldLeft[i] + in * left[i];
        right[i] = out * oldRight[i] + in * right[i];
    }
}

} // namespace stemdeck::engine
