// The engine's commands on the audio thread: drained from the queue, scheduled for their frame, beat
// or bar, applied (stems, transport, click, reference, vamp, scenes, panic, a song change).
#include "stemdeck/engine/Engine.h"

#include <algorithm>

namespace stemdeck::engine {

void Engine::drainCommands(std::int64_t blockStart) noexcept {
    std::size_t got = 0;
    while ((got = commands_->try_dequeue_bulk(drained_.begin(), drained_.size())) > 0)
        for (std::size_t i = 0; i < got; ++i) {
            const Command& c = drained_[i];
            schedule({c, std::max(c.frame, blockStart), schedule_.nextSeq(), false});
        }
}

void Engine::schedule(const CommandSchedule::Entry& entry) noexcept {
    if (schedule_.add(entry) != CommandSchedule::Added::full) return;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    emit(EventType::commandDropped, entry.due, entry.command.stem, static_cast<std::uint8_t>(entry.command.op));
}

void Engine::applyDue(std::int64_t now) noexcept {
    while (!schedule_.empty() && schedule_.nextDue() <= now) {
        CommandSchedule::Entry p = schedule_.pop();
        if (p.command.quantize != Quantize::none && !p.resolved && transport_.rolling()) {
            const std::int64_t pos = transport_.position();
            const std::int64_t wait = nextGridFrame(song_.timing, sampleRate_, p.command.quantize, pos) - pos;
            if (wait > 0) {
                p.due = now + wait;
                p.resolved = true;
                schedule(p);
                continue;
            }
        }
        apply(p.command, now);
    }
}

void Engine::apply(const Command& c, std::int64_t now) noexcept {
    const bool hasStem = c.stem >= 0 && c.stem < song_.stemCount;
    bool done = hasStem || !needsStem(c.op); // false: dropped, there is nothing to do it to
    bool soloChanged = false;
    if (done) {
        switch (c.op) {
        case Op::mute:
        case Op::unmute:
        case Op::toggleMute:
        case Op::solo:
        case Op::unsolo:
        case Op::toggleSolo:
        case Op::gain:
        case Op::filter: soloChanged = applyToStem(c); break;
        case Op::play:
            if (!transport_.rolling()) {
                if (!linkHold_) beginPlay(now);
            } else {
                transport_.play();
            }
            break;
        case Op::stop:
            linkHold_ = false; // (a start waiting for Link's bar: it does not come)
            link_.holding(false);
            transport_.stop();
            break;
        case Op::seek:
            endPreRoll(); // a seek ends a pre-roll (stopped inside one too)
            transport_.seek(c.target);
            countInPoint_ = c.value > 0.5f && !transport_.rolling() ? transport_.position() : -1;
            // Stopped or already waiting at a target: the jump is immediate.
            if (!transport_.rolling() || transport_.state() == TransportState::waiting) {
                seekSources();
                midi_.located(now, transport_.position(), song_.timing, sampleRate_, song_.midiCues);
                timecode_.located(now, transport_.position());
            }
            break;
        case Op::click:
            activeClick_ = static_cast<ClickMode>(std::clamp(static_cast<int>(c.value), 0, 2));
            clickMode_.store(activeClick_, std::memory_order_relaxed);
            break;
        case Op::guides:
            guide_.setOn(c.value < 0.0f ? !guide_.on() : c.value > 0.5f);
            guidesOn_.store(guide_.on(), std::memory_order_relaxed);
            break;
        case Op::referenceOn:
        case Op::referenceOff:
        case Op::toggleReference: done = selectReference(c.op); break;
        case Op::loopOn:
            done = vamp_.engage(c.target, c.length, song_.lengthFrames, static_cast<int>(c.value));
            if (done) looping_.store(true, std::memory_order_relaxed);
            break;
        case Op::loopOff:
            vamp_.release();
            looping_.store(false, std::memory_order_relaxed);
            break;
        case Op::scene: done = soloChanged = recallScene(static_cast<int>(c.value)); break;
        case Op::defineScene: done = defineScene(c); break;
        case Op::panic:
            panic();
            soloChanged = true;
            break;
        case Op::loadCued: done = loadCued(c.value > 0.0f, now); break;
        case Op::retime: armRetime(c, now); return; // its own events
        }
    }
    if (!done) {
        emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
        return;
    }
    if (soloChanged)
        chains_.updateSolo(song_.stemCount);
    else if (hasStem)
        chains_.updateAudible(c.stem);
    emit(EventType::commandApplied, now, c.stem, static_cast<std::uint8_t>(c.op));
}

bool Engine::applyToStem(const Command& c) noexcept {
    Channel& ch = chains_.channel(c.stem);
    switch (c.op) {
    case Op::mute: ch.setMuted(true); return false;
    case Op::unmute: ch.setMuted(false); return false;
    case Op::toggleMute: ch.setMuted(!ch.muted()); return false;
    case Op::solo: ch.setSoloed(true); return true;
    case Op::unsolo: ch.setSoloed(false); return true;
    case Op::toggleSolo: ch.setSoloed(!ch.soloed()); return true;
    case Op::gain: ch.setGain(std::max(0.0f, c.value)); return false;
    case Op::filter: chains_.filters().setKnob(c.stem, c.value); return false;
    default: return false;
    }
}

bool Engine::selectReference(Op op) noexcept {
    const bool on = op == Op::toggleReference ? !reference_.selected() : op == Op::referenceOn;
    if (on && song_.reference == nullptr) return false; // nothing to switch to
    reference_.select(on);
    referenceOn_.store(on, std::memory_order_relaxed);
    return true;
}

bool Engine::recallScene(int slot) noexcept {
    if (slot < 0 || slot >= kMaxScenes || (song_.scenesDefined >> slot & 1u) == 0) return false;
    const Scene& scene = song_.scenes[static_cast<std::size_t>(slot)];
    applyState(scene.stems);
    lastScene_.store(slot, std::memory_order_relaxed);
    return true;
}

bool Engine::defineScene(const Command& c) noexcept {
    const auto slot = c.target;
    if (slot < 0 || slot >= kMaxScenes || (c.song >= 0 && c.song != song_.id)) return false;
    Scene& scene = song_.scenes[static_cast<std::size_t>(slot)];
    StemMix& m = scene.stems[static_cast<std::size_t>(c.stem)];
    m.muted = (c.flags & kSceneMuted) != 0;
    m.soloed = (c.flags & kSceneSoloed) != 0;
    m.gain = std::max(0.0f, c.value);
    m.filter = std::clamp(c.value2, -1.0f, 1.0f);
    song_.scenesDefined |= 1u << slot;
    return true;
}

void Engine::panic() noexcept {
    applyState(song_.start);
    reference_.select(false);
    referenceOn_.store(false, std::memory_order_relaxed);
    lastScene_.store(-1, std::memory_order_relaxed);
    // What waits for the grid is gone (what is due on a frame of its own, a script's next event,
    // still comes).
    schedule_.dropQuantised();
}

bool Engine::loadCued(bool thenPlay, std::int64_t now) noexcept {
    const SongView* next = next_.take();
    if (next == nullptr) return false;
    if (transport_.rolling()) { // fade out first; the song changes when the fade ends
        loadAfterStop_ = next;
        playAfterLoad_ = thenPlay;
        transport_.stop();
    } else {
        loadSong(*next);
        emit(EventType::songChanged, now);
        if (thenPlay) beginPlay(now);
    }
    return true;
}

void Engine::applyState(const StemMixes& stems) noexcept {
    for (int i = 0; i < song_.stemCount; ++i) {
        const StemMix& m = stems[static_cast<std::size_t>(i)];
        Channel& ch = chains_.channel(i);
        ch.setMuted(m.muted);
        ch.setSoloed(m.soloed);
        ch.setGain(std::max(0.0f, m.gain));
        chains_.filters().setKnob(i, std::clamp(m.filter, -1.0f, 1.0f));
    }
}

} // namespace stemdeck::engine
