#pragma once
// The plain-text readme producers put beside their stems: BPM, key, sample rate, tuning.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace stemdeck::set {

/// What a stem folder's readme says. Every field is optional: readmes are written by hand.
struct ReadmeInfo {
    std::optional<double> bpm;        ///< "BPM: 128", "128 bpm", "Tempo = 128"
    std::optional<std::string> key;   ///< "Key: F# minor" → "F# minor"
    std::optional<double> sampleRate; ///< "Sample rate: 48 kHz" → 48000
    std::optional<double> tuningHz;   ///< "Tuning: A=440 Hz" → 440
    std::optional<int> beatsPerBar;   ///< "Time signature: 3/4" → 3
    std::optional<int> beatUnit;      ///< … → 4
    std::optional<std::string> title; ///< "Title: Night Drive"
};

/// @thread control. Reads the common spellings; unknown lines are ignored.
[[nodiscard]] ReadmeInfo parseReadme(std::string_view text);

/// @thread control. Reads and parses a readme file; throws stemdeck::Error if it cannot be read.
[[nodiscard]] ReadmeInfo readReadme(const std::filesystem::path& file);

} // namespace stemdeck::set
