#pragma once
// What the benchmarks beside a live show share (OscBench, WebBench): stemdeck's CPU time, a
// latency summary, and a fake controller's pad pressed at random moments, each press timed to
// the first frame it changed in the recording.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "../support/JackHarness.h"

namespace stemdeck::test {

/// stemdeck's CPU time so far, in seconds (utime + stime).
inline double cpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int k = 3; k <= 15 && rest >> field; ++k)
        if (k == 14 || k == 15) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// One line: how many, frames min / median / p90 / max, in ms, and in periods.
inline void summary(const char* what, std::vector<std::int64_t> v, int period) {
    if (v.empty()) {
        std::printf("%s: none\n", what);
        return;
    }
    std::sort(v.begin(), v.end());
    auto q = [&](double p) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    auto ms = [](std::int64_t f) { return 1000.0 * static_cast<double>(f) / kJackRate; };
    std::printf("%s: %zu | frames min %lld  median %lld  p90 %lld  max %lld | ms median %.2f  max %.2f | median %.2f "
                "periods\n",
                what, v.size(), static_cast<long long>(v.front()), static_cast<long long>(q(0.5)),
                static_cast<long long>(q(0.9)), static_cast<long long>(v.back()), ms(q(0.5)), ms(v.back()),
                static_cast<double>(q(0.5)) / period);
}

/// For `seconds`: the pad (note 0) pressed every 80–160 ms (a toggle of stem 1's mute), each press's
/// frames from sent to the first changed frame of channel 0 into `landed`, or counted in `lost`.
inline void pressFor(FakeController& pads, TimedRecorder& rec, std::mt19937& rng, int seconds,
                     std::vector<std::int64_t>& landed, int& lost) {
    std::uniform_int_distribution<int> gap(60, 140);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    float now = rec.now(0);
    while (std::chrono::steady_clock::now() < until) {
        pads.send(0x90, 0, 127);
        const std::int64_t sent = pads.sentAt.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(gap(rng)));
        const std::int64_t at = rec.changedAt(sent, now);
        if (at < 0)
            ++lost;
        else
            landed.push_back(at - sent);
        std::this_thread::sleep_for(20ms);
        now = rec.now(0);
    }
}

} // namespace stemdeck::test
