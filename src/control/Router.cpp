#include "stemdeck/control/Router.h"

namespace stemdeck::control {

namespace {
/// Inputs a router serves (keys, GUI, a controller, a script, remotes): each is one explicit
/// producer, whose blocks are set aside up front so sending never allocates.
constexpr std::size_t kMaxInputs = 10;
} // namespace

std::string_view surfaceName(Surface surface) noexcept {
    switch (surface) {
    case Surface::keys: return "keys";
    case Surface::gui: return "gui";
    case Surface::midi: return "midi";
    case Surface::script: return "script";
    case Surface::remote: return "remote";
    case Surface::link: return "link";
    }
    return "?";
}

Router::Router(engine::Engine& engine) : engine_(engine), queue_(kQueueCapacity, kMaxInputs, 0) {}

Router::Input::Input(Router& router, Surface surface)
    : router_(&router), surface_(surface), sender_(router.engine_.makeSender()), token_(router.queue_) {}

std::unique_ptr<Router::Input> Router::makeInput(Surface surface) {
    return std::unique_ptr<Input>(new Input(*this, surface));
}

bool Router::Input::send(const ActionCall& call) noexcept {
    Router& r = *router_;
    if (lockable(surface_) && r.locked() && call.action != Action::unlock) {
        r.refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    const ActionInfo& row = info(call.action);
    if (row.runs == Runs::engine) {
        bool sent = true;
        forEachCommand(call, r.engine_.sampleRate(), [&](const engine::Command& c) { sent = sender_.send(c) && sent; });
        return sent;
    }
    if (call.action == Action::lock) r.setLocked(true);
    if (call.action == Action::unlock) r.setLocked(false);
    if (r.queue_.try_enqueue(token_, Routed{call, surface_})) return true;
    r.lost_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

} // namespace stemdeck::control
