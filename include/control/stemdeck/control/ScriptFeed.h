#pragma once
// An event script (play --events, render --events) as a surface: its actions go through a router
// input like a key or a pad, each stamped with its exact output frame. Engine actions are handed
// over a little ahead (the engine holds them for their frame); the player's actions (a song, a
// marker, storing a scene) once their frame has come.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/Router.h"

namespace stemdeck::control {

class ScriptFeed {
public:
    /// Engine actions go to the router this far ahead of their frame: far enough for a control
    /// tick (or a render block), short enough for the engine's waiting list.
    static constexpr double kLeadSeconds = 0.25;

    /// `input`: a Surface::script input of the show's router.
    ScriptFeed(std::vector<ScriptEvent> events, std::unique_ptr<Router::Input> input);

    /// @thread the script's (the control thread; the render loop). Sends every event whose time
    /// has come: `zero` is the output frame of the script's frame 0 (nullopt: not yet known, nothing
    /// is sent), `now` the engine's output frame, `horizon` how far ahead engine actions go out.
    /// Returns how many were sent; `lost` counts those the router could not take.
    int feed(std::optional<std::int64_t> zero, std::int64_t now, std::int64_t horizon);

    [[nodiscard]] bool done() const noexcept { return next_ >= events_.size(); }
    [[nodiscard]] std::uint64_t lost() const noexcept { return lost_; }
    /// True once a play, seek or jump went out (the disk threads may want waking).
    [[nodiscard]] bool movedSinceAsked() noexcept {
        const bool moved = moved_;
        moved_ = false;
        return moved;
    }

private:
    std::vector<ScriptEvent> events_;
    std::unique_ptr<Router::Input> input_;
    std::size_t next_ = 0;
    std::uint64_t lost_ = 0;
    bool moved_ = false;
};

} // namespace stemdeck::control
