#include "stemdeck/control/SetPlayer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <tuple>

#include "stemdeck/Error.h"
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
        for (const std::string& w : control::applySetSong(plan, l->song, l->view, options_.countInBars))
            log_ << "warning: song " << index + 1 << " " << w << "\n";
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
        if (index == 0) // the events script runs from song 1's bar 1: its jumps start from RAM too
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
    if (resume) {
        if (resume->tempo != 1.0 || resume->transpose != 0.0) { // set live: the frame is on that timeline
            formats::Stretch st;
            st.tempo = resume->tempo;
            st.semitones = resume->transpose;
            st.quality = options_.song.stretchQuality;
            liveStretch_[resume->song] = st;
        }
        if (Loaded* l = load(resume->song)) {
            first = resume->song;
            // The last bar line at or before where the show was (at the rate the song plays now),
            // held in RAM like a marker so the resume starts at once.
            const int rate = l->song.sampleRate;
            const std::int64_t frame =
                resume->sampleRate == rate ? resume->frame : resume->frame * rate / std::max(1, resume->sampleRate);
            const engine::SongTiming& t = l->song.timing;
            const std::int64_t bar = engine::toBarBeat(t, rate, std::max<std::int64_t>(0, frame)).bar;
            barFrame = std::clamp<std::int64_t>(engine::gridFrame(t, rate, engine::Quantize::bar, bar - 1), 0,
                                                std::max<std::int64_t>(0, l->song.lengthFrames - 1));
            const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * rate) + 1;
            l->song.addCue(std::max<std::int64_t>(1, barFrame - xfade));
            l->song.addCue(barFrame);
            l->held.push_back(barFrame);
            if (resume->loopFirstBar > 0) { // the A-B loop's A, held in RAM as it was
                const std::int64_t a = engine::gridFrame(t, rate, engine::Quantize::bar, resume->loopFirstBar - 1);
                l->song.addCue(std::max<std::int64_t>(1, a - xfade));
                l->held.push_back(a);
            }
        } else {
            log_ << "resume: song " << resume->song + 1 << " cannot be loaded now: from the top\n";
        }
    }
    for (int i = first; i < static_cast<int>(songs_.size()); ++i) {
        if (Loaded* l = load(i)) {
            engine_.setSong(l->view);
            current_ = i;
            announce();
            break;
        }
    }
    if (current_ < 0) throw Error("no song of the set can be played (see the errors above)");
    sender_.send(command(Op::click, -1, static_cast<float>(options_.click)));
    if (resume && current_ == resume->song) resumeAt(*resume, barFrame, resume->playing && playOnResume);
    cueFollowing();
}

void SetPlayer::resumeAt(const ShowPoint& p, std::int64_t barFrame, bool playIt) {
    const Loaded& l = *loaded_.at(current_);
    if (barFrame > 0) seekTo(barFrame, true); // play from there counts in (the song's count-in bars)
    const int stems = std::min(static_cast<int>(p.stems.size()), static_cast<int>(l.song.sources.size()));
    for (int i = 0; i < stems; ++i) {
        const StemState& st = p.stems[static_cast<std::size_t>(i)];
        sender_.send(command(st.muted ? Op::mute : Op::unmute, i));
        sender_.send(command(st.soloed ? Op::solo : Op::unsolo, i));
        sender_.send(command(Op::gain, i, st.gain));
        sender_.send(command(Op::filter, i, st.filter));
    }
    if (p.reference) sender_.send(command(Op::referenceOn));
    // The A-B loop as it was (its A held in RAM by the load, as the resume point is), or the vamp.
    loopCountIn_ = p.loopCountIn;
    if (p.loopFirstBar > 0)
        loopA_ = engine::gridFrame(l.song.timing, l.song.sampleRate, engine::Quantize::bar, p.loopFirstBar - 1);
    if (p.vamp && p.loopFirstBar > 0 && p.loopLastBar > 0) {
        loopB_ = std::min(engine::gridFrame(l.song.timing, l.song.sampleRate, engine::Quantize::bar, p.loopLastBar),
                          l.song.lengthFrames);
        engageLoop();
    } else if (p.vamp) {
        loopSectionAt(barFrame);
    }
    const engine::BarBeat at = engine::toBarBeat(l.song.timing, l.song.sampleRate, barFrame);
    log_ << "resumed after a crash: song " << current_ + 1 << " '" << l.song.title << "' at bar " << at.bar << " ("
         << clockText(static_cast<double>(barFrame) / l.song.sampleRate) << "), every stem as it was"
         << (p.reference ? ", on the reference mix" : "")
         << (p.vamp ? (p.loopLastBar > 0
                           ? ", looping bars " + std::to_string(p.loopFirstBar) + "-" + std::to_string(p.loopLastBar)
                           : std::string(", vamping"))
                    : std::string())
         << (playIt ? "; playing" : "; paused there, armed: press play") << "\n";
    if (playIt) play();
}

