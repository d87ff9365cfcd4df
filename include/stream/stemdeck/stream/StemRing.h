#pragma once
// A single-producer / single-consumer ring of stereo audio, addressed by absolute song frame.
#include <atomic>
#include <cstdint>
#include <vector>

namespace stemdeck::stream {

/// Frames of one stem between the disk thread (producer) and the audio thread (consumer).
///
/// Frames are addressed by absolute song frame; slot = frame mod capacity. Each seek starts a new
/// *generation*: the consumer requests (generation, start frame) and from then on reads only data
/// the producer has written for that generation, so frames from before a seek are never played
/// after it. The three shared words pack (generation << 40 | frame) into one atomic each, so a
/// generation and its frame are always read together:
///   request_  consumer → producer: the current generation and where it starts
///   filled_   producer → consumer: frames of that generation are valid up to here
///   consumed_ consumer → producer: the consumer will not read below here again
/// The producer writes only frames below consumed + capacity and the consumer reads only frames
/// at or above consumed, so they never touch the same slot; release/acquire on these words
/// orders the sample data. Frames must stay below 2^40 (254 days at 48 kHz).
class StemRing {
public:
    static constexpr int kGenerationShift = 40;
    static constexpr std::int64_t kFrameMask = (std::int64_t{1} << kGenerationShift) - 1;

    /// @thread control. Capacity is rounded up to a power of two.
    explicit StemRing(int capacityFrames);

    [[nodiscard]] int capacity() const noexcept { return capacity_; }

    // --- consumer: the audio thread -------------------------------------------------------------

    /// @thread audio, wait-free. Starts a new generation whose data begins at `frame`; data of
    /// earlier generations is never read again.
    void request(std::int64_t frame) noexcept;

    /// @thread audio, wait-free. Copies the longest available prefix of [frame, frame + n) into
    /// left/right and returns its length (0 … n); marks everything below frame + n as consumed.
    /// Reads move forward within a generation: frames below an earlier read's end are not served.
    int read(std::int64_t frame, float* left, float* right, int n) noexcept;

    /// @thread audio. Where the current generation starts (the last request's frame).
    [[nodiscard]] std::int64_t requested() const noexcept { return readerStart_; }

    /// @thread any. True when [frame, frame + n) of the current generation is in the ring.
    [[nodiscard]] bool has(std::int64_t frame, int n) const noexcept;

    // --- producer: the disk thread --------------------------------------------------------------

    /// What the producer should do next.
    struct Work {
        std::uint32_t generation = 0;
        std::int64_t writeFrame = 0; ///< next frame to write
        int space = 0;               ///< frames it may write from there
        bool restarted = false;      ///< a new generation (or a reader that ran ahead): reposition the decoder
    };

    /// @thread disk. Looks at the consumer's request and position and says where to write.
    Work work() noexcept;

    /// @thread disk. Writes n frames at writeFrame of the current work (n ≤ space) and publishes them.
    void write(const float* left, const float* right, int n) noexcept;

private:
    static std::int64_t pack(std::uint32_t generation, std::int64_t frame) noexcept {
        return (static_cast<std::int64_t>(generation) << kGenerationShift) | (frame & kFrameMask);
    }
    static std::uint32_t generationOf(std::int64_t word) noexcept {
        return static_cast<std::uint32_t>(word >> kGenerationShift);
    }
    static std::int64_t frameOf(std::int64_t word) noexcept { return word & kFrameMask; }

    int capacity_;
    int mask_;
    std::vector<float> left_, right_;

    // consumer only
    std::uint32_t readerGeneration_ = 0;
    std::int64_t readerConsumed_ = 0;
    std::int64_t readerStart_ = 0;
    // producer only
    std::uint32_t writerGeneration_ = 0;
    std::int64_t writeFrame_ = 0;

    // shared
    std::atomic<std::int64_t> request_{0};
    std::atomic<std::int64_t> filled_{0};
    std::atomic<std::int64_t> consumed_{0};
    static_assert(std::atomic<std::int64_t>::is_always_lock_free);
};

} // namespace stemdeck::stream
