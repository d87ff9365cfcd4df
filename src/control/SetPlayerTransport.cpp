// Transport, markers and the vamp: play and stop, seeks by bar, jumps to markers on the next bar line,
// a marker section looped until released.
#include <algorithm>
#include <cmath>
#include <ostream>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

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

void SetPlayer::jumpToMarker(int index) {
    const auto& markers = songs_[static_cast<std::size_t>(change_.current())].markers;
    if (index < 0 || index >= static_cast<int>(markers.size())) return;
    const set::Marker& m = markers[static_cast<std::size_t>(index)];
    Command c = command(Op::seek);
    c.target = engine::gridFrame(engine_.timing(), engine_.sampleRate(), engine::Quantize::bar, m.bar - 1);
    c.quantize = engine::Quantize::bar; // the jump happens on the next bar line
    sender_.send(c);
    wakeStreamers();
    log_ << "to marker '" << m.name << "' (bar " << m.bar << ") on the next bar\n";
}

void SetPlayer::goToMarker(int index) {
    if (change_.current() < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(change_.current())].markers;
    if (index < 0 || index >= static_cast<int>(markers.size())) {
        log_ << "this song has no marker " << index + 1 << " (it has " << markers.size() << ")\n";
        return;
    }
    jumpToMarker(index);
}

void SetPlayer::nextMarker() {
    if (change_.current() < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(change_.current())].markers;
    const engine::BarBeat here = engine::toBarBeat(engine_.timing(), engine_.sampleRate(), engine_.songFrame());
    for (std::size_t i = 0; i < markers.size(); ++i)
        if (markers[i].bar > here.bar) return jumpToMarker(static_cast<int>(i));
}

void SetPlayer::previousMarker() {
    if (change_.current() < 0) return;
    const auto& markers = songs_[static_cast<std::size_t>(change_.current())].markers;
    const engine::BarBeat here = engine::toBarBeat(engine_.timing(), engine_.sampleRate(), engine_.songFrame());
    for (std::size_t i = markers.size(); i-- > 0;)
        if (markers[i].bar < here.bar) return jumpToMarker(static_cast<int>(i));
}

void SetPlayer::toggleVamp() {
    if (change_.current() < 0) return;
    if (engine_.looping() || loop_.waiting()) {
        sender_.send(command(Op::loopOff));
        if (loop_.hasB()) {
            log_ << "A-B loop released: the song plays on at the end of this pass (A stays at bar "
                 << loop_.barNumbers(grid()).first << "; b loops again)\n";
            loop_.releaseB();
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
    const auto& markers = songs_[static_cast<std::size_t>(change_.current())].markers;
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
    case Action::playNext: playNext(static_cast<int>(call.value)); break;
    case Action::moveSong: moveSong(static_cast<int>(call.value), static_cast<int>(call.to) - 1); break;
    case Action::addSong: addSong(static_cast<int>(call.value), static_cast<int>(call.to) - 1); break;
    case Action::skipSong: skipSong(static_cast<int>(call.value), true); break;
    case Action::unskipSong: skipSong(static_cast<int>(call.value), false); break;
    case Action::toggleSkip: toggleSkip(static_cast<int>(call.value)); break;
    case Action::togglePlayed: togglePlayed(static_cast<int>(call.value)); break;
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
    case Action::lyricsTap: tapLyric(); break;
    default: break; // engine actions go to the engine through the router; session actions are the Show's
    }
}

} // namespace stemdeck::control
