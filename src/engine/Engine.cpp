#include "stemdeck/engine/Engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace stemdeck::engine {

// ---------------------------------------------------------------------------------------------
// CommandSender

CommandSender::CommandSender(CommandQueue& queue, std::atomic<std::uint64_t>& dropped)
    : queue_(&queue), token_(queue), dropped_(&dropped) {}

bool CommandSender::send(const Command& command) noexcept {
    // try_enqueue on an explicit producer token never allocates: it fails when the pre-sized
    // blocks are full, and the drop is counted for the control side to report.
    if (queue_->try_enqueue(token_, command)) return true;
    dropped_->fetch_add(1, std::memory_order_relaxed);
    return false;
}

// ---------------------------------------------------------------------------------------------
// Engine: set-up (control thread)

Engine::Engine() = default;
Engine::~Engine() = default;

void Engine::prepare(double sampleRate, int maxBlockFrames) {
    sampleRate_ = sampleRate;
    segmentFrames_ = std::clamp(maxBlockFrames, 1, kMaxSegmentFrames);
    chains_.prepare(sampleRate, segmentFrames_);
    click_.prepare(sampleRate);
    fadeGains_.assign(static_cast<std::size_t>(segmentFrames_), 1.0f);
    reference_.prepare(sampleRate, segmentFrames_);
    vamp_.prepare(sampleRate, segmentFrames_);
    outgoingAudio_.assign(static_cast<std::size_t>(segmentFrames_) * 2, 0.0f);
    activeClick_ = ClickMode::off;
    clickMode_.store(ClickMode::off, std::memory_order_relaxed);
    // Room for every producer's blocks up front: 8 explicit producers (CLI, MIDI, GUI, scripts…),
    // no implicit ones, so no enqueue path can fall back to allocating.
    commands_ = std::make_unique<CommandQueue>(kCommandQueueCapacity, 8, 0);
    events_ = std::make_unique<EventQueue>(kEventQueueCapacity, 1, 0);
    eventToken_ = std::make_unique<moodycamel::ProducerToken>(*events_);
    transport_.prepare(sampleRate);
    schedule_.clear();
    outFrame_ = 0;
    outputFrame_.store(0, std::memory_order_relaxed);
    setSong(song_);
}

void Engine::setSong(const SongView& song) noexcept {
    next_.clear();
    retime_.clear();
    retimeAt_ = -1;
    retimeFade_ = 0;
    loadSong(song);
}

void Engine::cueNextSong(const SongView* next, bool runOn) noexcept {
    static_assert(alignof(SongView) >= 2, "the run-on flag lives in the pointer's low bit");
    next_.cue(next, runOn);
}

const SongView* Engine::withdrawCue() noexcept {
    return next_.withdraw();
}

void Engine::loadSong(const SongView& song) noexcept {
    // Another song: a retime armed for this one will not happen, a retime's crossfade is over.
    if (retimeAt_ >= 0) dropRetime(outFrame_);
    if (retimeFade_ > 0) {
        retimeFade_ = 0;
        emit(EventType::songRetimed, outFrame_);
    }
    song_ = song;
    silentBefore_ = 0;
    countInPoint_ = -1;
    song_.stemCount = std::clamp(song.stemCount, 0, kMaxStems);
    chains_.reset(song_);
    for (int i = 0; i < kMaxStems; ++i) {
        const auto si = static_cast<std::size_t>(i);
        StemStatus& s = stems_[si];
        s.muted.store((song_.startMuted >> i & 1u) != 0, std::memory_order_relaxed);
        s.soloed.store((song_.startSoloed >> i & 1u) != 0, std::memory_order_relaxed);
        s.gain.store(song_.startGain[si], std::memory_order_relaxed);
        s.filter.store(song_.startFilter[si], std::memory_order_relaxed);
        s.underruns.store(0, std::memory_order_relaxed);
    }
    loadAfterStop_ = nullptr;
    click_.reset();
    reference_.reset(); // every song starts on its stems
    vamp_.reset();
    looping_.store(false, std::memory_order_relaxed);
    referenceOn_.store(false, std::memory_order_relaxed);
    lastScene_.store(-1, std::memory_order_relaxed);
    transport_.reset(song_.lengthFrames);
    songFrame_.store(0, std::memory_order_relaxed);
    readFrame_.store(0, std::memory_order_relaxed);
    rolling_.store(false, std::memory_order_relaxed);
}

