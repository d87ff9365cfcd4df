// Events scripts (render --events, play --events): parsing a long one must not dwarf the render
// it drives. 100 000 timed actions of every shape a script uses (stems by number, by name and as a
// list; values in dB, seconds, names; quantised; frames and times), parsed three times; prints
// the fastest. Goal: at most 0.5 s per 100 000 (yaml-cpp's YAML::Load took 1.9 s on its own,
// 7.5 s in all on a loaded machine; libyaml's event parser now builds the tree).
//   stemdeck_bench_scripts [EVENTS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stemdeck/control/EventScript.h"

using namespace stemdeck;

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100000;
    const char* shapes[] = {
        "  - { time: %.4f, action: mute, stem: 2 }\n",
        "  - { time: %.4f, action: unmute, stem: Bass }\n",
        "  - { time: %.4f, action: gain, stem: 3, value: -6 dB }\n",
        "  - { time: %.4f, action: drop, stem: [1, Keys], quantize: bar }\n",
        "  - { time: %.4f, action: mute, stem: Drums, quantize: beat }\n",
        "  - time: %.4f\n    action: unsolo\n    stem: 1\n",
        "  - { time: %.4f, action: seek, value: 12.5 }\n",
    };
    std::string yaml = "events:\n";
    char line[160];
    for (int i = 0; i < count; ++i) {
        std::snprintf(line, sizeof line, shapes[i % 7], i * 0.001);
        yaml += line;
    }
    yaml += "  - { frame: 480000, action: mute, stem: 4 }\n";
    const control::ScriptContext context({"Drums", "Bass", "Keys", "Vox"}, 48000.0, true);
    double best = 1e9;
    std::size_t parsed = 0;
    for (int run = 0; run < 3; ++run) {
        const auto t0 = std::chrono::steady_clock::now();
        parsed = control::parseEventScript(yaml, "bench.yaml", context).size();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("events script: %zu timed actions (%.1f MB of YAML) parsed in %.3f s, %.3f s per 100 000 "
                "(goal <= 0.5 s)\n",
                parsed, static_cast<double>(yaml.size()) / 1e6, best, best * 100000.0 / static_cast<double>(parsed));
    return 0;
}
