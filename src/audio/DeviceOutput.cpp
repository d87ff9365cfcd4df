#include "stemdeck/audio/DeviceOutput.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace stemdeck::audio {

int ChannelMap::channelsNeeded() const noexcept {
    int need = mainFirst + 2;
    if (clickFirst >= 0) need = std::max(need, clickFirst + 2);
    if (guideFirst >= 0) need = std::max(need, guideFirst + 2);
    if (ltc >= 0) need = std::max(need, ltc + 1);
    for (int d : directFirst)
        if (d >= 0) need = std::max(need, d + 2);
    return need;
}

std::string ChannelMap::check(int deviceChannels) const {
    struct Pair {
        std::string what;
        int first;
    };
    std::vector<Pair> pairs{{"the main mix", mainFirst}};
    // check() validates routing on the control thread before the device opens; never in the callback.
    if (clickFirst >= 0) pairs.push_back({"the click", clickFirst});        // rt-ok: control-thread set-up
    if (guideFirst >= 0) pairs.push_back({"the spoken guide", guideFirst}); // rt-ok: control-thread set-up
    for (std::size_t k = 0; k < directFirst.size(); ++k)
        if (directFirst[k] >= 0)
            pairs.push_back({"direct output " + std::to_string(k + 1), directFirst[k]}); // rt-ok: set-up
    auto outs = [](int first) { return "outputs " + std::to_string(first + 1) + "-" + std::to_string(first + 2); };
    for (std::size_t a = 0; a < pairs.size(); ++a) {
        // A mono device still plays the main mix (its left channel); anything else needs a pair.
        const bool fits =
            pairs[a].first + 2 <= deviceChannels || (a == 0 && pairs[a].first == 0 && deviceChannels >= 1);
        if (!fits)
            return pairs[a].what + " is routed to " + outs(pairs[a].first) + ", but the device has " +
                   std::to_string(deviceChannels) + " output channel" + (deviceChannels == 1 ? "" : "s") +
                   "; choose outputs from 1 to " + std::to_string(std::max(1, deviceChannels - 1));
        for (std::size_t b = 0; b < a; ++b)
            if (std::abs(pairs[a].first - pairs[b].first) < 2)
                return pairs[a].what + " (" + outs(pairs[a].first) + ") overlaps " + pairs[b].what + " (" +
                       outs(pairs[b].first) + "); give each its own pair of outputs";
    }
    if (ltc < 0) return {};
    if (ltc >= deviceChannels)
        return "LTC is routed to output " + std::to_string(ltc + 1) + ", but the device has " +
               std::to_string(deviceChannels) + " output channels";
    for (const Pair& p : pairs)
        if (ltc == p.first || ltc == p.first + 1)
            return "LTC's output " + std::to_string(ltc + 1) + " is also " + p.what + "'s (" + outs(p.first) +
                   "): LTC in a mix is a loud buzz; give LTC an output of its own";
    return {};
}

void CallbackTimer::record(std::int64_t ns) noexcept {
    const auto us = static_cast<std::size_t>(std::clamp<std::int64_t>(ns / 1000, 0, kBins - 1));
    bins_[us].fetch_add(1, std::memory_order_relaxed);
    totalNs_.fetch_add(ns, std::memory_order_relaxed);
    std::int64_t m = maxNs_.load(std::memory_order_relaxed);
    while (ns > m && !maxNs_.compare_exchange_weak(m, ns, std::memory_order_relaxed)) {
    }
}

