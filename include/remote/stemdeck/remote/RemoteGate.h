#pragma once
// What every remote's action passes on its way to the show, whichever protocol carried it (OSC,
// the web remote): the show lock (when the remote obeys it), the budgets that keep a flood from
// the network inside the show's queues, the engine frame the action is stamped with, and the
// router input it goes through. One for every remote of a show (OSC and the web share it, so that
// together they stay inside the budgets); its threads take turns (a mutex held only for the
// budgets and the send, never by the audio or control thread).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "stemdeck/control/Action.h"
#include "stemdeck/control/Router.h"
#include "stemdeck/remote/OscAccess.h"

namespace stemdeck::remote {

/// Every host of one remote together: what reaches the show is kept well inside its queues (the
/// engine's command queue, 1024, and its waiting list for quantised commands, 256, which the
/// controller's presses share), so that a flood never costs a MIDI press. A drop counts one per
/// stem. A burst of 32 is well inside one block's share of the engine's 256 waiting places; 8
/// quantised a second with a burst of 32 leave the controller half of the 192 quantised places
/// over a bar of up to 8 s, a third over a 12-second one.
struct GateBudgets {
    double actionsPerSecond = 1000.0, actionsBurst = 32.0;  ///< engine commands (mute, gain …)
    double quantisedPerSecond = 8.0, quantisedBurst = 32.0; ///< … of which wait for a beat or bar
    double playerPerSecond = 20.0, playerBurst = 20.0;      ///< song, marker, tempo … (the control thread's)
};

/// Why an action did not reach the show.
enum class GateRefusal { none, locked, busyQuantised, busyEngine, busyPlayer, lost };

/// @thread any. What a refusal means, for a log line or an error reply ("the show is locked").
[[nodiscard]] std::string gateRefusalText(GateRefusal refusal);

class RemoteGate {
public:
    using FrameClock = std::function<std::int64_t()>;
    /// @thread control (makes the remotes' router input).
    RemoteGate(control::Router& router, FrameClock clock, GateBudgets budgets = {});
    /// @thread a remote's. Sends `call` to the show unless the lock (when `obeyLock`: unlock always
    /// passes) or a budget refuses it. `nowSeconds`: a monotonic clock.
    GateRefusal offer(control::ActionCall call, double nowSeconds, bool obeyLock);
    [[nodiscard]] bool locked() const noexcept { return router_.locked(); }

private:
    control::Router& router_;
    FrameClock clock_;
    std::mutex mutex_; // the budgets and the input: one remote's thread at a time
    std::unique_ptr<control::Router::Input> input_;
    RateLimit actions_, quantised_, player_;
};

} // namespace stemdeck::remote
