#pragma once
// The device watchdog: notices a device callback that has stopped without an error (a USB
// interface whose driver hangs, a JACK server that stopped running cycles or dropped the client),
// so the device can be reopened as after a loss. Plain arithmetic on steady-clock nanoseconds.
#include <algorithm>
#include <cstdint>

namespace stemdeck::audio {

/// @thread control.
class CallbackWatchdog {
public:
    /// A callback silent this long is hung (unless a block is longer: then four blocks).
    static constexpr std::int64_t kLimitNs = 1'000'000'000;

    /// The device (re)started at `nowNs`, with blocks of `blockNs` each.
    void arm(std::int64_t nowNs, std::int64_t blockNs) noexcept {
        armedNs_ = nowNs;
        limitNs_ = std::max(kLimitNs, 4 * blockNs);
    }
    /// How long no callback has started, at `nowNs`, given the last callback's start (0: none yet).
    /// Counted from arm() when the last callback is older than that (a device reopened).
    [[nodiscard]] std::int64_t silentNs(std::int64_t lastCallbackNs, std::int64_t nowNs) const noexcept {
        return std::max<std::int64_t>(0, nowNs - std::max(lastCallbackNs, armedNs_));
    }
    [[nodiscard]] bool hung(std::int64_t lastCallbackNs, std::int64_t nowNs) const noexcept {
        return armedNs_ != 0 && silentNs(lastCallbackNs, nowNs) > limitNs_;
    }
    [[nodiscard]] std::int64_t limitNs() const noexcept { return limitNs_; }

private:
    std::int64_t armedNs_ = 0; // 0: not started
    std::int64_t limitNs_ = kLimitNs;
};

} // namespace stemdeck::audio
