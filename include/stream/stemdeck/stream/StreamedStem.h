#pragma once
// A stem streamed from disk: its head and cue regions in RAM, the rest through a StemRing.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "stemdeck/engine/StemSource.h"
#include "stemdeck/formats/StretchedReader.h"
#include "stemdeck/stream/StemRing.h"

namespace stemdeck::stream {

/// Sizes chosen for the worst case (see docs/manual/troubleshooting.md, "Memory and disk faults").
struct StreamingSizes {
    /// Ring length: 2.5 s at the stem's rate, rounded up to a power of two (131 072 frames =
    /// 2.73 s at 48 kHz). The disk thread keeps it full to within a chunk, so the read-ahead is
    /// at least ring − chunk − one block: 2.47 s at 48 kHz, more than the 1.5 s disk stall it
    /// must ride out.
    double ringSeconds = 2.5;
    /// Frames decoded per disk read (Mixxx's chunk size): 170 ms at 48 kHz, big enough for
    /// efficient reads, small enough to refill the ring in many steps.
    int chunkFrames = 8192;
    /// Seconds of every stem held in RAM from frame 0 (and from each cue point), so play, cue and
    /// song change start on the next block without the disk.
    double headSeconds = 3.0;
    /// On stage a stem whose read failed is tried again every half second (a file put back plays
    /// again). Off for render: a fault is silence to the end, so a render does not depend on how
    /// fast the machine ran it (at 50x real time a retry came ~25 s of song later, load-dependent).
    bool retryAfterFault = true;
};

/// One stem file, streamed. read() and seek() run on the audio thread and never block; service()
/// runs on the disk thread and does all the decoding.
class StreamedStem final : public engine::StemSource {
public:
    /// @thread control. Opens the file and decodes its head, at `outputRate` (0: the file's own;
    /// otherwise resampled with libsoxr on the disk thread) and at `stretch`'s tempo and key
    /// (Rubber Band, on the thread that services it; its frames are then the stretched timeline).
    /// Throws stemdeck::Error naming the file when it is missing, not audio, or has more than two
    /// channels. The head is held from `headAt` (0: the top; a song retimed while it plays holds
    /// it where the new tempo takes over) and the ring goes on from its end.
    static std::shared_ptr<StreamedStem> open(const formats::StemLocation& file, int outputRate = 0,
                                              const StreamingSizes& sizes = {}, const formats::Stretch& stretch = {},
                                              std::int64_t headAt = 0);
    ~StreamedStem() override;

    /// A stretch of the stem decoded into RAM (the head, a cue), immutable once playback starts.
    struct Region {
        std::int64_t start = 0;
        std::vector<float> left, right;
        [[nodiscard]] std::int64_t end() const noexcept { return start + static_cast<std::int64_t>(left.size()); }
    };

    /// A cue at `frame` is held in RAM, so a jump there is instant, in three steps (control::Song::
    /// addCue runs the decode of every stem side by side, watched):
    /// @thread control. The part of a cue at `frame` not in RAM yet: [first, second), or nullopt.
    [[nodiscard]] std::optional<std::pair<std::int64_t, std::int64_t>> cueSpan(std::int64_t frame) const;
    /// @thread any. [from, to) decoded with a reader of its own; touches only what never changes
    /// after open(), so a worker given up on (a stalled share) may run on with it.
    [[nodiscard]] Region decodeCue(std::int64_t from, std::int64_t to) const;
    /// @thread control, before playback. Keeps a decoded cue in RAM.
    void holdRegion(Region region);
    /// @thread control. A cue read of this stem did not answer: later cues do not ask it again.
    void markCueStalled() noexcept { cueStalled_ = true; }
    [[nodiscard]] bool cueStalled() const noexcept { return cueStalled_; }

