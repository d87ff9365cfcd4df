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
    std::printf("control ticks (sanitised build; the 20 ms goal is scripts/bench.sh ticks'): %s\n",
                f.describe().c_str());
    INFO(f.log);
    CHECK(f.landed == f.steps);
    CHECK(f.abLandingMs > 0.0);
    CHECK(f.snapshotsRead > 1000);
    // A load on the control thread held it 340-560 ms in Release, more under ASan; ticks on a loaded
    // CI machine under ASan come within a few tens of ms. (The 20 ms goal is the benchmark's.)
    CHECK(f.longestGapMs < 150.0);
}
