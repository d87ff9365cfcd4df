#pragma once
// One stem's mixer state: muted, soloed, its gain and its DJ filter. The one record of it that a
// scene, a song's start state, the engine's published state, the journal, the status lines and
// the faces all hold (a set file's start and scene entries say a part of it: set::StemStart).
#include <array>

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

struct StemMix {
    bool muted = false, soloed = false;
    float gain = 1.0f;   ///< linear
    float filter = 0.0f; ///< the DJ filter knob, -1 … 1 (0: off)
    bool operator==(const StemMix&) const = default;
};

/// Every stem of a song, by stem index.
using StemMixes = std::array<StemMix, kMaxStems>;

} // namespace stemdeck::engine