ShowPoint SetPlayer::showPoint() const {
    ShowPoint p;
    p.song = std::max(0, current_);
    p.frame = std::max<std::int64_t>(0, engine_.songFrame());
    p.sampleRate = static_cast<int>(engine_.sampleRate());
    p.playing = engine_.rolling();
    for (int i = 0; i < engine_.stemCount(); ++i) {
        const engine::StemStatus& st = engine_.stem(i);
        p.stems.push_back({st.muted.load(std::memory_order_relaxed), st.soloed.load(std::memory_order_relaxed),
                           st.gain.load(std::memory_order_relaxed), st.filter.load(std::memory_order_relaxed)});
    }
    p.scene = engine_.lastScene();
    p.reference = engine_.referenceOn();
    p.vamp = engine_.looping();
    if (const auto it = loaded_.find(current_); it != loaded_.end()) {
        p.tempo = it->second->song.stretch.tempo;
        p.transpose = it->second->song.stretch.semitones;
    }
    std::tie(p.loopFirstBar, p.loopLastBar) = loopBarNumbers();
    p.loopCountIn = loopCountIn_;
    return p;
}

void SetPlayer::announce() {
    const auto it = loaded_.find(current_);
    if (it == loaded_.end()) return;
    const control::Song& s = it->second->song;
    char bpm[128];
    const std::string stretch = s.stretch.describe(); // "80% tempo, -2 st": a rehearsal tempo or key
    std::snprintf(bpm, sizeof bpm, "%g BPM%s%s%s", s.timing.bpm, stretch.empty() ? "" : " at ", stretch.c_str(),
                  s.bpmKnown ? "" : " (assumed: no readme BPM)");
    log_ << "song " << current_ + 1 << "/" << songs_.size() << ": '" << s.title << "' (" << s.sources.size()
         << " stems, " << bpm << ", " << s.timing.beatsPerBar << "/" << s.timing.beatUnit << ", "
         << clockText(static_cast<double>(s.lengthFrames) / s.sampleRate) << ")\n";
}

void SetPlayer::withdraw() {
    if (cued_ < 0) return;
    if (engine_.withdrawCue() == nullptr) taken_ = cued_; // the audio thread has it: songChanged follows
    cued_ = -1;
}

void SetPlayer::cueFollowing() {
    Loaded* next = nullptr;
    int index = current_ + 1;
    for (; index < static_cast<int>(songs_.size()); ++index)
        if ((next = load(index)) != nullptr) break;
    const bool runOn = atEndOf(current_) == AtEnd::runOn;
    if (next != nullptr && cued_ == index && cuedRunOn_ == runOn) return;
    withdraw();
    if (next == nullptr) return;
    engine_.cueNextSong(&next->view, runOn);
    cued_ = index;
    cuedRunOn_ = runOn;
}

void SetPlayer::changeTo(int index, bool playIt) {
    if (changing_ >= 0 || taken_ >= 0) { // one change at a time; this one follows
        wanted_ = index;
        wantedPlay_ = playIt;
        return;
    }
    Loaded* l = load(index);
    if (l == nullptr || index == current_) return;
    withdraw();
    engine_.cueNextSong(&l->view, false);
    cued_ = index;
    cuedRunOn_ = false;
    changing_ = index;
    sender_.send(command(Op::loadCued, -1, playIt ? 1.0f : 0.0f));
    wakeStreamers();
}

void SetPlayer::togglePlay() {
    if (engine_.rolling())
        stop();
    else
        play();
}

void SetPlayer::play() {
    finished_ = false;
    sender_.send(command(Op::play));
    wakeStreamers();
}

void SetPlayer::stop() {
    sender_.send(command(Op::stop));
}

void SetPlayer::quit() {
    quitting_ = true;
    if (engine_.rolling())
        stop();
    else
        finished_ = true;
}

void SetPlayer::nextSong() {
    const int from = wanted_.value_or(changing_ >= 0 ? changing_ : current_);
    for (int i = from + 1; i < static_cast<int>(songs_.size()); ++i)
        if (load(i) != nullptr) return changeTo(i, engine_.rolling());
}

void SetPlayer::previousSong() {
    const int from = wanted_.value_or(changing_ >= 0 ? changing_ : current_);
    for (int i = from - 1; i >= 0; --i)
        if (load(i) != nullptr) return changeTo(i, engine_.rolling());
}

void SetPlayer::goToSong(int index) {
    if (index < 0 || index >= static_cast<int>(songs_.size())) {
        log_ << "there is no song " << index + 1 << "; the set has " << songs_.size() << "\n";
        return;
    }
    changeTo(index, engine_.rolling());
}

void SetPlayer::seekBars(int bars) {
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const std::int64_t pos = std::max<std::int64_t>(0, engine_.songFrame());
    // The bar line at or before the play head, counting one just passed (within half a beat) as
    // not yet reached, so ← pressed on a downbeat goes back a whole bar.
    const auto half = static_cast<std::int64_t>(engine::framesPerBeat(t, rate) / 2.0);
    std::int64_t k =
        static_cast<std::int64_t>(std::floor(static_cast<double>(pos - t.downbeatFrame) /
                                             (engine::framesPerBeat(t, rate) * static_cast<double>(t.beatsPerBar))));
    while (engine::gridFrame(t, rate, engine::Quantize::bar, k) > pos)
        --k;
    if (bars < 0 && pos - engine::gridFrame(t, rate, engine::Quantize::bar, k) < half) --k;
    if (bars < 0) ++bars; // the bar start itself is the first step back
    const std::int64_t target = std::clamp<std::int64_t>(engine::gridFrame(t, rate, engine::Quantize::bar, k + bars), 0,
                                                         std::max<std::int64_t>(0, engine_.songLength() - 1));
    seekTo(target);
}

