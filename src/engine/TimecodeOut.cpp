#include "stemdeck/engine/TimecodeOut.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace stemdeck::engine {

void TimecodeOut::setOptions(const TimecodeOptions& options, LtcFrames* ltc, MidiOut* midi) noexcept {
    options_ = options;
    ltc_ = options.ltc ? ltc : nullptr;
    midi_ = options.mtc && options.rate.mtcCode() >= 0 ? midi : nullptr;
    tl_ = Timeline{};
    active_.store(false, std::memory_order_relaxed);
    frameNow_.store(kNone, std::memory_order_relaxed);
}

TimecodeOut::Timeline TimecodeOut::timelineOf(const SongView& song) const noexcept {
    const double speed = song.speed > 0.0 ? song.speed : 1.0;
    const bool unity = std::fabs(speed - 1.0) < 1e-9;
    Timeline t;
    t.on = options_.any() && song.timecode.valid() && (unity || options_.tempo != TimecodeTempo::stop);
    t.start = timecodeIndex(options_.rate, song.timecode);
    t.origin = static_cast<double>(song.timing.downbeatFrame);
    // follow: a timecode frame is the song's own frame count, stretched with it; wall: real time.
    t.spf = rate_ / options_.rate.perSecond() / (options_.tempo == TimecodeTempo::follow ? speed : 1.0);
    return t;
}

void TimecodeOut::setSong(const SongView& song) noexcept {
    tl_ = timelineOf(song);
    active_.store(tl_.on, std::memory_order_relaxed);
    if (!tl_.on) frameNow_.store(kNone, std::memory_order_relaxed);
}

void TimecodeOut::cued(const SongView& next) noexcept {
    wantFrom(LtcFrames::kCuedNext, timelineOf(next), 0); // (a run-on starts on its frame 0)
}

void TimecodeOut::songLoaded(const SongView& song) noexcept {
    setSong(song);
    fullDue_ = tl_.on;
    synced_ = false;
    wantFrom(LtcFrames::kPlayHead, tl_, 0); // (a render's first block, a run-on's: what it plays first)
}

void TimecodeOut::wantFrom(int window, const Timeline& t, std::int64_t pos) const noexcept {
    if (!t.on || ltc_ == nullptr) return;
    // Play may start here, or a count-in and a pre-roll before it: have those frames ready.
    const auto back = static_cast<std::int64_t>((options_.prerollSeconds + kLookBackSeconds) * rate_);
    const std::int64_t head = t.start + t.relativeFrame(pos);
    ltc_->want(window, t.start + t.relativeFrame(pos - back), head, head + LtcFrames::kAhead, t.spf);
}

void TimecodeOut::retimed(const SongView& song, std::int64_t from, std::int64_t to) noexcept {
    // wall: real time runs on through a tempo change (the same timecode at the switch, its frames
    // as long as before); follow maps musical time onto musical time by itself.
    const double at = (static_cast<double>(from) - tl_.origin) / tl_.spf;
    const bool wall = tl_.on && options_.tempo == TimecodeTempo::wall;
    setSong(song);
    if (wall && tl_.on) tl_.origin = static_cast<double>(to) - at * tl_.spf;
    nextPos_ = to;     // (the LTC runs on: no jump)
    fullDue_ = tl_.on; // the quarter frames' spacing changed: start their sequence again
    synced_ = false;
}

std::int64_t TimecodeOut::Timeline::frameStart(std::int64_t relative) const noexcept {
    return static_cast<std::int64_t>(std::floor(origin + static_cast<double>(relative) * spf + 0.5));
}

std::int64_t TimecodeOut::Timeline::relativeFrame(std::int64_t pos) const noexcept {
    // The division's guess, then the rounded frame starts decide (as gridFrame's lines do).
    auto r = static_cast<std::int64_t>(std::floor((static_cast<double>(pos) - origin) / spf));
    while (frameStart(r) > pos)
        --r;
    while (frameStart(r + 1) <= pos)
        ++r;
    return r;
}

std::int64_t TimecodeOut::quarterStart(std::int64_t quarter) const noexcept {
    return static_cast<std::int64_t>(std::floor(tl_.origin + static_cast<double>(quarter) * tl_.spf / 4.0 + 0.5));
}

void TimecodeOut::fullFrame(std::int64_t now, std::int64_t pos) noexcept {
    fullDue_ = false;
    synced_ = false;
    if (midi_ == nullptr) return;
    const TimecodeLabel l = timecodeLabel(options_.rate, tl_.start + relativeFrame(pos));
    const std::array<std::uint8_t, 10> msg{0xF0,
                                           0x7F,
                                           0x7F,
                                           0x01,
                                           0x01,
                                           static_cast<std::uint8_t>((options_.rate.mtcCode() << 5) | l.hours),
                                           static_cast<std::uint8_t>(l.minutes),
                                           static_cast<std::uint8_t>(l.seconds),
                                           static_cast<std::uint8_t>(l.frames),
                                           0xF7};
    midi_->send(now, msg.data(), msg.size());
}

