#pragma once
// Private to src/audio: the real-time-safety check around a device callback, the same for the
// JACK process callback and JUCE's (ALSA) one.
#include <cstdlib>
#include <memory>

// RealtimeSanitizer's entry points, declared weak: in a program linked with the RTSan runtime
// (stemdeck_rtsan, tests/) they are there; in every other build they are null and nothing is
// called. One build of the command line serves both (the installed program and the RTSan test).
extern "C" {
[[gnu::weak]] void __rtsan_realtime_enter();
[[gnu::weak]] void __rtsan_realtime_exit();
}

namespace stemdeck::audio {

/// With the RTSan runtime linked in, RealtimeSanitizer's real-time scope around one callback:
/// anything forbidden between enter() and leave() aborts. With STEMDECK_RT_CANARY set, leave()
/// first allocates inside the scope, which must abort (the proof that the check can fail).
/// Without the runtime both do nothing (one branch on a constant).
class RealtimeCheck {
public:
    /// @thread control.
    RealtimeCheck() : active_(&__rtsan_realtime_enter != nullptr && &__rtsan_realtime_exit != nullptr) {
        canary_ = active_ && std::getenv("STEMDECK_RT_CANARY") != nullptr;
    }
    /// @thread audio.
    void enter() noexcept {
        if (active_) __rtsan_realtime_enter();
    }
    /// @thread audio.
    void leave(int frames) {
        if (!active_) return;
        if (canary_) canaryAllocation_ = std::make_unique<int>(frames); // must abort under RTSan
        __rtsan_realtime_exit();
    }

private:
    bool active_ = false;
    bool canary_ = false;
    std::unique_ptr<int> canaryAllocation_;
};

} // namespace stemdeck::audio