void SetPlayer::seekTo(std::int64_t songFrame, bool resumePoint) {
    Command c = command(Op::seek);
    c.target = songFrame;
    c.value = resumePoint ? 1.0f : 0.0f;
    sender_.send(c);
    wakeStreamers(); // the engine asks for the target within a block or two
}

AtEnd SetPlayer::atEndOf(int index) const {
    if (index < 0 || index >= static_cast<int>(songs_.size())) return options_.atEnd;
    return songs_[static_cast<std::size_t>(index)].atEnd.value_or(options_.atEnd);
}

void SetPlayer::jumpToMarker(int index) {
    const auto& markers = songs_[static_cast<std::size_t>(current_)].markers;
    if (index < 0 || index >= static_cast<int>(markers.size())) return;
    const set::Marker& m = markers[static_cast<std::size_t>(index)];
    Command c = command(Op::seek);
    c.target = engine::gridFrame(engine_.timing(), engine_.sampleRate(), engine::Quantize::bar, m.bar - 1);
    c.quantize = engine::Quantize::bar; // the jump happens on the next bar line
    sender_.send(c);
    wakeStreamers();
    log_ << "to marker '" << m.name << "' (bar " << m.bar << ") on the next bar\n";
}

std::string SetPlayer::sceneList() const {
    std::string out;
    if (current_ >= 0)
        for (const set::SceneDef& d : songs_[static_cast<std::size_t>(current_)].scenes)
            out += (out.empty() ? "" : ", ") + std::to_string(d.slot + 1) + " " + d.name;
    return out.empty() ? "it has no scenes (store one with w and a number)" : "its scenes are " + out;
}

void SetPlayer::goToMarker(int index) {
    if (current_ < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(current_)].markers;
    if (index < 0 || index >= static_cast<int>(markers.size())) {
        log_ << "this song has no marker " << index + 1 << " (it has " << markers.size() << ")\n";
        return;
    }
    jumpToMarker(index);
}

void SetPlayer::storeScene(int slot) {
    const auto it = loaded_.find(current_);
    if (it == loaded_.end() || slot < 0 || slot >= engine::kMaxScenes) return;
    Loaded& l = *it->second;
    set::SetSong& plan = songs_[static_cast<std::size_t>(current_)];
    set::SceneDef scene;
    const set::SceneDef* old = plan.sceneAt(slot);
    scene.name = old != nullptr ? old->name : "Scene " + std::to_string(slot + 1);
    scene.slot = slot;
    scene.stored = true;
    engine::Scene& view = l.view.scenes[static_cast<std::size_t>(slot)];
    view = engine::Scene{};
    for (int i = 0; i < engine_.stemCount(); ++i) {
        const engine::StemStatus& st = engine_.stem(i);
        const auto si = static_cast<std::size_t>(i);
        set::StemStart s;
        s.stem = si < l.song.stemNames.size() ? l.song.stemNames[si] : std::to_string(i + 1);
        s.muted = st.muted.load(std::memory_order_relaxed);
        s.soloed = st.soloed.load(std::memory_order_relaxed);
        s.gain = st.gain.load(std::memory_order_relaxed);
        s.filter = st.filter.load(std::memory_order_relaxed);
        if (s.muted) view.muted |= 1u << si;
        if (s.soloed) view.soloed |= 1u << si;
        view.gain[si] = *s.gain;
        view.filter[si] = *s.filter;
        // The engine's copy of the song, stem by stem, in order from this one sender.
        Command c = command(Op::defineScene, i, *s.gain);
        c.value2 = *s.filter;
        c.flags =
            static_cast<std::uint8_t>((s.muted ? engine::kSceneMuted : 0) | (s.soloed ? engine::kSceneSoloed : 0));
        c.target = slot;
        sender_.send(c);
        scene.stems.push_back(std::move(s));
    }
    l.view.scenesDefined |= 1u << slot; // and the next time this song loads
    std::erase_if(plan.scenes, [&](const set::SceneDef& d) { return d.slot == slot; });
    plan.scenes.push_back(scene);
    std::sort(plan.scenes.begin(), plan.scenes.end(),
              [](const set::SceneDef& a, const set::SceneDef& b) { return a.slot < b.slot; });
    log_ << "scene " << slot + 1 << " '" << scene.name << "' stored";
    if (options_.setFile.empty()) {
        log_ << " for this show (scenes are saved beside a set file)\n";
        return;
    }
    try { // the set as it is on disk, with every stored scene, this one in its place
        set::SetFile file = set::loadSetFile(options_.setFile);
        (void)set::loadStoredScenes(file);
        for (set::SetSong& song : file.songs)
            if (song.source == plan.source) {
                std::erase_if(song.scenes, [&](const set::SceneDef& d) { return d.slot == slot; });
                song.scenes.push_back(scene);
            }
        set::saveStoredScenes(file.songs, options_.setFile);
        log_ << " in " << set::storedScenesFile(options_.setFile).string() << "\n";
    } catch (const Error& e) {
        log_ << " for this show, but not saved: " << e.what() << "\n";
    }
}

