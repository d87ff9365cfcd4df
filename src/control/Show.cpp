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
    for (const set::SetSong& s : songs)
        titles_.push_back(s.title ? *s.title : s.source.filename().string());
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
    for (std::size_t i = 0; i < titles_.size(); ++i) {
        if (const std::optional<double> len = player_.songSeconds(static_cast<int>(i))) lengths_[i] = *len;
        s.songs.push_back({static_cast<int>(i) + showOptions_.firstSongNumber, titles_[i], lengths_[i],
                           player_.songBroken(static_cast<int>(i))});
    }
    s.cuedSong = player_.cuedSong();
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
    for (std::size_t i = static_cast<std::size_t>(std::max(0, current + 1)); i < s.songs.size(); ++i) {
        if (s.songs[i].broken) continue;
        if (s.songs[i].lengthSeconds < 0)
            c.remainingSetKnown = false;
        else
            c.remainingSet += s.songs[i].lengthSeconds;
    }
    s.health = device_;
    s.health.underruns = player_.underruns();
    s.health.dropped = engine_.droppedCommands();
    s.health.refused = router_.refused() + refusedKeys_;
    s.locked = router_.locked();
    s.learning = learning_;
    s.finished = player_.finished();
    state_.publish(std::move(s));
    if (final) state_.flush();
}

} // namespace stemdeck::control
