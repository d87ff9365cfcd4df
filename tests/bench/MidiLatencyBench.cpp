// MIDI-to-audio latency through JACK: `stemdeck play` with the APC mini mk2 mapping on a JACK
// dummy server; a fake controller (a JACK MIDI client) hits pad 1 (mute / unmute stem 1) at a
// random frame of a random cycle, hundreds of times; a recorder on the same server finds the first
// frame where the output changed. Both clients stamp with JACK's frame clock, so each latency is
// exact in frames. Printed per period size: min / median / p90 / max, in frames and ms, against
// the floor of one period (a message that arrives during cycle k can be acted on in cycle k+1
// at the earliest).
//
//   stemdeck_bench_midi STEMDECK CONTROLLERS_DIR [MESSAGES=250] [PERIODS=64,128,256]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;

namespace {

int run(const std::string& stemdeck, const std::string& controllers, int period, int messages) {
    TempDir dir;
    const std::int64_t len = static_cast<std::int64_t>(messages) * kJackRate / 5 + 20 * kJackRate;
    writeStemFolder(dir / "song", kJackRate, {constantStem(len, 0.25f, false)}, {"One"}, "BPM: 120\n");
    JackServer jack{"stemdeck-bench-midi-" + std::to_string(getpid()) + "-" + std::to_string(period),
                    dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!jack.start(period, test::kJackRate, false)) { // asynchronous, as JACK runs on a stage
        std::printf("period %d: the JACK server did not start\n", period);
        return 1;
    }
    TimedRecorder rec;
    if (!rec.open(1, static_cast<std::size_t>(len + 10 * kJackRate), &TimedRecorder::processTimed)) return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--no-keys",
                              "--controller", controllers + "/akai-apc-mini-mk2.yaml"},
                             (dir / "play.log").string());
    if (!rec.connect({1}, 5000ms)) {
        std::printf("period %d: could not record stemdeck's output\n", period);
        return 1;
    }
    FakeController pads;
    if (!pads.open()) return 1;
    for (int i = 0; i < 60 && readFile(dir / "play.log").find("MIDI: 'Akai APC mini mk2' on") == std::string::npos; ++i)
        std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(500ms);

    std::mt19937 rng(12345u + static_cast<unsigned>(period));
    std::uniform_int_distribution<int> offset(0, period - 1), gap(60, 140);
    std::vector<std::int64_t> latencies, excess;
    int missed = 0;
    float level = rec.now(0);
    for (int m = 0; m < messages; ++m) {
        pads.send(0x90, 0, 127, static_cast<std::uint32_t>(offset(rng)));
        const std::int64_t sent = pads.sentAt.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(gap(rng)));
        const std::int64_t at = rec.changedAt(sent, level);
        if (at < 0) {
            ++missed;
            continue;
        }
        latencies.push_back(at - sent);
        // The floor: the first frame of the next cycle (the dummy driver's cycles start on
        // multiples of the period).
        excess.push_back(at - (sent / period + 1) * period);
        std::this_thread::sleep_for(20ms); // the mute's ramp ends
        level = rec.now(0);
    }
    kill(play, SIGTERM);
    waitExit(play, 5s);
    const std::string log = readFile(dir / "play.log");
    std::sort(latencies.begin(), latencies.end());
    std::sort(excess.begin(), excess.end());
    if (latencies.empty()) {
        std::printf("period %d: no change was seen\n%s\n", period, log.c_str());
        return 1;
    }
    auto at = [&](double q) {
        return latencies[std::min(latencies.size() - 1,
                                  static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
    };
    auto ms = [](std::int64_t f) { return 1000.0 * static_cast<double>(f) / kJackRate; };
    const auto under = static_cast<int>(
        std::count_if(latencies.begin(), latencies.end(), [&](std::int64_t l) { return l <= 2 * period; }));
    std::printf("period %4d: beyond the floor (the next cycle's first frame): min %lld  median %lld  max %lld frames\n",
                period, static_cast<long long>(excess.front()), static_cast<long long>(excess[excess.size() / 2]),
                static_cast<long long>(excess.back()));
    const std::size_t u = log.find("underruns ");
    std::printf("period %4d (%.2f ms): %zu messages, %d missed | frames min %lld  median %lld  p90 %lld  max %lld | "
                "ms min %.2f  median %.2f  p90 %.2f  max %.2f | median %.2f periods; %d/%zu within 2 periods | %s\n",
                period, ms(period), latencies.size(), missed, static_cast<long long>(latencies.front()),
                static_cast<long long>(at(0.5)), static_cast<long long>(at(0.9)),
                static_cast<long long>(latencies.back()), ms(latencies.front()), ms(at(0.5)), ms(at(0.9)),
                ms(latencies.back()), static_cast<double>(at(0.5)) / period, under, latencies.size(),
                u == std::string::npos ? "stemdeck: no summary" : log.substr(u, log.find(',', u) - u).c_str());
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STEMDECK CONTROLLERS_DIR [MESSAGES] [PERIODS]\n", argv[0]);
        return 2;
    }
    const int messages = argc > 3 ? std::max(1, std::atoi(argv[3])) : 250;
    std::vector<int> periods = {64, 128, 256};
    if (argc > 4) {
        periods.clear();
        std::stringstream list(argv[4]);
        for (std::string p; std::getline(list, p, ',');)
            periods.push_back(std::atoi(p.c_str()));
    }
    std::printf("MIDI-to-audio latency through JACK (dummy driver, 48 kHz): %d pad hits per period size, each at a "
                "random frame of its cycle; latency = first changed output frame - the message's frame\n",
                messages);
    int rc = 0;
    for (const int p : periods)
        rc |= run(argv[1], argv[2], p, messages);
    return rc;
}