void SetPlayer::perform(const ActionCall& call) {
    switch (call.action) {
    case Action::togglePlay: togglePlay(); break;
    case Action::toStart: seekTo(0); break;
    case Action::barBack: seekBars(-1); break;
    case Action::barForward: seekBars(1); break;
    case Action::cycleClick: cycleClick(); break;
    case Action::vamp: toggleVamp(); break;
    case Action::nextSong: nextSong(); break;
    case Action::previousSong: previousSong(); break;
    case Action::goToSong: goToSong(static_cast<int>(call.value)); break;
    case Action::nextMarker: nextMarker(); break;
    case Action::previousMarker: previousMarker(); break;
    case Action::marker: goToMarker(static_cast<int>(call.value)); break;
    case Action::storeScene: storeScene(static_cast<int>(call.value)); break;
    case Action::quit: quit(); break;
    case Action::tempo: setTempo(set::TempoSetting{call.from, call.to > 0.5}); break;
    case Action::tempoUp: nudgeTempo(1); break;
    case Action::tempoDown: nudgeTempo(-1); break;
    case Action::transpose: setTranspose(call.value); break;
    case Action::transposeUp: nudgeTranspose(1); break;
    case Action::transposeDown: nudgeTranspose(-1); break;
    case Action::loopA: setLoopA(); break;
    case Action::loopB: setLoopB(); break;
    case Action::practiceLoop: loopBars(static_cast<int>(call.from), static_cast<int>(call.to)); break;
    case Action::loopCountIn: toggleLoopCountIn(); break;
    default: break; // engine actions go to the engine through the router; session actions are the Show's
    }
}

void SetPlayer::nextMarker() {
    if (current_ < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(current_)].markers;
    const engine::BarBeat here = engine::toBarBeat(engine_.timing(), engine_.sampleRate(), engine_.songFrame());
    for (std::size_t i = 0; i < markers.size(); ++i)
        if (markers[i].bar > here.bar) return jumpToMarker(static_cast<int>(i));
}

void SetPlayer::previousMarker() {
    if (current_ < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(current_)].markers;
    const engine::BarBeat here = engine::toBarBeat(engine_.timing(), engine_.sampleRate(), engine_.songFrame());
    for (std::size_t i = markers.size(); i-- > 0;)
        if (markers[i].bar < here.bar) return jumpToMarker(static_cast<int>(i));
}

void SetPlayer::toggleVamp() {
    if (current_ < 0) return;
    if (engine_.looping() || loopWaiting_) {
        sender_.send(command(Op::loopOff));
        if (loopB_ >= 0) {
            log_ << "A-B loop released: the song plays on at the end of this pass (A stays at bar "
                 << engine::toBarBeat(engine_.timing(), engine_.sampleRate(), loopA_).bar << "; b loops again)\n";
            loopB_ = -1;
            loopWaiting_ = false;
        } else {
            log_ << "vamp released: the song plays on at the end of this pass\n";
        }
        return;
    }
    loopSectionAt(std::max<std::int64_t>(0, engine_.songFrame()));
}

void SetPlayer::loopSectionAt(std::int64_t here) {
    // The section holding `here`: from the marker at or before it to the next one (the song's
    // start and end where there is none). Marker sections are preloaded, so the loop is seamless.
    const auto& markers = songs_[static_cast<std::size_t>(current_)].markers;
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const std::int64_t bar = engine::toBarBeat(t, rate, here).bar;
    int first = 1;
    std::optional<int> next;
    std::string name = "the song's start";
    for (const set::Marker& m : markers) {
        if (m.bar <= bar) {
            first = m.bar;
            name = m.name;
        } else if (!next) {
            next = m.bar;
        }
    }
    const std::int64_t start = engine::gridFrame(t, rate, engine::Quantize::bar, first - 1);
    const std::int64_t end = next ? engine::gridFrame(t, rate, engine::Quantize::bar, *next - 1) : engine_.songLength();
    Command c = command(Op::loopOn);
    c.target = start;
    c.length = end - start;
    sender_.send(c);
    log_ << "vamp: looping from '" << name << "' (bar " << first << ") to "
         << (next ? "bar " + std::to_string(*next) : std::string("the end")) << " until released (v)\n";
}

void SetPlayer::toggleReference() {
    sender_.send(command(Op::toggleReference));
}

void SetPlayer::cycleClick() {
    const auto next = static_cast<engine::ClickMode>((static_cast<int>(engine_.clickMode()) + 1) % 3);
    sender_.send(command(Op::click, -1, static_cast<float>(next)));
}

