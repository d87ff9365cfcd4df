// Tempo and key set live: a target per song, reached in steps (a beat each, at most kTempoGlideStep),
// each step the current song loaded again on the loader thread and switched to on a beat line.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/common/Error.h"
#include "SongLoader.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

formats::Stretch SetPlayer::stretchNow() const {
    if (const auto live = liveStretch_.find(change_.current()); live != liveStretch_.end()) return live->second;
    if (const auto it = loaded_.find(change_.current()); it != loaded_.end()) return it->second->song.stretch;
    return {};
}

void SetPlayer::setTempo(const set::TempoSetting& tempo) {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return;
    const control::Song& song = it->second->song;
    try {
        wantStretch(set::tempoRatio(tempo, song.ownBpm, song.bpmKnown), stretchNow().semitones);
    } catch (const Error& e) {
        log_ << "tempo not changed: " << e.what() << "\n";
    }
}

void SetPlayer::nudgeTempo(int steps) {
    const double to = std::clamp(stretchNow().tempo + steps * kTempoNudge, formats::kMinTempo, formats::kMaxTempo);
    wantStretch(to, stretchNow().semitones);
}

void SetPlayer::setTranspose(double semitones) {
    if (const std::string bad = set::transposeProblem(semitones); !bad.empty()) {
        log_ << "key not changed: " << bad << "\n";
        return;
    }
    wantStretch(stretchNow().tempo, semitones);
}

void SetPlayer::nudgeTranspose(int steps) {
    const double to =
        std::clamp(std::round(stretchNow().semitones) + steps, -formats::kMaxSemitones, formats::kMaxSemitones);
    wantStretch(stretchNow().tempo, to);
}

void SetPlayer::wantStretch(double tempo, double semitones) {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return;
    formats::Stretch want = it->second->song.stretch;
    want.tempo = std::round(tempo * 10000.0) / 10000.0; // (a nudge from 95% lands on 1.0 exactly: unity)
    want.semitones = std::round(semitones * 100.0) / 100.0;
    liveStretch_[change_.current()] = want;
    const control::Song& song = it->second->song;
    char text[160];
    std::snprintf(text, sizeof text, "song %d: %s (%.4g BPM)%s\n", change_.current() + 1,
                  want.unity() ? "tempo and key as recorded" : want.describe().c_str(), song.ownBpm * want.tempo,
                  want.tempo != song.stretch.tempo ? ", from the next beat" : "");
    log_ << text;
    retimeDrops_ = 0;
    stepRetime();
}

void SetPlayer::stepRetime() {
    if (retimeNext_ || retimeOld_ || retimeLoad_ || change_.current() < 0 || change_.busy()) return; // one at a time
    if (quitting_ || finished_) return; // the show is ending: nothing more to load
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return;
    const formats::Stretch& now = it->second->song.stretch;
    const auto live = liveStretch_.find(change_.current());
    if (live == liveStretch_.end() ||
        (now.tempo == live->second.tempo && now.semitones == live->second.semitones)) { // there
        holdLoopA();
        return;
    }
    const formats::Stretch& target = live->second;
    formats::Stretch step = now;
    step.semitones = target.semitones; // a key changes at once (a glide in pitch is a siren)
    step.tempo = now.tempo + std::clamp(target.tempo - now.tempo, -kTempoGlideStep, kTempoGlideStep);
    if (std::fabs(step.tempo - target.tempo) < 1e-6) step.tempo = target.tempo;
    requestRetime(step, RetimeLoad::Why::step);
}

void SetPlayer::holdLoopA() {
    // The loop's A not yet in RAM: the song once more as it plays (no new tempo or key), A held.
    if (!loop_.hasA() || heldInRam(loop_.a())) return;
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return;
    if (loop_.mayReload()) {
        loop_.reloading();
        requestRetime(it->second->song.stretch, RetimeLoad::Why::holdA);
        return;
    }
    if (loop_.waiting()) { // it loops anyway: a jump back may wait for the disk
        log_ << "warning: A could not be held in RAM; the loop's jumps back may wait for the disk\n";
        engageLoop();
    }
}

