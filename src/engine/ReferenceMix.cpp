#include "stemdeck/engine/ReferenceMix.h"

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

void ReferenceMix::prepare(double sampleRate, int segmentFrames) {
    segmentFrames_ = segmentFrames;
    audio_.assign(static_cast<std::size_t>(segmentFrames) * 2, 0.0f);
    mix_.prepare(secondsToFrames(kTransportFadeSeconds, sampleRate), 0.0f);
}

void ReferenceMix::blendInto(float* mainLeft, float* mainRight, int n) noexcept {
    if (!mix_.isRamping() && mix_.current() == 0.0f) return; // the stems, as they are
    const float* refLeft = left();
    const float* refRight = right();
    for (int i = 0; i < n; ++i) {
        const float g = mix_.next();
        mainLeft[i] += g * (refLeft[i] - mainLeft[i]);
        mainRight[i] += g * (refRight[i] - mainRight[i]);
    }
}

} // namespace stemdeck::engine
