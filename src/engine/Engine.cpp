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
    const auto segment = static_cast<std::size_t>(segmentFrames_);
    stemAudio_.assign(segment * 2 * kMaxStems, 0.0f);
    for (std::size_t s = 0; s < kMaxStems; ++s) {
        stemLeft_[s] = stemAudio_.data() + (2 * s) * segment;
        stemRight_[s] = stemAudio_.data() + (2 * s + 1) * segment;
    }
    filters_.prepare(sampleRate);
    click_.prepare(sampleRate);
    fadeGains_.assign(segment, 1.0f);
    refAudio_.assign(segment * 2, 0.0f);
    loopAudio_.assign(segment * 2, 0.0f);
    loopXfade_ = std::max(1, secondsToFrames(kLoopCrossfadeSeconds, sampleRate));
    refMix_.prepare(secondsToFrames(kTransportFadeSeconds, sampleRate), 0.0f);
    activeClick_ = ClickMode::off;
    clickMode_.store(ClickMode::off, std::memory_order_relaxed);
    // Room for every producer's blocks up front: 8 explicit producers (CLI, MIDI, GUI, scripts…),
    // no implicit ones, so no enqueue path can fall back to allocating.
    commands_ = std::make_unique<CommandQueue>(kCommandQueueCapacity, 8, 0);
    events_ = std::make_unique<EventQueue>(kEventQueueCapacity, 1, 0);
    eventToken_ = std::make_unique<moodycamel::ProducerToken>(*events_);
    for (auto& c : channels_)
        c.prepare(sampleRate);
    transport_.prepare(sampleRate);
    pendingCount_ = 0;
    outFrame_ = 0;
    outputFrame_.store(0, std::memory_order_relaxed);
    setSong(song_);
}

void Engine::setSong(const SongView& song) noexcept {
    nextSong_.store(0, std::memory_order_relaxed);
    loadSong(song);
}

void Engine::cueNextSong(const SongView* next, bool runOn) noexcept {
    static_assert(alignof(SongView) >= 2, "the run-on flag lives in the pointer's low bit");
    const auto word = reinterpret_cast<std::uintptr_t>(next) | (next != nullptr && runOn ? 1u : 0u);
    nextSong_.store(word, std::memory_order_release); // the view is complete before it is seen
}

const SongView* Engine::withdrawCue() noexcept {
    const std::uintptr_t word = nextSong_.exchange(0, std::memory_order_acq_rel);
    return reinterpret_cast<const SongView*>(word & ~std::uintptr_t{1});
}

void Engine::loadSong(const SongView& song) noexcept {
    song_ = song;
    song_.stemCount = std::clamp(song.stemCount, 0, kMaxStems);
    anySoloed_ = song_.startSoloed != 0;
    for (int i = 0; i < kMaxStems; ++i) {
        const auto si = static_cast<std::size_t>(i);
        const bool muted = (song_.startMuted >> i & 1u) != 0, soloed = (song_.startSoloed >> i & 1u) != 0;
        channels_[si].reset(song_.startGain[si], muted, soloed, anySoloed_);
        filters_.resetKnob(i, song_.startFilter[si]);
        StemStatus& s = stems_[si];
        s.muted.store(muted, std::memory_order_relaxed);
        s.soloed.store(soloed, std::memory_order_relaxed);
        s.gain.store(song_.startGain[si], std::memory_order_relaxed);
        s.filter.store(song_.startFilter[si], std::memory_order_relaxed);
        s.underruns.store(0, std::memory_order_relaxed);
    }
    loadAfterStop_ = nullptr;
    click_.reset();
    refMix_.reset(0.0f); // every song starts on its stems
    loopOn_ = false;
    looping_.store(false, std::memory_order_relaxed);
    referenceOn_.store(false, std::memory_order_relaxed);
    lastScene_.store(-1, std::memory_order_relaxed);
    transport_.reset(song_.lengthFrames);
    songFrame_.store(0, std::memory_order_relaxed);
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
        int seg = std::min(n - done, segmentFrames_);
        if (pendingCount_ > 0) seg = static_cast<int>(std::min<std::int64_t>(seg, pending_[0].due - now));
        seg = std::min(seg, transport_.framesUntilChange());
        seg = std::min(seg, framesToLoopEdge());
        renderSegment(out, done, seg, now);
        done += seg;
    }
    outFrame_ = blockStart + n;
    publish(out.mainLeft, out.mainRight, n);
}