void SetPlayer::requestRetime(const formats::Stretch& step, RetimeLoad::Why why, int attempt) {
    const Loaded& cur = *loaded_.at(change_.current());
    const set::SetSong& plan = songs_[static_cast<std::size_t>(change_.current())];
    const int rate = cur.song.sampleRate;
    RetimeLoad r;
    r.song = change_.current();
    r.base = &cur;
    r.step = step;
    r.why = why;
    r.attempt = attempt;
    r.from = cur.view.timing;
    r.to = r.from;
    r.to.bpm = cur.song.ownBpm * step.tempo;
    control::SongOptions o = control::optionsFor(plan, options_.song);
    o.tempo = set::TempoSetting{step.tempo, false};
    o.transpose = step.semitones;
    if (!step.unity() && !options_.song.stretchStreamer)
        options_.song.stretchStreamer = std::make_shared<stream::DiskStreamer>("stemdeck-tempo");
    o.stretchStreamer = options_.song.stretchStreamer;
    // Playing, the new tempo takes over on a beat line far enough ahead to load it first (the last
    // load's time, and then some): the song is loaded again, on the loader thread, with its head in
    // RAM from there, a beat and a second long, so the switch and the ring's start never wait for
    // the disk. The control thread ticks on meanwhile.
    const bool rolling = engine_.rolling();
    const std::int64_t pos = std::max<std::int64_t>(0, engine_.songFrame());
    const double lead = rolling ? prepSeconds_ * 1.5 + 0.15 : 0.0;
    o.headAt = engine::retimedFrame(r.from, r.to, rate, pos + static_cast<std::int64_t>(lead * rate));
    o.headSeconds = rolling ? engine::framesPerBeat(r.to, rate) / rate + 1.0 : 3.0;
    r.rolling = rolling;
    r.askedAt = pos;
    r.headAt = o.headAt;
    r.headSeconds = o.headSeconds;
    SongLoader::Job job{plan.source, o, {}};
    // A vamp goes on at the new tempo, and the A-B loop's A waits: their starts are held in RAM
    // too, so their jumps never wait.
    for (const std::int64_t loop : {engine_.loopStart(), loop_.a()}) {
        if (loop < 0) continue;
        const std::int64_t at = engine::retimedFrame(r.from, r.to, rate, loop);
        job.cues.push_back(
            std::max<std::int64_t>(1, at - static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * rate) - 1));
        r.held.push_back(at);
    }
    // The set file's markers, jump targets, held in RAM at the new tempo as at the first load
    // (SetPlayer.cpp): before, a jump to one after a live tempo change read from the disk and could
    // land a quarter second late.
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * rate) + 1;
    for (const set::Marker& m : plan.markers) {
        const std::int64_t at = engine::gridFrame(r.to, rate, engine::Quantize::bar, m.bar - 1);
        job.cues.push_back(std::max<std::int64_t>(1, at - xfade));
        r.held.push_back(at);
    }
    if (!loader_) loader_ = std::make_unique<SongLoader>();
    if (!loader_->start(std::move(job))) return; // (one at a time: never happens)
    retimeLoad_ = std::move(r);
}

void SetPlayer::giveUpRetime(int song, std::string_view why) {
    const auto live = liveStretch_.find(song);
    const auto at = loaded_.find(song);
    if (live != liveStretch_.end() && at != loaded_.end() &&
        (live->second.tempo != at->second->song.stretch.tempo ||
         live->second.semitones != at->second->song.stretch.semitones)) {
        log_ << "warning: the tempo or key change could not find a beat to land on" << why << "; press it again\n";
        liveStretch_.erase(live);
    }
    if (loop_.waiting()) {
        loop_.giveUpReloads(); // (no more reloads for A: it loops from the disk)
        stepRetime();
    }
}

bool SetPlayer::waitForLoads(double timeoutSeconds) const {
    return !loader_ || loader_->waitUntilDone(timeoutSeconds);
}

void SetPlayer::takeRetimeLoad() {
    if (!retimeLoad_ || !loader_) return;
    std::optional<SongLoader::Result> result = loader_->take();
    if (!result) return; // still loading
    const RetimeLoad r = std::move(*retimeLoad_);
    retimeLoad_.reset();
    const auto it = loaded_.find(change_.current());
    if (r.song != change_.current() || it == loaded_.end() || it->second.get() != r.base || change_.busy() ||
        quitting_) { // moved on meanwhile (to another song, or away and back: loaded again)
        stepRetime();
        return;
    }
    if (!result->song) {
        if (r.why == RetimeLoad::Why::step) {
            log_ << "tempo and key not changed: " << result->error << "\n";
            liveStretch_.erase(change_.current());
        } else {
            log_ << "warning: the A-B loop's A could not be loaded into RAM: " << result->error << "\n";
        }
        stepRetime(); // (A: tried again, or looped from the disk)
        return;
    }
    prepSeconds_ = result->seconds;
    const Loaded& cur = *it->second;
    const int rate = cur.song.sampleRate;
    if (headMoved(r, result->seconds, rate)) {
        if (++retimeMoves_ <= 3) {
            stepRetime(); // (from the stretch it plays at now, towards the target)
        } else {
            retimeMoves_ = 0;
            giveUpRetime(change_.current(), " (the play head kept jumping)");
        }
        return;
    }
    retimeMoves_ = 0;
    std::int64_t line = 0; // (stopped: at once)
    if (engine_.rolling()) {
        const std::optional<std::int64_t> at = landingLine(r, rate);
        if (!at) {
            // The load took longer than its lead: again, with the longer lead it measured.
            log_ << "(the tempo change took " << prepSeconds_ << " s to prepare; "
                 << (r.attempt < 2 ? "once more)\n" : "given up)\n");
            if (r.attempt < 2)
                requestRetime(r.step, r.why, r.attempt + 1);
            else if (r.why == RetimeLoad::Why::step)
                liveStretch_.erase(change_.current());
            else
                stepRetime();
            return;
        }
        line = *at;
    }
    switchRetime(r, std::move(*result->song), cur, line);
}

