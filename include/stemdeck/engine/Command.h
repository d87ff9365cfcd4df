#pragma once
// Commands from the control side (CLI, event scripts, MIDI, GUI) to the audio thread.
#include <cstdint>
#include <type_traits>

namespace stemdeck::engine {

/// What a command does. The same vocabulary serves event scripts, MIDI mappings and the GUI.
enum class Action : std::uint8_t {
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
    seek,            ///< target: song frame
    click,           ///< value: a ClickMode (0 off, 1 count-in only, 2 always)
    loadCued,        ///< switch to the song given to Engine::cueNextSong (fading out first if playing);
                     ///< value 1: play it at once (with its count-in), 0: wait stopped at its start
    referenceOn,     ///< A/B: the main mix becomes the song's reference mix (10 ms crossfade)
    referenceOff,    ///< A/B: back to the stems
    toggleReference, ///< A/B: switch to the other
    loopOn,          ///< vamp: loop song frames [target, target + length) until loopOff
    loopOff,         ///< vamp released: the play head runs on past the loop's end
};

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
    Action action = Action::play;
    Quantize quantize = Quantize::none;
    std::int8_t stem = -1;           ///< 0-based stem index; -1 where the action has no stem
    float value = 0.0f;              ///< gain factor or filter knob
    std::int64_t frame = kNextBlock; ///< engine output frame at which it is issued, or kNextBlock
    std::int64_t target = 0;         ///< seek target / loop start, in song frames
    std::int64_t length = 0;         ///< loop length in frames
};
static_assert(std::is_trivially_copyable_v<Command>);

/// True for actions that need a stem index.
[[nodiscard]] constexpr bool needsStem(Action a) noexcept {
    return a != Action::play && a != Action::stop && a != Action::seek && a != Action::click && a != Action::loadCued &&
           a != Action::referenceOn && a != Action::referenceOff && a != Action::toggleReference &&
           a != Action::loopOn && a != Action::loopOff;
}

} // namespace stemdeck::engine
