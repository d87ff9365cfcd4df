#pragma once
// Fixed sizes of the real-time engine. Everything the audio thread touches is sized from these
// when the engine is prepared, so nothing is allocated while it runs.
#include <cstddef>

#include "stemdeck/common/Limits.h"

namespace stemdeck::engine {

using stemdeck::kMaxStems; ///< stems per song (stemdeck/common/Limits.h)

/// Largest block one process() segment handles; larger device blocks are split internally.
inline constexpr int kMaxSegmentFrames = 4096;

/// Gain moves ramp linearly over this time: long enough to avoid zipper noise on a fader ride,
/// short enough to feel immediate (DESIGN.md: 10–30 ms).
inline constexpr double kGainRampSeconds = 0.020;

/// Mute, unmute, solo changes fade over this time: no click, still "on the beat".
inline constexpr double kMuteFadeSeconds = 0.005;

/// Stop, and the jump of a seek while playing, fade the whole mix over this time.
inline constexpr double kTransportFadeSeconds = 0.010;

/// The filter knob glides over this time; its cutoff is exponential in the knob value, so a linear
/// glide of the knob is a glide of the cutoff in log-frequency.
inline constexpr double kFilterGlideSeconds = 0.030;

/// After a seek the play head waits, silent, until every stem can supply this many frames from
/// the target (so all stems start on the same frame)…
inline constexpr int kSeekReadyFrames = 2048;
/// …but no longer than this: then it plays, and a stem still without data plays silence.
inline constexpr double kSeekWaitSeconds = 0.25;

/// A loop's end crossfades into the frames just before its start over this time, so a vamp
/// never clicks; the loop's period stays exactly its length.
inline constexpr double kLoopCrossfadeSeconds = 0.005;

/// A retime (the same song at a new tempo or key, while it plays) crossfades every stem from the
/// old stretcher's audio to the new one's over this time, from the beat line where they meet. Both
/// are the same music at the same musical time, but their phase vocoders' phases differ, so a cut
/// would click; 20 ms is short enough that the beat's attack is not smeared.
inline constexpr double kRetimeCrossfadeSeconds = 0.020;

/// Commands that may wait in the engine for their frame (exact-frame or quantised commands).
inline constexpr std::size_t kMaxPendingCommands = 256;
/// Of those, slots only commands that apply now (not quantised) may take.
inline constexpr std::size_t kPendingReservedForNow = 64;
static_assert(kPendingReservedForNow < kMaxPendingCommands);

/// Capacity of the control → audio command queue and of the audio → control event queue.
inline constexpr std::size_t kCommandQueueCapacity = 1024;
inline constexpr std::size_t kEventQueueCapacity = 4096;

} // namespace stemdeck::engine
