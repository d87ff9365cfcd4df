#pragma once
// The disk thread ("butler", as in Ardour): owns the decoders and keeps every ring filled.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "stemdeck/stream/StreamedStem.h"

namespace stemdeck::stream {

/// Runs one disk thread that services every registered stem: whenever a ring has room for a
/// chunk, it decodes one. The audio thread never talks to it directly; it only moves the rings'
/// read positions and seek requests, which the disk thread polls every millisecond or so.
class DiskStreamer {
public:
    /// `threadName`: "stemdeck-disk" for the stems read as they are; stretched stems (tempo, key)
    /// get a streamer of their own, "stemdeck-tempo", so Rubber Band's bursts never hold up
    /// the plain stems' reads.
    explicit DiskStreamer(const char* threadName = "stemdeck-disk");
    ~DiskStreamer(); ///< stops the thread; stems still registered are released here
    DiskStreamer(const DiskStreamer&) = delete;
    DiskStreamer& operator=(const DiskStreamer&) = delete;

    /// @thread control. Starts streaming a stem.
    void add(std::shared_ptr<StreamedStem> stem);

    /// @thread control. Stops streaming a stem. The disk thread drops its reference on its next
    /// pass, so the stem is freed there or here, never on the audio thread.
    void remove(const StreamedStem* stem);

    /// @thread control. Something may need the disk now (a seek, play, a song change was sent):
    /// look at the rings at once instead of at the next poll.
    void wake();

    /// The disk thread runs above normal work (this nice value) where the system allows: decoding
    /// must keep ahead of the play head on a loaded machine.
    static constexpr int kNice = -10;
    enum class Priority : std::uint8_t {
        unknown, ///< the thread has not started yet
        raised,  ///< at kNice
        normal,  ///< the system refused (no permission: not root, RLIMIT_NICE too low)
    };
    /// @thread any.
    [[nodiscard]] Priority priority() const noexcept { return priority_.load(std::memory_order_acquire); }

    /// Idle polling backs off between these (the audio thread cannot wake the disk thread).
    static constexpr std::chrono::milliseconds kMinPoll{1};
    static constexpr std::chrono::milliseconds kMaxPoll{8};

    /// Test hook: every chunk read waits this long first (a slow or stalled disk).
    static void setReadDelay(std::chrono::microseconds delay) noexcept { readDelayUs_.store(delay.count()); }
    static std::chrono::microseconds readDelay() noexcept { return std::chrono::microseconds(readDelayUs_.load()); }

private:
    void run();

    std::mutex mutex_; // control and disk threads only
    std::condition_variable wake_;
    std::vector<std::shared_ptr<StreamedStem>> stems_;
    bool stopping_ = false;
    bool woken_ = false;
    std::atomic<Priority> priority_{Priority::unknown}; // (before thread_: the thread writes it)
    const char* threadName_;
    std::thread thread_;
    static inline std::atomic<long long> readDelayUs_{0};
};

} // namespace stemdeck::stream