void SetPlayer::poll() {
    engine::Event e;
    bool ended = false;
    while (engine_.nextEvent(e)) {
        switch (e.type) {
        case EventType::songChanged: {
            ended = false;
            current_ = e.song;
            clearLoop(); // A and B were the last song's
            if (changing_ == e.song) changing_ = -1;
            if (taken_ == e.song) taken_ = -1;
            if (cued_ == e.song) cued_ = -1; // a run-on: the engine took the cue itself
            announce();
            if (wanted_) {
                const int w = *wanted_;
                wanted_.reset();
                changeTo(w, wantedPlay_);
            }
            if (changing_ < 0) cueFollowing();
            stepRetime(); // a song set live and left before it got there
            break;
        }
        case EventType::songEnded:
            // A run-on cue is taken by the engine in the same block: its songChanged follows.
            if (!(cuedRunOn_ && cued_ >= 0)) ended = true;
            break;
        case EventType::transportStarted:
            if (!scriptZero_ && current_ == 0) scriptZero_ = e.frame - e.songFrame;
            if (!quitting_) finished_ = false; // played again (from any surface) after the set's end
            break;
        case EventType::transportStopped:
            if (quitting_) finished_ = true;
            break;
        case EventType::underrun: ++underruns_; break;
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
                changing_ = -1;
                stepRetime(); // a step that waited for the change goes on
            }
            if (e.action == static_cast<std::uint8_t>(Op::toggleReference) ||
                e.action == static_cast<std::uint8_t>(Op::referenceOn))
                log_ << "this song has no reference mix (00_MIX_REFERENCE) to A/B against\n";
            if (e.action == static_cast<std::uint8_t>(Op::scene))
                log_ << "this song has no such scene; " << sceneList() << "\n";
            break;
        case EventType::commandApplied:
            if (e.action == static_cast<std::uint8_t>(Op::retime)) retimeApplied(e.songFrame);
            break;
        }
    }
    if (ended && changing_ < 0) { // the song ended and the engine did not run on
        int next = current_ + 1;
        while (next < static_cast<int>(songs_.size()) && load(next) == nullptr)
            ++next;
        if (quitting_ || next >= static_cast<int>(songs_.size())) {
            finished_ = true;
        } else {
            changeTo(next, atEndOf(current_) != AtEnd::stop);
        }
    }
    takeRetimeLoad();
    if (auto it = loaded_.find(current_); it != loaded_.end())
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
    if (const auto it = loaded_.find(current_); it != loaded_.end()) return it->second->song.stretch;
    return {};
}

void SetPlayer::freeUnused() {
    for (auto it = loaded_.begin(); it != loaded_.end();) {
        const int id = it->first;
        if (id == current_ || id == cued_ || id == changing_ || id == taken_)
            ++it;
        else
            it = loaded_.erase(it); // the engine holds no pointer into it (see withdraw())
    }
}

PlayerStatus SetPlayer::status() const {
    PlayerStatus s;
    s.song = current_ + 1;
    s.songs = static_cast<int>(songs_.size());
    s.rolling = engine_.rolling();
    const double rate = engine_.sampleRate();
    const std::int64_t frame = engine_.songFrame();
    s.seconds = static_cast<double>(frame) / rate;
    s.lengthSeconds = static_cast<double>(engine_.songLength()) / rate;
    s.barBeat = engine::toBarBeat(engine_.timing(), rate, frame);
    s.bpm = engine_.timing().bpm;
    s.click = engine_.clickMode();
    s.reference = engine_.referenceOn();
    s.vamp = engine_.looping();
    if (loopA_ >= 0) {
        s.practiceLoop = loopB_ < 0 ? "A bar " + std::to_string(engine::toBarBeat(engine_.timing(), rate, loopA_).bar)
                                    : "A-B " + loopText() + (loopWaiting_ ? " (on its way)" : "");
        if (loopCountIn_ > 0) s.practiceLoop += ", " + std::to_string(loopCountIn_) + "-bar count-in";
        s.loopA = static_cast<double>(loopA_) / rate;
        if (loopB_ >= 0) s.loopB = static_cast<double>(loopB_) / rate;
    } else if (loopCountIn_ > 0) {
        s.practiceLoop = "A-B count-in " + std::to_string(loopCountIn_) + " bar";
    }
    s.mainPeak = engine_.mainPeak();
    s.scene = engine_.lastScene();
    s.sceneWaiting = engine_.pendingScene();
    s.underruns = underruns_;
    s.dropped = engine_.droppedCommands();
    const auto it = loaded_.find(current_);
    if (it != loaded_.end()) {
        const Loaded& l = *it->second;
        s.title = l.song.title;
        s.stretch = l.song.stretch.describe();
        if (const auto live = liveStretch_.find(current_);
            live != liveStretch_.end() &&
            (live->second.tempo != l.song.stretch.tempo || live->second.semitones != l.song.stretch.semitones))
            s.stretch = (s.stretch.empty() ? "as recorded" : s.stretch) + " -> " +
                        (live->second.unity() ? std::string("as recorded") : live->second.describe());
        for (int i = 0; i < engine_.stemCount(); ++i) {
            const engine::StemStatus& st = engine_.stem(i);
            StemLine line;
            const auto si = static_cast<std::size_t>(i);
            line.name = si < l.song.stemNames.size() ? l.song.stemNames[si] : "?";
            line.broken = si < l.song.sources.size() && !l.song.sources[si];
            line.muted = st.muted.load(std::memory_order_relaxed);
            line.soloed = st.soloed.load(std::memory_order_relaxed);
            line.pending =
                (st.pending.load(std::memory_order_relaxed) & (engine::kPendingMute | engine::kPendingSolo)) != 0;
            line.gain = st.gain.load(std::memory_order_relaxed);
            line.filter = st.filter.load(std::memory_order_relaxed);
            line.peak = st.peak.load(std::memory_order_relaxed);
            line.bus = l.view.directBus[si];
            if (si < l.song.folder.stems.size()) line.color = l.song.folder.stems[si].color;
            s.stems.push_back(line);
        }
        s.scenes = songs_[static_cast<std::size_t>(current_)].sceneNames();
        for (const set::Marker& m : songs_[static_cast<std::size_t>(current_)].markers)
            s.markers.emplace_back(m.name, static_cast<double>(engine::gridFrame(l.song.timing, l.song.sampleRate,
                                                                                 engine::Quantize::bar, m.bar - 1)) /
                                               l.song.sampleRate);
    }
    if (current_ + 1 < static_cast<int>(songs_.size())) {
        const set::SetSong& next = songs_[static_cast<std::size_t>(current_ + 1)];
        s.nextTitle = next.title ? *next.title : next.source.filename().string();
    }
    return s;
}

