#include "stemdeck/engine/Guide.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

namespace {
/// The beat line of a frame on the grid (exact for a grid line: rounding the quotient recovers it).
std::int64_t beatOf(const SongTiming& timing, double sampleRate, std::int64_t frame) noexcept {
    return std::llround(static_cast<double>(frame - timing.downbeatFrame) / framesPerBeat(timing, sampleRate));
}
} // namespace

void Guide::prepare(double sampleRate) {
    sampleRate_ = sampleRate;
    fadeFrames_ = std::max(1, static_cast<int>(std::lround(kFadeSeconds * sampleRate)));
    silence();
}

std::int64_t Guide::startFor(const SongTiming& timing, double sampleRate, std::int64_t arrival,
                             int clipFrames) noexcept {
    const double beat = framesPerBeat(timing, sampleRate);
    const auto beats =
        std::max<std::int64_t>(timing.beatsPerBar, static_cast<std::int64_t>(std::ceil(clipFrames / beat - 1e-9)));
    return gridFrame(timing, sampleRate, Quantize::beat, beatOf(timing, sampleRate, arrival) - beats);
}

void Guide::retarget(const GuideTrack* track) noexcept {
    track_ = track;
    longest_ = 0;
    if (track != nullptr)
        for (const GuideClip& c : track->clips)
            longest_ = std::max(longest_, c.length);
}

void Guide::cut() noexcept {
    if (voices_[0].samples != nullptr) {
        // Into a free fading place (else over the one nearest its end: the quietest).
        std::size_t k = voices_[1].samples == nullptr               ? 1
                        : voices_[2].samples == nullptr             ? 2
                        : voices_[1].fadeLeft < voices_[2].fadeLeft ? 1
                                                                    : 2;
        voices_[k] = voices_[0];
        voices_[k].fadeLeft = fadeFrames_;
        voices_[0] = {};
    }
    voiceArrival_ = voiceDestination_ = kNowhere;
}

void Guide::start(const GuideClip& clip) noexcept {
    cut(); // (one voice: a cue still speaking fades under the new one)
    if (clip.samples == nullptr || clip.length <= 0) return;
    voices_[0] = {clip.samples, clip.length, 0, -1};
}

void Guide::mix(float* out, int n) noexcept {
    for (Voice& v : voices_) {
        if (v.samples == nullptr) continue;
        int len = std::min(n, v.length - v.pos);
        if (v.fadeLeft >= 0) len = std::min(len, v.fadeLeft);
        const float* s = v.samples + v.pos;
        if (v.fadeLeft < 0) {
            for (int k = 0; k < len; ++k)
                out[k] += s[k];
        } else {
            const float step = 1.0f / static_cast<float>(fadeFrames_);
            for (int k = 0; k < len; ++k)
                out[k] += s[k] * static_cast<float>(v.fadeLeft - k) * step;
            v.fadeLeft -= len;
        }
        v.pos += len;
        if (v.pos >= v.length || v.fadeLeft == 0) v = {};
    }
}

int Guide::clipAt(const SongTiming& timing, std::int64_t frame) const noexcept {
    const std::int64_t beat = beatOf(timing, sampleRate_, frame);
    if (gridFrame(timing, sampleRate_, Quantize::beat, beat) != frame) return -1; // not on a beat line
    const auto& cues = track_->cues;
    const auto it =
        std::lower_bound(cues.begin(), cues.end(), beat, [](const GuideCue& c, std::int64_t b) { return c.beat < b; });
    return it != cues.end() && it->beat == beat ? it->clip : -1;
}

void Guide::render(float* out, int n, std::int64_t position, const SongTiming& timing,
                   const GuideRoute& route) noexcept {
    if (track_ == nullptr) {
        mix(out, n);
        return;
    }
    // In parts that end on a cue's beat line: past it, the next cue is the one to decide on.
    while (n > 0) {
        const int part = renderPart(out, n, position, timing, route);
        out += part;
        position += part;
        n -= part;
    }
}

