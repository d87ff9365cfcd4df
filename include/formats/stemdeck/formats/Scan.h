#pragma once
// Decoding a whole stem as it was made (its own rate, no resampling) to learn what it really
// holds: its sample peak, how many frames decode, where a decoding error stopped it, and, for a
// display, its overview; and a stem file's tracks side by side, with how far the stems' sum is
// from the master. The one scanner: `check` and the GUI's waveforms both use it.
#include <atomic>
#include <cstdint>
#include <filesystem>
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

/// A stem file's tracks, decoded side by side.
struct StemFileScan {
    /// The master (track 0), then each stem: its peak and the frames that decoded. (No overview,
    /// and no decoder's words: an MP4 track's decoder gives none.)
    std::vector<FileScan> tracks;
    /// The stems' sum against the master: the energy of their difference over the master's, in dB;
    /// -infinity when they match sample for sample, 0 when the master is silent.
    double sumResidualDb = 0.0;
};

/// @thread control. Decodes tracks 0 … tracks-1 of the stem file `file` side by side from frame 0
/// through StemReader at their own rate, each in blocks of the same size, the stems summed against
/// the master. Progress: the share of the master's length decoded (overviewPoints is not used).
/// Throws stemdeck::Error (the reader's words, naming the file and track) when a track cannot be
/// opened; nullopt on cancel.
[[nodiscard]] std::optional<StemFileScan> scanStemFile(const std::filesystem::path& file, int tracks,
                                                       const ScanOptions& options = {});

} // namespace stemdeck::formats
