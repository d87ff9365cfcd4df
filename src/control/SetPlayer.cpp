#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/control/SongLyrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <tuple>

#include "stemdeck/common/Error.h"
#include "SongLoader.h"

namespace stemdeck::control {

using engine::Command;
using engine::EventType;
using engine::Op;

std::vector<set::SetSong> songsFromFolders(const std::vector<std::filesystem::path>& folders) {
    std::vector<set::SetSong> songs;
    for (const auto& f : folders) {
        set::SetSong s;
        s.source = f;
        songs.push_back(s);
    }
    return songs;
}

SetPlayer::SetPlayer(engine::Engine& engine, std::vector<set::SetSong> songs, PlayerOptions options, std::ostream& log)
    : engine_(engine), songs_(std::move(songs)), options_(std::move(options)), log_(log), sender_(engine.makeSender()),
      broken_(songs_.size(), false) {
    const auto count = static_cast<int>(songs_.size());
    order_ =
        options_.order && options_.order->catalogueSize() == count ? *options_.order : set::RunningOrder::plan(count);
    if (options_.setSongs == 0 || options_.setSongs > songs_.size()) options_.setSongs = songs_.size();
    if (!options_.song.streamer) options_.song.streamer = std::make_shared<stream::DiskStreamer>();
    const bool stretched =
        options_.song.tempo || options_.song.transpose ||
        std::any_of(songs_.begin(), songs_.end(), [](const set::SetSong& s) { return s.tempo || s.transpose; });
    if (stretched && !options_.song.stretchStreamer)
        options_.song.stretchStreamer = std::make_shared<stream::DiskStreamer>("stemdeck-tempo");
}

void SetPlayer::wakeStreamers() {
    options_.song.streamer->wake();
    if (options_.song.stretchStreamer) options_.song.stretchStreamer->wake();
}

SetPlayer::~SetPlayer() {
    // The engine may still hold views into the songs: forget them before the songs go.
    engine_.withdrawCue();
    engine_.retimeSong(nullptr);
}

Command SetPlayer::command(Op a, int stem, float value) const {
    Command c{a};
    c.stem = static_cast<std::int8_t>(stem);
    c.value = value;
    return c;
}

SetPlayer::Loaded* SetPlayer::load(int index) {
    if (index < 0 || index >= static_cast<int>(songs_.size()) || broken_[static_cast<std::size_t>(index)])
        return nullptr;
    if (auto it = loaded_.find(index); it != loaded_.end()) return it->second.get();
    const set::SetSong& plan = songs_[static_cast<std::size_t>(index)];
    const std::filesystem::path& path = plan.source;
    try {
        if (!plan.error.empty()) throw Error(plan.error);
        auto l = std::make_unique<Loaded>();
        control::SongOptions o = control::optionsFor(plan, options_.song);
        if (const auto live = liveStretch_.find(index); live != liveStretch_.end()) { // set live: it wins
            o.tempo = set::TempoSetting{live->second.tempo, false};
            o.transpose = live->second.semitones;
            if (!live->second.unity() && !options_.song.stretchStreamer)
                options_.song.stretchStreamer = std::make_shared<stream::DiskStreamer>("stemdeck-tempo");
            o.stretchStreamer = options_.song.stretchStreamer;
        }
        l->song = control::loadSong(path, o);
        for (const std::string& w : l->song.warnings)
            log_ << "warning: " << w << "\n";
        l->view = l->song.view();
        l->view.id = index;
        if (plan.markers.empty() && l->song.lyrics) // the lyrics' sections, where the set file names none
            if (std::vector<set::Marker> m =
                    sectionMarkers(*l->song.lyrics, l->song.ownBpm, l->song.timing.beatsPerBar);
                !m.empty()) {
                log_ << "song " << index + 1 << ": markers from its lyrics' sections:";
                for (const set::Marker& x : m)
                    log_ << (&x == m.data() ? " " : ", ") << x.name << " (bar " << x.bar << ")";
                log_ << "\n";
                songs_[static_cast<std::size_t>(index)].markers = std::move(m);
            }
        for (const std::string& w :
             control::applySetSong(plan, l->song, l->view, options_.countInBars, options_.guides.get()))
            log_ << "warning: song " << index + 1 << " " << w << "\n";
        cuesBySong_[index] = l->song.cues;
        if (options_.timecode) // its identity: its number in the set file, not its place tonight
            if (const auto start = set::songTimecode(plan, index + 1, *options_.timecode)) l->view.timecode = *start;
        // Markers are jump targets: their first seconds stay in RAM so a jump lands on time.
        // (from a crossfade's length before them: a vamp's loop end blends into those frames).
        const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * l->song.sampleRate) + 1;
        l->held.push_back(0); // the head
        for (const set::Marker& m : plan.markers) {
            const std::int64_t at =
                engine::gridFrame(l->song.timing, l->song.sampleRate, engine::Quantize::bar, m.bar - 1);
            l->song.addCue(std::max<std::int64_t>(1, at - xfade));
            l->held.push_back(at);
        }
        if (index == firstSong_) // the events script runs from the first song's bar 1: its jumps start from RAM too
            for (const std::int64_t frame : control::cueFrames(options_.script, l->song.sampleRate))
                l->song.addCue(frame);
        for (const StemRoute& r : options_.routes) {
            if (const auto stem = l->song.findStem(r.stem))
                l->view.directBus[static_cast<std::size_t>(*stem)] = static_cast<std::int8_t>(r.bus);
            else
                log_ << "warning: song " << index + 1 << " '" << l->song.title << "' has no stem '" << r.stem
                     << "' to route to its own output; its stems are: " << joinNames(l->song.stemNames) << "\n";
        }
        Loaded* raw = l.get();
        loaded_[index] = std::move(l);
        return raw;
    } catch (const Error& e) {
        broken_[static_cast<std::size_t>(index)] = true;
        log_ << "error: song " << index + 1 << " (" << path.string() << ") cannot play: " << e.what()
             << ". It is skipped; the rest of the set plays.\n";
        return nullptr;
    }
}

