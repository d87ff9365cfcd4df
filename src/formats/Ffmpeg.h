#pragma once
// Private to src/formats: the FFmpeg pieces the stem-file probe (NiStemFile.cpp) and the FFmpeg
// decoder (FfmpegDecoder.cpp) share.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace stemdeck::formats::ffmpeg {

struct FormatCloser {
    void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using FormatPtr = std::unique_ptr<AVFormatContext, FormatCloser>;

/// Opens a container and reads its streams. Throws stemdeck::Error naming the file and saying
/// what kind of file is wanted.
FormatPtr openContainer(const std::filesystem::path& file);

/// The stream index of the `track`-th audio stream, or -1.
int audioStream(const AVFormatContext& f, int track);

/// How many audio streams the container holds.
int audioStreamCount(const AVFormatContext& f);

/// True for a lossy codec (anything but ALAC, FLAC and PCM).
bool isLossy(const std::string& codec);

/// A stream's declared length in frames at `rate` (0 when it declares none).
std::int64_t streamFrames(const AVStream& st, int rate);

/// The frames to trim from the start of audio stream `index`: AAC priming its file does not
/// declare. Reads its first packet and seeks back to the start.
std::int64_t undeclaredPriming(AVFormatContext& f, int index);

} // namespace stemdeck::formats::ffmpeg
