#pragma once
// A linear parameter ramp: the smoother behind gains, mute fades and the transport fade.
#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

/// Moves from its current value to a target in a fixed number of equal steps, so the largest step
/// between two samples is |target − start| / rampFrames: the bound the render tests check.
/// @thread audio (setters and next), except prepare.
class Ramp {
public:
    /// @thread control. Sets the ramp length and jumps to `value`.
    void prepare(int rampFrames, float value) noexcept {
        rampFrames_ = std::max(1, rampFrames);
        reset(value);
    }

    /// Jumps to `value` with no ramp.
    void reset(float value) noexcept {
        current_ = start_ = target_ = value;
        step_ = 0.0f;
        remaining_ = 0;
    }

    /// Starts a ramp from wherever the value is now.
    void setTarget(float target) noexcept {
        if (target == target_) return;
        target_ = target;
        start_ = current_;
        remaining_ = rampFrames_;
        step_ = (target_ - start_) / static_cast<float>(rampFrames_);
    }

    /// The next sample's value. Each value is computed from the ramp's start, not by adding steps,
    /// so float rounding cannot accumulate into a larger last step.
    float next() noexcept {
        if (remaining_ > 0) {
            --remaining_;
            current_ = remaining_ == 0 ? target_ : start_ + step_ * static_cast<float>(rampFrames_ - remaining_);
        }
        return current_;
    }

    /// Advances n samples without producing them (the transport is stopped).
    void skip(int n) noexcept {
        if (n >= remaining_) {
            current_ = target_;
            remaining_ = 0;
        } else {
            remaining_ -= n;
            current_ = start_ + step_ * static_cast<float>(rampFrames_ - remaining_);
        }
    }

    /// Multiplies n frames of left and right by the ramp's next n values (vectorisable: each value
    /// is computed from the start, the loop carries no dependency).
    void applyTo(float* __restrict left, float* __restrict right, int n) noexcept {
        const int ramped = remaining_ < n ? remaining_ : n;
        const float base = start_ + step_ * static_cast<float>(rampFrames_ - remaining_);
        const float step = step_;
#pragma omp simd
        for (int i = 0; i < ramped; ++i) {
            const float g = base + step * static_cast<float>(i + 1);
            left[i] *= g;
            right[i] *= g;
        }
        skip(ramped);
        const float g = current_;
        if (ramped < n && g != 1.0f) {
#pragma omp simd
            for (int i = ramped; i < n; ++i) {
                left[i] *= g;
                right[i] *= g;
            }
        }
    }

    [[nodiscard]] bool isRamping() const noexcept {
        return remaining_ > 0;
    }
    [[nodiscard]] int remainingFrames() const noexcept {
        return remaining_;
    }
    [[nodiscard]] float current() const noexcept {
        return current_;
    }
    [[nodiscard]] float target() const noexcept {
        return target_;
    }
    [[nodiscard]] int rampFrames() const noexcept {
        return rampFrames_;
    }

private:
    float current_ = 0.0f;
    float start_ = 0.0f;
    float target_ = 0.0f;
    float step_ = 0.0f;
    int remaining_ = 0;
    int rampFrames_ = 1;
};

/// Frames in `seconds` at `sampleRate`, at least 1.
[[nodiscard]] inline int secondsToFrames(double seconds, double sampleRate) noexcept {
    return std::max(1, static_cast<int>(std::lround(seconds * sampleRate)));
}

} // namespace stemdeck::engine