void SetPlayer::start(const std::optional<ShowPoint>& resume, bool playOnResume) {
    int first = 0;
    std::int64_t barFrame = 0;
    if (resume)
        if (const std::optional<std::int64_t> at = loadForResume(*resume)) {
            first = resume->song;
            barFrame = *at;
        }
    if (!resume || first != resume->song) {
        const int asked = options_.startSong;
        first = asked >= 0 && asked < static_cast<int>(songs_.size()) ? asked : order_.after(-1);
        if (asked >= 0 && !order_.tonight(asked)) order_.add(asked, 0); // play --song N: from there
    }
    for (int i = first; i >= 0; i = order_.after(i)) {
        firstSong_ = i;
        if (Loaded* l = load(i)) {
            engine_.setSong(l->view);
            change_.started(i);
            announce();
            break;
        }
    }
    if (change_.current() < 0)
        throw Error(order_.after(-1) < 0 && !songs_.empty()
                        ? "tonight's running order has no song left to play (every song skipped or played); "
                          "give another order, or none"
                        : "no song of the set can be played (see the errors above)");
    sender_.send(command(Op::click, -1, static_cast<float>(options_.click)));
    if (resume && change_.current() == resume->song) resumeAt(*resume, barFrame, resume->playing && playOnResume);
    cueFollowing();
}

void SetPlayer::announce() {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return;
    const control::Song& s = it->second->song;
    char bpm[128];
    const std::string stretch = s.stretch.describe(); // "80% tempo, -2 st": a rehearsal tempo or key
    std::snprintf(bpm, sizeof bpm, "%g BPM%s%s%s", s.timing.bpm, stretch.empty() ? "" : " at ", stretch.c_str(),
                  s.bpmKnown ? "" : " (assumed: no readme BPM)");
    const int place = order_.placeOf(change_.current());
    log_ << "song " << change_.current() + 1 << "/" << songs_.size();
    if (place >= 0 && place != change_.current()) log_ << " (tonight " << place + 1 << ")";
    log_ << ": '" << s.title << "' (" << s.sources.size() << " stems, " << bpm << ", " << s.timing.beatsPerBar << "/"
         << s.timing.beatUnit << ", " << clockText(static_cast<double>(s.lengthFrames) / s.sampleRate);
    if (const set::SetSong& plan = songs_[static_cast<std::size_t>(change_.current())]; plan.gainDb || plan.trimDb) {
        char level[64]; // (its level on the main output: its own gain, else its accepted loudness trim)
        std::snprintf(level, sizeof level, plan.gainDb ? ", gain %+.1f dB" : ", loudness trim %+.1f dB",
                      plan.gainDb ? *plan.gainDb : *plan.trimDb);
        log_ << level;
    }
    log_ << ")\n";
}

