#pragma once
// Native Instruments STEMS files (.stem.mp4 / .stem.m4a): one MP4 container holding a stereo
// master (audio track 0) and up to four stereo stems (the audio tracks after it), usually AAC,
// with stem names and colours in a JSON box (moov/udta/stem). Decoded through FFmpeg.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"

namespace stemdeck::formats {

struct StemTrackInfo {
    int track = 0;     ///< audio track number (0: the master)
    std::string name;  ///< from NI metadata, else the track's title, else "Master" / "Stem N"
    std::string color; ///< "#RRGGBB" from NI metadata, else ""
    std::string codec; ///< "aac", "alac", …
    int sampleRate = 0;
    int channels = 0;
    int bitDepth = 0;        ///< a lossless codec's (ALAC, FLAC) bits per sample; 0 for lossy ones
    std::int64_t frames = 0; ///< after the encoder's priming samples are trimmed
    /// AAC whose file declares no priming (no edit list, no iTunSMPB) from an unknown encoder:
    /// Apple's 2112 frames are assumed (NI's Stem Creator); check says so.
    bool primingAssumed = false;
};

struct NiStemFileInfo {
    std::filesystem::path file;
    StemTrackInfo master;
    std::vector<StemTrackInfo> stems;
    bool niMetadata = false;     ///< the file has an NI 'stem' box (names and colours)
    std::string metadataProblem; ///< what is wrong with that box ("" when it is as NI writes it)
};

/// @thread control. The tracks of a stem file. Throws stemdeck::Error naming the file and the
/// problem (not an MP4, damaged, no audio, only one audio track, a codec FFmpeg cannot decode,
/// more than two channels in a track) and what to do about it.
[[nodiscard]] NiStemFileInfo probeNiStemFile(const std::filesystem::path& file);

/// @thread any. A stem-file track's facts as AudioFileInfo (format "MP4", subtype the codec).
[[nodiscard]] AudioFileInfo trackAudioInfo(const StemTrackInfo& track);

/// @thread control. The JSON of an MP4's moov/udta/stem box, or nullopt when there is none.
[[nodiscard]] std::optional<std::string> readNiStemMetadata(const std::filesystem::path& file);

} // namespace stemdeck::formats