bool SetPlayer::waitForDisk(int frames, double timeoutSeconds) const {
    const auto it = loaded_.find(current_);
    if (it == loaded_.end() || !engine_.rolling()) return true;
    const std::int64_t at = std::max<std::int64_t>(0, engine_.readFrame());
    bool ok = true;
    for (const auto& s : it->second->song.sources)
        if (s) ok = s->waitUntilReadable(at, frames, timeoutSeconds) && ok;
    if (const auto& r = it->second->song.reference) ok = r->waitUntilReadable(at, frames, timeoutSeconds) && ok;
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Tempo and key, live

formats::Stretch SetPlayer::stretchNow() const {
    if (const auto live = liveStretch_.find(current_); live != liveStretch_.end()) return live->second;
    if (const auto it = loaded_.find(current_); it != loaded_.end()) return it->second->song.stretch;
    return {};
}

void SetPlayer::setTempo(const set::TempoSetting& tempo) {
    const auto it = loaded_.find(current_);
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
    const auto it = loaded_.find(current_);
    if (it == loaded_.end()) return;
    formats::Stretch want = it->second->song.stretch;
    want.tempo = std::round(tempo * 10000.0) / 10000.0; // (a nudge from 95% lands on 1.0 exactly: unity)
    want.semitones = std::round(semitones * 100.0) / 100.0;
    liveStretch_[current_] = want;
    const control::Song& song = it->second->song;
    char text[160];
    std::snprintf(text, sizeof text, "song %d: %s (%.4g BPM)%s\n", current_ + 1,
                  want.unity() ? "tempo and key as recorded" : want.describe().c_str(), song.ownBpm * want.tempo,
                  want.tempo != song.stretch.tempo ? ", from the next beat" : "");
    log_ << text;
    retimeDrops_ = 0;
    stepRetime();
}

void SetPlayer::stepRetime() {
    if (retimeNext_ || retimeOld_ || retimeLoad_ || current_ < 0 || changing_ >= 0 || taken_ >= 0)
        return;                         // one at a time
    if (quitting_ || finished_) return; // the show is ending: nothing more to load
    const auto it = loaded_.find(current_);
    if (it == loaded_.end()) return;
    const formats::Stretch& now = it->second->song.stretch;
    const auto live = liveStretch_.find(current_);
    if (live == liveStretch_.end() ||
        (now.tempo == live->second.tempo && now.semitones == live->second.semitones)) { // there
        // The loop's A not yet in RAM: the song once more as it plays, A held.
        if (loopA_ < 0 || heldInRam(loopA_)) return;
        if (loopReloads_ < 2) {
            ++loopReloads_;
            requestRetime(now, RetimeLoad::Why::holdA);
            return;
        }
        if (loopWaiting_) { // it loops anyway: a jump back may wait for the disk
            log_ << "warning: A could not be held in RAM; the loop's jumps back may wait for the disk\n";
            engageLoop();
        }
        return;
    }
    const formats::Stretch& target = live->second;
    formats::Stretch step = now;
    step.semitones = target.semitones; // a key changes at once (a glide in pitch is a siren)
    step.tempo = now.tempo + std::clamp(target.tempo - now.tempo, -kTempoGlideStep, kTempoGlideStep);
    if (std::fabs(step.tempo - target.tempo) < 1e-6) step.tempo = target.tempo;
    requestRetime(step, RetimeLoad::Why::step);
}

void SetPlayer::requestRetime(const formats::Stretch& step, RetimeLoad::Why why, int attempt) {
    const Loaded& cur = *loaded_.at(current_);
    const set::SetSong& plan = songs_[static_cast<std::size_t>(current_)];
    const int rate = cur.song.sampleRate;
    RetimeLoad r;
    r.song = current_;
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
    for (const std::int64_t loop : {engine_.loopStart(), loopA_}) {
        if (loop < 0) continue;
        const std::int64_t at = engine::retimedFrame(r.from, r.to, rate, loop);
        job.cues.push_back(
            std::max<std::int64_t>(1, at - static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * rate) - 1));
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
    if (loopWaiting_) {
        loopReloads_ = 2; // (no more reloads for A: it loops from the disk)
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
    const auto it = loaded_.find(current_);
    if (r.song != current_ || it == loaded_.end() || it->second.get() != r.base || changing_ >= 0 || taken_ >= 0 ||
        quitting_) { // moved on meanwhile (to another song, or away and back: loaded again)
        stepRetime();
        return;
    }
    if (!result->song) {
        if (r.why == RetimeLoad::Why::step) {
            log_ << "tempo and key not changed: " << result->error << "\n";
            liveStretch_.erase(current_);
        } else {
            log_ << "warning: the A-B loop's A could not be loaded into RAM: " << result->error << "\n";
        }
        stepRetime(); // (A: tried again, or looped from the disk)
        return;
    }
    prepSeconds_ = result->seconds;
    const Loaded& cur = *it->second;
    const int rate = cur.song.sampleRate;
    // The play head moved otherwise than by playing while it loaded (a jump, a loop's pass, a stop,
    // play pressed): the head is in the wrong place. Again from where it is now, a few times (a
    // loop shorter than a load would send it round for ever).
    const std::int64_t pos = std::max<std::int64_t>(0, engine_.songFrame());
    const auto played = static_cast<std::int64_t>((result->seconds + 0.5) * rate * 1.5);
    if (engine_.rolling() != r.rolling || (!r.rolling && pos != r.askedAt) ||
        (r.rolling && (pos < r.askedAt - rate / 10 || pos > r.askedAt + played))) {
        if (++retimeMoves_ <= 3) {
            stepRetime(); // (from the stretch it plays at now, towards the target)
        } else {
            retimeMoves_ = 0;
            giveUpRetime(current_, " (the play head kept jumping)");
        }
        return;
    }
    retimeMoves_ = 0;
    auto next = std::make_unique<Loaded>();
    next->song = std::move(*result->song);
    next->held = r.held;
    // The same song, state and all, on the new stems and grid.
    next->view = cur.view;
    const engine::SongView fresh = next->song.view();
    next->view.stems = fresh.stems;
    next->view.reference = fresh.reference;
    next->view.lengthFrames = fresh.lengthFrames;
    next->view.timing = fresh.timing;
    next->song.title = cur.song.title;
    Command c = command(Op::retime);
    c.target = 0; // (stopped: at once)
    // Reloaded as it plays, at its own tempo and key: the files' very samples, nothing to crossfade.
    c.value = r.step.unity() && cur.song.stretch.unity() ? 1.0f : 0.0f;
    if (engine_.rolling()) {
        // The first beat line from now (and a tick's margin) that lands in the new head, early
        // enough in it that a second of it is left for the ring to take over.
        const std::int64_t headEnd = r.headAt + static_cast<std::int64_t>((r.headSeconds - 0.5) * rate);
        std::int64_t line = engine::nextGridFrame(r.from, rate, engine::Quantize::beat,
                                                  std::max<std::int64_t>(0, engine_.songFrame()) + rate / 16);
        while (engine::retimedFrame(r.from, r.to, rate, line) < r.headAt)
            line = engine::nextGridFrame(r.from, rate, engine::Quantize::beat, line + 1);
        if (engine::retimedFrame(r.from, r.to, rate, line) > headEnd) {
            // The load took longer than its lead: again, with the longer lead it measured.
            log_ << "(the tempo change took " << prepSeconds_ << " s to prepare; "
                 << (r.attempt < 2 ? "once more)\n" : "given up)\n");
            if (r.attempt < 2)
                requestRetime(r.step, r.why, r.attempt + 1);
            else if (r.why == RetimeLoad::Why::step)
                liveStretch_.erase(current_);
            else
                stepRetime();
            return;
        }
        c.target = line;
    }
    retimeSong_ = current_;
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
    for (std::int64_t* f : {&loopA_, &loopB_})
        if (*f >= 0) *f = engine::retimedFrame(was, song.timing, song.sampleRate, *f);
    const bool same = song.stretch.tempo == retimeOld_->song.stretch.tempo &&
                      song.stretch.semitones == retimeOld_->song.stretch.semitones;
    if (loopWaiting_ && heldInRam(loopA_)) engageLoop();
    if (same) return; // a reload to hold A: nothing new to say
    const engine::BarBeat at = engine::toBarBeat(song.timing, song.sampleRate, songFrame);
    char text[160];
    std::snprintf(text, sizeof text, "song %d now at %s (%.4g BPM), from bar %lld beat %d\n", retimeSong_ + 1,
                  song.stretch.unity() ? "its own tempo and key" : song.stretch.describe().c_str(), song.timing.bpm,
                  static_cast<long long>(at.bar), at.beat);
    log_ << text;
}

// ---------------------------------------------------------------------------------------------
// The A-B practice loop

bool SetPlayer::heldInRam(std::int64_t frame) const {
    const auto it = loaded_.find(current_);
    if (it == loaded_.end()) return false;
    return std::any_of(it->second->held.begin(), it->second->held.end(),
                       [&](std::int64_t h) { return std::llabs(h - frame) <= 2; });
}

std::pair<int, int> SetPlayer::loopBarNumbers() const {
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const int first = loopA_ < 0 ? 0 : static_cast<int>(engine::toBarBeat(t, rate, loopA_).bar);
    const int last =
        loopB_ < 0 ? 0 : static_cast<int>(engine::toBarBeat(t, rate, loopB_).bar - 1); // B: the next bar's line
    return {first, last};
}

std::string SetPlayer::loopText() const {
    const auto [first, last] = loopBarNumbers();
    return first == last ? "bar " + std::to_string(first)
                         : "bars " + std::to_string(first) + "-" + std::to_string(last);
}

void SetPlayer::clearLoop() {
    loopA_ = loopB_ = -1;
    loopWaiting_ = false;
    loopReloads_ = 0;
}

void SetPlayer::setLoopA() {
    if (current_ < 0) return;
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const std::int64_t here = std::max<std::int64_t>(0, engine_.songFrame());
    const std::int64_t bar = engine::toBarBeat(t, rate, here).bar; // (in a count-in: bar 1)
    if (loopB_ >= 0 && (engine_.looping() || loopWaiting_)) sender_.send(command(Op::loopOff)); // a new range
    clearLoop();
    loopA_ = std::max<std::int64_t>(
        0, engine::gridFrame(t, rate, engine::Quantize::bar, std::max<std::int64_t>(1, bar) - 1));
    log_ << "A-B loop: A at bar " << engine::toBarBeat(t, rate, loopA_).bar << " ("
         << clockText(static_cast<double>(loopA_) / rate) << "); press b in the passage's last bar\n";
    stepRetime(); // held in RAM from now (unless it is already)
}

void SetPlayer::setLoopB() {
    if (current_ < 0) return;
    if (loopA_ < 0) {
        log_ << "A-B loop: press a at the start of the passage first\n";
        return;
    }
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const std::int64_t here = std::max<std::int64_t>(0, engine_.songFrame());
    if (here < loopA_) {
        log_ << "A-B loop: B must come after A (bar " << engine::toBarBeat(t, rate, loopA_).bar
             << "); play on past A, or press a again\n";
        return;
    }
    // The bar line ending the bar the play head is in, far enough ahead for the loop to arrive
    // first (a tenth of a second), at least a bar after A; never past the song's end. Pressed on
    // the downbeat after the passage instead (within half a beat of the line just passed), B is
    // that line, and the play head goes back to A at once (engageLoop).
    const std::int64_t atLeast =
        engine::gridFrame(t, rate, engine::Quantize::bar, engine::toBarBeat(t, rate, loopA_).bar);
    const std::int64_t behind =
        engine::gridFrame(t, rate, engine::Quantize::bar, engine::toBarBeat(t, rate, here).bar - 1);
    std::int64_t b = engine::nextGridFrame(t, rate, engine::Quantize::bar, here + static_cast<std::int64_t>(rate / 10));
    if (static_cast<double>(here - behind) < engine::framesPerBeat(t, rate) / 2 && behind >= atLeast) b = behind;
    b = std::max(b, atLeast);
    loopB_ = std::min(b, engine_.songLength());
    startLoop();
}

void SetPlayer::loopBars(int first, int last) {
    if (current_ < 0) return;
    const engine::SongTiming& t = engine_.timing();
    const double rate = engine_.sampleRate();
    const std::int64_t a = engine::gridFrame(t, rate, engine::Quantize::bar, first - 1);
    const std::int64_t b = std::min(engine::gridFrame(t, rate, engine::Quantize::bar, last), engine_.songLength());
    if (first < 1 || last < first || a >= engine_.songLength()) {
        const std::int64_t bars = engine::toBarBeat(t, rate, std::max<std::int64_t>(0, engine_.songLength() - 1)).bar;
        log_ << "A-B loop: bars " << first << "-" << last << " are not in this song (bars 1-" << bars
             << "); write FIRST-LAST, such as 17-24\n";
        return;
    }
    if (engine_.looping() || loopWaiting_) sender_.send(command(Op::loopOff));
    clearLoop();
    loopA_ = a;
    loopB_ = b;
    const std::int64_t here = engine_.songFrame();
    startLoop();
    const auto margin = static_cast<std::int64_t>(rate / 10);
    if (here < loopA_ - margin || here >= loopB_) seekTo(loopA_, loopCountIn_ > 0); // practise it now
}

void SetPlayer::startLoop() {
    loopWaiting_ = true;
    if (heldInRam(loopA_)) {
        engageLoop();
    } else {
        log_ << "A-B loop: " << loopText() << ", looping as soon as A is held in RAM\n";
        stepRetime();
    }
}

void SetPlayer::sendLoop() {
    Command c = command(Op::loopOn);
    c.target = loopA_;
    c.length = loopB_ - loopA_;
    c.value = static_cast<float>(loopCountIn_);
    sender_.send(c);
}

void SetPlayer::engageLoop() {
    loopWaiting_ = false;
    sendLoop();
    log_ << "A-B loop: " << loopText()
         << (loopCountIn_ > 0 ? ", a " + std::to_string(loopCountIn_) + "-bar count-in before each pass"
                              : std::string())
         << "; v lets it go\n";
    // A slow load let the play head past B meanwhile: back to A now.
    if (engine_.rolling() && engine_.songFrame() >= loopB_) seekTo(loopA_);
}

void SetPlayer::toggleLoopCountIn() {
    if (loopCountIn_ > 0) {
        loopCountIn_ = 0;
    } else {
        const auto it = loaded_.find(current_);
        loopCountIn_ = std::max(1, it != loaded_.end() ? it->second->view.countInBars : options_.countInBars);
    }
    log_ << "A-B loop: "
         << (loopCountIn_ > 0 ? "a " + std::to_string(loopCountIn_) + "-bar count-in before each pass"
                              : std::string("no count-in between passes"))
         << "\n";
    if (loopB_ >= 0 && !loopWaiting_ && engine_.looping())
        sendLoop(); // the loop running: it counts in (or not) from its next pass
}

} // namespace stemdeck::control
