#include "stemdeck/engine/Transport.h"

#include <algorithm>

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

void Transport::prepare(double sampleRate) noexcept {
    fade_.prepare(secondsToFrames(kTransportFadeSeconds, sampleRate), 0.0f);
    reset(0);
}

void Transport::reset(std::int64_t songLength) noexcept {
    length_ = songLength;
    position_ = 0;
    seekTarget_ = 0;
    seekPending_ = false;
    state_ = TransportState::stopped;
    fade_.reset(0.0f);
}

void Transport::play() noexcept {
    switch (state_) {
    case TransportState::stopped:
        if (position_ >= length_) return; // nothing left to play
        state_ = TransportState::playing;
        if (position_ <= 0)
            fade_.reset(1.0f);
        else
            fade_.setTarget(1.0f);
        break;
    case TransportState::stopping: // changed their mind mid-fade
        if (seekPending_) {
            state_ = TransportState::seeking; // finish the fade, jump, fade in
        } else {
            state_ = TransportState::playing; // come back up from where the fade is
            fade_.setTarget(1.0f);
        }
        break;
    case TransportState::playing:
    case TransportState::seeking:
    case TransportState::waiting: break;
    }
}

void Transport::preRoll(std::int64_t start) noexcept {
    if (state_ == TransportState::stopped && start < position_) position_ = start;
}

void Transport::waitForSources() noexcept {
    if (state_ != TransportState::playing) return;
    state_ = TransportState::waiting;
    fade_.reset(0.0f);
}

void Transport::resume() noexcept {
    if (state_ != TransportState::waiting) return;
    state_ = TransportState::playing;
    fade_.setTarget(1.0f);
}

void Transport::stop() noexcept {
    if (state_ == TransportState::playing || state_ == TransportState::seeking || state_ == TransportState::waiting) {
        state_ = TransportState::stopping; // from waiting the fade is already at 0: stops at once
        fade_.setTarget(0.0f);
    }
}

void Transport::seek(std::int64_t songFrame) noexcept {
    const std::int64_t target = std::clamp<std::int64_t>(songFrame, 0, length_);
    switch (state_) {
    case TransportState::stopped: position_ = target; break;
    case TransportState::playing:
    case TransportState::seeking:
        state_ = TransportState::seeking;
        seekTarget_ = target;
        seekPending_ = true;
        fade_.setTarget(0.0f);
        break;
    case TransportState::stopping: // stop wins, but play resumes from the seek target
        seekTarget_ = target;
        seekPending_ = true;
        break;
    case TransportState::waiting: position_ = target; break; // still silent: jump straight there
    }
}

int Transport::framesUntilChange() const noexcept {
    if (state_ == TransportState::stopped) return kForever;
    if (state_ == TransportState::waiting) return kWaitPollFrames; // the engine checks the stems this often
    std::int64_t frames = length_ - position_;
    if (state_ == TransportState::stopping || state_ == TransportState::seeking)
        frames = std::min<std::int64_t>(frames, fade_.remainingFrames()); // 0: fade done, act now
    return static_cast<int>(std::clamp<std::int64_t>(frames, 0, kForever));
}

bool Transport::fade(float* gains, int n) noexcept {
    if (!fade_.isRamping()) {
        const float g = fade_.current();
        if (g == 1.0f) return false;
        std::fill_n(gains, n, g);
        return true;
    }
    for (int i = 0; i < n; ++i)
        gains[i] = fade_.next();
    return true;
}

TransportChange Transport::advance(int n) noexcept {
    if (state_ == TransportState::stopped || state_ == TransportState::waiting) return TransportChange::none;
    position_ += n;
    if (position_ >= length_) {
        position_ = length_;
        state_ = TransportState::stopped;
        seekPending_ = false;
        fade_.reset(0.0f);
        return TransportChange::songEnded;
    }
    if (fade_.isRamping() || state_ == TransportState::playing) return TransportChange::none;
    if (seekPending_) {
        position_ = seekTarget_;
        seekPending_ = false;
    }
    if (state_ == TransportState::stopping) {
        state_ = TransportState::stopped;
        return TransportChange::stopped;
    }
    state_ = TransportState::waiting; // seeking: the jump is done; the engine resumes when the stems are ready
    return TransportChange::jumped;
}

} // namespace stemdeck::engine
