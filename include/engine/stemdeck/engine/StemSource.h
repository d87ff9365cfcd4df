#pragma once
// The engine's view of one stem: audio addressed by absolute song frame.
#include <cstdint>

namespace stemdeck::engine {

/// How much of a requested range a source could supply.
enum class ReadStatus : std::uint8_t {
    complete,    ///< every frame is real audio (or lies past the end of the file: silence by design)
    partial,     ///< some frames were missing and are silence
    unavailable, ///< nothing could be supplied; the whole range is silence
};

/// A stem's audio, addressed by absolute song frame (frame 0 = bar 1), at the engine's rate.
/// Every read returns exactly the frames asked for, so all stems stay in sync whatever happens.
class StemSource {
public:
    virtual ~StemSource() = default;

    /// @thread any. Channels in the file: 1 (plays centred) or 2.
    [[nodiscard]] virtual int channels() const noexcept = 0;

    /// @thread any. Length in frames at the engine's rate.
    [[nodiscard]] virtual std::int64_t lengthFrames() const noexcept = 0;

    /// @thread audio, non-blocking, wait-free. Writes frames [frame, frame + n) to left and right
    /// (a mono stem writes the same signal to both). Frames before 0 or past the end are silence
    /// and count as complete; frames the source cannot supply are silence and make it partial.
    virtual ReadStatus read(std::int64_t frame, float* left, float* right, int n) noexcept = 0;

    /// @thread audio, non-blocking. The transport jumped: reads continue from `frame`. A streamed
    /// source starts fetching there (or after the preloaded region holding it).
    virtual void seek(std::int64_t frame) noexcept { (void)frame; }

    /// @thread audio, non-blocking. True when [frame, frame + n) can be read without a gap (the
    /// engine waits for this on every stem before it plays from a seek target).
    [[nodiscard]] virtual bool readyAt(std::int64_t frame, int n) const noexcept {
        (void)frame, (void)n;
        return true;
    }

    /// @thread control (never audio). Waits until [frame, frame + n) can be read without a gap, or
    /// the timeout passes; false on timeout. The offline renderer calls it before each block so a
    /// render never outruns the disk.
    virtual bool waitUntilReadable(std::int64_t frame, int n, double timeoutSeconds) const {
        (void)frame, (void)n, (void)timeoutSeconds;
        return true;
    }
};

} // namespace stemdeck::engine