CallbackTimer::Summary CallbackTimer::summary() const {
    Summary s;
    std::array<std::uint64_t, kBins> counts{};
    for (int i = 0; i < kBins; ++i) {
        counts[static_cast<std::size_t>(i)] = bins_[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
        s.count += counts[static_cast<std::size_t>(i)];
    }
    if (s.count == 0) return s;
    s.meanUs = static_cast<double>(totalNs_.load(std::memory_order_relaxed)) / 1000.0 / static_cast<double>(s.count);
    s.maxUs = static_cast<double>(maxNs_.load(std::memory_order_relaxed)) / 1000.0;
    auto quantile = [&](double q) {
        const auto want = static_cast<std::uint64_t>(q * static_cast<double>(s.count));
        std::uint64_t seen = 0;
        for (int i = 0; i < kBins; ++i) {
            seen += counts[static_cast<std::size_t>(i)];
            if (seen > want) return static_cast<double>(i) + 0.5; // bin middle
        }
        return static_cast<double>(kBins);
    };
    s.p50Us = quantile(0.50);
    s.p99Us = quantile(0.99);
    s.p999Us = quantile(0.999);
    return s;
}

void DeviceOutput::prepare(const ChannelMap& map, int maxBlockFrames) {
    map_ = map;
    spareFrames_ = std::max(maxBlockFrames, 1);
    spare_.assign(static_cast<std::size_t>(spareFrames_) * 2, 0.0f);
    used_.assign(static_cast<std::size_t>(std::max(map.channelsNeeded(), 256)), nullptr);
}

std::int64_t DeviceOutput::frameForNow(double sampleRate) const noexcept {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    const std::int64_t blockNs = blockNs_.load(std::memory_order_acquire);
    return frameFor(now, blockFrame_.load(std::memory_order_relaxed), blockNs,
                    blockSize_.load(std::memory_order_relaxed), sampleRate);
}

std::int64_t DeviceOutput::frameFor(std::int64_t nowNs, std::int64_t blockFrame, std::int64_t blockNs, int blockSize,
                                    double sampleRate) noexcept {
    const std::int64_t since = std::max<std::int64_t>(0, nowNs - blockNs);
    return blockFrame + static_cast<std::int64_t>(static_cast<double>(since) * sampleRate / 1e9) + blockSize;
}

void DeviceOutput::process(engine::Engine& engine, float* const* outputs, int numOutputs, int n) noexcept {
    const auto started = std::chrono::steady_clock::now();
    blockFrame_.store(engine.outputFrame(), std::memory_order_relaxed);
    blockSize_.store(n, std::memory_order_relaxed);
    blockNs_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count(),
                   std::memory_order_release);
    if (n > spareFrames_ || numOutputs <= 0 || static_cast<std::size_t>(numOutputs) > used_.size()) {
        for (int c = 0; c < numOutputs; ++c) // a device that broke its promise: stay silent
            std::fill_n(outputs[c], n, 0.0f);
        return;
    }
    std::fill_n(used_.begin(), numOutputs, nullptr);
    float* spareLeft = spare_.data();
    float* spareRight = spare_.data() + spareFrames_;
    auto channel = [&](int c, float* fallback) -> float* {
        if (c >= 0 && c < numOutputs) {
            used_[static_cast<std::size_t>(c)] = outputs[c];
            return outputs[c];
        }
        return fallback;
    };
    engine::OutputBuses buses;
    buses.mainLeft = channel(map_.mainFirst, spareLeft);
    buses.mainRight = channel(map_.mainFirst + 1, spareRight);
    if (map_.clickFirst >= 0 && map_.clickFirst + 1 < numOutputs) buses.click = channel(map_.clickFirst, nullptr);
    if (map_.guideFirst >= 0 && map_.guideFirst + 1 < numOutputs) buses.guide = channel(map_.guideFirst, nullptr);
    if (map_.ltc >= 0 && map_.ltc < numOutputs) buses.ltc = channel(map_.ltc, nullptr);
    for (std::size_t k = 0; k < buses.directLeft.size(); ++k) {
        const int first = map_.directFirst[k];
        if (first < 0 || first + 1 >= numOutputs) continue; // not there: the stem stays in the main mix
        buses.directLeft[k] = channel(first, nullptr);
        buses.directRight[k] = channel(first + 1, nullptr);
    }
    engine.process(buses, n);
    // The click and the guide are mono: the same on both sides of their pairs.
    for (const auto& [bus, first] :
         {std::pair{buses.click, map_.clickFirst}, std::pair{buses.guide, map_.guideFirst}}) {
        if (bus == nullptr) continue;
        std::copy_n(bus, n, outputs[first + 1]);
        used_[static_cast<std::size_t>(first + 1)] = outputs[first + 1];
    }
    for (int c = 0; c < numOutputs; ++c)
        if (used_[static_cast<std::size_t>(c)] == nullptr) std::fill_n(outputs[c], n, 0.0f);
    timer_.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
}

} // namespace stemdeck::audio
