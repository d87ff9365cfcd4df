#include "stemdeck/engine/LinkSync.h"

#include <ableton/Link.hpp>
#include <ableton/link/LinearRegression.hpp>

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

namespace {

constexpr double kMicrosPerMinute = 60e6;
/// Frames from the line's origin after which the origin moves up (the least squares sum x²).
constexpr std::int64_t kReorigin = std::int64_t{1} << 24;
/// A reading this far off the line: the device stopped or was opened again; the line restarts.
constexpr double kJumpMicros = 50'000.0;
/// A reading this far off the line is left out of it (a callback woken late).
constexpr double kOutlierMicros = 1500.0;
/// This many off the line in a row: frames went missing (mixing the readings before and after
/// would bend the line for seconds); it restarts.
constexpr int kStepReadings = 16;
constexpr std::size_t kLineKnown = 8;    // readings before a start is held on the line
constexpr std::size_t kLineTrusted = 64; // before the session's phase is put back on it
/// Link sends a tempo as whole microseconds a beat (110 BPM comes back from a peer as 109.99990):
/// two tempos this close (relative) are the same (a drift of 0.6 ms a minute, which the bridge takes).
constexpr double kSameTempo = 1e-5;
/// Following, the song's tempo is a share of its own in steps of 1e-4 (control's live stretch):
/// 110 BPM for a 120 BPM song is 91.67 %, 110.004 BPM (the bridge takes 2 ms a minute).
constexpr double kFollowedTempo = 2e-4;

bool sameTempo(double a, double b, double within = kSameTempo) noexcept {
    return std::fabs(a - b) <= within * std::max(a, b);
}

/// Beats at `tempo` (quarter notes a minute) in milliseconds.
double beatsToMs(double beats, double tempo) noexcept {
    return beats * kMicrosPerMinute / 1000.0 / tempo;
}

double floorMod(double x, double q) noexcept {
    const double m = std::fmod(x, q);
    return m < 0.0 ? m + q : m;
}

} // namespace

LinkBeat linkBeat(const SongTiming& timing, double sampleRate, std::int64_t songFrame) noexcept {
    const double quarters = 4.0 / std::max(1, timing.beatUnit); // one beat of the song, in quarters
    LinkBeat b;
    b.tempo = timing.bpm * quarters;
    b.quantum = std::max(1, timing.beatsPerBar) * quarters;
    b.beat = static_cast<double>(songFrame - timing.downbeatFrame) / framesPerBeat(timing, sampleRate) * quarters;
    return b;
}

void LinkSync::setLink(ableton::Link* link, const LinkOptions& options) noexcept {
    link_ = link;
    options_ = options;
    said_ = 0.0;
    points_ = next_ = 0;
    known_ = false;
    holding_.store(false, std::memory_order_relaxed);
}

void LinkSync::prepare(double sampleRate) noexcept {
    sampleRate_ = sampleRate;
    points_ = next_ = 0;
    known_ = false;
}

std::int64_t LinkSync::hostMicros(std::int64_t deviceFrame) const noexcept {
    const double frames = static_cast<double>(deviceFrame - frame0_ + latency_.load(std::memory_order_relaxed));
    return micros0_ + std::llround(intercept_ + slope_ * frames);
}

void LinkSync::beginBlock(std::int64_t deviceFrame, const LinkBeat& head) noexcept {
    if (link_ == nullptr) return;
    const std::int64_t now = link_->clock().micros().count();
    const double nominal = 1e6 / sampleRate_;
    if (deviceTimed_ && devicePerFrame_ > 0.8 * nominal && devicePerFrame_ < 1.25 * nominal) {
        // The device's own cycle time: the line is its, exact to the driver's clock.
        deviceTimed_ = false;
        frame0_ = deviceFrame;
        micros0_ = deviceMicros_;
        intercept_ = 0.0;
        slope_ = devicePerFrame_;
        points_ = next_ = 0; // (the readings' line starts again should the device stop saying)
        offLine_ = 0;
        known_ = trusted_ = true;
    } else {
        deviceTimed_ = false;
        readLine(deviceFrame, now);
    }
    sessionAt(deviceFrame, head, now);
}