void SetPlayer::withdraw() {
    if (change_.cued() < 0) return;
    change_.withdrawn(engine_.withdrawCue() == nullptr); // too late: the audio thread has it, songChanged follows
}

void SetPlayer::cueFollowing() {
    Loaded* next = nullptr;
    int index = order_.after(change_.current());
    for (; index >= 0; index = order_.after(index))
        if ((next = load(index)) != nullptr) break;
    const bool runOn = atEndOf(change_.current()) == AtEnd::runOn;
    if (next != nullptr && change_.isCued(index, runOn)) return;
    withdraw();
    if (next == nullptr) return;
    engine_.cueNextSong(&next->view, runOn);
    change_.cue(index, runOn);
}

void SetPlayer::changeTo(int index, bool playIt) {
    if (change_.defer(index, playIt)) return; // one change at a time; this one follows
    Loaded* l = load(index);
    if (l == nullptr || index == change_.current()) return;
    withdraw();
    engine_.cueNextSong(&l->view, false);
    change_.sent(index);
    sender_.send(command(Op::loadCued, -1, playIt ? 1.0f : 0.0f));
    wakeStreamers();
}

void SetPlayer::nextSong() {
    const int from = change_.heading();
    for (int i = order_.after(from); i >= 0; i = order_.after(i))
        if (load(i) != nullptr) return changeTo(i, engine_.rolling());
}

void SetPlayer::previousSong() {
    const int from = change_.heading();
    for (int i = order_.before(from); i >= 0; i = order_.before(i))
        if (load(i) != nullptr) return changeTo(i, engine_.rolling());
}

void SetPlayer::goToSong(int index) {
    if (index < 0 || index >= static_cast<int>(songs_.size())) {
        log_ << "there is no song " << index + 1 << "; the set has " << songs_.size() << "\n";
        return;
    }
    if (!order_.tonight(index) || order_.skipped(index)) { // asked for by name: it is in tonight's set again
        const bool was = order_.tonight(index);
        order_.playAfter(index, change_.heading());
        log_ << songName(index) << (was ? " was cut tonight: it is back, " : " was not in tonight's order: added ")
             << "after the song playing\n";
        orderChanged();
    }
    changeTo(index, engine_.rolling());
}

AtEnd SetPlayer::atEndOf(int index) const {
    if (index < 0 || index >= static_cast<int>(songs_.size())) return options_.atEnd;
    return songs_[static_cast<std::size_t>(index)].atEnd.value_or(options_.atEnd);
}

void SetPlayer::sendOscCue(const engine::Event& e) {
    const auto it = cuesBySong_.find(e.song);
    if (!options_.oscCue || it == cuesBySong_.end() || !it->second) return;
    const std::vector<set::OscCue>& osc = it->second->osc;
    if (e.cue >= 0 && static_cast<std::size_t>(e.cue) < osc.size())
        options_.oscCue(osc[static_cast<std::size_t>(e.cue)]);
}

