// The control thread's longest gap between two ticks under live tempo and key steps and an A-B
// reload, and press-to-landing, in Release (scripts/bench.sh ticks). Goals: gap <= 20 ms; a step
// lands within a beat of the press at 120 BPM (500 ms).
#include <cstdio>
#include <cstdlib>

#include "../support/ControlTicks.h"

int main(int argc, char** argv) {
    using namespace stemdeck;
    const int stems = argc > 1 ? std::atoi(argv[1]) : 8;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    test::TempDir dir;
    test::writeTickSong(dir.path(), stems, 90, true);
    for (int run = 1; run <= runs; ++run) {
        const test::TickFigures f = test::measureControlTicks(dir.path());
        double mean = 0.0, worst = 0.0;
        for (const double ms : f.landingMs) {
            mean += ms / static_cast<double>(f.landingMs.size());
            worst = std::max(worst, ms);
        }
        std::printf("run %d, %d stems: longest gap between control ticks %.1f ms (%llu snapshots); press to "
                    "landing mean %.0f ms, worst %.0f ms (%d of %d steps landed; a beat is 500 ms); A-B reload "
                    "%.0f ms; underruns %llu\n",
                    run, stems, f.longestGapMs, static_cast<unsigned long long>(f.snapshotsRead), mean, worst, f.landed,
                    f.steps, f.abLandingMs, static_cast<unsigned long long>(f.underruns));
    }
    return 0;
}
