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
    click_.prepare(sampleRate, clickPeak_);
    guide_.prepare(sampleRate);
    fadeGains_.assign(static_cast<std::size_t>(segmentFrames_), 1.0f);
    reference_.prepare(sampleRate, segmentFrames_);
    vamp_.prepare(sampleRate, segmentFrames_);
    retime_.prepare(segmentFrames_);
    midi_.prepare(sampleRate);
    timecode_.prepare(sampleRate);
    link_.prepare(sampleRate);
    linkHold_ = false;
    activeClick_ = ClickMode::off;
    clickMode_.store(ClickMode::off, std::memory_order_relaxed);
    // Room for every producer's blocks up front: 10 explicit producers (keys, GUI, MIDI, a script,
    // OSC, the web, Link, the set player…), no implicit ones, so no enqueue path can fall back to
    // allocating.
    commands_ = std::make_unique<CommandQueue>(kCommandQueueCapacity, 10, 0);
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
    loadSong(song);
}

void Engine::cueNextSong(const SongView* next, bool runOn) noexcept {
    static_assert(alignof(SongView) >= 2, "the run-on flag lives in the pointer's low bit");
    if (next != nullptr) timecode_.cued(*next); // (its first LTC frames encoded before it begins)
    next_.cue(next, runOn);
}

const SongView* Engine::withdrawCue() noexcept {
    return next_.withdraw();
}

void Engine::loadSong(const SongView& song) noexcept {
    // Another song: a retime armed for this one will not happen, a retime's crossfade is over.
    if (retime_.armed()) dropRetime(outFrame_);
    if (retime_.fading()) {
        retime_.endFade();
        emit(EventType::songRetimed, outFrame_);
    }
    song_ = song;
    silentBefore_ = 0;
    countInPoint_ = -1;
    song_.stemCount = std::clamp(song.stemCount, 0, kMaxStems);
    chains_.reset(song_);
    for (int i = 0; i < kMaxStems; ++i) {
        const auto si = static_cast<std::size_t>(i);
        stems_[si].store(song_.start[si]);
        stems_[si].underruns.store(0, std::memory_order_relaxed);
    }
    loadAfterStop_ = nullptr;
    click_.reset();
    guide_.setTrack(song_.guides);
    reference_.reset(); // every song starts on its stems
    vamp_.reset();
    looping_.store(false, std::memory_order_relaxed);
    referenceOn_.store(false, std::memory_order_relaxed);
    lastScene_.store(-1, std::memory_order_relaxed);
    transport_.reset(song_.lengthFrames);
    midi_.songLoaded(song_.timing, song_.midiCues, song_.id);
    timecode_.songLoaded(song_);
    endPreRoll();
    linkHold_ = false; // a start held for Link's bar was this song's
    link_.holding(false);
    songFrame_.store(0, std::memory_order_relaxed);
    readFrame_.store(0, std::memory_order_relaxed);
    rolling_.store(false, std::memory_order_relaxed);
}

CommandSender Engine::makeSender() {
    return CommandSender(*commands_, dropped_);
}

// ---------------------------------------------------------------------------------------------
// Engine: audio thread

void Engine::process(const OutputBuses& out, int n) noexcept {
    const std::int64_t blockStart = outFrame_;
    midi_.beginBlock(blockStart, n);
    if (midiChase_.exchange(false, std::memory_order_relaxed)) midi_.chaseRequested();
    if (link_.on()) link_.beginBlock(blockStart, beatAt(transport_.position()));
    drainCommands(blockStart);
    underrunMask_ = 0;
    int done = 0;
    while (done < n) {
        const std::int64_t now = blockStart + done;
        applyDue(now);
        if (retime_.armed()) {
            if (transport_.position() == retime_.at() && transport_.state() == TransportState::playing)
                retimeNow(now);
            else if (transport_.position() > retime_.at())
                dropRetime(now); // passed it (in a fade, a wait): the control side tries again
        }
        // A start held for Link's bar: the frames to it (when there are none it starts here).
        const int held = linkHold_ ? holdForLink(now) : Transport::kForever;
        // A segment ends where something changes: a command's frame, the transport's next
        // change (a fade's end, the song's end), the vamp's crossfade or end.
        int seg = std::min({n - done, segmentFrames_, std::max(held, 1)});
        if (!schedule_.empty()) seg = static_cast<int>(std::min<std::int64_t>(seg, schedule_.nextDue() - now));
        seg = std::min(seg, transport_.framesUntilChange());
        seg = std::min(seg, vamp_.framesToEdge(transport_.position(), playing()));
        if (midiStartPending_ && clickFrom_ > transport_.position()) // (the MIDI output starts there)
            seg = static_cast<int>(std::min<std::int64_t>(seg, clickFrom_ - transport_.position()));
        if (retime_.at() > transport_.position())
            seg = static_cast<int>(std::min<std::int64_t>(seg, retime_.at() - transport_.position()));
        renderSegment(out, done, seg, now);
        done += seg;
    }
    outFrame_ = blockStart + n;
    midi_.endBlock();
    for (std::size_t i = 0; i < midi_.eventCount(); ++i) // OSC cues: the control side sends them
        if (const MidiEvent& e = midi_.events()[i]; e.osc >= 0) emitCue(blockStart + e.offset, e.osc, e.song);
    publish(out.mainLeft, out.mainRight, n);
}

