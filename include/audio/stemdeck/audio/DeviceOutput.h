#pragma once
// The audio side of a device callback: the engine's buses laid onto the device's output channels,
// and the callback's own timing, measured in-process.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "stemdeck/engine/Engine.h"

namespace stemdeck::audio {

/// Which device channels (0-based, each the first of a pair) carry which bus; -1 = not routed.
struct ChannelMap {
    int mainFirst = 0;
    int clickFirst = -1;
    int guideFirst = -1; ///< the spoken guide's own pair (-1: on the click's)
    int ltc = -1;        ///< LTC's one channel (mono)
    std::array<int, engine::kMaxDirectBuses> directFirst{-1, -1, -1, -1, -1, -1, -1, -1};

    /// Output channels the device must have.
    [[nodiscard]] int channelsNeeded() const noexcept;
    /// @thread control. "" when every pair fits in `deviceChannels` and no two overlap, else a
    /// message saying which pairs clash or do not exist.
    [[nodiscard]] std::string check(int deviceChannels) const;
};
static_assert(engine::kMaxDirectBuses == 8, "directFirst's initialiser lists one -1 per bus");

/// Callback durations, as a histogram in microseconds (wait-free to record).
class CallbackTimer {
public:
    static constexpr int kBins = 4096; ///< 1 µs each; the last bin holds everything longer

    /// @thread audio, wait-free.
    void record(std::int64_t nanoseconds) noexcept;

    struct Summary {
        std::uint64_t count = 0;
        double meanUs = 0.0, p50Us = 0.0, p99Us = 0.0, p999Us = 0.0, maxUs = 0.0;
    };
    /// @thread control.
    [[nodiscard]] Summary summary() const;

private:
    std::array<std::atomic<std::uint32_t>, kBins> bins_{};
    std::atomic<std::int64_t> totalNs_{0};
    std::atomic<std::int64_t> maxNs_{0};
};

/// The device callback's body. It points the engine's buses straight at the device's channel
/// buffers (no copy) and silences every channel nothing is routed to.
class DeviceOutput {
public:
    /// @thread control, device stopped. Allocates the spare buffers a short device needs.
    void prepare(const ChannelMap& map, int maxBlockFrames);

    /// @thread audio, non-blocking, no allocation, no locks.
    void process(engine::Engine& engine, float* const* outputs, int numOutputs, int n) noexcept;

    [[nodiscard]] const CallbackTimer& timer() const noexcept { return timer_; }

    /// @thread any. The engine output frame that a message arriving now should land on: the
    /// last callback's first frame, plus the time since it started, plus one block (the one being
    /// rendered is already spoken for), so every message is placed with the same latency.
    [[nodiscard]] std::int64_t frameForNow(double sampleRate) const noexcept;

    /// @thread any. frameForNow's arithmetic: a message stamped at `nowNs` (steady clock) after a
    /// callback that began at `blockNs` on output frame `blockFrame` with `blockSize` frames.
    /// A stamp from before that callback counts as its start (the clocks are read on two threads).
    /// @thread any. When the last callback started (steady clock, ns); 0 before the first.
    [[nodiscard]] std::int64_t lastCallbackNs() const noexcept { return blockNs_.load(std::memory_order_acquire); }

    [[nodiscard]] static std::int64_t frameFor(std::int64_t nowNs, std::int64_t blockFrame, std::int64_t blockNs,
                                               int blockSize, double sampleRate) noexcept;

private:
    ChannelMap map_;
    std::vector<float> spare_; // stands in for a pair's missing channel (a mono device)
    int spareFrames_ = 0;
    std::vector<float*> used_; // per device channel: written by the engine this block
    CallbackTimer timer_;
    // The last callback's start, for frameForNow() (written by the audio thread, read anywhere).
    std::atomic<std::int64_t> blockFrame_{0}, blockNs_{0};
    std::atomic<int> blockSize_{0};
};

} // namespace stemdeck::audio
