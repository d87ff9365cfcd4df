// The control thread never blocks: a live tempo or key step, and the A-B loop's reload, load on the
// loader thread while the show ticks on. Real files, the real engine at a device's pace, the show
// ticking on its own thread, every published snapshot read.
#include <catch2/catch.hpp>

#include <cstdio>

#include "../support/ControlTicks.h"

using namespace stemdeck;

TEST_CASE("Ten tempo and key steps and an A-B reload while playing: the show keeps ticking (its snapshots' "
          "stamps never far apart) and every step lands",
          "[stream][ticks]") {
    test::TempDir dir;
    test::writeTickSong(dir.path(), 3, 75, false);
    const test::TickFigures f = test::measureControlTicks(dir.path());
    double mean = 0.0, worst = 0.0;
    for (const double ms : f.landingMs) {
        mean += ms / static_cast<double>(f.landingMs.size());
        worst = std::max(worst, ms);
    }
    std::printf("control ticks: longest gap %.1f ms over %llu snapshots (goal <= 20 ms, Release: scripts/bench.sh "
                "ticks); press to landing at 120 BPM: mean %.0f ms, worst %.0f ms over %d steps; A-B %.0f ms; "
                "underruns %llu\n",
                f.longestGapMs, static_cast<unsigned long long>(f.snapshotsRead), mean, worst, f.landed, f.abLandingMs,
                static_cast<unsigned long long>(f.underruns));
    INFO(f.log);
    CHECK(f.landed == f.steps);
    CHECK(f.abLandingMs > 0.0);
    CHECK(f.snapshotsRead > 1000);
    // A load on the control thread held it 340-560 ms in Release, more under ASan; ticks on a loaded
    // CI machine under ASan come within a few tens of ms. (The 20 ms goal is the benchmark's.)
    CHECK(f.longestGapMs < 150.0);
}