void Engine::drainCommands(std::int64_t blockStart) noexcept {
    std::size_t got = 0;
    while ((got = commands_->try_dequeue_bulk(drained_.begin(), drained_.size())) > 0) {
        for (std::size_t i = 0; i < got; ++i) {
            const Command& c = drained_[i];
            insertPending(Pending{c, std::max(c.frame, blockStart), nextSeq_++, false});
        }
    }
}

void Engine::insertPending(const Pending& p) noexcept {
    const Command& c = p.command;
    const bool quantised = c.quantize != Quantize::none;
    // A fader or knob bound with quantize: its latest position is the one target that will land
    // on the grid line, so the newer of two moves waiting for the same stem wins and the other
    // goes (at most one waits by construction). Without this a fader sending 200 messages a
    // second fills the list in a bar and every later command is lost.
    if (quantised && (c.op == Op::gain || c.op == Op::filter))
        for (std::size_t i = 0; i < pendingCount_; ++i) {
            const Command& w = pending_[i].command;
            if (w.op == c.op && w.stem == c.stem && w.quantize == c.quantize) {
                if (pending_[i].seq > p.seq) return; // re-inserting an older move: the newer one stands
                std::copy(pending_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                          pending_.begin() + static_cast<std::ptrdiff_t>(pendingCount_),
                          pending_.begin() + static_cast<std::ptrdiff_t>(i));
                --pendingCount_;
                break;
            }
        }
    // Commands waiting for the grid may never take the last slots: a press that applies now
    // always finds room, however much waits for the bar.
    const std::size_t room = quantised ? pending_.size() - kPendingReservedForNow : pending_.size();
    if (pendingCount_ >= room) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        emit(EventType::commandDropped, p.due, c.stem, static_cast<std::uint8_t>(c.op));
        return;
    }
    // Sorted by (due, seq): the list is short and nearly always appended to.
    std::size_t i = pendingCount_;
    while (i > 0 && (pending_[i - 1].due > p.due || (pending_[i - 1].due == p.due && pending_[i - 1].seq > p.seq))) {
        pending_[i] = pending_[i - 1];
        --i;
    }
    pending_[i] = p;
    ++pendingCount_;
}

void Engine::applyDue(std::int64_t now) noexcept {
    while (pendingCount_ > 0 && pending_[0].due <= now) {
        Pending p = pending_[0];
        std::copy(pending_.begin() + 1, pending_.begin() + static_cast<std::ptrdiff_t>(pendingCount_),
                  pending_.begin());
        --pendingCount_;
        if (p.command.quantize != Quantize::none && !p.resolved && transport_.rolling()) {
            const std::int64_t pos = transport_.position();
            const std::int64_t wait = nextGridFrame(song_.timing, sampleRate_, p.command.quantize, pos) - pos;
            if (wait > 0) {
                p.due = now + wait;
                p.resolved = true;
                insertPending(p);
                continue;
            }
        }
        apply(p.command, now);
    }
}

