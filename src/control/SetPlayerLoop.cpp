// The A-B practice loop as the set player runs it: PracticeLoop says where A and B are; this sends
// the engine's loop once A is held in RAM (holdLoopA, LiveStretch.cpp) and says what it did.
#include <algorithm>

#include <ostream>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

PracticeLoop::Grid SetPlayer::grid() const {
    return {engine_.timing(), engine_.sampleRate(), engine_.songLength()};
}

void SetPlayer::setLoopA() {
    if (change_.current() < 0) return;
    const PracticeLoop::Grid g = grid();
    if (loop_.hasB() && (engine_.looping() || loop_.waiting())) sender_.send(command(Op::loopOff)); // a new range
    loop_.setA(g, std::max<std::int64_t>(0, engine_.songFrame()));
    log_ << "A-B loop: A at bar " << loop_.barNumbers(g).first << " ("
         << clockText(static_cast<double>(loop_.a()) / g.rate) << "); press b in the passage's last bar\n";
    stepRetime(); // held in RAM from now (unless it is already)
}

void SetPlayer::setLoopB() {
    if (change_.current() < 0) return;
    if (!loop_.hasA()) {
        log_ << "A-B loop: press a at the start of the passage first\n";
        return;
    }
    const PracticeLoop::Grid g = grid();
    if (!loop_.setB(g, std::max<std::int64_t>(0, engine_.songFrame()))) {
        log_ << "A-B loop: B must come after A (bar " << loop_.barNumbers(g).first
             << "); play on past A, or press a again\n";
        return;
    }
    startLoop();
}

void SetPlayer::loopBars(int first, int last) {
    if (change_.current() < 0) return;
    const PracticeLoop::Grid g = grid();
    const bool running = engine_.looping() || loop_.waiting();
    if (!loop_.setBars(g, first, last)) {
        log_ << "A-B loop: bars " << first << "-" << last << " are not in this song (bars 1-"
             << PracticeLoop::lastBar(g) << "); write FIRST-LAST, such as 17-24\n";
        return;
    }
    if (running) sender_.send(command(Op::loopOff));
    const std::int64_t here = engine_.songFrame();
    startLoop();
    const auto margin = static_cast<std::int64_t>(g.rate / 10);
    if (here < loop_.a() - margin || here >= loop_.b()) seekTo(loop_.a(), loop_.countIn() > 0); // practise it now
}

void SetPlayer::startLoop() {
    loop_.setWaiting(true);
    if (heldInRam(loop_.a())) {
        engageLoop();
    } else {
        log_ << "A-B loop: " << loop_.rangeText(grid()) << ", looping as soon as A is held in RAM\n";
        stepRetime();
    }
}

void SetPlayer::sendLoop() {
    Command c = command(Op::loopOn);
    c.target = loop_.a();
    c.length = loop_.b() - loop_.a();
    c.value = static_cast<float>(loop_.countIn());
    sender_.send(c);
}

void SetPlayer::engageLoop() {
    loop_.setWaiting(false);
    sendLoop();
    log_ << "A-B loop: " << loop_.rangeText(grid())
         << (loop_.countIn() > 0 ? ", a " + std::to_string(loop_.countIn()) + "-bar count-in before each pass"
                                 : std::string())
         << "; v lets it go\n";
    // A slow load let the play head past B meanwhile: back to A now.
    if (engine_.rolling() && engine_.songFrame() >= loop_.b()) seekTo(loop_.a());
}

void SetPlayer::toggleLoopCountIn() {
    if (loop_.countIn() > 0) {
        loop_.setCountIn(0);
    } else {
        const auto it = loaded_.find(change_.current());
        loop_.setCountIn(std::max(1, it != loaded_.end() ? it->second->view.countInBars : options_.countInBars));
    }
    log_ << "A-B loop: "
         << (loop_.countIn() > 0 ? "a " + std::to_string(loop_.countIn()) + "-bar count-in before each pass"
                                 : std::string("no count-in between passes"))
         << "\n";
    if (loop_.hasB() && !loop_.waiting() && engine_.looping())
        sendLoop(); // the loop running: it counts in (or not) from its next pass
}

} // namespace stemdeck::control
