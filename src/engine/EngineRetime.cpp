// A retime as the engine carries it out: armed by its Op::retime, dropped when it cannot land, and
// the switch on its beat line (the song, the vamp, the transport and the schedule onto the new grid).
#include "stemdeck/engine/Engine.h"

#include <algorithm>

namespace stemdeck::engine {

void Engine::armRetime(const Command& c, std::int64_t now) noexcept {
    if (retime_.busy()) { // one at a time: the control side waits for the first's end
        dropRetime(now);
        return;
    }
    if (!transport_.rolling()) {
        retime_.arm(transport_.position(), false);
        retimeNow(now);
        return;
    }
    retime_.arm(c.target, c.value > 0.5f);
    if (c.target < transport_.position()) dropRetime(now); // too late for it
}

void Engine::dropRetime(std::int64_t now) noexcept {
    retime_.disarm();
    (void)retime_.take(); // the control side frees it on this event
    emit(EventType::commandDropped, now, -1, static_cast<std::uint8_t>(Op::retime));
}

void Engine::retimeNow(std::int64_t now) noexcept {
    const SongView* next = retime_.take();
    const bool same = retime_.takeSame();
    const std::int64_t pos = transport_.position();
    const bool rolling = transport_.rolling();
    if (next == nullptr || next->id != song_.id) {
        dropRetime(now);
        return;
    }
    const std::int64_t newPos = retimedFrame(song_.timing, next->timing, sampleRate_, pos);
    if (rolling) // the new stretchers must be there where they take over (held in RAM from there)
        for (int i = 0; i < std::min(next->stemCount, kMaxStems); ++i)
            if (const StemSource* src = next->stems[static_cast<std::size_t>(i)];
                src != nullptr && !src->readyAt(newPos, kSeekReadyFrames)) {
                dropRetime(now);
                return;
            }
    retime_.disarm();
    const SongTiming oldTiming = song_.timing;
    const std::array<Scene, kMaxScenes> scenes = song_.scenes; // as stored live
    const std::uint32_t scenesDefined = song_.scenesDefined;
    if (rolling && !same)
        retime_.crossfade(song_, pos - newPos, newPos,
                          std::max(1, secondsToFrames(kRetimeCrossfadeSeconds, sampleRate_)));
    song_ = *next;
    song_.stemCount = std::clamp(next->stemCount, 0, kMaxStems);
    song_.scenes = scenes;
    song_.scenesDefined = scenesDefined;
    guide_.retarget(song_.guides); // (the same cues, in beats: a cue speaking goes on)
    const auto map = [&](std::int64_t f) { return retimedFrame(oldTiming, song_.timing, sampleRate_, f); };
    midi_.retimed(oldTiming, song_.timing, sampleRate_);
    timecode_.retimed(song_, pos, newPos);
    if (rolling) link_.retimed(now, beatAt(newPos));
    if (vamp_.on()) {
        const std::int64_t start = map(vamp_.start());
        if (!vamp_.engage(start, map(vamp_.end()) - start, song_.lengthFrames, vamp_.countInBars())) {
            vamp_.release();
            looping_.store(false, std::memory_order_relaxed);
        }
    }
    if (silentBefore_ != 0) silentBefore_ = map(silentBefore_);
    if (countInPoint_ >= 0) countInPoint_ = map(countInPoint_);
    transport_.retime(newPos, song_.lengthFrames);
    schedule_.unresolve(now); // waiting for a beat or bar: the new grid's
    emit(EventType::commandApplied, now, -1, static_cast<std::uint8_t>(Op::retime));
    if (!rolling) {
        if (!sourcesReady()) seekSources();
        emit(EventType::songRetimed, now);
    } else if (same) { // the same audio from other sources: nothing to crossfade
        emit(EventType::songRetimed, now);
    }
}

} // namespace stemdeck::engine