void SetPlayer::poll() {
    engine::Event e;
    bool ended = false, playedOut = false;
    while (engine_.nextEvent(e)) {
        switch (e.type) {
        case EventType::songChanged: {
            ended = false;
            const std::optional<SongChange::Wanted> wanted = change_.arrived(e.song);
            loop_.clear(); // A and B were the last song's
            announce();
            if (wanted) changeTo(wanted->song, wanted->play);
            if (change_.changing() < 0) cueFollowing();
            stepRetime(); // a song set live and left before it got there
            break;
        }
        case EventType::songEnded:
            // A song that reached its end has played tonight: "next" passes over it from now on
            // (a song only started — a wrong "next" put right with "previous" — has not).
            if (const int cur = change_.current(); cur >= 0 && order_.tonight(cur) && !order_.played(cur)) {
                order_.markPlayed(cur, true);
                playedOut = true;
            }
            // A run-on cue is taken by the engine in the same block: its songChanged follows.
            if (!change_.runningOn()) ended = true;
            break;
        case EventType::transportStarted:
            if (!scriptZero_ && change_.current() == firstSong_) scriptZero_ = e.frame - e.songFrame;
            if (!quitting_) finished_ = false; // played again (from any surface) after the set's end
            break;
        case EventType::transportStopped: finished_ = finished_ || quitting_; break;
        case EventType::underrun: ++underruns_; break;
        case EventType::oscCue: sendOscCue(e); break;
        case EventType::songRetimed:
            retimeOld_.reset(); // the engine reads it no more
            stepRetime();       // on towards the target
            break;
        case EventType::commandDropped:
            if (e.action == static_cast<std::uint8_t>(Op::retime)) {
                retimeNext_.reset(); // not taken (the play head jumped, stopped or passed the line)
                if (++retimeDrops_ <= 3) {
                    stepRetime();
                } else {
                    giveUpRetime(retimeSong_, "");
                }
            }
            if (e.action == static_cast<std::uint8_t>(Op::loadCued)) {
                change_.dropped();
                stepRetime(); // a step that waited for the change goes on
            }
            if (e.action == static_cast<std::uint8_t>(Op::toggleReference) ||
                e.action == static_cast<std::uint8_t>(Op::referenceOn))
                log_ << "this song has no reference mix (00_MIX_REFERENCE) to A/B against\n";
            if (e.action == static_cast<std::uint8_t>(Op::scene))
                log_ << "this song has no such scene; " << sceneList() << "\n";
            if (e.action == static_cast<std::uint8_t>(Op::defineScene) && e.stem <= 0)
                log_ << "warning: the set ran on to the next song as a scene was stored: it was kept for the song "
                        "before; store it again here if it was meant for this one\n";
            break;
        case EventType::commandApplied:
            if (e.action == static_cast<std::uint8_t>(Op::retime)) retimeApplied(e.songFrame);
            break;
        }
    }
    if (ended && change_.changing() < 0) { // the song ended and the engine did not run on
        int next = order_.after(change_.current());
        while (next >= 0 && load(next) == nullptr)
            next = order_.after(next);
        if (quitting_ || next < 0) {
            finished_ = true;
        } else {
            changeTo(next, atEndOf(change_.current()) != AtEnd::stop);
        }
    }
    if (playedOut) orderChanged(); // (saved; the following song is cued already)
    takeRetimeLoad();
    if (auto it = loaded_.find(change_.current()); it != loaded_.end())
        for (const std::string& f : it->second->song.takeFaults())
            log_ << "warning: " << f << "\n";
    freeUnused();
}

std::optional<double> SetPlayer::songSeconds(int index) const {
    const auto it = loaded_.find(index);
    if (it == loaded_.end() || it->second->song.sampleRate <= 0) return std::nullopt;
    return static_cast<double>(it->second->song.lengthFrames) / it->second->song.sampleRate;
}

bool SetPlayer::songBroken(int index) const {
    return index >= 0 && index < static_cast<int>(broken_.size()) && broken_[static_cast<std::size_t>(index)];
}

formats::Stretch SetPlayer::playingStretch() const {
    if (const auto it = loaded_.find(change_.current()); it != loaded_.end()) return it->second->song.stretch;
    return {};
}

void SetPlayer::freeUnused() {
    for (auto it = loaded_.begin(); it != loaded_.end();) {
        const int id = it->first;
        if (change_.holds(id))
            ++it;
        else
            it = loaded_.erase(it); // the engine holds no pointer into it (see withdraw())
    }
}

bool SetPlayer::waitForDisk(int frames, double timeoutSeconds) const {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end() || !engine_.rolling()) return true;
    const std::int64_t at = std::max<std::int64_t>(0, engine_.readFrame());
    bool ok = true;
    for (const auto& s : it->second->song.sources)
        if (s) ok = s->waitUntilReadable(at, frames, timeoutSeconds) && ok;
    if (const auto& r = it->second->song.reference) ok = r->waitUntilReadable(at, frames, timeoutSeconds) && ok;
    return ok;
}

bool SetPlayer::readableNow(std::int64_t frame, int frames) const {
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end()) return false;
    const control::Song& song = it->second->song;
    return std::all_of(song.sources.begin(), song.sources.end(),
                       [&](const auto& s) { return !s || s->readable(frame, frames); }) &&
           (!song.reference || song.reference->readable(frame, frames));
}

} // namespace stemdeck::control
