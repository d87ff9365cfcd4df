#pragma once
// Helpers shared by the tests: temporary folders, generated stems, offline renders.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/control/Song.h"

namespace stemdeck::test {

/// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// A generated stem: planar samples, right empty for mono.
struct StemAudio {
    std::vector<float> left, right;
};

/// Impulses of `amplitude` at the given frames in an otherwise silent stem.
StemAudio impulseStem(std::int64_t length, const std::vector<std::int64_t>& frames, float amplitude, bool stereo);

/// A constant level (DC): makes gain and fade shapes directly visible in the output.
StemAudio constantStem(std::int64_t length, float level, bool stereo);

/// A mono ramp whose every frame tells where it was read: rampAt(frame, base), 1e-7 a frame (from
/// a base of 0.1 each frame is a float of its own for minutes).
StemAudio rampStem(std::int64_t length, float base);
inline float rampAt(std::int64_t frame, float base) {
    return base + static_cast<float>(frame) / 1e7f;
}

/// A sine of `hz` at `amplitude`.
StemAudio sineStem(std::int64_t length, double hz, double sampleRate, float amplitude, bool stereo);

/// Writes stems as 32-bit float WAV files 01_Name.wav … (exact round trip) plus an optional readme.
void writeStemFolder(const std::filesystem::path& dir, int sampleRate, const std::vector<StemAudio>& stems,
                     const std::vector<std::string>& names, const std::string& readme = "");

/// Writes a stereo file in any libsndfile format (SF_FORMAT_WAV | SF_FORMAT_PCM_24, FLAC, Ogg …);
/// a mono stem is written on both sides. Throws std::runtime_error if libsndfile cannot.
void writeSoundFile(const std::filesystem::path& file, int sfFormat, int sampleRate, const StemAudio& audio);

/// Writes a Native Instruments-style stem file (.stem.mp4) with the `ffmpeg` tool: track 0 the
/// master (`master`, or the stems' sum), then one track per stem, encoded with `codec` (ffmpeg
/// arguments). With `niNames`, a moov/udta/stem JSON box like NI's names the stems and colours
/// them (#FF0000, #00FF00, …). Throws std::runtime_error if ffmpeg fails.
void writeStemMp4(const std::filesystem::path& file, int sampleRate, const std::vector<StemAudio>& stems,
                  const std::vector<std::string>& niNames = {}, const StemAudio* master = nullptr,
                  const std::string& codec = "-c:a aac -b:a 320k");

/// Zeroes a FLAC's STREAMINFO total-samples field (36 bits), as a streaming encoder leaves it.
/// Throws std::runtime_error if the file is not a FLAC.
void unsetFlacTotal(const std::filesystem::path& file);

/// Appends a moov/udta/stem box holding `json` to an MP4 whose moov is its last box (ffmpeg's
/// default layout), as NI's stem creator writes it.
void addNiStemBox(const std::filesystem::path& file, const std::string& json);

/// Render options for one block size, or (block 0) a pseudo-random pattern of sizes 1…700 drawn
/// from `seed`: odd and changing block sizes catch block-boundary bugs.
control::RenderOptions blockOptions(int block, std::uint32_t seed = 1234);

/// Renders a folder with a YAML events script (may be empty) through the real loader and engine,
/// at the stems' rate or at `sampleRate` (resampled), like `stemdeck render --rate`.
struct Rendered {
    std::vector<float> left, right;
    control::RenderReport report;
    std::vector<std::string> faults; ///< disk faults the song reported
};
/// `plan`: a set file's entry for the song (start state, scenes), applied as `render` does.
Rendered renderFolder(const std::filesystem::path& dir, const std::string& eventsYaml,
                      const control::RenderOptions& options, int sampleRate = 0, const set::SetSong* plan = nullptr);

/// Frames where the render differs from the plain sum of the stems (mono stems centred), over
/// the render's length: 0 means sample-exact.
std::size_t mismatchesAgainstSum(const Rendered& out, const std::vector<StemAudio>& stems);

/// The largest |x[i+1] − x[i]| over [from, to).
double maxStep(const std::vector<float>& x, std::size_t from, std::size_t to);

/// Click detector for a signal made of one sine of `hz` (however filtered or faded): the largest
/// step between samples divided by the largest step a sine of the local peak level (±1 ms) could
/// make. A clean signal stays at or below about 1; a discontinuity of size d in it shows as
/// d / (local peak × 2π·hz/rate), far above 1 for any audible click.
double maxSlopeRatio(const std::vector<float>& x, std::size_t from, std::size_t to, double hz, double rate);

/// RMS of x over [from, to).
double rms(const std::vector<float>& x, std::size_t from, std::size_t to);

} // namespace stemdeck::test
