#pragma once
// Decoding a whole file as it was made (its own rate, no resampling) to learn what it really
// holds: its sample peak, how many frames decode, and where a decoding error stopped it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace stemdeck::formats {

struct FileScan {
    float peak = 0.0f;         ///< linear sample peak over every channel
    std::int64_t frames = 0;   ///< frames that decoded
    std::int64_t errorAt = -1; ///< the frame a decoding error stopped it at; -1: none
    std::string error;         ///< the decoder's words for that error
};

/// @thread control. Decodes `file` through libsndfile (integer files at an exact ±1.0 scale), or,
/// for a file libsndfile cannot decode but stemdeck plays (a 20-bit FLAC), through StemReader.
/// nullopt when neither can open it. `progress` (may be empty) is told the fraction decoded when
/// the header gives the length.
[[nodiscard]] std::optional<FileScan> scanFile(const std::filesystem::path& file,
                                               const std::function<void(double)>& progress = {});

} // namespace stemdeck::formats