void LinkSync::readLine(std::int64_t deviceFrame, std::int64_t now) noexcept {
    // The host-time line: this block's first frame read at this callback's time. The callbacks'
    // jitter averages out over the last 512 (Link's HostTimeFilter, with its own regression). A
    // callback late by more than kOutlierMicros is left out (a late wake-up, not the device's
    // clock); kStepReadings of them in a row are frames that went missing (a cycle the device
    // ran without us): the line starts again, as after a device opened again (kJumpMicros).
    const double nominal = 1e6 / sampleRate_;
    if (points_ >= kLineKnown) {
        const double predicted =
            static_cast<double>(micros0_) + intercept_ + slope_ * static_cast<double>(deviceFrame - frame0_);
        const double off = std::fabs(static_cast<double>(now) - predicted);
        if (off > kJumpMicros) {
            points_ = next_ = 0;
            offLine_ = 0;
        } else if (off > kOutlierMicros) {
            if (++offLine_ >= kStepReadings) {
                points_ = next_ = 0;
                offLine_ = 0;
            }
        } else {
            offLine_ = 0;
        }
    }
    if (offLine_ == 0) {
        if (points_ == 0) {
            frame0_ = deviceFrame;
            micros0_ = now;
        } else if (deviceFrame - frame0_ > kReorigin) {
            const auto dx = static_cast<double>(deviceFrame - frame0_);
            const auto dy = static_cast<double>(now - micros0_);
            for (std::size_t i = 0; i < points_; ++i) {
                line_[i].first -= dx;
                line_[i].second -= dy;
            }
            frame0_ = deviceFrame;
            micros0_ = now;
        }
        line_[next_] = {static_cast<double>(deviceFrame - frame0_), static_cast<double>(now - micros0_)};
        next_ = (next_ + 1) % kFilterPoints;
        points_ = std::min(points_ + 1, kFilterPoints);
        if (points_ >= kLineKnown) {
            const auto [slope, intercept] =
                ableton::link::linearRegression(line_.begin(), line_.begin() + static_cast<std::ptrdiff_t>(points_));
            slope_ = slope;
            intercept_ = intercept;
        }
    }
    known_ = points_ >= kLineKnown;
    if (!known_ || !(slope_ > 0.8 * nominal && slope_ < 1.25 * nominal)) {
        slope_ = nominal; // too few readings, or a nonsense line: through this reading at the nominal rate
        intercept_ = static_cast<double>(now - micros0_) - nominal * static_cast<double>(deviceFrame - frame0_);
        known_ = false; // (nothing is judged on it)
    }
    // The phase is put back only on a line of many readings, none off it just now.
    trusted_ = known_ && points_ >= kLineTrusted && offLine_ == 0;
}

void LinkSync::sessionAt(std::int64_t deviceFrame, const LinkBeat& head, std::int64_t now) noexcept {
    // The session at this block's sound.
    const auto state = link_->captureAudioSessionState();
    peersNow_ = link_->numPeers();
    tempoNow_ = state.tempo();
    quantumNow_ = head.quantum;
    blockMicros_ = hostMicros(deviceFrame);
    blockBeat_ = state.beatAtTime(std::chrono::microseconds(blockMicros_), quantumNow_);
    sessionTempo_.store(tempoNow_, std::memory_order_relaxed);
    phase_.store(floorMod(blockBeat_, quantumNow_), std::memory_order_relaxed);
    quantum_.store(quantumNow_, std::memory_order_relaxed);
    peers_.store(static_cast<int>(peersNow_), std::memory_order_relaxed);

    if (options_.tempo != LinkTempo::keep) return;
    if (said_ <= 0.0) { // the first block: the song's tempo is said (nothing has played yet)
        said_ = head.tempo;
        saidTempoOut_.store(said_, std::memory_order_relaxed);
    }
    if (!sameTempo(tempoNow_, said_) && blockMicros_ >= quietUntil_ && now >= reassertAfter_) {
        LinkRequest r;
        r.kinds = LinkRequest::kTempo;
        r.bpm = said_;
        r.micros = blockMicros_;
        post(r);
        reasserts_.fetch_add(1, std::memory_order_relaxed);
        reassertAfter_ = now + static_cast<std::int64_t>(kReassertSeconds * 1e6);
    }
}

bool LinkSync::holdsStart() const noexcept {
    return link_ != nullptr && known_ && peersNow_ > 0 && tempoNow_ > 0.0;
}

double LinkSync::linkBeatAt(std::int64_t micros) const noexcept {
    return blockBeat_ + static_cast<double>(micros - blockMicros_) * tempoNow_ / kMicrosPerMinute;
}

double LinkSync::phaseErrorBeats(double linkBeatNow, const LinkBeat& at) const noexcept {
    const double q = at.quantum;
    double e = floorMod(linkBeatNow, q) - floorMod(at.beat, q);
    if (e > 0.5 * q) e -= q;
    if (e <= -0.5 * q) e += q;
    return e;
}

