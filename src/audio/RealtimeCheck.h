#pragma once
// Private to src/audio: the real-time-safety build's check around a device callback, the same
// for the JACK process callback and JUCE's (ALSA) one.
#include <cstdlib>
#include <memory>

#ifdef STEMDECK_RTSAN_CALLBACK
extern "C" {
void __rtsan_realtime_enter();
void __rtsan_realtime_exit();
}
#endif

namespace stemdeck::audio {

/// In the real-time-safety build (STEMDECK_RTSAN_CALLBACK), RealtimeSanitizer's real-time scope
/// around one callback: anything forbidden between enter() and leave() aborts. With
/// STEMDECK_RT_CANARY set, leave() first allocates inside the scope, which must abort (the proof
/// that the check can fail). In every other build both do nothing.
class RealtimeCheck {
public:
    /// @thread control.
    RealtimeCheck() {
#ifdef STEMDECK_RTSAN_CALLBACK
        canary_ = std::getenv("STEMDECK_RT_CANARY") != nullptr;
#endif
    }
    /// @thread audio.
    void enter() noexcept {
#ifdef STEMDECK_RTSAN_CALLBACK
        __rtsan_realtime_enter();
#endif
    }
    /// @thread audio.
    void leave([[maybe_unused]] int frames) {
#ifdef STEMDECK_RTSAN_CALLBACK
        if (canary_) canaryAllocation_ = std::make_unique<int>(frames); // must abort under RTSan
        __rtsan_realtime_exit();
#endif
    }

private:
    [[maybe_unused]] bool canary_ = false;
    std::unique_ptr<int> canaryAllocation_;
};

} // namespace stemdeck::audio
