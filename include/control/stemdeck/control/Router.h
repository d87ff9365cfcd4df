#pragma once
// The one way in for every surface. Each surface (the keyboard, the GUI, a controller's MIDI
// thread, an event script, the remotes to come) owns an Input and hands it ActionCalls from its
// own thread. Engine actions become engine commands at once, on the input's own non-blocking
// sender, stamped with the frame they arrived for (MIDI latency is the engine queue's, nothing
// more); player and session actions (songs, markers, vamp, storing a scene, learn…) wait in one
// lock-free queue that the control thread drains. The show lock is enforced here, in one place:
// while it is on, the keyboard and the mouse can do nothing but unlock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/control/Action.h"
#include "stemdeck/engine/Engine.h"

namespace stemdeck::control {

/// Where an action came from.
enum class Surface : std::uint8_t {
    keys,   ///< the play screen's keyboard (terminal or GUI window)
    gui,    ///< the stage GUI's mouse (buttons, faders, knobs)
    midi,   ///< a controller
    script, ///< an events file
    remote, ///< OSC, the web remote
    link,   ///< Ableton Link: a peer's start, stop or tempo
};

[[nodiscard]] std::string_view surfaceName(Surface surface) noexcept;

/// True for the surfaces the show lock shuts: someone bumping the laptop.
[[nodiscard]] constexpr bool lockable(Surface surface) noexcept {
    return surface == Surface::keys || surface == Surface::gui;
}

/// An action on its way to the control thread.
struct Routed {
    ActionCall call;
    Surface from = Surface::keys;
};

class Router {
public:
    /// Room in the control thread's queue: far more than a person can press between two polls.
    static constexpr std::size_t kQueueCapacity = 1024;

    /// @thread control. The engine must be prepared (its command queue exists).
    explicit Router(engine::Engine& engine);
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    class Input {
    public:
        /// @thread the surface's own; non-blocking, no allocation, no locks. False when refused
        /// (the show is locked and this is the keyboard or the mouse) or lost (a full queue,
        /// counted in the engine's or the router's loss count).
        bool send(const ActionCall& call) noexcept;
        [[nodiscard]] Surface surface() const noexcept { return surface_; }

    private:
        friend class Router;
        Input(Router& router, Surface surface);
        Router* router_;
        Surface surface_;
        engine::CommandSender sender_;
        moodycamel::ProducerToken token_;
    };

    /// @thread control (allocates). One per surface and thread, made before it starts sending.
    [[nodiscard]] std::unique_ptr<Input> makeInput(Surface surface);

    /// @thread control. Hands every player and session action that arrived, in order, to `perform`
    /// (lock and unlock too, already applied, for the session to say so).
    template <typename Perform>
    void drain(Perform&& perform) {
        Routed r;
        while (queue_.try_dequeue(r))
            perform(r);
    }

    [[nodiscard]] bool locked() const noexcept { return locked_.load(std::memory_order_acquire); }
    /// @thread any. Sets the show lock (also what the lock and unlock actions do).
    void setLocked(bool on) noexcept { locked_.store(on, std::memory_order_release); }
    /// Actions the lock refused, and player actions lost to a full queue (never expected).
    [[nodiscard]] std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t lost() const noexcept { return lost_.load(std::memory_order_relaxed); }
    [[nodiscard]] engine::Engine& engine() noexcept { return engine_; }

private:
    engine::Engine& engine_;
    moodycamel::ConcurrentQueue<Routed> queue_;
    std::atomic<bool> locked_{false};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> lost_{0};
};

} // namespace stemdeck::control
