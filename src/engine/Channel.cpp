#include "stemdeck/engine/Channel.h"

#include <cmath>

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

void Channel::prepare(double sampleRate) noexcept {
    gain_.prepare(secondsToFrames(kGainRampSeconds, sampleRate), 1.0f);
    audible_.prepare(secondsToFrames(kMuteFadeSeconds, sampleRate), 1.0f);
    reset();
}

void Channel::reset(float gain, bool muted, bool soloed, bool anySoloed) noexcept {
    muted_ = muted;
    soloed_ = soloed;
    gain_.reset(gain);
    audible_.reset(!muted && (!anySoloed || soloed) ? 1.0f : 0.0f);
    peak_ = 0.0f;
    sumSquares_ = 0.0;
    meterFrames_ = 0;
}

void Channel::processInto(float* __restrict left, float* __restrict right, float* __restrict busLeft,
                          float* __restrict busRight, int n) noexcept {
    meterFrames_ += n;
    if (!gain_.isRamping() && !audible_.isRamping() && gain_.current() * audible_.current() == 0.0f) {
        return; // silent for the whole segment: nothing to add
    }
    gain_.applyTo(left, right, n);
    audible_.applyTo(left, right, n);
    // Float accumulators: a segment is at most kMaxSegmentFrames long, far from float's limits.
    float peak = 0.0f, sum = 0.0f;
#pragma omp simd reduction(max : peak) reduction(+ : sum)
    for (int i = 0; i < n; ++i) {
        const float l = left[i], r = right[i];
        busLeft[i] += l;
        busRight[i] += r;
        const float a = std::fabs(l) > std::fabs(r) ? std::fabs(l) : std::fabs(r);
        peak = a > peak ? a : peak;
        sum += l * l + r * r;
    }
    peak_ = std::max(peak_, peak);
    sumSquares_ += 0.5 * static_cast<double>(sum);
}

void Channel::skip(int n) noexcept {
    gain_.skip(n);
    audible_.skip(n);
}

void Channel::takeMeter(float& peak, double& sumSquares, long& frames) noexcept {
    peak = peak_;
    sumSquares = sumSquares_;
    frames = meterFrames_;
    peak_ = 0.0f;
    sumSquares_ = 0.0;
    meterFrames_ = 0;
}

} // namespace stemdeck::engine