int Guide::renderPart(float* out, int n, std::int64_t position, const SongTiming& timing,
                      const GuideRoute& route) noexcept {
    const auto& cues = track_->cues;
    auto frameOf = [&](std::int64_t beat) { return gridFrame(timing, sampleRate_, Quantize::beat, beat); };
    const auto next =
        std::partition_point(cues.begin(), cues.end(), [&](const GuideCue& c) { return frameOf(c.beat) <= position; });
    if (next != cues.end() && frameOf(next->beat) - position < n) // (> 0: past it, the next one's turn)
        n = static_cast<int>(frameOf(next->beat) - position);
    const bool looping = route.looping && route.loopEnd > position;
    // The cue speaking announces a place the play head no longer goes to (a loop engaged or
    // released after it started, and it has not arrived yet): it stops.
    if (voiceArrival_ != kNowhere) {
        const std::int64_t a = frameOf(voiceArrival_);
        if (a > position) {
            std::int64_t goesTo = kNowhere; // (past a loop's end: not reached)
            if (looping && a == route.loopEnd)
                goesTo = beatOf(timing, sampleRate_, route.loopStart);
            else if (!looping || a < route.loopEnd)
                goesTo = voiceArrival_;
            if (goesTo != voiceDestination_) cut();
        }
    }
    // Every cue whose start point falls in this part, each deciding from where the play head goes
    // from its beat line: a cue's own place, or a loop's end (where the loop's start is said).
    std::array<Start, kMaxStarts> starts{};
    int count = 0;
    const std::int64_t end = position + n;
    if (on_) {
        auto consider = [&](std::int64_t arrival, std::int64_t destination, int clip) {
            if (clip < 0 || static_cast<std::size_t>(clip) >= track_->clips.size() || count == kMaxStarts) return;
            const std::int64_t s =
                startFor(timing, sampleRate_, arrival, track_->clips[static_cast<std::size_t>(clip)].length);
            if (s < position || s >= end || s < route.countInEnd) return;
            Start st{s, clip, beatOf(timing, sampleRate_, arrival), beatOf(timing, sampleRate_, destination)};
            int k = count++;
            for (; k > 0 && starts[static_cast<std::size_t>(k - 1)].at > s; --k) // (in order of their starts)
                starts[static_cast<std::size_t>(k)] = starts[static_cast<std::size_t>(k - 1)];
            starts[static_cast<std::size_t>(k)] = st;
        };
        // (no cue further than its longest clip, a bar and a beat past this part starts in it)
        const double perBeat = framesPerBeat(timing, sampleRate_);
        const std::int64_t reach = end + longest_ + static_cast<std::int64_t>(perBeat * (timing.beatsPerBar + 1)) + 1;
        for (auto it = next; it != cues.end(); ++it) {
            const std::int64_t f = frameOf(it->beat);
            if (f > reach || (looping && f >= route.loopEnd)) break; // (a loop turns back before it)
            consider(f, f, it->clip);
        }
        if (looping) consider(route.loopEnd, route.loopStart, clipAt(timing, route.loopStart));
    }
    // The part in pieces between its events: each count-in beat's word (its onset on the beat's
    // frame) and each cue's start.
    std::int64_t f = position, searchFrom = position;
    int nextStart = 0;
    while (f < end) {
        std::int64_t countBeat = kNowhere;
        if (on_ && searchFrom < route.countInEnd) {
            const std::int64_t b =
                nextGridFrame(timing, sampleRate_, Quantize::beat, std::max(searchFrom, route.countFrom));
            if (b < route.countInEnd && b < end) countBeat = b;
        }
        std::int64_t event = end;
        if (countBeat != kNowhere) event = std::min(event, countBeat);
        if (nextStart < count) event = std::min(event, starts[static_cast<std::size_t>(nextStart)].at);
        mix(out + (f - position), static_cast<int>(event - f));
        f = event;
        if (f >= end) break;
        if (f == countBeat) { // (its beat in the bar: the word)
            const auto word = static_cast<std::size_t>(toBarBeat(timing, sampleRate_, f).beat - 1);
            if (word < track_->counts.size()) {
                const int c = track_->counts[word];
                if (c >= 0 && static_cast<std::size_t>(c) < track_->clips.size())
                    start(track_->clips[static_cast<std::size_t>(c)]);
            }
        }
        for (; nextStart < count && starts[static_cast<std::size_t>(nextStart)].at == f; ++nextStart) {
            const Start& st = starts[static_cast<std::size_t>(nextStart)];
            start(track_->clips[static_cast<std::size_t>(st.clip)]);
            voiceArrival_ = st.arrival;
            voiceDestination_ = st.destination;
        }
        searchFrom = f + 1;
    }
    return n;
}

} // namespace stemdeck::engine
