#pragma once
// A stem folder as producers deliver it (../shared/STEMS.md), read with no configuration.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/common/Limits.h"
#include "stemdeck/set/Readme.h"

namespace stemdeck::set {

/// One stem file and the name a performer sees for it.
struct FolderStem {
    std::filesystem::path path;
    std::string name;  ///< "03_Lead Synth.wav" → "Lead Synth"
    int track = -1;    ///< in a .stem.mp4: its audio track (1…); -1 for a file of its own
    std::string color; ///< "#RRGGBB" from a .stem.mp4's NI metadata, else ""
    /// A .stem.mp4 track's facts, read with the file (so loading does not probe it once per stem).
    std::optional<formats::AudioFileInfo> probed;
};

/// The stems of one song in play order, plus the reference mix and readme if present.
struct StemFolder {
    std::filesystem::path dir;
    std::vector<FolderStem> stems;                  ///< audio files sorted by name, reference excluded
    std::optional<std::filesystem::path> reference; ///< 00_MIX_REFERENCE.*: never summed with the stems
    int referenceTrack = -1;                        ///< in a .stem.mp4: the master's track (0)
    bool stemFile = false;                          ///< the song is one .stem.mp4 (NI STEMS)
    std::optional<std::filesystem::path> readme;
    ReadmeInfo info;
};

/// A folder's entries as every part of stemdeck (play, render, check) sees them.
struct FolderListing {
    /// Audio files in play order (by name, case-insensitively). An entry named like a stem keeps
    /// its place and its number whatever it turns out to be — a folder, a dangling link, a link
    /// loop — and fails on its own, so the stems after it are not renumbered.
    std::vector<std::filesystem::path> audio;
    std::optional<std::filesystem::path> reference; ///< 00_MIX_REFERENCE.*
    std::vector<std::filesystem::path> texts;       ///< .txt files, the readme first
    std::vector<std::filesystem::path> stemFiles;   ///< .stem.mp4 / .stem.m4a files
};

/// @thread control. Lists `dir` (hidden files such as ._* and .DS_Store are skipped). Throws
/// stemdeck::Error when the folder cannot be listed.
[[nodiscard]] FolderListing listFolder(const std::filesystem::path& dir);

/// @thread any. True for 00_MIX_REFERENCE.<audio extension>, any case.
[[nodiscard]] bool isReferenceMixName(const std::filesystem::path& file);

/// @thread any. The display name of a stem file: number prefix and extension removed,
/// underscores between words kept as they are written ("03_Lead Synth.wav" → "Lead Synth").
[[nodiscard]] std::string stemNameFromFile(const std::filesystem::path& file);

/// @thread control. Lists a folder's stems. Throws stemdeck::Error when the folder is missing,
/// holds no audio files, or holds more than kMaxStems stems (naming them). A .stem.mp4
/// (NI STEMS) given directly, or alone in a folder, is a song too: its stems are tracks 1…, its
/// master (track 0) is the reference mix.
[[nodiscard]] StemFolder scanStemFolder(const std::filesystem::path& dir);

} // namespace stemdeck::set
