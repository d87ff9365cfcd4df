// The device watchdog's rule: a callback silent for over a second (or four long blocks) is hung.
#include <catch2/catch.hpp>

#include <cstdint>

#include "stemdeck/audio/Watchdog.h"

using namespace stemdeck;

TEST_CASE("the device watchdog calls a callback silent for over a second hung, never a running one", "[device]") {
    using audio::CallbackWatchdog;
    constexpr std::int64_t ms = 1'000'000;
    CallbackWatchdog w;
    CHECK_FALSE(w.hung(0, 50'000 * ms)); // not started: nothing to watch
    const std::int64_t t0 = 10'000 * ms;
    w.arm(t0, 5 * ms);                     // 256 frames at 48 kHz
    CHECK_FALSE(w.hung(0, t0 + 999 * ms)); // no callback yet, but under a second since the start
    CHECK(w.hung(0, t0 + 1001 * ms));      // a device that never calls back after opening
    // Callbacks every 5 ms: never hung, however long it runs.
    for (std::int64_t t = t0; t < t0 + 60'000 * ms; t += 5 * ms)
        REQUIRE_FALSE(w.hung(t, t + 4 * ms));
    const std::int64_t last = t0 + 60'000 * ms;
    CHECK_FALSE(w.hung(last, last + 1000 * ms));
    CHECK(w.hung(last, last + 1001 * ms));
    CHECK(w.silentNs(last, last + 1500 * ms) == 1500 * ms);
    // Reopened: the old device's last callback does not count against the new one.
    w.arm(last + 2000 * ms, 5 * ms);
    CHECK_FALSE(w.hung(last, last + 2500 * ms));
    CHECK(w.silentNs(last, last + 2500 * ms) == 500 * ms);
    // Blocks longer than a quarter second: four blocks' grace, not one second.
    w.arm(t0, 300 * ms);
    CHECK_FALSE(w.hung(t0, t0 + 1100 * ms));
    CHECK(w.hung(t0, t0 + 1201 * ms));
}
