#pragma once
// Reading and writing audio files through libsndfile (control and disk threads only).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace stemdeck::formats {

/// What a file's header says.
struct AudioFileInfo {
    std::int64_t frames = 0;
    int sampleRate = 0;
    int channels = 0;
    std::string format;  ///< "WAV", "FLAC", …
    std::string subtype; ///< "PCM 24-bit", "32-bit float", …
    int bitDepth = 0;    ///< 0 where the format has none (lossy, float reported as 32)
    bool lossy = false;
};

/// @thread control / disk. Reads a file's header. Throws stemdeck::Error naming the file and the
/// reason when it is missing, unreadable, not audio libsndfile understands, or at a sample rate
/// outside kMinSampleRate … kMaxSampleRate. With `countLength` false, a header that gives no
/// length leaves frames at -1 instead of the file being decoded to count it.
[[nodiscard]] AudioFileInfo probeAudioFile(const std::filesystem::path& file, bool countLength = true);

/// The sample rates stemdeck plays. A header outside them is damaged or not meant for playback
/// (a 1 Hz header would have the disk thread allocate gigabytes; a ring sized from a 2 kHz rate
/// would hold less than one disk read).
inline constexpr int kMinSampleRate = 8000;
inline constexpr int kMaxSampleRate = 384000;

/// @thread any. "" when `file` is a regular file stemdeck may read; else what is wrong with it, in
/// words a performer can act on ("is a folder, not an audio file", "permission denied …", a
/// dangling link, a link loop).
[[nodiscard]] std::string fileProblem(const std::filesystem::path& file);

/// @thread any. Throws stemdeck::Error naming `what` when `rate` is outside the rates stemdeck plays.
void requirePlayableRate(const std::string& what, int rate);

/// How a WAV file is written.
enum class SampleFormat { pcm16, pcm24, float32 };

/// Writes stereo (or mono) audio to a WAV file incrementally, into a temporary name that is
/// renamed into place only by commit(): an error or crash never leaves a partial file behind.
/// @thread control.
class WavWriter {
public:
    WavWriter(const std::filesystem::path& file, int sampleRate, int channels, SampleFormat format);
    ~WavWriter(); ///< without commit(): closes and deletes the temporary file
    WavWriter(const WavWriter&) = delete;
    WavWriter& operator=(const WavWriter&) = delete;

    /// Appends n frames; right is ignored for mono. Throws stemdeck::Error on a write error.
    void write(const float* left, const float* right, int n);

    /// Finishes the file and renames it into place. Throws stemdeck::Error on failure.
    void commit();

    [[nodiscard]] std::int64_t framesWritten() const noexcept { return frames_; }

private:
    std::filesystem::path file_, temp_;
    void* handle_ = nullptr; // SNDFILE*
    int channels_;
    bool integer_; // PCM: clamped and scaled here (libsndfile's clipping path is several times slower)
    std::int64_t frames_ = 0;
    std::vector<float> interleaved_;
    std::vector<int> pcm_;
};

/// @thread control. Writes a whole file at once (via WavWriter).
void writeWav(const std::filesystem::path& file, int sampleRate, const std::vector<float>& left,
              const std::vector<float>* right, SampleFormat format);

} // namespace stemdeck::formats
