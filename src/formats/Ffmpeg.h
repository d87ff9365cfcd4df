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

/// Where frame 0 of an AAC track is, in its stream's samples (the decoder's raw output, with
/// AV_CODEC_FLAG2_SKIP_MANUAL: nothing skipped by libavcodec, so it is trimmed once, here).
struct Priming {
    std::int64_t frames = 0; ///< frame 0 is this many samples after stream time 0
    bool assumed = false;    ///< the file declares nothing and its encoder is unknown: Apple's 2112 assumed
};

/// Audio stream `index`'s priming (see FfmpegDecoder.cpp). Reads its first packet and seeks back
/// to the start.
Priming aacPriming(AVFormatContext& f, int index);

} // namespace stemdeck::formats::ffmpeg
