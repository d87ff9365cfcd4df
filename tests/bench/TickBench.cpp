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
        std::printf("run %d, %d stems: %s\n", run, stems, f.describe().c_str());
    }
    return 0;
}
