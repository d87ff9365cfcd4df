#include "stemdeck/control/LinkSession.h"

#include <ableton/Link.hpp>

#include <cmath>
#include <cstdio>
#include <ostream>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/formats/StretchedReader.h"

namespace stemdeck::control {

namespace {

std::string bpmText(double bpm) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f BPM", bpm);
    return b;
}

} // namespace

std::string linkStatus(const ShowLink& link) {
    std::string s = "Link ";
    s += link.peers == 0 ? "no peers" : std::to_string(link.peers) + (link.peers == 1 ? " peer" : " peers");
    s += ", " + bpmText(link.tempo);
    char b[48];
    std::snprintf(b, sizeof b, ", beat %d of %g", static_cast<int>(std::floor(link.phase)) + 1, link.quantum);
    s += b;
    if (link.waiting) s += ", waiting for the Link bar";
    return s;
}

LinkSession::LinkSession(engine::Engine& engine, const engine::LinkOptions& options, double tempo, std::ostream& log)
    : engine_(engine), options_(options), log_(log), link_(std::make_unique<ableton::Link>(tempo)) {
    link_->enableStartStopSync(options.startStop);
    // The state found on joining is the session's, not a peer's press (Link's test plan: a
    // playing session does not start an app that joins it).
    const auto found = link_->captureAppSessionState();
    seenPlaying_ = found.isPlaying();
    seenAt_ = found.timeForIsPlaying();
    engine_.setLink(link_.get(), options);
    link_->enable(true);
}

LinkSession::~LinkSession() {
    link_->enable(false); // (the engine's audio has stopped: it reads the session no more)
}

std::string LinkSession::describe(const engine::LinkOptions& options) {
    std::string s = "Ableton Link: ";
    s += options.tempo == engine::LinkTempo::keep ? "stemdeck sets the tempo (its songs'; a peer's change is set back)"
                                                  : "stemdeck follows the session's tempo (its songs stretched)";
    s += options.startStop ? ", start/stop shared" : ", start/stop not shared";
    s += "; with peers a start waits for Link's bar";
    return s;
}

void LinkSession::tick(Router::Input& input, const ShowState& state) {
    commitRequests();
    const std::size_t peers = link_->numPeers();
    if (peers != peers_) {
        if (peers_ == 0) peersSince_ = link_->clock().micros();
        log_ << "Ableton Link: " << peers << (peers == 1 ? " peer" : " peers") << "\n";
        peers_ = peers;
    }
    if (options_.startStop) followStartStop(input, state);
    if (options_.tempo == engine::LinkTempo::follow) followTempo(input, state);
}

void LinkSession::commitRequests() {
    // What the audio thread asked for, each at the host time of the frame it is for: exact
    // however late this tick commits it.
    engine::LinkRequest r;
    while (engine_.link().takeRequest(r)) {
        auto s = link_->captureAppSessionState();
        const std::chrono::microseconds at(r.micros);
        if ((r.kinds & engine::LinkRequest::kTempo) != 0) s.setTempo(r.bpm, at);
        if ((r.kinds & engine::LinkRequest::kBeat) != 0) s.forceBeatAtTime(r.beat, at, r.quantum);
        if ((r.kinds & engine::LinkRequest::kPlaying) != 0 && s.isPlaying() != r.isPlaying) {
            s.setIsPlaying(r.isPlaying, at); // (not stamped again when it already is)
            saidPlaying_ = r.isPlaying;
            saidAt_ = at;
        }
        link_->commitAppSessionState(s);
    }
}

void LinkSession::followStartStop(Router::Input& input, const ShowState& state) {
    const auto s = link_->captureAppSessionState();
    const bool playing = s.isPlaying();
    const auto at = s.timeForIsPlaying();
    if (playing == seenPlaying_ && at == seenAt_) return;
    seenPlaying_ = playing;
    seenAt_ = at;
    // Not a press: ours coming back (the same state and time), or the state found on joining a
    // session (set before it had us, or seen before its peers are counted).
    if (peers_ == 0 || at < peersSince_ || (playing == saidPlaying_ && at == saidAt_)) return;
    // (A start waiting for Link's bar counts as playing: a peer's stop cancels it.)
    const bool ours = state.player.rolling || engine_.link().waitingForBar();
    if (playing == ours) return;
    ActionCall call;
    call.action = playing ? Action::play : Action::stop;
    log_ << "Ableton Link: a peer " << (playing ? "started: stemdeck plays (on Link's bar)" : "stopped: stemdeck stops")
         << "\n";
    input.send(call);
}

void LinkSession::followTempo(Router::Input& input, const ShowState& state) {
    const auto& p = state.player;
    if (peers_ == 0 || p.song <= 0 || state.clock.tempo <= 0.0) return; // (alone the session is ours)
    const double sessionTempo = link_->captureAppSessionState().tempo();
    const double want = sessionTempo * p.beatUnit / 4.0;    // in the song's beats
    const double own = state.clock.bpm / state.clock.tempo; // the song's own tempo
    if (p.song != askedSong_) { // another song: it starts at its own tempo, and follows from there
        askedSong_ = p.song;
        asked_ = 0.0;
    }
    if (std::fabs(want - asked_) < 1e-3 || std::fabs(want - state.clock.bpm) < 1e-3) return;
    const double share = want / own;
    if (share < formats::kMinTempo - 1e-9 || share > formats::kMaxTempo + 1e-9) {
        if (!refused_) // (once until a tempo it can play: a peer sweeping out of range says it once)
            log_ << "Ableton Link: the session's " << bpmText(sessionTempo) << " is " << std::lround(share * 100.0)
                 << "% of '" << p.title << "' (" << bpmText(own)
                 << "): stemdeck plays a song at 50% to 200% of its tempo, and stays at its own\n";
        refused_ = true;
        return;
    }
    refused_ = false;
    ActionCall call;
    call.action = Action::tempo;
    call.from = want;
    call.to = 1.0; // a BPM
    if (input.send(call)) {
        asked_ = want;
        log_ << "Ableton Link: following the session's " << bpmText(sessionTempo) << "\n";
    }
}

} // namespace stemdeck::control