bool SetPlayer::headMoved(const RetimeLoad& r, double loadSeconds, int rate) const {
    // The play head moved otherwise than by playing while it loaded (a jump, a loop's pass, a stop,
    // play pressed): the head is in the wrong place. (Asked again from where it is now, a few
    // times: a loop shorter than a load would send it round for ever.)
    const std::int64_t pos = std::max<std::int64_t>(0, engine_.songFrame());
    const auto played = static_cast<std::int64_t>((loadSeconds + 0.5) * rate * 1.5);
    return engine_.rolling() != r.rolling || (!r.rolling && pos != r.askedAt) ||
           (r.rolling && (pos < r.askedAt - rate / 10 || pos > r.askedAt + played));
}

std::optional<std::int64_t> SetPlayer::landingLine(const RetimeLoad& r, int rate) const {
    // The first beat line from now (and a tick's margin) that lands in the new head, early enough
    // in it that a second of it is left for the ring to take over.
    const std::int64_t headEnd = r.headAt + static_cast<std::int64_t>((r.headSeconds - 0.5) * rate);
    std::int64_t line = engine::nextGridFrame(r.from, rate, engine::Quantize::beat,
                                              std::max<std::int64_t>(0, engine_.songFrame()) + rate / 16);
    while (engine::retimedFrame(r.from, r.to, rate, line) < r.headAt)
        line = engine::nextGridFrame(r.from, rate, engine::Quantize::beat, line + 1);
    if (engine::retimedFrame(r.from, r.to, rate, line) > headEnd) return std::nullopt;
    return line;
}

void SetPlayer::switchRetime(const RetimeLoad& r, control::Song song, const Loaded& cur, std::int64_t line) {
    auto next = std::make_unique<Loaded>();
    next->song = std::move(song);
    next->held = r.held;
    // The same song, state and all, on the new stems and grid.
    next->view = cur.view;
    const engine::SongView fresh = next->song.view();
    next->view.stems = fresh.stems;
    next->view.reference = fresh.reference;
    next->view.lengthFrames = fresh.lengthFrames;
    next->view.timing = fresh.timing;
    next->view.speed = fresh.speed; // (its timecode follows the new speed, or holds: TimecodeTempo)
    next->song.title = cur.song.title;
    next->song.cues = cur.song.cues;     // the view's midiCues points into them
    next->song.guides = cur.song.guides; // and its guides into these
    next->song.lyrics = cur.song.lyrics; // (as tapped in so far)
    Command c = command(Op::retime);
    c.target = line;
    // Reloaded as it plays, at its own tempo and key: the files' very samples, nothing to crossfade.
    c.value = r.step.unity() && cur.song.stretch.unity() ? 1.0f : 0.0f;
    retimeSong_ = change_.current();
    retimeNext_ = std::move(next);
    engine_.retimeSong(&retimeNext_->view);
    sender_.send(c);
    wakeStreamers();
}

void SetPlayer::retimeApplied(std::int64_t songFrame) {
    auto it = loaded_.find(retimeSong_);
    if (!retimeNext_ || it == loaded_.end()) return;
    retimeNext_->view.scenes = it->second->view.scenes; // stored while it was on its way
    retimeNext_->view.scenesDefined = it->second->view.scenesDefined;
    retimeOld_ = std::move(it->second);
    it->second = std::move(retimeNext_);
    retimeDrops_ = 0;
    const control::Song& song = it->second->song;
    // The A-B loop is where it was in the music, on the new timeline.
    const engine::SongTiming& was = retimeOld_->view.timing;
    loop_.retimed(was, song.timing, song.sampleRate);
    const bool same = song.stretch.tempo == retimeOld_->song.stretch.tempo &&
                      song.stretch.semitones == retimeOld_->song.stretch.semitones;
    if (loop_.waiting() && heldInRam(loop_.a())) engageLoop();
    if (same) return; // a reload to hold A: nothing new to say
    const engine::BarBeat at = engine::toBarBeat(song.timing, song.sampleRate, songFrame);
    char text[160];
    std::snprintf(text, sizeof text, "song %d now at %s (%.4g BPM), from bar %lld beat %d\n", retimeSong_ + 1,
                  song.stretch.unity() ? "its own tempo and key" : song.stretch.describe().c_str(), song.timing.bpm,
                  static_cast<long long>(at.bar), at.beat);
    log_ << text;
}

bool SetPlayer::heldInRam(std::int64_t frame) const {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return false;
    return std::any_of(it->second->held.begin(), it->second->held.end(),
                       [&](std::int64_t h) { return std::llabs(h - frame) <= 2; });
}

} // namespace stemdeck::control