void TimecodeOut::located(std::int64_t now, std::int64_t pos) noexcept {
    if (!tl_.on) return;
    const std::int64_t frame = tl_.start + relativeFrame(pos);
    frameNow_.store(frame, std::memory_order_relaxed);
    if (ltc_ != nullptr) // the new place's frames first
        ltc_->want(LtcFrames::kPlayHead, frame, frame, frame + LtcFrames::kAhead, tl_.spf);
    fullFrame(now, pos);
}

void TimecodeOut::still(std::int64_t now, std::int64_t pos) noexcept {
    lastLevel_ = 0.0f; // (the LTC bus is silent while the transport stands)
    nextPos_ = kNone;
    if (!tl_.on) return;
    const std::int64_t r = relativeFrame(pos);
    frameNow_.store(tl_.start + r, std::memory_order_relaxed);
    if (fullDue_) fullFrame(now, pos);
    wantFrom(LtcFrames::kPlayHead, tl_, pos);
}

void TimecodeOut::moving(std::int64_t now, std::int64_t pos, int n, float* ltc) noexcept {
    if (!tl_.on || n <= 0) return;
    frameNow_.store(tl_.start + relativeFrame(pos), std::memory_order_relaxed);
    if (fullDue_) fullFrame(now, pos);
    if (midi_ != nullptr) quarterFrames(now, pos, n);
    if (ltc_ != nullptr && ltc != nullptr) ltcSignal(pos, n, ltc);
}

void TimecodeOut::quarterFrames(std::int64_t now, std::int64_t pos, int n) noexcept {
    // Quarter q (from bar 1) is piece (start·4 + q) mod 8: piece 0 on even timecode frames, which
    // the 8 pieces name; a receiver adds the 2 frames they took.
    auto q = static_cast<std::int64_t>(std::floor((static_cast<double>(pos) - tl_.origin) / (tl_.spf / 4.0))) - 1;
    while (quarterStart(q) < pos)
        ++q;
    const int code = options_.rate.mtcCode();
    for (std::int64_t at = quarterStart(q); at < pos + n; at = quarterStart(++q)) {
        const std::int64_t absolute = tl_.start * 4 + q;
        const auto piece = static_cast<int>(((absolute % 8) + 8) % 8);
        if (!synced_ && piece != 0) continue; // after a full frame: from the next piece 0
        synced_ = true;
        const TimecodeLabel l = timecodeLabel(options_.rate, (absolute - piece) / 4); // (a multiple of 8: exact)
        int value = 0;
        switch (piece) {
        case 0: value = l.frames & 0x0F; break;
        case 1: value = l.frames >> 4; break;
        case 2: value = l.seconds & 0x0F; break;
        case 3: value = l.seconds >> 4; break;
        case 4: value = l.minutes & 0x0F; break;
        case 5: value = l.minutes >> 4; break;
        case 6: value = l.hours & 0x0F; break;
        default: value = (l.hours >> 4) | (code << 1); break;
        }
        const std::array<std::uint8_t, 2> msg{0xF1, static_cast<std::uint8_t>((piece << 4) | value)};
        midi_->send(now + (at - pos), msg.data(), msg.size());
        quarters_.fetch_add(1, std::memory_order_relaxed);
    }
}

void TimecodeOut::ltcSignal(std::int64_t pos, int n, float* out) noexcept {
    std::int64_t r = relativeFrame(pos);
    ltc_->want(LtcFrames::kPlayHead, tl_.start + r, tl_.start + r, tl_.start + r + LtcFrames::kAhead, tl_.spf);
    const bool jumped = pos != nextPos_; // a locate, a start, a song change: not where the last block ended
    int i = 0;
    while (i < n) {
        const std::int64_t p = pos + i;
        while (frameStart(r + 1) <= p)
            ++r;
        const std::int64_t begin = frameStart(r);
        const int len = static_cast<int>(std::min<std::int64_t>(n - i, frameStart(r + 1) - p));
        float* chunk = out + i;
        if (!ltc_->read(tl_.start + r, tl_.spf, static_cast<int>(p - begin), len, options_.ltcGain * polarity_,
                        chunk)) {
            if (tl_.start + r != lastMissed_) ltcMisses_.fetch_add(1, std::memory_order_relaxed); // once a frame
            lastMissed_ = tl_.start + r;
        } else if (i == 0 && jumped && p == begin && lastLevel_ != 0.0f && (lastLevel_ > 0.0f) == (polarity_ > 0.0f)) {
            // Each frame starts with an edge up to the high level (libltc's, times the polarity);
            // a jump onto a frame's start where the line is high already would lose that edge.
            // Biphase mark is read from its edges alone: turn the signal over from here.
            polarity_ = -polarity_;
            for (int k = 0; k < len; ++k)
                chunk[k] = -chunk[k];
        }
        i += len;
    }
    lastLevel_ = out[n - 1];
    nextPos_ = pos + n;
}

} // namespace stemdeck::engine
