#include "stemdeck/control/Show.h"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "stemdeck/common/Clock.h"

namespace stemdeck::control {

Show::Show(engine::Engine& engine, std::vector<set::SetSong> songs, PlayerOptions options, std::ostream& log,
           ShowOptions showOptions, ShowHooks hooks)
    : engine_(engine), log_(log), showOptions_(std::move(showOptions)), hooks_(std::move(hooks)), router_(engine),
      player_(engine, songs, options, log) {
    lengths_.assign(songs.size(), -1.0);
    if (!options.script.empty()) script_.emplace(std::move(options.script), router_.makeInput(Surface::script));
}

Show::~Show() = default;

std::unique_ptr<Router::Input> Show::makeInput(Surface surface) {
    return router_.makeInput(surface);
}

void Show::start(const std::optional<ShowPoint>& resume, bool playOnResume) {
    player_.start(resume, playOnResume);
    publish();
}

void Show::perform(const Routed& r) {
    switch (r.call.action) {
    case Action::lock:
    case Action::unlock: setLocked(r.call.action == Action::lock); break;
    case Action::learn:
        if (hooks_.learn) hooks_.learn();
        break;
    case Action::quit: quit(); break;
    case Action::shutdown:
        if (!shutdownAsked_ && hooks_.shutdown) hooks_.shutdown();
        shutdownAsked_ = true;
        quit();
        break;
    default: player_.perform(r.call); break;
    }
}

void Show::drain() {
    router_.drain([this](const Routed& r) { perform(r); });
}

void Show::tick() {
    drain();
    player_.poll();
    if (script_) {
        const std::int64_t now = engine_.outputFrame();
        const auto lead = static_cast<std::int64_t>(ScriptFeed::kLeadSeconds * engine_.sampleRate());
        if (script_->feed(player_.scriptZero(), now, now + lead) > 0) {
            if (script_->movedSinceAsked()) player_.wakeStreamers();
            drain(); // what the script has just given the player, now
        }
    }
    tellRefused();
    publish();
}

void Show::finish() {
    player_.poll();
    publish(true);
}

void Show::setLocked(bool on) {
    const bool was = router_.locked();
    router_.setLocked(on);
    if (on == was && on == lockSaid_) return;
    lockSaid_ = on;
    log_ << (on ? "show locked: the keyboard and the mouse do nothing now (the controller still works); "
                  "type unlock to unlock"
                : "show unlocked")
         << "\n";
}

void Show::tellRefused() {
    const std::uint64_t refused = router_.refused() + refusedKeys_;
    if (refused == refusedSaid_) return;
    refusedSaid_ = refused; // said once per burst of presses, not per key
    const std::int64_t now = steadyNs();
    if (now > lockToldNs_ + 3'000'000'000) log_ << "show locked: type unlock to use the keyboard and the mouse\n";
    lockToldNs_ = now;
}

void Show::quit() {
    quitting_ = true;
    player_.quit();
}

void Show::setDevice(std::string description, std::uint64_t xruns, std::uint64_t reopens, bool playing) {
    device_.device = std::move(description);
    device_.xruns = xruns;
    device_.reopens = reopens;
    device_.devicePlaying = playing;
}

void Show::publish(bool final) {
    ShowState s;
    s.setName = showOptions_.setName;
    s.player = player_.status();
    s.player.locked = router_.locked();
    const int current = player_.currentSong();
    const std::vector<set::SetSong>& catalogue = player_.songs();
    const set::RunningOrder& order = player_.order();
    lengths_.resize(catalogue.size(), -1.0);
    const auto song = [&](int i) {
        const auto k = static_cast<std::size_t>(i);
        if (const std::optional<double> len = player_.songSeconds(i)) lengths_[k] = *len;
        const set::SetSong& c = catalogue[k];
        ShowSong out{i + 1, c.title ? *c.title : c.source.filename().string(), lengths_[k], player_.songBroken(i)};
        out.added = k >= player_.setSongs();
        return out;
    };
    for (const set::OrderEntry& e : order.entries()) {
        ShowSong sg = song(e.song);
        sg.skipped = e.skipped;
        sg.played = e.played;
        s.songs.push_back(std::move(sg));
    }
    for (const int i : order.notTonight())
        s.notTonight.push_back(song(i));
    s.cuedSong = player_.cuedSong() >= 0 ? order.placeOf(player_.cuedSong()) : -1;
    s.currentPlace = order.placeOf(current);
    ShowClock& c = s.clock;
    c.monotonicNs = steadyNs(); // CLOCK_MONOTONIC: the clock a remote's extrapolation is told about
    c.outputFrame = engine_.outputFrame();
    c.songFrame = engine_.songFrame();
    c.sampleRate = engine_.sampleRate();
    c.bpm = s.player.bpm;
    const formats::Stretch stretch = player_.playingStretch();
    c.tempo = stretch.tempo;
    c.transpose = stretch.semitones;
    c.rolling = s.player.rolling;
    c.remainingSong = std::max(0.0, s.player.lengthSeconds - std::max(0.0, s.player.seconds));
    c.remainingSet = c.remainingSong;
    c.remainingSetKnown = true;
    for (const int i : order.ahead(current)) { // what is left tonight: neither cut nor played
        const double len = lengths_[static_cast<std::size_t>(i)];
        if (player_.songBroken(i)) continue;
        if (len < 0)
            c.remainingSetKnown = false;
        else
            c.remainingSet += len;
    }
    s.health = device_;
    s.health.underruns = player_.underruns();
    s.health.dropped = engine_.droppedCommands();
    s.health.refused = router_.refused() + refusedKeys_;
    s.midiOut.said = showOptions_.midiOut;
    s.midiOut.clock = showOptions_.midiClock;
    s.midiOut.sent = engine_.midiOut().sent();
    s.midiOut.lost = engine_.midiOut().dropped() + midiDeviceLost_;
    s.timecode.said = showOptions_.timecode;
    if (const std::int64_t tc = engine_.timecode().frameNow(); tc != engine::TimecodeOut::kNone) { // (none: off)
        const TimecodeRate rate = engine_.timecode().options().rate;
        s.timecode.now = timecodeText(rate, timecodeLabel(rate, tc));
    }
    s.timecode.ltcMissed = engine_.timecode().ltcMisses();
    if (!showOptions_.link.empty()) {
        const engine::LinkSync& link = engine_.link();
        s.link.said = showOptions_.link;
        s.link.peers = link.peers();
        s.link.tempo = link.sessionTempo();
        s.link.phase = link.phase();
        s.link.quantum = link.quantum();
        s.link.waiting = link.waitingForBar();
        s.link.reasserts = link.reasserts();
        s.link.bridges = link.bridges();
        s.link.offsetMs = link.offsetMs();
    }
    s.locked = router_.locked();
    s.learning = learning_;
    s.finished = player_.finished();
    state_.publish(std::move(s));
    if (final) state_.flush();
}

} // namespace stemdeck::control