CommandSender Engine::makeSender() {
    return CommandSender(*commands_, dropped_);
}

bool Engine::nextEvent(Event& event) noexcept {
    return events_->try_dequeue(event);
}

// ---------------------------------------------------------------------------------------------
// Engine: audio thread

void Engine::emit(EventType type, std::int64_t frame, std::int8_t stem, std::uint8_t action) noexcept {
    const Event e{type, action, stem, frame, transport_.position(), song_.id};
    if (!events_->try_enqueue(*eventToken_, e)) lostEvents_.fetch_add(1, std::memory_order_relaxed);
}

void Engine::process(const OutputBuses& out, int n) noexcept {
    const std::int64_t blockStart = outFrame_;
    drainCommands(blockStart);
    underrunMask_ = 0;
    int done = 0;
    while (done < n) {
        const std::int64_t now = blockStart + done;
        applyDue(now);
        if (retimeAt_ >= 0) {
            if (transport_.position() == retimeAt_ && transport_.state() == TransportState::playing)
                retimeNow(now);
            else if (transport_.position() > retimeAt_)
                dropRetime(now); // passed it (in a fade, a wait): the control side tries again
        }
        // A segment ends where something changes: a command's frame, the transport's next
        // change (a fade's end, the song's end), the vamp's crossfade or end.
        int seg = std::min(n - done, segmentFrames_);
        if (!schedule_.empty()) seg = static_cast<int>(std::min<std::int64_t>(seg, schedule_.nextDue() - now));
        seg = std::min(seg, transport_.framesUntilChange());
        seg = std::min(seg, vamp_.framesToEdge(transport_.position(), playing()));
        if (retimeAt_ > transport_.position())
            seg = static_cast<int>(std::min<std::int64_t>(seg, retimeAt_ - transport_.position()));
        renderSegment(out, done, seg, now);
        done += seg;
    }
    outFrame_ = blockStart + n;
    publish(out.mainLeft, out.mainRight, n);
}

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
            if (!transport_.rolling())
                startPlaying(now);
            else
                transport_.play();
            break;
        case Op::stop: transport_.stop(); break;
        case Op::seek:
            transport_.seek(c.target);
            countInPoint_ = c.value > 0.5f && !transport_.rolling() ? transport_.position() : -1;
            // Stopped or already waiting at a target: the jump is immediate.
            if (!transport_.rolling() || transport_.state() == TransportState::waiting) seekSources();
            break;
        case Op::click:
            activeClick_ = static_cast<ClickMode>(std::clamp(static_cast<int>(c.value), 0, 2));
            clickMode_.store(activeClick_, std::memory_order_relaxed);
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
    applyState(scene.gain, scene.filter, scene.muted, scene.soloed);
    lastScene_.store(slot, std::memory_order_relaxed);
    return true;
}

bool Engine::defineScene(const Command& c) noexcept {
    const auto slot = c.target;
    if (slot < 0 || slot >= kMaxScenes) return false;
    Scene& scene = song_.scenes[static_cast<std::size_t>(slot)];
    const auto si = static_cast<std::size_t>(c.stem);
    const std::uint32_t bit = 1u << c.stem;
    scene.gain[si] = std::max(0.0f, c.value);
    scene.filter[si] = std::clamp(c.value2, -1.0f, 1.0f);
    scene.muted = (c.flags & kSceneMuted) != 0 ? scene.muted | bit : scene.muted & ~bit;
    scene.soloed = (c.flags & kSceneSoloed) != 0 ? scene.soloed | bit : scene.soloed & ~bit;
    song_.scenesDefined |= 1u << slot;
    return true;
}

void Engine::panic() noexcept {
    applyState(song_.startGain, song_.startFilter, song_.startMuted, song_.startSoloed);
    reference_.select(false);
    referenceOn_.store(false, std::memory_order_relaxed);
    lastScene_.store(-1, std::memory_order_relaxed);
    // What waits for the grid is gone (what is due on a frame of its own, a script's next event,
    // still comes).
    schedule_.dropQuantised();
}

void Engine::armRetime(const Command& c, std::int64_t now) noexcept {
    if (retimeAt_ >= 0 || retimeFade_ > 0) { // one at a time: the control side waits for the first's end
        dropRetime(now);
        return;
    }
    if (!transport_.rolling()) {
        retimeAt_ = transport_.position();
        retimeNow(now);
        return;
    }
    retimeAt_ = c.target;
    retimeSame_ = c.value > 0.5f;
    if (retimeAt_ < transport_.position()) dropRetime(now); // too late for it
}

