#pragma once
// The engine's instruction set: what the audio thread can be told to do. No surface names these:
// keys, mappings, scripts, the GUI and remotes speak control::Action (stemdeck/control/Action.h),
// and the router turns those into Commands.
#include <cstdint>
#include <type_traits>

#include "stemdeck/common/Limits.h"

namespace stemdeck::engine {

/// What a command does.
enum class Op : std::uint8_t {
    mute,
    unmute,
    toggleMute,
    solo,
    unsolo,
    toggleSolo,
    gain,   ///< value: linear gain factor (1 = unity)
    filter, ///< value: DJ filter knob, -1 (low-pass closed) … 0 (bypass) … +1 (high-pass closed)
    play,
    stop,
    seek,            ///< target: song frame; value 1: a resume point (the next play there counts in first)
    click,           ///< value: a ClickMode (0 off, 1 count-in only, 2 always)
    loadCued,        ///< switch to the song given to Engine::cueNextSong (fading out first if playing);
                     ///< value 1: play it at once (with its count-in), 0: wait stopped at its start
    referenceOn,     ///< A/B: the main mix becomes the song's reference mix (10 ms crossfade)
    referenceOff,    ///< A/B: back to the stems
    toggleReference, ///< A/B: switch to the other
    loopOn,          ///< vamp: loop song frames [target, target + length) until loopOff; value: bars of
                     ///< count-in before each pass after the first (0: a seamless loop)
    loopOff,         ///< vamp released: the play head runs on past the loop's end
    scene,           ///< value: the scene's slot; every stem goes to that scene's state on one frame
    defineScene,     ///< stem's part of scene `target`: value gain, value2 filter, flags kSceneMuted | kSceneSoloed
    panic,           ///< every stem back to the song's start state, A/B back to the stems, grid-waiting commands gone
    retime,          ///< the song goes on at another tempo or key: switch to the view given to Engine::retimeSong
                     ///< when the play head reaches song frame `target` (stopped: at once); see Engine::retimeSong.
                     ///< value 1: the new view's audio is the same as now's (the song reloaded as it plays, to hold
                     ///< another point in RAM): no crossfade
    guides,          ///< the spoken guide cues: value 0 off, 1 on, -1 the other
};

using stemdeck::kMaxScenes; ///< scenes per song (stemdeck/common/Limits.h)
/// Command::flags of a defineScene.
inline constexpr std::uint8_t kSceneMuted = 1, kSceneSoloed = 2;

/// What the click bus plays. The click is generated from the song's tempo grid, never a file.
enum class ClickMode : std::uint8_t {
    off,
    countIn, ///< only the count-in bars before the song
    always,  ///< the count-in and every beat of the song
};

/// Where in musical time a command lands once it is issued.
enum class Quantize : std::uint8_t {
    none, ///< on the frame it is issued
    beat, ///< on the first frame of the next beat (or this one, if issued exactly on it)
    bar,  ///< on the first frame of the next bar (or this one, if issued exactly on it)
};

/// Issue frame meaning "at the start of the next block".
inline constexpr std::int64_t kNextBlock = -1;

/// One command. Small and trivially copyable so it crosses the lock-free queue by value.
struct Command {
    Op op = Op::play;
    Quantize quantize = Quantize::none;
    std::int8_t stem = -1;           ///< 0-based stem index; -1 where the op has no stem
    float value = 0.0f;              ///< gain factor, filter knob, click mode, scene slot
    std::int64_t frame = kNextBlock; ///< engine output frame at which it is issued, or kNextBlock
    std::int64_t target = 0;         ///< seek target / loop start / defineScene's slot
    std::int64_t length = 0;         ///< loop length in frames
    float value2 = 0.0f;             ///< defineScene: the filter knob
    std::uint8_t flags = 0;          ///< defineScene: kSceneMuted | kSceneSoloed
    /// defineScene: the SongView::id it is for (-1: whichever plays). Another song's is dropped:
    /// the set ran on between the store and the command.
    std::int32_t song = -1;
};
static_assert(std::is_trivially_copyable_v<Command>);

/// True for ops that act on one stem (Command::stem).
[[nodiscard]] constexpr bool needsStem(Op op) noexcept {
    switch (op) {
    case Op::mute:
    case Op::unmute:
    case Op::toggleMute:
    case Op::solo:
    case Op::unsolo:
    case Op::toggleSolo:
    case Op::gain:
    case Op::filter:
    case Op::defineScene: return true;
    default: return false;
    }
}

} // namespace stemdeck::engine