    // StemSource
    [[nodiscard]] int channels() const noexcept override { return channels_; }
    [[nodiscard]] std::int64_t lengthFrames() const noexcept override { return length_; }
    engine::ReadStatus read(std::int64_t frame, float* left, float* right, int n) noexcept override;
    void seek(std::int64_t frame) noexcept override;
    /// (A stem whose file does not answer is ready: it plays silence, and nobody waits for it.)
    [[nodiscard]] bool readyAt(std::int64_t frame, int n) const noexcept override {
        return readable(frame, n) || silentNoAnswer_.load(std::memory_order_relaxed);
    }
    bool waitUntilReadable(std::int64_t frame, int n, double timeoutSeconds) const override;

    /// @thread any. True when [frame, frame + n) can be read without a gap.
    [[nodiscard]] bool readable(std::int64_t frame, int n) const noexcept;

    /// @thread disk. Decodes the next chunk if the ring has room; true if it did any work.
    bool service(std::vector<float>& scratch);

    /// @thread control. A fault the disk thread met (file cut short, unreadable), once per fault.
    [[nodiscard]] bool takeFault(std::string& message);

    /// @thread disk watcher. A read of this stem has not come back in `after` (its disk or share
    /// stopped answering): said once, as a fault, and nobody waits for its frames from now on
    /// (a render plays it silent; a seek does not wait for it).
    void noAnswer(std::chrono::milliseconds after);
    /// @thread disk. That read came back (on the thread that was left behind with it): the stem
    /// is waited for again, and, if it had been `told` no answer and read without a fault, says
    /// it answers again (a read that came back failing has said so itself).
    void answered(bool told);

    [[nodiscard]] const formats::StemLocation& file() const noexcept { return file_; }
    [[nodiscard]] int sampleRate() const noexcept { return sampleRate_; } ///< the rate it plays at
    [[nodiscard]] int fileRate() const noexcept { return fileRate_; }
    [[nodiscard]] const formats::Stretch& stretch() const noexcept { return stretch_; }

private:
    StreamedStem(const formats::StemLocation& file, int outputRate, const StreamingSizes& sizes,
                 const formats::Stretch& stretch);
    Region decodeRegion(formats::StretchedReader& reader, std::int64_t start, std::int64_t frames) const;
    [[nodiscard]] const Region* regionAt(std::int64_t frame) const noexcept;
    [[nodiscard]] std::int64_t nextRegionStart(std::int64_t frame) const noexcept; ///< after frame; max if none
    /// A stretched stem's read of [f, f + n) inside region r (f ≥ r.start); returns frames done.
    int readStretchedRegion(const Region& r, std::int64_t f, float* left, float* right, int n) noexcept;
    bool reopen();
    void reportFault(const std::string& message);

    formats::StemLocation file_;
    StreamingSizes sizes_;
    formats::Stretch stretch_;
    int channels_ = 0;
    int sampleRate_ = 0;
    int fileRate_ = 0;
    std::int64_t length_ = 0;
    std::vector<Region> regions_; // sorted by start
    StemRing ring_;
    // A stretched stem: a stretcher restarted mid-song is time-aligned with continuous playback but
    // not sample-identical (the phase vocoder's phases start afresh), so where the ring takes over
    // from a RAM region after a seek, the last kSplice frames of the region fade into the ring.
    static constexpr int kSplice = 1024;
    int splice_ = 0;                              // kSplice when stretched, else 0 (regions and ring agree)
    std::vector<float> spliceLeft_, spliceRight_; // audio thread's scratch for the fade

    // disk thread only (created on the control thread, handed over when streaming starts)
    std::unique_ptr<formats::StretchedReader> reader_;
    std::int64_t decodePos_ = -1;
    bool faulted_ = false;
    std::int64_t nextRetryNs_ = 0;

    // shared: a fault message written by the disk thread, taken by the control thread
    std::mutex faultMutex_;                  // disk and control threads only, never the audio thread
    std::vector<std::string> faultMessages_; // in order, none lost
    std::atomic<bool> faultPending_{false};
    std::atomic<bool> silentNoAnswer_{false}; // noAnswer() until answered()
    bool cueStalled_ = false;                 // control thread
};

} // namespace stemdeck::stream