void Engine::dropRetime(std::int64_t now) noexcept {
    retimeAt_ = -1;
    (void)retime_.take(); // the control side frees it on this event
    emit(EventType::commandDropped, now, -1, static_cast<std::uint8_t>(Op::retime));
}

void Engine::retimeNow(std::int64_t now) noexcept {
    const SongView* next = retime_.take();
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
    retimeAt_ = -1;
    const SongTiming oldTiming = song_.timing;
    const std::array<Scene, kMaxScenes> scenes = song_.scenes; // as stored live
    const std::uint32_t scenesDefined = song_.scenesDefined;
    if (rolling && !retimeSame_) {
        outgoing_ = song_;
        outgoingShift_ = pos - newPos;
        retimeStart_ = newPos;
        retimeFade_ = std::max(1, secondsToFrames(kRetimeCrossfadeSeconds, sampleRate_));
    }
    song_ = *next;
    song_.stemCount = std::clamp(next->stemCount, 0, kMaxStems);
    song_.scenes = scenes;
    song_.scenesDefined = scenesDefined;
    const auto map = [&](std::int64_t f) { return retimedFrame(oldTiming, song_.timing, sampleRate_, f); };
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
    } else if (retimeSame_) { // the same audio from other sources: nothing to crossfade
        retimeSame_ = false;
        emit(EventType::songRetimed, now);
    }
}

void Engine::blendOutgoing(StemSource& old, std::int64_t pos, float* left, float* right, int n) noexcept {
    // The first frames after a retime: the old stretcher's audio fades into the new one's.
    const std::int64_t into = pos - retimeStart_;
    if (into < 0 || into >= retimeFade_) return; // (a vamp's jump back: the crossfade ends with this segment)
    n = static_cast<int>(std::min<std::int64_t>(n, retimeFade_ - into));
    float* oldLeft = outgoingAudio_.data();
    float* oldRight = outgoingAudio_.data() + segmentFrames_;
    (void)old.read(pos + outgoingShift_, oldLeft, oldRight, n);
    // Equal power: the two stretcher runs agree in level and spectrum but not in phase (to each
    // other they are uncorrelated), so their powers add; a linear fade would dip 3 dB on average.
    const double step = 0.5 * M_PI / static_cast<double>(retimeFade_ + 1);
    for (int i = 0; i < n; ++i) {
        const double x = static_cast<double>(into + i + 1) * step;
        const auto in = static_cast<float>(std::sin(x)), out = static_cast<float>(std::cos(x));
        left[i] = out * oldLeft[i] + in * left[i];
        right[i] = out * oldRight[i] + in * right[i];
    }
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
        if (thenPlay) startPlaying(now);
    }
    return true;
}

void Engine::applyState(const std::array<float, kMaxStems>& gain, const std::array<float, kMaxStems>& filter,
                        std::uint32_t muted, std::uint32_t soloed) noexcept {
    for (int i = 0; i < song_.stemCount; ++i) {
        const auto si = static_cast<std::size_t>(i);
        Channel& ch = chains_.channel(i);
        ch.setMuted((muted >> i & 1u) != 0);
        ch.setSoloed((soloed >> i & 1u) != 0);
        ch.setGain(std::max(0.0f, gain[si]));
        chains_.filters().setKnob(i, std::clamp(filter[si], -1.0f, 1.0f));
    }
}

void Engine::startPlaying(std::int64_t now) noexcept {
    // From the top, a count-in of whole bars first (the stems read silence before frame 0); from
    // a resume point mid-song, the bars before it with the stems silent.
    const std::int64_t at = transport_.position();
    const bool resumePoint = at > 0 && at == countInPoint_;
    countInPoint_ = -1; // once
    if (song_.countInBars > 0 && (at == 0 || resumePoint)) {
        const std::int64_t bar = at == 0 ? 0 : toBarBeat(song_.timing, sampleRate_, at).bar - 1;
        const std::int64_t start =
            gridFrame(song_.timing, sampleRate_, Quantize::bar, bar - static_cast<std::int64_t>(song_.countInBars));
        if (start < at) {
            silentBefore_ = at;
            transport_.preRoll(start);
        }
    }
    emit(EventType::transportStarted, now);
    transport_.play();
    // From anywhere but a preloaded position the disk may not be there yet: start every stem
    // together once it is, as after a seek.
    if (transport_.rolling() && !sourcesReady()) {
        transport_.waitForSources();
        waitedFrames_ = 0;
    }
}

