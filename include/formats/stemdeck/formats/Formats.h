#pragma once
// What stemdeck plays, and where a stem's audio is. Adding a format is a row in kFormats and, if
// no library here reads it yet, one decoder file in src/formats (chosen in detail::openDecoder).
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::formats {

/// How a file holds its audio.
enum class Container : std::uint8_t {
    soundFile, ///< one stem per file, read by libsndfile (FFmpeg for the FLAC depths it cannot)
    niStems,   ///< a Native Instruments stem file: a master and its stems as tracks of one MP4 (FFmpeg)
};

struct Format {
    std::string_view suffix; ///< the end of the file name, lower case
    Container container;
};

/// Every format stemdeck plays, by the end of the file's name (any case).
/// .bwf: Broadcast Wave from field recorders and Pro Tools (a WAV with a bext chunk).
inline constexpr std::array<Format, 13> kFormats{{
    {".wav", Container::soundFile},
    {".wave", Container::soundFile},
    {".bwf", Container::soundFile},
    {".aif", Container::soundFile},
    {".aiff", Container::soundFile},
    {".aifc", Container::soundFile},
    {".flac", Container::soundFile},
    {".ogg", Container::soundFile},
    {".oga", Container::soundFile},
    {".opus", Container::soundFile},
    {".mp3", Container::soundFile},
    {".stem.mp4", Container::niStems},
    {".stem.m4a", Container::niStems},
}};

/// @thread any. The format of a file by its name, or nullptr when stemdeck does not play it.
/// (Inline: the set-file parser and its fuzzer use it without the decoders.)
[[nodiscard]] inline const Format* formatOf(const std::filesystem::path& file) {
    std::string name = file.filename().string();
    for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Format* found = nullptr;
    for (const Format& f : kFormats) // the longest suffix wins: x.stem.mp4 is a stem file
        if (name.size() > f.suffix.size() && name.ends_with(f.suffix) &&
            (found == nullptr || f.suffix.size() > found->suffix.size()))
            found = &f;
    return found;
}

/// @thread any. True for a stem in a file of its own (wav, wave, bwf, aif, aiff, aifc, flac, ogg,
/// oga, opus, mp3), any case.
[[nodiscard]] inline bool isAudioFileName(const std::filesystem::path& file) {
    const Format* f = formatOf(file);
    return f != nullptr && f->container == Container::soundFile;
}

/// @thread any. True for *.stem.mp4 and *.stem.m4a, any case.
[[nodiscard]] inline bool isStemFileName(const std::filesystem::path& file) {
    const Format* f = formatOf(file);
    return f != nullptr && f->container == Container::niStems;
}

/// Where a stem's audio is: a file, or one audio track of a stem file.
struct StemLocation {
    std::filesystem::path file;
    int track = -1; ///< -1: the whole file (libsndfile); 0…: that audio track of an MP4 (FFmpeg)
    /// The file's length in its own frames when this load has probed it already (probeStem's
    /// frames), else -1. Used where the header gives no length (a FLAC whose STREAMINFO leaves
    /// the total unset), so every decoder opened for this stem — streaming, cues, a reopen after a
    /// fault — takes it instead of decoding the whole file again to count.
    std::int64_t knownFrames = -1;
    StemLocation(std::filesystem::path f, int t = -1, std::int64_t known = -1) // NOLINT: a path is a location
        : file(std::move(f)), track(t), knownFrames(known) {}
    [[nodiscard]] std::string describe() const; ///< "x.stem.mp4 (track 2)"
};

/// How much a probe finds out.
enum class ProbeDepth : std::uint8_t {
    length, ///< the real length, decoding the file to count it when the header does not say
    header, ///< the header alone: frames is -1 when it does not say (for the rate, say)
};

/// @thread control. A stem's header facts, from libsndfile for a file of its own or FFmpeg for a
/// track of a stem file (format "MP4", subtype the codec). Throws stemdeck::Error naming it.
[[nodiscard]] AudioFileInfo probeStem(const StemLocation& stem, ProbeDepth depth = ProbeDepth::length);

/// @thread any. How many times a length has been counted by decoding a whole file since the
/// program started: the cost probeStem and StemLocation::knownFrames keep to once per file per
/// load (tests read it; so can a log).
[[nodiscard]] std::uint64_t lengthsCounted() noexcept;

} // namespace stemdeck::formats
