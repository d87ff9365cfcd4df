#pragma once
// Private to src/formats: what StemReader decodes from. One implementation per library:
// SndfileDecoder.cpp (libsndfile), FfmpegDecoder.cpp (FFmpeg).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "stemdeck/formats/Formats.h"

namespace stemdeck::formats::detail {

/// A source of interleaved float frames at its own rate, seekable to any frame.
/// @thread one at a time (the disk thread while streaming, the control thread while preloading).
class Decoder {
public:
    virtual ~Decoder() = default;
    /// Positions the decoder so the next read() yields `frame`. False on a seek error.
    virtual bool seek(std::int64_t frame) = 0;
    /// Up to n frames, channels interleaved; fewer at the end or on a read error.
    virtual int read(float* interleaved, int n) = 0;

    int rate = 0;
    int channels = 0;
    std::int64_t frames = 0;
    int bitDepth = 0; ///< a lossless codec's bits per sample where the decoder knows it (FFmpeg's), else 0
    /// After a short read: the decoder's words for the decoding error that stopped it, where the
    /// library says (libsndfile); "" at the end of the file.
    std::string error;
};

/// What a decoder is opened for.
enum class DecoderUse : std::uint8_t {
    play, ///< streaming, cues, probing: the length is known up front (counted if it must be)
    scan, ///< one pass from frame 0 (formats::scanStem): a header without a length is not counted first
};

/// How many frames a libsndfile handle (a SNDFILE*) really decodes to, counted by decoding it;
/// left positioned at frame 0. For files whose header does not say (a FLAC whose STREAMINFO
/// leaves the total unset, as a streaming encoder writes it).
std::int64_t decodedFrames(void* sndfile, int channels);

/// What a WAV or AIFF file's audio chunk declares, in frames, when that is more than libsndfile's
/// count `frames` (which it clamps to what the file holds: a cut-off copy would pass as a short
/// stem); else `frames`. The length then is what decodes, and the difference is a cut.
std::int64_t declaredFrames(void* sndfile, int format, int channels, std::int64_t frames);

/// The length of `file`, which libsndfile opened with count `frames`: when the header does not
/// give it (unknownLength), `known` if this load counted it already, else a FLAC's from its last
/// frames' headers (flacLengthFromTail), else found by decoding (decodedFrames); otherwise what
/// the audio chunk declares (declaredFrames).
std::int64_t lengthFrames(void* sndfile, const std::filesystem::path& file, int format, int channels,
                          std::int64_t frames, std::int64_t known = -1);

/// A FLAC stream's length where STREAMINFO leaves the total unset (a streaming encoder's file),
/// read from the headers of its last frames: FFmpeg's demuxer seeks to the last frame by its
/// frame headers (their first sample and block size, through FFmpeg's FLAC parser) and the
/// packets left give the end. Nothing is decoded: a 5-minute stem costs a few reads, not a
/// whole decode. A file cut off inside its last frame reads one block longer than what decodes
/// (the stem then reports the cut when it plays, as any cut-off stem). nullopt when the file is
/// not a FLAC or FFmpeg cannot seek in it (then the length is counted by decoding).
std::optional<std::int64_t> flacLengthFromTail(const std::filesystem::path& file);

/// Counts one whole-file decode done only to learn a length (lengthsCounted()).
void noteLengthCounted() noexcept;

/// True when a libsndfile frame count is "unknown" rather than a length.
bool unknownLength(std::int64_t frames);

/// A file libsndfile reads; `known` as in lengthFrames. Throws stemdeck::Error naming it when it cannot.
std::unique_ptr<Decoder> openSoundFile(const std::filesystem::path& file, std::int64_t known = -1);

/// A FLAC file libsndfile cannot decode (12- or 20-bit samples: libsndfile reads 8, 16 and 24),
/// through FFmpeg, whose FLAC decoder reads every valid bit depth; its length counted by decoding
/// when STREAMINFO does not give it and `known` is -1 (0: left at 0, not counted). nullptr when
/// the file is not a FLAC or FFmpeg cannot read it either (the caller then reports libsndfile's reason).
std::unique_ptr<Decoder> openFlacWithFfmpeg(const std::filesystem::path& file, std::int64_t known = -1);

/// The decoder for a stem: libsndfile for a file of its own (FFmpeg for a FLAC it cannot read),
/// FFmpeg for a track of a stem file. The one place that chooses. Throws stemdeck::Error naming it.
std::unique_ptr<Decoder> openDecoder(const StemLocation& stem, DecoderUse use = DecoderUse::play);

/// One audio track of an MP4 (a .stem.mp4's master or stem), through FFmpeg, with the encoder's
/// priming samples trimmed. Throws stemdeck::Error naming the file and track when it cannot.
std::unique_ptr<Decoder> openMp4Track(const std::filesystem::path& file, int track);

} // namespace stemdeck::formats::detail
