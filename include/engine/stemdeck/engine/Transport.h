#pragma once
// Play, stop, seek and the song position, with the fades that keep them click-free.
#include <cstdint>
#include <limits>

#include "stemdeck/engine/Ramp.h"

namespace stemdeck::engine {

enum class TransportState : std::uint8_t {
    stopped,
    playing,
    stopping, ///< fading out; stops when the fade ends
    seeking,  ///< fading out; jumps to the seek target when the fade ends
    waiting,  ///< at the seek target, silent, until every stem can supply it; then fades in
};

/// What happened at the end of an advance().
enum class TransportChange : std::uint8_t { none, stopped, jumped, songEnded };

/// The play head. It moves only inside Engine::process(); all stems are read at its position.
/// @thread audio, except prepare.
class Transport {
public:
    static constexpr int kForever = std::numeric_limits<int>::max();
    static constexpr int kWaitPollFrames = 32;

    /// @thread control.
    void prepare(double sampleRate) noexcept;

    /// Song load: stopped at frame 0 of a song this long.
    void reset(std::int64_t songLength) noexcept;

    /// Starts playing. From bar 1 (or a count-in before it) it starts at full level on the first
    /// frame (stems begin at bar 1, a fade would eat the downbeat); from anywhere else it fades in.
    void play() noexcept;

    /// Stopped: moves the play head back to `start` (before where it is), so that play() runs a
    /// count-in from there (the engine keeps the stems silent until the old position). Does
    /// nothing while rolling.
    void preRoll(std::int64_t start) noexcept;

    /// Fades out, then stops.
    void stop() noexcept;

    /// Moves the play head (clamped to the song). While playing: fade out, jump, fade in.
    void seek(std::int64_t songFrame) noexcept;

    /// True unless stopped (playing, fading out for a stop or seek, or waiting at a seek target).
    [[nodiscard]] bool rolling() const noexcept { return state_ != TransportState::stopped; }

    /// Frames until the state changes by itself (a fade ends or the song ends); 0 when a fade-out
    /// has finished and advance(0) must act on it now.
    [[nodiscard]] int framesUntilChange() const noexcept;

    /// Just started playing from a position the stems may not have yet: wait there, silent (the
    /// engine resumes when they have it).
    void waitForSources() noexcept;

    /// Playing: moves the play head to `songFrame` with no fade (a loop's jump, crossfaded by the
    /// engine).
    void relocate(std::int64_t songFrame) noexcept {
        if (state_ == TransportState::playing) position_ = songFrame;
    }

    /// The song goes on at another tempo (a retime): the same state, the play head at the same
    /// musical time on the new timeline, which is this long.
    void retime(std::int64_t songFrame, std::int64_t songLength) noexcept {
        position_ = songFrame;
        length_ = songLength;
    }
    /// After a jump (state waiting): every stem has the target, fade in and play.
    void resume() noexcept;

    /// The transport fade for the next n frames: false when it is unity throughout (nothing to
    /// multiply), else the n gains are written to `gains`. Either way the fade advances n frames.
    bool fade(float* gains, int n) noexcept;

    /// Moves the play head n frames (n ≤ framesUntilChange()) and reports a state change.
    TransportChange advance(int n) noexcept;

    [[nodiscard]] std::int64_t position() const noexcept { return position_; }
    [[nodiscard]] std::int64_t length() const noexcept { return length_; }
    [[nodiscard]] TransportState state() const noexcept { return state_; }

private:
    Ramp fade_;
    TransportState state_ = TransportState::stopped;
    std::int64_t position_ = 0;
    std::int64_t length_ = 0;
    std::int64_t seekTarget_ = 0;
    bool seekPending_ = false;
};

} // namespace stemdeck::engine
