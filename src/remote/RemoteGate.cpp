#include "stemdeck/remote/RemoteGate.h"

#include <algorithm>
#include <bit>

namespace stemdeck::remote {

std::string gateRefusalText(GateRefusal refusal) {
    switch (refusal) {
    case GateRefusal::none: return {};
    case GateRefusal::locked: return "the show is locked";
    case GateRefusal::busyQuantised:
        return "more quantised commands than the show's waiting list takes (8 a second): dropped";
    case GateRefusal::busyEngine: return "more than 1000 commands a second from the network: dropped";
    case GateRefusal::busyPlayer: return "more than 20 song, marker or tempo actions a second from the network: dropped";
    case GateRefusal::lost: return "the show's queue was full (said in the show's dropped count)";
    }
    return {};
}

RemoteGate::RemoteGate(control::Router& router, FrameClock clock, GateBudgets b)
    : router_(router), clock_(std::move(clock)),
      input_(router.makeInput(control::Surface::remote)), actions_(b.actionsPerSecond, b.actionsBurst),
      quantised_(b.quantisedPerSecond, b.quantisedBurst), player_(b.playerPerSecond, b.playerBurst) {}

GateRefusal RemoteGate::offer(control::ActionCall call, double now, bool obeyLock) {
    if (obeyLock && router_.locked() && call.action != control::Action::unlock) return GateRefusal::locked;
    const bool engineAction = control::info(call.action).runs == control::Runs::engine;
    const bool quantised = engineAction && call.quantize != engine::Quantize::none;
    // A drop is one command per stem: it costs as many.
    const double cost = call.action == control::Action::drop ? std::max(1, std::popcount(call.stemMask)) : 1;
    std::lock_guard lock(mutex_);
    RateLimit& kind = quantised ? quantised_ : engineAction ? actions_ : player_;
    if (!kind.take("*", now, cost))
        return quantised ? GateRefusal::busyQuantised : engineAction ? GateRefusal::busyEngine : GateRefusal::busyPlayer;
    if (engineAction) call.frame = clock_();
    if (!input_->send(call)) return GateRefusal::lost;
    return GateRefusal::none;
}

} // namespace stemdeck::remote
