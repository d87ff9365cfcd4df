#pragma once
// Reference A/B: the main bus crossfades between the stems' mix and the song's reference mix
// (00_MIX_REFERENCE), which streams beside the stems on the same timeline.
#include <vector>

#include "stemdeck/engine/Ramp.h"

namespace stemdeck::engine {

class ReferenceMix {
public:
    /// @thread control, audio not running. Allocates the reference's buffer for one segment.
    void prepare(double sampleRate, int segmentFrames);

    /// @thread audio. Back on the stems at once (a song load).
    void reset() noexcept { mix_.reset(0.0f); }
    /// @thread audio. Fades to the reference mix (true) or back to the stems.
    void select(bool reference) noexcept { mix_.setTarget(reference ? 1.0f : 0.0f); }
    /// True when it is on, or fading to, the reference mix.
    [[nodiscard]] bool selected() const noexcept { return mix_.target() >= 0.5f; }
    /// @thread audio. Nothing plays: the fade moves on n frames.
    void skip(int n) noexcept { mix_.skip(n); }

    /// Where the reference's frames for this segment are read to (left, then right).
    [[nodiscard]] float* left() noexcept { return audio_.data(); }
    [[nodiscard]] float* right() noexcept { return audio_.data() + segmentFrames_; }

    /// @thread audio. Crossfades the main bus towards the frames read to left() and right().
    void blendInto(float* mainLeft, float* mainRight, int n) noexcept;

private:
    Ramp mix_; // 0: the stems on the main bus, 1: the reference mix
    std::vector<float> audio_;
    int segmentFrames_ = 0;
};

} // namespace stemdeck::engine
