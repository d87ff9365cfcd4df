// OSC through JACK: `stemdeck play --osc` on a JACK dummy server (asynchronous, as on a stage).
//  1. Latency: a UDP datagram /stemdeck/toggle_mute 1 (encoded by liblo) at random moments; a
//     recorder on the same server finds the first output frame that changed. The message's frame is
//     JACK's estimate of "now" (jack_frame_time) just before it is sent; the floor is the next
//     cycle's first frame, as for MIDI (stemdeck_bench_midi).
//  2. A flood: 5000 gain messages a second for stem 2 (routed to its own outputs) beside the show,
//     while a fake controller's pad mutes and unmutes stem 1 on the main pair: how many presses
//     land and how late, the underruns, the commands lost, what OSC refused, and stemdeck's CPU
//     (user + system time from /proc) with and without the flood.
//
//   stemdeck_bench_osc STEMDECK CONTROLLERS_DIR [MESSAGES=200] [PERIOD=128] [FLOOD_SECONDS=10]
#include <lo/lo.h>

#include <algorithm>
#include <atomic>
#include <cmath>
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

int run(const std::string& stemdeck, const std::string& controllers, int period, int messages, int floodSeconds) {
    TempDir dir;
    const std::int64_t len = 600 * kJackRate;
    writeStemFolder(dir / "song", kJackRate, {constantStem(len, 0.25f, false), constantStem(len, 0.125f, false)},
                    {"One", "Two"}, "BPM: 120\n");
    JackServer jack{"stemdeck-bench-osc-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!jack.start(period, kJackRate, false)) return 1;
    TimedRecorder rec;
    if (!rec.open(1, static_cast<std::size_t>(len), &TimedRecorder::processTimed)) return 1;
    const pid_t play =
        spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--no-keys", "--osc", "127.0.0.1:0",
               "--stem-out", "2=3", "--controller", controllers + "/akai-apc-mini-mk2.yaml"},
              (dir / "play.log").string());
    if (!rec.connect({1}, 10000ms)) return 1;
    const int port = oscPortFromLog(dir / "play.log");
    FakeController pads;
    if (port == 0 || !pads.open()) return 1;
    waitUntil([&] { return readFile(dir / "play.log").find("MIDI: 'Akai APC mini mk2' on") != std::string::npos; });
    std::this_thread::sleep_for(500ms);
    const lo_address to = lo_address_new("127.0.0.1", std::to_string(port).c_str());

    // 1. OSC → audible change.
    std::mt19937 rng(777u);
    std::uniform_int_distribution<int> gap(60, 140);
    std::vector<std::int64_t> latencies, excess;
    int missed = 0;
    float level = rec.now(0);
    for (int m = 0; m < messages; ++m) {
        const auto sent = static_cast<std::int64_t>(jack_frame_time(rec.client));
        lo_send(to, "/stemdeck/toggle_mute", "i", 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(gap(rng)));
        const std::int64_t at = rec.changedAt(sent, level);
        if (at < 0) {
            ++missed;
            continue;
        }
        latencies.push_back(at - sent);
        excess.push_back(at - (sent / period + 1) * period);
        std::this_thread::sleep_for(20ms);
        level = rec.now(0);
    }
    std::printf("OSC-to-audio, period %d (%.2f ms), %d messages, %d missed\n", period, 1000.0 * period / kJackRate,
                messages, missed);
    summary("  latency (first changed frame - the frame it was sent on)", latencies, period);
    summary("  beyond the floor (the next cycle's first frame)", excess, period);

    // 2. A flood beside the show, with the controller's presses.
    std::vector<std::int64_t> quiet, flooded;
    int quietLost = 0, floodLost = 0;
    const double cpu0 = cpuSeconds(play);
    pressFor(pads, rec, rng, floodSeconds, quiet, quietLost);
    const double cpu1 = cpuSeconds(play);
    std::atomic<bool> flooding{true};
    std::atomic<long> floodSent{0};
    std::thread flood([&] {
        const lo_address target = lo_address_new("127.0.0.1", std::to_string(port).c_str());
        std::uniform_real_distribution<float> db(-12.0f, 0.0f);
        std::mt19937 r(99u);
        auto next = std::chrono::steady_clock::now();
        while (flooding.load()) {
            for (int k = 0; k < 50; ++k) // 50 every 10 ms: 5000 a second
                lo_send(target, "/stemdeck/gain", "if", 2, db(r));
            floodSent += 50;
            next += 10ms;
            std::this_thread::sleep_until(next);
        }
        lo_address_free(target);
    });
    pressFor(pads, rec, rng, floodSeconds, flooded, floodLost);
    flooding = false;
    flood.join();
    const double cpu2 = cpuSeconds(play);
    std::printf("flood: %ld gain messages in %d s (%.0f a second) beside the show\n", floodSent.load(), floodSeconds,
                static_cast<double>(floodSent.load()) / floodSeconds);
    summary("  MIDI presses without the flood", quiet, period);
    std::printf("    presses that never landed: %d\n", quietLost);
    summary("  MIDI presses during the flood", flooded, period);
    std::printf("    presses that never landed: %d\n", floodLost);
    std::printf("  stemdeck's CPU: %.1f%% of a core without the flood, %.1f%% with it\n",
                100.0 * (cpu1 - cpu0) / floodSeconds, 100.0 * (cpu2 - cpu1) / floodSeconds);
    lo_address_free(to);
    kill(play, SIGTERM);
    waitExit(play, 10s);
    const std::string log = readFile(dir / "play.log");
    for (const std::string key : {"OSC: ", "stopped in song"}) {
        const auto at = log.rfind("stemdeck: " + key);
        if (at != std::string::npos) std::printf("  %s", log.substr(at, log.find('\n', at) - at + 1).c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STEMDECK CONTROLLERS_DIR [MESSAGES] [PERIOD] [FLOOD_SECONDS]\n", argv[0]);
        return 2;
    }
    return run(argv[1], argv[2], argc > 4 ? std::atoi(argv[4]) : 128, argc > 3 ? std::max(1, std::atoi(argv[3])) : 200,
               argc > 5 ? std::max(1, std::atoi(argv[5])) : 10);
}