void Engine::apply(const Command& c, std::int64_t now) noexcept {
    const bool hasStem = c.stem >= 0 && c.stem < song_.stemCount;
    if (needsStem(c.op) && !hasStem) {
        emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
        return;
    }
    Channel* ch = hasStem ? &channels_[static_cast<std::size_t>(c.stem)] : nullptr;
    bool soloChanged = false;
    switch (c.op) {
    case Op::mute: ch->setMuted(true); break;
    case Op::unmute: ch->setMuted(false); break;
    case Op::toggleMute: ch->setMuted(!ch->muted()); break;
    case Op::solo:
        ch->setSoloed(true);
        soloChanged = true;
        break;
    case Op::unsolo:
        ch->setSoloed(false);
        soloChanged = true;
        break;
    case Op::toggleSolo:
        ch->setSoloed(!ch->soloed());
        soloChanged = true;
        break;
    case Op::gain: ch->setGain(std::max(0.0f, c.value)); break;
    case Op::filter: filters_.setKnob(c.stem, c.value); break;
    case Op::play:
        if (!transport_.rolling())
            startPlaying(now);
        else
            transport_.play();
        break;
    case Op::stop: transport_.stop(); break;
    case Op::seek:
        transport_.seek(c.target);
        // Stopped or already waiting at a target: the jump is immediate.
        if (!transport_.rolling() || transport_.state() == TransportState::waiting) seekSources();
        break;
    case Op::click:
        activeClick_ = static_cast<ClickMode>(std::clamp(static_cast<int>(c.value), 0, 2));
        clickMode_.store(activeClick_, std::memory_order_relaxed);
        break;
    case Op::referenceOn:
    case Op::referenceOff:
    case Op::toggleReference: {
        const bool on = c.op == Op::toggleReference ? refMix_.target() < 0.5f : c.op == Op::referenceOn;
        if (on && song_.reference == nullptr) { // nothing to switch to
            emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
            return;
        }
        refMix_.setTarget(on ? 1.0f : 0.0f);
        referenceOn_.store(on, std::memory_order_relaxed);
        break;
    }
    case Op::loopOn: {
        const std::int64_t start = std::clamp<std::int64_t>(c.target, 0, song_.lengthFrames);
        const std::int64_t end = std::clamp<std::int64_t>(c.target + c.length, 0, song_.lengthFrames);
        if (end - start < 2 * loopXfade_) { // too short to loop
            emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
            return;
        }
        loopOn_ = true;
        loopStart_ = start;
        loopEnd_ = end;
        looping_.store(true, std::memory_order_relaxed);
        break;
    }
    case Op::loopOff:
        loopOn_ = false;
        looping_.store(false, std::memory_order_relaxed);
        break;
    case Op::scene: {
        const int slot = static_cast<int>(c.value);
        if (slot < 0 || slot >= kMaxScenes || (song_.scenesDefined >> slot & 1u) == 0) {
            emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
            return;
        }
        const Scene& scene = song_.scenes[static_cast<std::size_t>(slot)];
        applyState(scene.gain, scene.filter, scene.muted, scene.soloed);
        lastScene_.store(slot, std::memory_order_relaxed);
        soloChanged = true;
        break;
    }
    case Op::defineScene: {
        const auto slot = c.target;
        if (slot < 0 || slot >= kMaxScenes) {
            emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
            return;
        }
        Scene& scene = song_.scenes[static_cast<std::size_t>(slot)];
        const auto si = static_cast<std::size_t>(c.stem);
        const std::uint32_t bit = 1u << c.stem;
        scene.gain[si] = std::max(0.0f, c.value);
        scene.filter[si] = std::clamp(c.value2, -1.0f, 1.0f);
        scene.muted = (c.flags & kSceneMuted) != 0 ? scene.muted | bit : scene.muted & ~bit;
        scene.soloed = (c.flags & kSceneSoloed) != 0 ? scene.soloed | bit : scene.soloed & ~bit;
        song_.scenesDefined |= 1u << slot;
        break;
    }
    case Op::panic: {
        applyState(song_.startGain, song_.startFilter, song_.startMuted, song_.startSoloed);
        refMix_.setTarget(0.0f);
        referenceOn_.store(false, std::memory_order_relaxed);
        lastScene_.store(-1, std::memory_order_relaxed);
        // What waits for the grid is gone (what is due on a frame of its own, a script's next
        // event, still comes).
        std::size_t kept = 0;
        for (std::size_t i = 0; i < pendingCount_; ++i)
            if (pending_[i].command.quantize == Quantize::none) pending_[kept++] = pending_[i];
        pendingCount_ = kept;
        soloChanged = true;
        break;
    }
    case Op::loadCued: {
        const std::uintptr_t word = nextSong_.exchange(0, std::memory_order_acquire);
        if (word == 0) {
            emit(EventType::commandDropped, now, c.stem, static_cast<std::uint8_t>(c.op));
            return;
        }
        const auto* next = reinterpret_cast<const SongView*>(word & ~std::uintptr_t{1});
        if (transport_.rolling()) { // fade out first; the song changes when the fade ends
            loadAfterStop_ = next;
            playAfterLoad_ = c.value > 0.0f;
            transport_.stop();
        } else {
            loadSong(*next);
            emit(EventType::songChanged, now);
            if (c.value > 0.0f) startPlaying(now);
        }
        break;
    }
    }
    if (soloChanged) {
        anySoloed_ = false;
        for (int i = 0; i < song_.stemCount; ++i)
            anySoloed_ = anySoloed_ || channels_[static_cast<std::size_t>(i)].soloed();
        for (int i = 0; i < song_.stemCount; ++i)
            channels_[static_cast<std::size_t>(i)].updateAudible(anySoloed_);
    } else if (ch != nullptr) {
        ch->updateAudible(anySoloed_);
    }
    emit(EventType::commandApplied, now, c.stem, static_cast<std::uint8_t>(c.op));
}

