#pragma once
// LTC frames encoded off the audio thread (control/LtcEncoder, libltc), handed over lock-free: a
// ring of slots, one per timecode frame (its index modulo the slot count), each guarded by a
// sequence number (a seqlock: the audio thread never waits; a slot being written reads as not
// there). The audio thread says which frames it will want (want(): from the play head on while
// playing; stopped, from the earliest a count-in or pre-roll may start); the encoder fills them.
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>

namespace stemdeck::engine {

class LtcFrames {
public:
    static constexpr int kAhead = 48;           ///< frames the encoder keeps ready from the play head on
    static constexpr int kMaxSamples = 1 << 14; ///< a frame at 192 kHz, 23.976 fps and 50 % (16 016)
    static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min(); ///< no frame

    /// What the audio thread wants: frames [frame, until), each `samplesPerFrame` long.
    struct Want {
        std::int64_t frame = kNone; ///< kNone: nothing (no song, or no timecode)
        std::int64_t until = kNone;
        double samplesPerFrame = 0.0;
        std::uint64_t serial = 0; ///< changes with every want()
    };

    /// @thread control, audio not running. Allocates `slots` slots (more than any want() spans)
    /// for frames up to `maxSamples` long.
    void prepare(int maxSamples, int slots);
    [[nodiscard]] int slots() const noexcept { return slotCount_; }
    [[nodiscard]] bool prepared() const noexcept { return slots_ != nullptr; }

    // audio thread
    /// Frames [frame, until) (timecode frame indexes, not wrapped) will be played at
    /// `samplesPerFrame`, the first soonest (at most slots() - kAhead of them).
    void want(std::int64_t frame, std::int64_t until, double samplesPerFrame) noexcept;
    /// Copies samples [from, from + n) of `frame` encoded at `samplesPerFrame`, scaled to `gain`,
    /// into `out` (past the frame's encoded length: its last sample). False, and `out` silent,
    /// when the frame is not there (not encoded yet, or being written).
    bool read(std::int64_t frame, double samplesPerFrame, int from, int n, float gain, float* out) noexcept;
    /// Frames the audio thread wanted and did not find (a locate's first frame, an encoder behind).
    [[nodiscard]] std::uint64_t misses() const noexcept { return misses_.load(std::memory_order_relaxed); }

    // encoder thread
    [[nodiscard]] Want wanted() const noexcept;
    /// True when `frame` at `samplesPerFrame` is in its slot.
    [[nodiscard]] bool has(std::int64_t frame, double samplesPerFrame) const noexcept;
    /// Puts a frame's samples (libltc's 8-bit, centred on 128) in its slot.
    void write(std::int64_t frame, double samplesPerFrame, const std::uint8_t* samples, int length) noexcept;

private:
    struct Slot {
        std::atomic<std::uint32_t> seq{0}; // odd: being written
        std::atomic<std::int64_t> frame{kNone};
        std::atomic<double> samplesPerFrame{0.0};
        std::atomic<int> length{0};
        std::unique_ptr<std::atomic<std::uint8_t>[]> samples;
    };
    static_assert(std::atomic<double>::is_always_lock_free && std::atomic<std::int64_t>::is_always_lock_free);
    [[nodiscard]] Slot& slotOf(std::int64_t frame) const noexcept;

    std::unique_ptr<Slot[]> slots_;
    int slotCount_ = 0;
    int maxSamples_ = 0;
    std::atomic<std::int64_t> wantFrame_{kNone}, wantUntil_{kNone};
    std::atomic<double> wantSpf_{0.0};
    std::atomic<std::uint64_t> wantSerial_{0};
    std::atomic<std::uint64_t> misses_{0};
};

} // namespace stemdeck::engine
