// The transport's starts and changes, the engine's part: play from the top with a count-in (and a
// timecode pre-roll before it), a song change that waited for a fade, and what follows each change
// of the transport at a segment's end (a loop's wrap, a jump, a stop, a song's end and a run-on).
#include "stemdeck/engine/Engine.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

void Engine::beginPlay(std::int64_t now) noexcept {
    // With Link peers the start waits for the session's bar, in the phase where this play begins
    // (holdForLink, every segment until then); alone, or with Link off, at once.
    if (link_.holdsStart()) {
        linkHold_ = true;
        link_.holding(true);
        return;
    }
    startPlaying(now);
}

int Engine::holdForLink(std::int64_t now) noexcept {
    const std::int64_t at = transport_.position();
    const std::int64_t frames = link_.framesToPhase(now, beatAt(preRollStart(at, countInStart(at))));
    if (frames > 0) // (kNextBlock: held to the block's end, then read again)
        return static_cast<int>(std::min<std::int64_t>(frames, Transport::kForever));
    linkHold_ = false; // the bar is here (or Link cannot tell: no wait)
    link_.holding(false);
    startPlaying(now);
    return Transport::kForever;
}

std::int64_t Engine::countInStart(std::int64_t at) const noexcept {
    // From the top, a count-in of whole bars first (the stems read silence before frame 0); from
    // a resume point mid-song, the bars before it with the stems silent.
    const bool resumePoint = at > 0 && at == countInPoint_;
    if (song_.countInBars == 0 || !(at == 0 || resumePoint)) return at;
    const std::int64_t bar = at == 0 ? 0 : toBarBeat(song_.timing, sampleRate_, at).bar - 1;
    return std::min(
        at, gridFrame(song_.timing, sampleRate_, Quantize::bar, bar - static_cast<std::int64_t>(song_.countInBars)));
}

std::int64_t Engine::preRollStart(std::int64_t at, std::int64_t from) const noexcept {
    // From the top, timecode runs the pre-roll before bar 1 (a desk locks before its first cue).
    if (clickFrom_ != kNoClickBound && at < clickFrom_) return from; // stopped inside it: resumed
    const double seconds = timecode_.options().prerollSeconds;
    if (at != 0 || seconds <= 0.0 || !timecode_.active()) return from;
    return std::min<std::int64_t>(from, song_.timing.downbeatFrame - std::llround(seconds * sampleRate_));
}

void Engine::startPlaying(std::int64_t now) noexcept {
    const std::int64_t at = transport_.position();
    const std::int64_t start = countInStart(at);
    countInPoint_ = -1; // once
    if (start < at) {
        silentBefore_ = at;
        transport_.preRoll(start);
    }
    preRollTimecode(at);
    emit(EventType::transportStarted, now);
    if (!midiStartPending_) // (a pre-roll: the MIDI output starts with the count-in, renderSegment)
        midi_.started(now, transport_.position(), at == 0, song_.timing, sampleRate_, song_.midiCues);
    timecode_.located(now, transport_.position());
    transport_.play();
    if (transport_.rolling()) link_.started(now, beatAt(transport_.position())); // (at its end: nothing plays)
    // From anywhere but a preloaded position the disk may not be there yet: start every stem
    // together once it is, as after a seek.
    if (transport_.rolling() && !sourcesReady()) {
        transport_.waitForSources();
        waitedFrames_ = 0;
    }
}

void Engine::preRollTimecode(std::int64_t at) noexcept {
    // Silence before the count-in, whose click starts where it would have; the MIDI output (clock,
    // Start, start cues) waits for the count-in too, as if the pre-roll were not there.
    if (clickFrom_ != kNoClickBound && at < clickFrom_) return; // stopped inside it: play resumes it
    const std::int64_t start = preRollStart(at, transport_.position());
    clickFrom_ = kNoClickBound;
    midiStartPending_ = false;
    if (start >= transport_.position()) return; // none (or the count-in, the song's lead-in, is longer)
    clickFrom_ = transport_.position();
    midiStartPending_ = true;
    transport_.preRoll(start);
}

void Engine::endPreRoll() noexcept {
    clickFrom_ = kNoClickBound;
    midiStartPending_ = false;
}

void Engine::finishSongChange(std::int64_t at) noexcept {
    const bool thenPlay = playAfterLoad_;
    loadSong(*loadAfterStop_); // clears loadAfterStop_
    emit(EventType::songChanged, at);
    if (thenPlay) beginPlay(at);
}

void Engine::afterAdvance(TransportChange change, std::int64_t at) noexcept {
    switch (change) {
    case TransportChange::none:
        if (vamp_.atEnd(transport_.position(), playing())) {
            if (retime_.armed()) dropRetime(at); // the play head leaves the way to its target
            const std::int64_t loopEnd = transport_.position();
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
            endPreRoll();
            midi_.wrapped(loopEnd, transport_.position()); // (its count-in bars too: played once already)
            timecode_.located(at, transport_.position());  // timecode jumps back with the loop
        } else {
            vamp_.advanced(transport_.position());
        }
        break;
    case TransportChange::jumped:
        if (retime_.armed()) dropRetime(at);
        vamp_.jumped();
        guide_.silence(); // (what it said was about where the play head was; the jump's fade faded it)
        endPreRoll();     // (a jump out of a pre-roll: the MIDI output's Song Position and Continue say where)
        midi_.located(at, transport_.position(), song_.timing, sampleRate_, song_.midiCues);
        timecode_.located(at, transport_.position());
        seekSources();
        waitedFrames_ = 0;
        if (sourcesReady()) transport_.resume(); // cued targets are in RAM: no wait at all
        break;
    case TransportChange::stopped:
        if (retime_.armed()) dropRetime(at);
        silentBefore_ = 0; // stopped in a count-in: the next play starts where it now is
        guide_.silence();  // (its fade faded the guide too)
        emit(EventType::transportStopped, at);
        midi_.stopped(at);
        link_.stopped(at);
        timecode_.located(at, transport_.position()); // where it stopped, for a desk's display
        if (loadAfterStop_ != nullptr) finishSongChange(at);
        break;
    case TransportChange::songEnded:
        if (retime_.armed()) dropRetime(at);
        guide_.silence();
        emit(EventType::songEnded, at);
        midi_.ended(at, song_.midiCues);
        if (loadAfterStop_ != nullptr) { // the song ended during a song change's fade
            link_.stopped(at);
            finishSongChange(at);
        } else if (const SongView* next = next_.takeRunOn()) {
            // Run on: the next song's frame 0 is the very next output frame.
            loadSong(*next);
            transport_.play();
            midi_.started(at, 0, true, song_.timing, sampleRate_, song_.midiCues);
            timecode_.located(at, 0);
            link_.started(at, beatAt(0)); // its tempo from its first frame, the session's bar on it
            emit(EventType::songChanged, at);
            emit(EventType::transportStarted, at);
        } else {
            link_.stopped(at);
        }
        break;
    }
}

} // namespace stemdeck::engine