void Engine::renderSegment(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept {
    clearBuses(out, offset, n);
    if (transport_.rolling() && transport_.state() != TransportState::waiting) {
        if (midiStartPending_ && transport_.position() >= clickFrom_) { // a pre-roll's end: the count-in
            midiStartPending_ = false;
            midi_.started(now, transport_.position(), true, song_.timing, sampleRate_, song_.midiCues);
        }
        if (midiStartPending_)
            midi_.still(now, n, transport_.position(), false);
        else
            midi_.moving(now, transport_.position(), n, song_.timing, sampleRate_, song_.midiCues);
        timecode_.moving(now, transport_.position(), n, out.ltc != nullptr ? out.ltc + offset : nullptr);
        if (link_.on() && transport_.state() == TransportState::playing)
            link_.playing(now, beatAt(transport_.position()));
    } else {
        midi_.still(now, n, transport_.position(), !transport_.rolling());
        timecode_.still(now, transport_.position());
    }
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
    const std::int64_t before = transport_.position();
    const TransportChange change = transport_.advance(n);
    // A retime's crossfade ends after its frames, or at once when the play head stops or jumps.
    if (retime_.fadeOver(transport_.position(), change != TransportChange::none)) {
        retime_.endFade(); // the old view is read no more
        emit(EventType::songRetimed, now + n);
    }
    const bool songChanging = loadAfterStop_ != nullptr;
    afterAdvance(change, now + n);
    // A seek asked for during a stop's fade: stopped, on the seek's target (Song Position, the chase).
    if (change == TransportChange::stopped && !songChanging && transport_.position() != before + n) {
        midi_.located(now + n, transport_.position(), song_.timing, sampleRate_, song_.midiCues);
        timecode_.located(now + n, transport_.position());
    }
}

void Engine::clearBuses(const OutputBuses& out, int offset, int n) noexcept {
    std::fill_n(out.mainLeft + offset, n, 0.0f);
    std::fill_n(out.mainRight + offset, n, 0.0f);
    if (out.click != nullptr) std::fill_n(out.click + offset, n, 0.0f);
    if (out.guide != nullptr) std::fill_n(out.guide + offset, n, 0.0f);
    if (out.ltc != nullptr) std::fill_n(out.ltc + offset, n, 0.0f);
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
    if (const float g = song_.mainGain; g != 1.0f) { // (its gain: and loudness trim; 1: not a multiply)
#pragma omp simd
        for (int i = 0; i < n; ++i) {
            left[i] *= g;
            right[i] *= g;
        }
    }
    // A practice loop's count-in between passes clicks whatever the click's mode.
    const bool loopCountIn = pos < silentBefore_ && vamp_.on() && vamp_.countInBars() > 0;
    if (out.click != nullptr && (activeClick_ != ClickMode::off || loopCountIn)) {
        const std::int64_t until = activeClick_ == ClickMode::always
                                       ? song_.lengthFrames
                                       : std::max(song_.timing.downbeatFrame, silentBefore_); // the count-in
        // (a timecode pre-roll before the count-in: silent until the count-in's first frame)
        const int quiet = clickFrom_ > pos ? static_cast<int>(std::min<std::int64_t>(clickFrom_ - pos, n)) : 0;
        click_.render(out.click + offset + quiet, n - quiet, pos + quiet, song_.timing, until);
    }
    if (float* const guide = out.guide != nullptr ? out.guide : out.click; guide != nullptr) {
        // The guide counts where the click counts in (a timecode pre-roll before it is silent).
        GuideRoute route;
        route.looping = vamp_.on();
        route.loopStart = vamp_.start();
        route.loopEnd = vamp_.end();
        route.countInEnd = std::max(song_.timing.downbeatFrame, silentBefore_);
        route.countFrom = clickFrom_; // (kNoClickBound: from the earliest frame)
        guide_.render(guide + offset, n, pos, song_.timing, route);
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
    for (float* const bus : {out.click, out.guide}) {
        if (bus == nullptr) continue;
        float* const mono = bus + offset;
#pragma omp simd
        for (int i = 0; i < n; ++i)
            mono[i] *= g[i];
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
        if (retime_.fading() && retime_.outgoing().reference != nullptr)
            retime_.blend(*retime_.outgoing().reference, pos + quiet, reference_.left() + quiet,
                          reference_.right() + quiet, n - quiet);
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
        if (retime_.fading() && quiet < n)
            if (StemSource* old = retime_.outgoing().stems[si])
                retime_.blend(*old, pos + quiet, chains_.left(i) + quiet, chains_.right(i) + quiet, n - quiet);
        if (status == ReadStatus::complete) return;
    }
    stems_[si].underruns.fetch_add(1, std::memory_order_relaxed);
    if ((underrunMask_ & (1u << i)) == 0) emit(EventType::underrun, now, static_cast<std::int8_t>(i));
    underrunMask_ |= 1u << i;
}

} // namespace stemdeck::engine
