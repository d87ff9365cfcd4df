// The web remote beside a show: `stemdeck play --web` on a JACK dummy server (asynchronous, as on
// a stage) with a fake controller's pad muting and unmuting stem 1 on the main pair, first alone,
// then with 20 WebSocket pages (tests/bench/web_clients.mjs: half band views, half control views
// riding stem 2's fader) for 10 minutes: how many presses land and how late, the underruns and the
// commands lost, the pages' frame rate and worst gap, and stemdeck's CPU with and without them.
//
//   stemdeck_bench_web STEMDECK CONTROLLERS_DIR CLIENTS_SCRIPT [CLIENTS=20] [SECONDS=600] [PERIOD=128]
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "../support/JackHarness.h"
#include "BenchSupport.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;

namespace {

int run(const std::string& stemdeck, const std::string& controllers, const std::string& script, int clients,
        int seconds, int period) {
    TempDir dir;
    const std::int64_t len = static_cast<std::int64_t>(seconds + 120) * kJackRate;
    writeStemFolder(dir / "song", kJackRate, {constantStem(len, 0.25f, false), constantStem(len, 0.125f, false)},
                    {"One", "Two"}, "BPM: 120\n");
    setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
    JackServer jack{"stemdeck-bench-web-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!jack.start(period, kJackRate, false)) return 1;
    TimedRecorder rec;
    if (!rec.open(1, static_cast<std::size_t>(len), &TimedRecorder::processTimed)) return 1;
    const pid_t play =
        spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--no-keys", "--web", "127.0.0.1:0",
               "--stem-out", "2=3", "--controller", controllers + "/akai-apc-mini-mk2.yaml"},
              (dir / "play.log").string());
    if (!rec.connect({1}, 10000ms)) return 1;
    const int port = portFromLog(dir / "play.log", "web remote: http://127.0.0.1:");
    FakeController pads;
    if (port == 0 || !pads.open()) return 1;
    waitUntil([&] { return readFile(dir / "play.log").find("MIDI: 'Akai APC mini mk2' on") != std::string::npos; });
    std::this_thread::sleep_for(500ms);
    std::mt19937 rng(777u);
    const int quietSeconds = std::min(seconds, 30);
    std::vector<std::int64_t> quiet, busy;
    int quietLost = 0, busyLost = 0;
    const double cpu0 = cpuSeconds(play);
    pressFor(pads, rec, rng, quietSeconds, quiet, quietLost);
    const double cpu1 = cpuSeconds(play);
    const pid_t pages = spawn({"node", script, "ws://127.0.0.1:" + std::to_string(port), std::to_string(clients),
                               std::to_string(seconds)},
                              (dir / "pages.log").string());
    std::this_thread::sleep_for(1s);
    const double cpu2 = cpuSeconds(play);
    pressFor(pads, rec, rng, seconds - 2, busy, busyLost);
    const double cpu3 = cpuSeconds(play);
    waitExit(pages, 30s);
    std::printf("web remote beside the show, period %d (%.2f ms): %d pages for %d s\n", period,
                1000.0 * period / kJackRate, clients, seconds);
    std::printf("  pages: %s", readFile(dir / "pages.log").c_str());
    summary("  MIDI presses without pages", quiet, period);
    std::printf("    presses that never landed: %d\n", quietLost);
    summary("  MIDI presses with the pages", busy, period);
    std::printf("    presses that never landed: %d\n", busyLost);
    std::printf("  stemdeck's CPU: %.1f%% of a core without pages, %.1f%% with %d\n",
                100.0 * (cpu1 - cpu0) / quietSeconds, 100.0 * (cpu3 - cpu2) / (seconds - 2), clients);
    kill(play, SIGTERM);
    waitExit(play, 10s);
    const std::string log = readFile(dir / "play.log");
    for (const std::string key : {"web remote: ", "stopped in song", "finished"}) {
        const auto at = log.rfind("stemdeck: " + key);
        if (at != std::string::npos) std::printf("  %s", log.substr(at, log.find('\n', at) - at + 1).c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s STEMDECK CONTROLLERS_DIR CLIENTS_SCRIPT [CLIENTS] [SECONDS] [PERIOD]\n", argv[0]);
        return 2;
    }
    return run(argv[1], argv[2], argv[3], argc > 4 ? std::max(1, std::atoi(argv[4])) : 20,
               argc > 5 ? std::max(10, std::atoi(argv[5])) : 600, argc > 6 ? std::atoi(argv[6]) : 128);
}
