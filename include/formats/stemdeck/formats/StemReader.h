#pragma once
// Decoding one stem at the engine's rate: libsndfile (or FFmpeg for a track of a .stem.mp4), plus
// libsoxr when the rates differ.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "stemdeck/formats/Formats.h"

namespace stemdeck::formats {

namespace detail {
class Decoder;
}

/// Reads a stem file as float stereo at `outputRate`, from any output frame. Owned by one thread
/// at a time (the disk thread while streaming, the control thread while preloading).
///
/// With resampling, a start at output frame F begins decoding at an input frame on the exact
/// rational grid of the two rates (a multiple of in/gcd(in, out)), at least kPreRoll input frames
/// early so the filter has settled, and drops the outputs before F. Every start therefore lands
/// on the same output timeline: stems of one rate stay sample-aligned, and a seek matches what
/// continuous playback would have produced.
class StemReader {
public:
    static constexpr std::int64_t kPreRoll = 4096;

    /// `outputRate` 0 means the file's own rate. Throws stemdeck::Error naming the file (and track)
    /// if it cannot be opened or has more than 2 channels.
    StemReader(const StemLocation& stem, int outputRate);
    ~StemReader();
    StemReader(const StemReader&) = delete;
    StemReader& operator=(const StemReader&) = delete;

    /// Positions the reader so the next read() yields output frame `frame`. False on a seek error.
    bool start(std::int64_t frame);

    /// Produces up to n frames; fewer means the file ended or could not be read (a short read).
    int read(float* left, float* right, int n);

    [[nodiscard]] std::int64_t lengthFrames() const noexcept { return length_; } ///< at the output rate
    [[nodiscard]] int fileRate() const noexcept { return fileRate_; }
    [[nodiscard]] int outputRate() const noexcept { return outputRate_; }
    [[nodiscard]] int channels() const noexcept { return channels_; }
    [[nodiscard]] bool resampling() const noexcept { return resampler_ != nullptr; }

private:
    int decode(float* left, float* right, int n); // at the file's rate
    void resampleMore();                          // decodes and resamples one input chunk

    StemLocation stem_;
    std::unique_ptr<detail::Decoder> decoder_;
    void* resampler_ = nullptr; // soxr_t
    int fileRate_ = 0, outputRate_ = 0, channels_ = 0;
    std::int64_t fileFrames_ = 0, length_ = 0;
    std::int64_t inStep_ = 1, outStep_ = 1; // the rates divided by their gcd
    std::int64_t skip_ = 0;                 // outputs still to drop after a start
    bool inputEnded_ = false, flushed_ = false;
    std::vector<float> interleaved_, inLeft_, inRight_, stereoIn_;
    std::vector<float> pending_; // resampled stereo frames, interleaved, not yet read
    std::size_t pendingRead_ = 0;
};

} // namespace stemdeck::formats
