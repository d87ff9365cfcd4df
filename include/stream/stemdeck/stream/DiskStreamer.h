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
///
/// A read that never comes back (a network share or FUSE mount that stopped answering: the thread
/// sleeps in the kernel, where nothing can wake it) must not starve the other stems. A watcher
/// thread looks ten times a second: a read under way for kHandOver hands every other stem to a
/// new disk thread, and the stalled stem stays with the old one, left behind in its read. After
/// ioTimeout() (10 s) the stem says so ("no answer from FILE in 10 s"); when the read comes back
/// the stem is serviced again and the thread that was left behind ends.
class DiskStreamer {
public:
    /// `threadName`: "stemdeck-disk" for the stems read as they are; stretched stems (tempo, key)
    /// get a streamer of their own, "stemdeck-tempo", so Rubber Band's bursts never hold up
    /// the plain stems' reads.
    explicit DiskStreamer(const char* threadName = "stemdeck-disk");
    ~DiskStreamer(); ///< stops the threads; stems still registered are released here
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
    [[nodiscard]] Priority priority() const noexcept;

    /// Idle polling backs off between these (the audio thread cannot wake the disk thread).
    static constexpr std::chrono::milliseconds kMinPoll{1};
    static constexpr std::chrono::milliseconds kMaxPoll{8};

    /// A chunk read (a few milliseconds) still under way after this hands the other stems to a
    /// new disk thread: the rings hold 2.5 s ahead, so they never run dry behind a stalled one.
    static constexpr std::chrono::milliseconds kHandOver{1000};

    /// @thread any. Reads under way that did not come back within kHandOver (each on a disk thread
    /// left behind), and of those, the ones past ioTimeout().
    struct Stalls {
        int reads = 0;
        int silent = 0;
    };
    [[nodiscard]] Stalls stalls() const;

    /// Test hook: every chunk read waits this long first (a slow or stalled disk); setting it
    /// back to 0 ends the waits under way (the disk is back, for every read waiting on it).
    static void setReadDelay(std::chrono::microseconds delay) noexcept { readDelayUs_.store(delay.count()); }
    static std::chrono::microseconds readDelay() noexcept { return std::chrono::microseconds(readDelayUs_.load()); }

private:
    struct Shared;
    struct Worker;
    static void run(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Worker>& me);
    static void startWorker(const std::shared_ptr<Shared>& shared);
    void watch();

    std::shared_ptr<Shared> shared_; // held by every disk thread too: one left behind outlives us
    std::thread watcher_;
    static inline std::atomic<long long> readDelayUs_{0};
};

} // namespace stemdeck::stream