void Engine::finishSongChange(std::int64_t at) noexcept {
    const bool thenPlay = playAfterLoad_;
    loadSong(*loadAfterStop_); // clears loadAfterStop_
    emit(EventType::songChanged, at);
    if (thenPlay) startPlaying(at);
}

void Engine::renderSegment(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept {
    clearBuses(out, offset, n);
    if (n > 0) {
        if (transport_.state() == TransportState::waiting) {
            waitAtTarget(n);
            return; // the play head stays on the target: nothing was played
        }
        if (transport_.rolling()) {
            renderPlaying(out, offset, n, now);
        } else {
            chains_.skip(song_.stemCount, n);
            reference_.skip(n);
        }
    }
    const TransportChange change = transport_.advance(n);
    // A retime's crossfade ends after its frames, or at once when the play head stops or jumps.
    const std::int64_t into = transport_.position() - retimeStart_;
    if (retimeFade_ > 0 && (change != TransportChange::none || into < 0 || into >= retimeFade_)) {
        retimeFade_ = 0; // the old view is read no more
        emit(EventType::songRetimed, now + n);
    }
    afterAdvance(change, now + n);
}

void Engine::clearBuses(const OutputBuses& out, int offset, int n) noexcept {
    std::fill_n(out.mainLeft + offset, n, 0.0f);
    std::fill_n(out.mainRight + offset, n, 0.0f);
    if (out.click != nullptr) std::fill_n(out.click + offset, n, 0.0f);
    for (int k = 0; k < kMaxDirectBuses; ++k) {
        const auto sk = static_cast<std::size_t>(k);
        if (out.directLeft[sk] != nullptr) std::fill_n(out.directLeft[sk] + offset, n, 0.0f);
        if (out.directRight[sk] != nullptr) std::fill_n(out.directRight[sk] + offset, n, 0.0f);
    }
}

void Engine::waitAtTarget(int n) noexcept {
    chains_.skip(song_.stemCount, n);
    reference_.skip(n);
    waitedFrames_ += n;
    if (sourcesReady() || waitedFrames_ >= secondsToFrames(kSeekWaitSeconds, sampleRate_)) transport_.resume();
}

void Engine::renderPlaying(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept {
    float* const left = out.mainLeft + offset;
    float* const right = out.mainRight + offset;
    const std::int64_t pos = transport_.position();
    for (int i = 0; i < song_.stemCount; ++i)
        readStem(i, pos, n, now);
    const std::uint32_t directUsed = chains_.mix(song_, out, offset, left, right, n);
    mixReference(left, right, pos, n);
    // A practice loop's count-in between passes clicks whatever the click's mode.
    const bool loopCountIn = pos < silentBefore_ && vamp_.on() && vamp_.countInBars() > 0;
    if (out.click != nullptr && (activeClick_ != ClickMode::off || loopCountIn)) {
        const std::int64_t until = activeClick_ == ClickMode::always
                                       ? song_.lengthFrames
                                       : std::max(song_.timing.downbeatFrame, silentBefore_); // the count-in
        click_.render(out.click + offset, n, pos, song_.timing, until);
    }
    fadeBuses(out, offset, n, directUsed);
}

void Engine::fadeBuses(const OutputBuses& out, int offset, int n, std::uint32_t directUsed) noexcept {
    float* const g = fadeGains_.data();
    if (!transport_.fade(g, n)) return;
    float* const left = out.mainLeft + offset;
    float* const right = out.mainRight + offset;
#pragma omp simd
    for (int i = 0; i < n; ++i) {
        left[i] *= g[i];
        right[i] *= g[i];
    }
    if (out.click != nullptr) {
        float* const click = out.click + offset;
#pragma omp simd
        for (int i = 0; i < n; ++i)
            click[i] *= g[i];
    }
    for (int k = 0; k < kMaxDirectBuses; ++k) {
        if ((directUsed & (1u << k)) == 0) continue;
        float* dl = out.directLeft[static_cast<std::size_t>(k)] + offset;
        float* dr = out.directRight[static_cast<std::size_t>(k)] + offset;
#pragma omp simd
        for (int i = 0; i < n; ++i) {
            dl[i] *= g[i];
            dr[i] *= g[i];
        }
    }
}

void Engine::afterAdvance(TransportChange change, std::int64_t at) noexcept {
    switch (change) {
    case TransportChange::none:
        if (vamp_.atEnd(transport_.position(), playing())) {
            if (retimeAt_ >= 0) dropRetime(at); // the play head leaves the way to its target
            if (vamp_.countInBars() > 0) {
                // The end has faded out: back to the count-in bars before the start, the stems
                // silent until it (and already seeking there), the click counting in.
                const std::int64_t start = vamp_.start();
                const std::int64_t bar = toBarBeat(song_.timing, sampleRate_, start).bar - 1;
                transport_.relocate(gridFrame(song_.timing, sampleRate_, Quantize::bar, bar - vamp_.countInBars()));
                seekSourcesTo(start);
                silentBefore_ = start;
                vamp_.countedIn();
            } else {
                transport_.relocate(vamp_.start()); // the crossfade already brought the start's audio
                seekSources();
            }
        } else {
            vamp_.advanced(transport_.position());
        }
        break;
    case TransportChange::jumped:
        if (retimeAt_ >= 0) dropRetime(at);
        vamp_.jumped();
        seekSources();
        waitedFrames_ = 0;
        if (sourcesReady()) transport_.resume(); // cued targets are in RAM: no wait at all
        break;
    case TransportChange::stopped:
        if (retimeAt_ >= 0) dropRetime(at);
        silentBefore_ = 0; // stopped in a count-in: the next play starts where it now is
        emit(EventType::transportStopped, at);
        if (loadAfterStop_ != nullptr) finishSongChange(at);
        break;
    case TransportChange::songEnded:
        if (retimeAt_ >= 0) dropRetime(at);
        emit(EventType::songEnded, at);
        if (loadAfterStop_ != nullptr) { // the song ended during a song change's fade
            finishSongChange(at);
        } else if (const SongView* next = next_.takeRunOn()) {
            // Run on: the next song's frame 0 is the very next output frame.
            loadSong(*next);
            transport_.play();
            emit(EventType::songChanged, at);
            emit(EventType::transportStarted, at);
        }
        break;
    }
}

bool Engine::sourcesReady() const noexcept {
    for (int i = 0; i < song_.stemCount; ++i)
        if (const StemSource* src = song_.stems[static_cast<std::size_t>(i)];
            src != nullptr && !src->readyAt(std::max(transport_.position(), silentBefore_), kSeekReadyFrames))
            return false;
    return song_.reference == nullptr ||
           song_.reference->readyAt(std::max(transport_.position(), silentBefore_), kSeekReadyFrames);
}

int Engine::silentFrames(std::int64_t pos, int n) const noexcept {
    return pos >= silentBefore_ ? 0 : static_cast<int>(std::min<std::int64_t>(n, silentBefore_ - pos));
}

void Engine::seekSources() noexcept {
    silentBefore_ = 0; // a jump ends a count-in
    seekSourcesTo(transport_.position());
}

void Engine::seekSourcesTo(std::int64_t songFrame) noexcept {
    for (int i = 0; i < song_.stemCount; ++i)
        if (StemSource* src = song_.stems[static_cast<std::size_t>(i)]) src->seek(songFrame);
    if (song_.reference != nullptr) song_.reference->seek(songFrame);
}

void Engine::mixReference(float* left, float* right, std::int64_t pos, int n) noexcept {
    if (song_.reference == nullptr) {
        reference_.skip(n);
        return;
    }
    // Read it on every block, used or not, so its stream keeps pace and A/B is instant, aligned
    // (in a count-in: from where the stems start).
    const int quiet = silentFrames(pos, n);
    std::fill_n(reference_.left(), quiet, 0.0f);
    std::fill_n(reference_.right(), quiet, 0.0f);
    if (quiet < n) {
        (void)vamp_.read(*song_.reference, pos + quiet, playing(), reference_.left() + quiet,
                         reference_.right() + quiet, n - quiet);
        if (retimeFade_ > 0 && outgoing_.reference != nullptr)
            blendOutgoing(*outgoing_.reference, pos + quiet, reference_.left() + quiet, reference_.right() + quiet,
                          n - quiet);
    }
    reference_.blendInto(left, right, n);
}

void Engine::readStem(int i, std::int64_t pos, int n, std::int64_t now) noexcept {
    const auto si = static_cast<std::size_t>(i);
    StemSource* src = song_.stems[si];
    if (src == nullptr) {
        std::fill_n(chains_.left(i), n, 0.0f);
        std::fill_n(chains_.right(i), n, 0.0f);
    } else { // a count-in's frames are silence, read from nowhere; the rest from the source
        const int quiet = silentFrames(pos, n);
        std::fill_n(chains_.left(i), quiet, 0.0f);
        std::fill_n(chains_.right(i), quiet, 0.0f);
        ReadStatus status = ReadStatus::complete;
        if (quiet < n)
            status =
                vamp_.read(*src, pos + quiet, playing(), chains_.left(i) + quiet, chains_.right(i) + quiet, n - quiet);
        if (retimeFade_ > 0 && quiet < n)
            if (StemSource* old = outgoing_.stems[si])
                blendOutgoing(*old, pos + quiet, chains_.left(i) + quiet, chains_.right(i) + quiet, n - quiet);
        if (status == ReadStatus::complete) return;
    }
    stems_[si].underruns.fetch_add(1, std::memory_order_relaxed);
    if ((underrunMask_ & (1u << i)) == 0) emit(EventType::underrun, now, static_cast<std::int8_t>(i));
    underrunMask_ |= 1u << i;
}

void Engine::publish(float* left, float* right, int n) noexcept {
    std::array<std::uint8_t, kMaxStems> waiting{}; // per stem: quantised commands still waiting for their grid line
    int sceneWaiting = -1;
    for (std::size_t k = 0; k < schedule_.size(); ++k) {
        const Command& c = schedule_[k].command;
        if (c.op == Op::scene && c.quantize != Quantize::none) sceneWaiting = static_cast<int>(c.value);
        if (c.quantize == Quantize::none || c.stem < 0 || c.stem >= kMaxStems) continue;
        const bool mute = c.op == Op::mute || c.op == Op::unmute || c.op == Op::toggleMute;
        const bool solo = c.op == Op::solo || c.op == Op::unsolo || c.op == Op::toggleSolo;
        waiting[static_cast<std::size_t>(c.stem)] |= mute ? kPendingMute : solo ? kPendingSolo : kPendingOther;
    }
    for (int i = 0; i < song_.stemCount; ++i) {
        const auto si = static_cast<std::size_t>(i);
        Channel& c = chains_.channel(i);
        float peak = 0.0f;
        double sum = 0.0;
        long frames = 0;
        c.takeMeter(peak, sum, frames);
        StemStatus& s = stems_[si];
        s.peak.store(peak, std::memory_order_relaxed);
        s.rms.store(frames > 0 ? static_cast<float>(std::sqrt(sum / static_cast<double>(frames))) : 0.0f,
                    std::memory_order_relaxed);
        s.muted.store(c.muted(), std::memory_order_relaxed);
        s.soloed.store(c.soloed(), std::memory_order_relaxed);
        s.gain.store(c.gain(), std::memory_order_relaxed);
        s.filter.store(chains_.filters().targetKnob(i), std::memory_order_relaxed);
        s.pending.store(waiting[si], std::memory_order_relaxed);
    }
    float peak = 0.0f, sum = 0.0f;
#pragma omp simd reduction(max : peak) reduction(+ : sum)
    for (int i = 0; i < n; ++i) {
        const float a = std::fabs(left[i]) > std::fabs(right[i]) ? std::fabs(left[i]) : std::fabs(right[i]);
        peak = a > peak ? a : peak;
        sum += 0.5f * (left[i] * left[i] + right[i] * right[i]);
    }
    mainPeak_.store(peak, std::memory_order_relaxed);
    mainRms_.store(n > 0 ? std::sqrt(sum / static_cast<float>(n)) : 0.0f, std::memory_order_relaxed);
    pendingScene_.store(sceneWaiting, std::memory_order_relaxed);
    loopStart_.store(vamp_.on() ? vamp_.start() : -1, std::memory_order_relaxed);
    songFrame_.store(transport_.position(), std::memory_order_relaxed);
    readFrame_.store(std::max(transport_.position(), silentBefore_), std::memory_order_relaxed);
    rolling_.store(transport_.rolling(), std::memory_order_relaxed);
    outputFrame_.store(outFrame_, std::memory_order_relaxed);
}

} // namespace stemdeck::engine