std::int64_t LinkSync::framesToPhase(std::int64_t now, const LinkBeat& at) const noexcept {
    if (link_ == nullptr || !known_ || tempoNow_ <= 0.0) return kUnknown;
    if (at.quantum != quantumNow_) return kNextBlock; // (read next block for this bar length)
    const double q = at.quantum;
    double wait = floorMod(at.beat, q) - floorMod(linkBeatAt(hostMicros(now)), q); // beats
    if (wait < 0.0) wait += q;
    const double perBeat = kMicrosPerMinute / tempoNow_ / slope_; // frames
    // The frame the phase comes on: the nearest. Reached, `now` may be a little past it (half a
    // frame; or a frame or two when the next block's reading moved it), which reads as a whole bar
    // to wait: that is now too.
    if ((q - wait) * perBeat <= kLateStartMs * 1e-3 * sampleRate_) return 0;
    return std::max<std::int64_t>(0, std::llround(wait * perBeat));
}

void LinkSync::bridge(std::int64_t now, const LinkBeat& at, bool always) noexcept {
    const std::int64_t t = hostMicros(now);
    const double e = phaseErrorBeats(linkBeatAt(t), at);
    const double ms = beatsToMs(e, tempoNow_);
    offsetMs_.store(ms, std::memory_order_relaxed);
    if (!always && (std::fabs(ms) <= kBridgeMs || t < quietUntil_ || !trusted_)) return;
    LinkRequest r;
    r.kinds = LinkRequest::kBeat;
    r.beat = at.beat;
    r.quantum = at.quantum;
    r.micros = t;
    post(r);
    if (!always) bridges_.fetch_add(1, std::memory_order_relaxed);
}

void LinkSync::started(std::int64_t now, const LinkBeat& at) noexcept {
    if (link_ == nullptr) return;
    LinkRequest r;
    r.micros = hostMicros(now);
    const bool alone = peersNow_ == 0;
    if (options_.tempo == LinkTempo::keep || alone) { // the song's tempo lands on its first frame
        said_ = at.tempo;
        saidTempoOut_.store(said_, std::memory_order_relaxed);
        r.kinds |= LinkRequest::kTempo;
        r.bpm = at.tempo;
    }
    // Alone the session's beat is put on the start; with peers the start waited for their bar and
    // lands on it: the phase is put back only when they part (a run-on, a late start).
    const double ms = known_ && tempoNow_ > 0.0 && at.quantum == quantumNow_
                          ? beatsToMs(phaseErrorBeats(linkBeatAt(r.micros), at), tempoNow_)
                          : 0.0;
    offsetMs_.store(ms, std::memory_order_relaxed);
    if (alone || !known_ || at.quantum != quantumNow_ || (trusted_ && std::fabs(ms) > kBridgeMs)) {
        r.kinds |= LinkRequest::kBeat;
        r.beat = at.beat;
        r.quantum = at.quantum;
        if (!alone) bridges_.fetch_add(1, std::memory_order_relaxed);
    }
    if (options_.startStop) {
        r.kinds |= LinkRequest::kPlaying;
        r.isPlaying = true;
    }
    if (r.kinds != 0) post(r);
}

void LinkSync::playing(std::int64_t now, const LinkBeat& at) noexcept {
    if (link_ == nullptr || !known_ || tempoNow_ <= 0.0 || at.quantum != quantumNow_) return;
    // Phase is compared only while the tempos agree (keep: a peer's change is being said back;
    // follow: the songs are still gliding to the session's).
    if (!sameTempo(tempoNow_, at.tempo, options_.tempo == LinkTempo::follow ? kFollowedTempo : kSameTempo)) return;
    bridge(now, at, false);
}

void LinkSync::retimed(std::int64_t now, const LinkBeat& at) noexcept {
    if (link_ == nullptr || options_.tempo != LinkTempo::keep) return;
    said_ = at.tempo;
    saidTempoOut_.store(said_, std::memory_order_relaxed);
    LinkRequest r;
    r.kinds = LinkRequest::kTempo; // (Link keeps the beat where the tempo changes)
    r.bpm = at.tempo;
    r.micros = hostMicros(now);
    post(r);
}

void LinkSync::stopped(std::int64_t now) noexcept {
    if (link_ == nullptr || !options_.startStop) return;
    LinkRequest r;
    r.kinds = LinkRequest::kPlaying;
    r.isPlaying = false;
    r.micros = hostMicros(now);
    post(r);
}

void LinkSync::post(const LinkRequest& r) noexcept {
    const std::size_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_.load(std::memory_order_acquire) >= kMailbox) {
        lost_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    mailbox_[h % kMailbox] = r;
    head_.store(h + 1, std::memory_order_release);
    // The session reads as it was until the control side has committed this.
    quietUntil_ = std::max(quietUntil_, r.micros + static_cast<std::int64_t>(kSettleSeconds * 1e6));
}

bool LinkSync::takeRequest(LinkRequest& out) noexcept {
    const std::size_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_.load(std::memory_order_acquire)) return false;
    out = mailbox_[t % kMailbox];
    tail_.store(t + 1, std::memory_order_release);
    return true;
}

} // namespace stemdeck::engine
