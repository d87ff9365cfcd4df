#include "stemdeck/control/ScriptFeed.h"

namespace stemdeck::control {

ScriptFeed::ScriptFeed(std::vector<ScriptEvent> events, std::unique_ptr<Router::Input> input)
    : events_(std::move(events)), input_(std::move(input)) {}

int ScriptFeed::feed(std::optional<std::int64_t> zero, std::int64_t now, std::int64_t horizon) {
    if (!zero) return 0;
    int sent = 0;
    while (next_ < events_.size() && *zero + events_[next_].frame < horizon) {
        ActionCall c = events_[next_].call;
        c.frame = *zero + events_[next_].frame;
        // The engine holds its commands for their exact frame; what the player does happens once
        // that frame has come.
        if (info(c.action).runs != Runs::engine && now < c.frame) break;
        if (!input_->send(c)) ++lost_;
        if (c.action == Action::play || c.action == Action::seek || c.action == Action::loop) moved_ = true;
        ++next_;
        ++sent;
    }
    return sent;
}

} // namespace stemdeck::control
