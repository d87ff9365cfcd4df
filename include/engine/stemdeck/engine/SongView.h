#pragma once
// The song as the engine plays it: its stems (not owned), its grid, how it starts, its scenes.
#include <array>
#include <cstdint>

#include "stemdeck/common/Limits.h"
#include "stemdeck/common/Timecode.h"
#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Guide.h"
#include "stemdeck/engine/MidiOut.h"
#include "stemdeck/engine/StemMix.h"
#include "stemdeck/engine/StemSource.h"
#include "stemdeck/engine/Timing.h"

namespace stemdeck::engine {

/// Number of stereo buses a stem can be routed to instead of the main mix.
inline constexpr int kMaxDirectBuses = kMaxStems;

/// A scene: a state of every stem of a song, recalled on one frame (gains and filters glide, mutes fade).
struct Scene {
    StemMixes stems{};
};

/// The song the engine plays: its stems (not owned), its grid and how it starts.
struct SongView {
    std::array<StemSource*, kMaxStems> stems{};
    int stemCount = 0;
    std::int64_t lengthFrames = 0; ///< the longest stem
    SongTiming timing;
    int countInBars = 0;             ///< bars of click before bar 1 when play starts from the top
    std::int32_t id = -1;            ///< the control side's tag for this song, echoed in songChanged events
    StemSource* reference = nullptr; ///< the reference mix (00_MIX_REFERENCE), for A/B; not owned
    StemMixes start{}; ///< the stems' state when the song loads (a set file's "start:"), applied with no ramp
    /// Per stem: the direct bus it plays on (then it is not in the main mix), or -1 for the main mix.
    std::array<std::int8_t, kMaxStems> directBus{-1, -1, -1, -1, -1, -1, -1, -1};
    std::array<Scene, kMaxScenes> scenes{}; ///< the song's scenes by slot (set file, sidecar, stored live)
    std::uint32_t scenesDefined = 0;        ///< bit k: slot k holds a scene
    const MidiCues* midiCues = nullptr;     ///< the MIDI output's cues (not owned); none: nullptr
    const GuideTrack* guides = nullptr;     ///< the spoken guide cues (not owned); none: nullptr
    TimecodeLabel timecode;                 ///< bar 1's timecode (the song's identity); invalid: none
    double speed = 1.0; ///< its tempo against its own (0.8: a rehearsal at 80 %): timing.bpm / its own BPM
    /// Its level on the main output, linear: the set file's gain: for it and its accepted loudness
    /// trim (the click, the guide, timecode and its stems' own outputs are not touched).
    float mainGain = 1.0f;
};
static_assert(kMaxStems == 8, "directBus's initialiser lists one -1 per stem");

} // namespace stemdeck::engine
