#pragma once
// Native Instruments STEMS files (.stem.mp4 / .stem.m4a): one MP4 container holding a stereo
// master (audio track 0) and up to four stereo stems (the audio tracks after it), usually AAC,
// with stem names and colours in a JSON box (moov/udta/stem). Decoded through FFmpeg.
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::formats {

/// Where a stem's audio is: a file, or one audio track of a stem file.
struct StemLocation {
    std::filesystem::path file;
    int track = -1; ///< -1: the whole file (libsndfile); 0…: that audio track of an MP4 (FFmpeg)
    StemLocation(std::filesystem::path f, int t = -1) : file(std::move(f)), track(t) {} // NOLINT: a path is a location
    [[nodiscard]] std::string describe() const;                                         ///< "x.stem.mp4 (track 2)"
};

struct StemTrackInfo {
    int track = 0;     ///< audio track number (0: the master)
    std::string name;  ///< from NI metadata, else the track's title, else "Master" / "Stem N"
    std::string color; ///< "#RRGGBB" from NI metadata, else ""
    std::string codec; ///< "aac", "alac", …
    int sampleRate = 0;
    int channels = 0;
    int bitDepth = 0;        ///< a lossless codec's (ALAC, FLAC) bits per sample; 0 for lossy ones
    std::int64_t frames = 0; ///< after the encoder's priming samples are trimmed
};

struct StemFileInfo {
    std::filesystem::path file;
    StemTrackInfo master;
    std::vector<StemTrackInfo> stems;
    bool niMetadata = false;     ///< the file has an NI 'stem' box (names and colours)
    std::string metadataProblem; ///< what is wrong with that box ("" when it is as NI writes it)
};

/// @thread any. True for *.stem.mp4 and *.stem.m4a, any case. (Inline: the set-file parser and
/// its fuzzer use it without FFmpeg.)
[[nodiscard]] inline bool isStemFileName(const std::filesystem::path& file) {
    std::string name = file.filename().string();
    for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name.ends_with(".stem.mp4") || name.ends_with(".stem.m4a");
}

/// @thread control. The tracks of a stem file. Throws stemdeck::Error naming the file and the
/// problem (not an MP4, damaged, no audio, only one audio track, a codec FFmpeg cannot decode,
/// more than two channels in a track) and what to do about it.
[[nodiscard]] StemFileInfo probeStemFile(const std::filesystem::path& file);

/// @thread any. A stem-file track's facts as AudioFileInfo (format "MP4", subtype the codec).
[[nodiscard]] AudioFileInfo trackAudioInfo(const StemTrackInfo& track);

/// @thread control. A stem's header facts, from libsndfile for a file of its own or FFmpeg for a
/// track of a stem file (format "MP4", subtype the codec). Throws stemdeck::Error naming it.
[[nodiscard]] AudioFileInfo probeStem(const StemLocation& stem);

/// @thread control. The JSON of an MP4's moov/udta/stem box, or nullopt when there is none.
[[nodiscard]] std::optional<std::string> readNiStemMetadata(const std::filesystem::path& file);

} // namespace stemdeck::formats
