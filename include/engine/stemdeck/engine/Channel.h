#pragma once
// One stem's strip after its DJ filter (DjFilterBank): gain, mute / solo fade, meter.
#include "stemdeck/engine/Ramp.h"

namespace stemdeck::engine {

/// Per-stem processing on the audio thread. State changes (gain, mute, solo) only set targets; the
/// audio glides there, so nothing the performer does can click.
class Channel {
public:
    /// @thread control. Sets ramp lengths for the rate and resets to unity, unmuted.
    void prepare(double sampleRate) noexcept;

    /// @thread audio. Song load: jump to a start state with no ramps (default: unity, unmuted).
    void reset(float gain = 1.0f, bool muted = false, bool soloed = false, bool anySoloed = false) noexcept;

    // audio thread only
    void setGain(float linear) noexcept { gain_.setTarget(linear); }
    void setMuted(bool muted) noexcept { muted_ = muted; }
    void setSoloed(bool soloed) noexcept { soloed_ = soloed; }

    /// @thread audio. Recomputes whether the stem is heard, given whether any stem is soloed.
    void updateAudible(bool anySoloed) noexcept {
        audible_.setTarget(!muted_ && (!anySoloed || soloed_) ? 1.0f : 0.0f);
    }

    /// @thread audio, non-blocking. Processes the stem's n frames (in place) and adds them to the
    /// bus; accumulates the meter.
    void processInto(float* __restrict left, float* __restrict right, float* __restrict busLeft,
                     float* __restrict busRight, int n) noexcept;

    /// @thread audio. Advances ramps n frames with no audio (transport stopped).
    void skip(int n) noexcept;

    /// @thread audio. Returns and clears the meter accumulated since the last call.
    void takeMeter(float& peak, double& sumSquares, long& frames) noexcept;

    [[nodiscard]] bool muted() const noexcept { return muted_; }
    [[nodiscard]] bool soloed() const noexcept { return soloed_; }
    [[nodiscard]] float gain() const noexcept { return gain_.target(); }

private:
    Ramp gain_;
    Ramp audible_;
    bool muted_ = false;
    bool soloed_ = false;
    float peak_ = 0.0f;
    double sumSquares_ = 0.0;
    long meterFrames_ = 0;
};

} // namespace stemdeck::engine
