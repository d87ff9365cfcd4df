#pragma once
// Decoding a whole stem as it was made (its own rate, no resampling) to learn what it really
// holds: its sample peak, how many frames decode, where a decoding error stopped it, and, for a
// display, its overview. The one scanner: `check` and the GUI's waveforms both use it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/formats/Formats.h"

namespace stemdeck::formats {

struct FileScan {
    float peak = 0.0f;         ///< linear sample peak over every channel
    std::int64_t frames = 0;   ///< frames that decoded
    std::int64_t errorAt = -1; ///< the frame a decoding error stopped it at; -1: none
    std::string error;         ///< the decoder's words for that error
    /// When asked for (ScanOptions::overviewPoints): the peak of each of that many equal parts of
    /// what decoded, in order.
    std::vector<float> overview;
};

struct ScanOptions {
    int overviewPoints = 0;                    ///< 0: no overview
    std::function<void(double)> progress;      ///< the fraction decoded, when the header gives the length
    const std::atomic<bool>* cancel = nullptr; ///< set: stop soon and return nullopt
};

/// @thread control or a worker of its own. Decodes a stem through the decoder that plays it
/// (libsndfile with integer files at an exact ±1.0 scale; FFmpeg for the FLAC depths libsndfile
/// cannot read and for the tracks of a stem file). Never decodes twice: a header without a length
/// is not counted first. nullopt when the stem cannot be opened, or on cancel.
[[nodiscard]] std::optional<FileScan> scanStem(const StemLocation& stem, const ScanOptions& options = {});

} // namespace stemdeck::formats