void Engine::applyState(const std::array<float, kMaxStems>& gain, const std::array<float, kMaxStems>& filter,
                        std::uint32_t muted, std::uint32_t soloed) noexcept {
    for (int i = 0; i < song_.stemCount; ++i) {
        const auto si = static_cast<std::size_t>(i);
        Channel& ch = channels_[si];
        ch.setMuted((muted >> i & 1u) != 0);
        ch.setSoloed((soloed >> i & 1u) != 0);
        ch.setGain(std::max(0.0f, gain[si]));
        filters_.setKnob(i, std::clamp(filter[si], -1.0f, 1.0f));
    }
}

void Engine::startPlaying(std::int64_t now) noexcept {
    // From the top, a count-in of whole bars first (the stems read silence before frame 0).
    if (song_.countInBars > 0 && transport_.position() == 0)
        transport_.preRoll(std::min<std::int64_t>(
            0, gridFrame(song_.timing, sampleRate_, Quantize::bar, -static_cast<std::int64_t>(song_.countInBars))));
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
    const bool play = playAfterLoad_;
    loadSong(*loadAfterStop_); // clears loadAfterStop_
    emit(EventType::songChanged, at);
    if (play) startPlaying(at);
}

void Engine::renderSegment(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept {
    float* const left = out.mainLeft + offset;
    float* const right = out.mainRight + offset;
    std::fill_n(left, n, 0.0f);
    std::fill_n(right, n, 0.0f);
    if (out.click != nullptr) std::fill_n(out.click + offset, n, 0.0f);
    for (int k = 0; k < kMaxDirectBuses; ++k) {
        const auto sk = static_cast<std::size_t>(k);
        if (out.directLeft[sk] != nullptr) std::fill_n(out.directLeft[sk] + offset, n, 0.0f);
        if (out.directRight[sk] != nullptr) std::fill_n(out.directRight[sk] + offset, n, 0.0f);
    }
    if (n > 0) {
        const int stems = song_.stemCount;
        if (transport_.state() == TransportState::waiting) {
            // Silent at the seek target until every stem has it, so they all start together.
            filters_.skip(n);
            refMix_.skip(n);
            for (int i = 0; i < stems; ++i)
                channels_[static_cast<std::size_t>(i)].skip(n);
            waitedFrames_ += n;
            if (sourcesReady() || waitedFrames_ >= secondsToFrames(kSeekWaitSeconds, sampleRate_)) transport_.resume();
            return; // the play head stays on the target: nothing was played
        } else if (transport_.rolling()) {
            const std::int64_t pos = transport_.position();
            for (int i = 0; i < stems; ++i)
                readStem(i, pos, n, now);
            filters_.process(stemLeft_.data(), stemRight_.data(), stems, n);
            std::uint32_t directUsed = 0; // direct buses written this segment
            for (int i = 0; i < stems; ++i) {
                const auto si = static_cast<std::size_t>(i);
                float* busLeft = left;
                float* busRight = right;
                if (const int k = song_.directBus[si]; k >= 0 && k < kMaxDirectBuses) {
                    const auto sk = static_cast<std::size_t>(k);
                    if (out.directLeft[sk] != nullptr && out.directRight[sk] != nullptr) {
                        busLeft = out.directLeft[sk] + offset;
                        busRight = out.directRight[sk] + offset;
                        directUsed |= 1u << k;
                    }
                }
                channels_[si].processInto(stemLeft_[si], stemRight_[si], busLeft, busRight, n);
            }
            mixReference(left, right, pos, n);
            float* const click = out.click != nullptr ? out.click + offset : nullptr;
            if (click != nullptr && activeClick_ != ClickMode::off) {
                const std::int64_t until =
                    activeClick_ == ClickMode::always ? song_.lengthFrames : song_.timing.downbeatFrame;
                click_.render(click, n, pos, song_.timing, until);
            }
            if (float* g = fadeGains_.data(); transport_.fade(g, n)) {
#pragma omp simd
                for (int i = 0; i < n; ++i) {
                    left[i] *= g[i];
                    right[i] *= g[i];
                }
                if (click != nullptr)
#pragma omp simd
                    for (int i = 0; i < n; ++i)
                        click[i] *= g[i];
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
        } else {
            filters_.skip(n);
            refMix_.skip(n);
            for (int i = 0; i < stems; ++i)
                channels_[static_cast<std::size_t>(i)].skip(n);
        }
    }
    switch (transport_.advance(n)) {
    case TransportChange::none:
        if (loopOn_ && transport_.state() == TransportState::playing && transport_.position() == loopEnd_) {
            transport_.relocate(loopStart_); // the crossfade already brought the start's audio
            seekSources();
        }
        break;
    case TransportChange::jumped:
        seekSources();
        waitedFrames_ = 0;
        if (sourcesReady()) transport_.resume(); // cued targets are in RAM: no wait at all
        break;
    case TransportChange::stopped:
        emit(EventType::transportStopped, now + n);
        if (loadAfterStop_ != nullptr) finishSongChange(now + n);
        break;
    case TransportChange::songEnded: {
        emit(EventType::songEnded, now + n);
        if (loadAfterStop_ != nullptr) { // the song ended during a song change's fade
            finishSongChange(now + n);
            break;
        }
        std::uintptr_t word = nextSong_.load(std::memory_order_acquire);
        if ((word & 1u) != 0 && nextSong_.compare_exchange_strong(word, 0, std::memory_order_acquire)) {
            // Run on: the next song's frame 0 is the very next output frame.
            loadSong(*reinterpret_cast<const SongView*>(word & ~std::uintptr_t{1}));
            transport_.play();
            emit(EventType::songChanged, now + n);
            emit(EventType::transportStarted, now + n);
        }
        break;
    }
    }
}

bool Engine::sourcesReady() const noexcept {
    for (int i = 0; i < song_.stemCount; ++i)
        if (const StemSource* src = song_.stems[static_cast<std::size_t>(i)];
            src != nullptr && !src->readyAt(transport_.position(), kSeekReadyFrames))
            return false;
    return song_.reference == nullptr || song_.reference->readyAt(transport_.position(), kSeekReadyFrames);
}

void Engine::seekSources() noexcept {
    for (int i = 0; i < song_.stemCount; ++i)
        if (StemSource* src = song_.stems[static_cast<std::size_t>(i)]) src->seek(transport_.position());
    if (song_.reference != nullptr) song_.reference->seek(transport_.position());
}

void Engine::mixReference(float* left, float* right, std::int64_t pos, int n) noexcept {
    if (song_.reference == nullptr) {
        refMix_.skip(n);
        return;
    }
    // Read it on every block, used or not, so its stream keeps pace and A/B is instant, aligned.
    float* refLeft = refAudio_.data();
    float* refRight = refAudio_.data() + segmentFrames_;
    (void)readLooped(*song_.reference, pos, refLeft, refRight, n);
    if (!refMix_.isRamping() && refMix_.current() == 0.0f) return; // the stems, as they are
    for (int i = 0; i < n; ++i) {
        const float g = refMix_.next();
        left[i] += g * (refLeft[i] - left[i]);
        right[i] += g * (refRight[i] - right[i]);
    }
}

void Engine::readStem(int i, std::int64_t pos, int n, std::int64_t now) noexcept {
    const auto si = static_cast<std::size_t>(i);
    StemSource* src = song_.stems[si];
    ReadStatus status = ReadStatus::unavailable;
    if (src != nullptr) {
        status = readLooped(*src, pos, stemLeft_[si], stemRight_[si], n);
    } else {
        std::fill_n(stemLeft_[si], n, 0.0f);
        std::fill_n(stemRight_[si], n, 0.0f);
    }
    if (status == ReadStatus::complete) return;
    stems_[si].underruns.fetch_add(1, std::memory_order_relaxed);
    if ((underrunMask_ & (1u << i)) == 0) emit(EventType::underrun, now, static_cast<std::int8_t>(i));
    underrunMask_ |= 1u << i;
}

int Engine::framesToLoopEdge() const noexcept {
    if (!loopOn_ || transport_.state() != TransportState::playing) return Transport::kForever;
    const std::int64_t pos = transport_.position();
    if (pos >= loopEnd_) return Transport::kForever; // past it (engaged late): nothing to do
    const std::int64_t fadeStart = loopEnd_ - loopXfade_;
    const std::int64_t edge = pos < fadeStart ? fadeStart : loopEnd_;
    return static_cast<int>(std::min<std::int64_t>(edge - pos, Transport::kForever));
}

ReadStatus Engine::readLooped(StemSource& src, std::int64_t pos, float* left, float* right, int n) noexcept {
    ReadStatus status = src.read(pos, left, right, n);
    // In the last frames of a loop, blend in the frames just before its start: at the loop's end
    // the audio is already the start's, so the jump itself has no seam. (Segments never straddle
    // the crossfade's edges: framesToLoopEdge() splits them there.)
    const std::int64_t fadeStart = loopEnd_ - loopXfade_;
    if (!loopOn_ || transport_.state() != TransportState::playing || pos < fadeStart || pos >= loopEnd_) return status;
    float* otherLeft = loopAudio_.data();
    float* otherRight = loopAudio_.data() + segmentFrames_;
    const ReadStatus other = src.read(pos - (loopEnd_ - loopStart_), otherLeft, otherRight, n);
    const float step = 1.0f / static_cast<float>(loopXfade_);
    const auto base = static_cast<float>(pos - fadeStart);
    for (int i = 0; i < n; ++i) {
        const float g = (base + static_cast<float>(i) + 1.0f) * step;
        left[i] += g * (otherLeft[i] - left[i]);
        right[i] += g * (otherRight[i] - right[i]);
    }
    return status == ReadStatus::complete ? other : status;
}

void Engine::publish(float* left, float* right, int n) noexcept {
    std::array<std::uint8_t, kMaxStems> waiting{}; // per stem: quantised commands still waiting for their grid line
    int sceneWaiting = -1;
    for (std::size_t k = 0; k < pendingCount_; ++k) {
        const Command& c = pending_[k].command;
        if (c.op == Op::scene && c.quantize != Quantize::none) sceneWaiting = static_cast<int>(c.value);
        if (c.quantize == Quantize::none || c.stem < 0 || c.stem >= kMaxStems) continue;
        const bool mute = c.op == Op::mute || c.op == Op::unmute || c.op == Op::toggleMute;
        const bool solo = c.op == Op::solo || c.op == Op::unsolo || c.op == Op::toggleSolo;
        waiting[static_cast<std::size_t>(c.stem)] |= mute ? kPendingMute : solo ? kPendingSolo : kPendingOther;
    }
    for (int i = 0; i < song_.stemCount; ++i) {
        const auto si = static_cast<std::size_t>(i);
        Channel& c = channels_[si];
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
        s.filter.store(filters_.targetKnob(i), std::memory_order_relaxed);
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
    songFrame_.store(transport_.position(), std::memory_order_relaxed);
    rolling_.store(transport_.rolling(), std::memory_order_relaxed);
    outputFrame_.store(outFrame_, std::memory_order_relaxed);
}

} // namespace stemdeck::engine
