#pragma once
// LTC frames encoded off the audio thread (control/LtcEncoder, libltc), handed over lock-free: a
// ring of slots, one per timecode frame (its index modulo the slot count), each guarded by a
// sequence number (a seqlock: the audio thread never waits; a slot being written reads as not
// there). Two rings, each filled for a window of frames someone said will be played: the play
// head's (window 0: from the play head on while playing; stopped, from the earliest a count-in or
// pre-roll may start) and the song cued next (window 1: its first frames, so a run-on's bar 1 is
// there the moment it begins). A frame is read from whichever ring holds it.
#include <array>
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
    static constexpr int kWindows = 2;          ///< 0: the play head's; 1: the song cued next
    static constexpr int kPlayHead = 0, kCuedNext = 1;

    /// What is wanted in a window: frames [frame, until), each `samplesPerFrame` long, those from
    /// `head` on (where the play head is) first.
    struct Want {
        std::int64_t frame = kNone; ///< kNone: nothing (no song, or no timecode)
        std::int64_t head = kNone;
        std::int64_t until = kNone;
        double samplesPerFrame = 0.0;
        std::uint64_t serial = 0; ///< changes with every want()
    };

    /// @thread control, audio not running. Allocates `slots` slots a ring (more than any want()
    /// spans) for frames up to `maxSamples` long.
    void prepare(int maxSamples, int slots);
    [[nodiscard]] int slots() const noexcept { return slotCount_; }
    [[nodiscard]] bool prepared() const noexcept { return rings_[0] != nullptr; }

    /// @thread audio (window 0) or control (window 1: a song cued). Frames [frame, until)
    /// (timecode frame indexes, not wrapped) will be played at `samplesPerFrame`, those from `head`
    /// on soonest (at most slots() - kAhead of them: the earliest are dropped).
    void want(int window, std::int64_t frame, std::int64_t head, std::int64_t until, double samplesPerFrame) noexcept;
    /// @thread audio. Copies samples [from, from + n) of `frame` encoded at `samplesPerFrame`,
    /// scaled to `gain`, into `out` (past the frame's encoded length: its last sample). False, and
    /// `out` silent, when the frame is in neither ring (not encoded yet, or being written).
    bool read(std::int64_t frame, double samplesPerFrame, int from, int n, float gain, float* out) noexcept;

    // encoder thread
    [[nodiscard]] Want wanted(int window) const noexcept;
    /// True when `frame` at `samplesPerFrame` is in the window's ring.
    [[nodiscard]] bool has(int window, std::int64_t frame, double samplesPerFrame) const noexcept;
    /// Puts a frame's samples (libltc's 8-bit, centred on 128) in its slot of the window's ring.
    void write(int window, std::int64_t frame, double samplesPerFrame, const std::uint8_t* samples,
               int length) noexcept;

private:
    struct Slot {
        std::atomic<std::uint32_t> seq{0}; // odd: being written
        std::atomic<std::int64_t> frame{kNone};
        std::atomic<double> samplesPerFrame{0.0};
        std::atomic<int> length{0};
        std::unique_ptr<std::atomic<std::uint8_t>[]> samples;
    };
    struct Window {
        std::atomic<std::uint64_t> seq{0}; // odd: being changed (a seqlock, as the slots')
        std::atomic<std::int64_t> frame{kNone}, head{kNone}, until{kNone};
        std::atomic<double> samplesPerFrame{0.0};
    };
    static_assert(std::atomic<double>::is_always_lock_free && std::atomic<std::int64_t>::is_always_lock_free);
    [[nodiscard]] Slot& slotOf(int window, std::int64_t frame) const noexcept;
    /// Copies from the ring's slot if it holds the frame (and was not rewritten meanwhile).
    bool readRing(int window, std::int64_t frame, double samplesPerFrame, int from, int n, float gain,
                  float* out) noexcept;

    std::array<std::unique_ptr<Slot[]>, kWindows> rings_;
    int slotCount_ = 0;
    int maxSamples_ = 0;
    std::array<Window, kWindows> windows_;
};

} // namespace stemdeck::engine
