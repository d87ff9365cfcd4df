#include "stemdeck/engine/Channel.h"

#include <cmath>

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

void Channel::prepare(double sampleRate) noexcept {
    filter_.prepare(sampleRate);
    gain_.prepare(secondsToFrames(kGainRampSeconds, sampleRate), 1.0f);
    audible_.prepare(secondsToFrames(kMuteFadeSeconds, sampleRate), 1.0f);
    reset();
}

void Channel::reset() noexcept {
    filter_.resetKnob(0.0f);
    gain_.reset(1.0f);
    audible_.reset(1.0f);
    muted_ = soloed_ = false;
    peak_ = 0.0f;
    sumSquares_ = 0.0;
    meterFrames_ = 0;
}

void Channel::processInto(float* left, float* right, float* busLeft, float* busRight,
                          int n) noexcept {
    filter_.process(left, right, n);
    float peak = peak_;
    double sum = 0.0;
    if (!gain_.isRamping() && !audible_.isRamping()) {
        const float g = gain_.current() * audible_.current();
        for (int i = 0; i < n; ++i) {
            const float l = left[i] * g, r = right[i] * g;
            busLeft[i] += l;
            busRight[i] += r;
            peak = std::fmax(peak, std::fmax(std::fabs(l), std::fabs(r)));
            sum += static_cast<double>(l * l + r * r);
        }
    } else {
        for (int i = 0; i < n; ++i) {
            const float g = gain_.next() * audible_.next();
            const float l = left[i] * g, r = right[i] * g;
            busLeft[i] += l;
            busRight[i] += r;
            peak = std::fmax(peak, std::fmax(std::fabs(l), std::fabs(r)));
            sum += static_cast<double>(l * l + r * r);
        }
    }
    peak_ = peak;
    sumSquares_ += sum * 0.5;
    meterFrames_ += n;
}

void Channel::skip(int n) noexcept {
    filter_.skip(n);
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
