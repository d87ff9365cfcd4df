#include "stemdeck/engine/TimecodeOut.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace stemdeck::engine {

namespace {
std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
} // namespace

void TimecodeOut::setOptions(const TimecodeOptions& options, LtcFrames* ltc, MidiOut* midi) noexcept {
    options_ = options;
    ltc_ = options.ltc ? ltc : nullptr;
    midi_ = options.mtc && options.rate.mtcCode() >= 0 ? midi : nullptr;
    on_ = false;
    active_.store(false, std::memory_order_relaxed);
    frameNow_.store(kNone, std::memory_order_relaxed);
}

void TimecodeOut::setSong(const SongView& song) noexcept {
    const double speed = song.speed > 0.0 ? song.speed : 1.0;
    const bool unity = std::fabs(speed - 1.0) < 1e-9;
    on_ = options_.any() && song.timecode.valid() && (unity || options_.tempo != TimecodeTempo::stop);
    start_ = timecodeIndex(options_.rate, song.timecode);
    origin_ = static_cast<double>(song.timing.downbeatFrame);
    // follow: a timecode frame is the song's own frame count, stretched with it; wall: real time.
    spf_ = rate_ / options_.rate.perSecond() / (options_.tempo == TimecodeTempo::follow ? speed : 1.0);
    active_.store(on_, std::memory_order_relaxed);
    if (!on_) frameNow_.store(kNone, std::memory_order_relaxed);
}

void TimecodeOut::songLoaded(const SongView& song) noexcept {
    setSong(song);
    fullDue_ = on_;
    synced_ = false;
    wantStill(0); // (a render's first block, or a run-on's: what it will play first, encoded now)
}

void TimecodeOut::wantStill(std::int64_t pos) noexcept {
    if (!on_ || ltc_ == nullptr) return;
    // Stopped: play may start a count-in and a pre-roll before here; have those frames ready.
    const auto back = static_cast<std::int64_t>((options_.prerollSeconds + kLookBackSeconds) * rate_);
    ltc_->want(start_ + relativeFrame(pos - back), start_ + relativeFrame(pos) + LtcFrames::kAhead, spf_);
}

void TimecodeOut::retimed(const SongView& song) noexcept {
    setSong(song);
    fullDue_ = on_; // the quarter frames' spacing changed: start their sequence again
    synced_ = false;
}

std::int64_t TimecodeOut::frameStart(std::int64_t relative) const noexcept {
    return static_cast<std::int64_t>(std::floor(origin_ + static_cast<double>(relative) * spf_ + 0.5));
}

std::int64_t TimecodeOut::quarterStart(std::int64_t quarter) const noexcept {
    return static_cast<std::int64_t>(std::floor(origin_ + static_cast<double>(quarter) * spf_ / 4.0 + 0.5));
}

std::int64_t TimecodeOut::relativeFrame(std::int64_t pos) const noexcept {
    // The division's guess, then the rounded frame starts decide (as gridFrame's lines do).
    auto r = static_cast<std::int64_t>(std::floor((static_cast<double>(pos) - origin_) / spf_));
    while (frameStart(r) > pos)
        --r;
    while (frameStart(r + 1) <= pos)
        ++r;
    return r;
}

void TimecodeOut::fullFrame(std::int64_t now, std::int64_t pos) noexcept {
    fullDue_ = false;
    synced_ = false;
    if (midi_ == nullptr) return;
    const TimecodeLabel l = timecodeLabel(options_.rate, start_ + relativeFrame(pos));
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
    if (!on_) return;
    frameNow_.store(start_ + relativeFrame(pos), std::memory_order_relaxed);
    if (ltc_ != nullptr) // the new place's frames first
        ltc_->want(start_ + relativeFrame(pos), start_ + relativeFrame(pos) + LtcFrames::kAhead, spf_);
    fullFrame(now, pos);
}

void TimecodeOut::still(std::int64_t now, std::int64_t pos) noexcept {
    if (!on_) return;
    const std::int64_t r = relativeFrame(pos);
    frameNow_.store(start_ + r, std::memory_order_relaxed);
    if (fullDue_) fullFrame(now, pos);
    wantStill(pos);
}

void TimecodeOut::moving(std::int64_t now, std::int64_t pos, int n, float* ltc) noexcept {
    if (!on_ || n <= 0) return;
    frameNow_.store(start_ + relativeFrame(pos), std::memory_order_relaxed);
    if (fullDue_) fullFrame(now, pos);
    if (midi_ != nullptr) quarterFrames(now, pos, n);
    if (ltc_ != nullptr && ltc != nullptr) ltcSignal(pos, n, ltc);
}

void TimecodeOut::quarterFrames(std::int64_t now, std::int64_t pos, int n) noexcept {
    // Quarter q (from bar 1) is piece (start·4 + q) mod 8: piece 0 on even timecode frames, which
    // the 8 pieces name; a receiver adds the 2 frames they took.
    auto q = static_cast<std::int64_t>(std::floor((static_cast<double>(pos) - origin_) / (spf_ / 4.0))) - 1;
    while (quarterStart(q) < pos)
        ++q;
    const int code = options_.rate.mtcCode();
    for (std::int64_t at = quarterStart(q); at < pos + n; at = quarterStart(++q)) {
        const std::int64_t absolute = start_ * 4 + q;
        const auto piece = static_cast<int>(((absolute % 8) + 8) % 8);
        if (!synced_ && piece != 0) continue; // after a full frame: from the next piece 0
        synced_ = true;
        const TimecodeLabel l = timecodeLabel(options_.rate, floorDiv(absolute - piece, 4));
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
    ltc_->want(start_ + r, start_ + r + LtcFrames::kAhead, spf_);
    int i = 0;
    while (i < n) {
        const std::int64_t p = pos + i;
        while (frameStart(r + 1) <= p)
            ++r;
        const std::int64_t begin = frameStart(r);
        const int len = static_cast<int>(std::min<std::int64_t>(n - i, frameStart(r + 1) - p));
        ltc_->read(start_ + r, spf_, static_cast<int>(p - begin), len, options_.ltcGain, out + i);
        i += len;
    }
}

} // namespace stemdeck::engine
