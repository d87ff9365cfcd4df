#pragma once
// One monotonic clock in nanoseconds for timeouts, watchdogs and published timestamps.
#include <chrono>
#include <cstdint>

namespace stemdeck {

/// @thread any (wait-free: a vDSO read). steady_clock is CLOCK_MONOTONIC on Linux.
[[nodiscard]] inline std::int64_t steadyNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace stemdeck
