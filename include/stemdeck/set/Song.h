#pragma once
// A song ready to play: its stem folder decoded into sources, its grid, its names.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/set/StemFolder.h"

namespace stemdeck::set {

/// What the command line can override.
struct SongOptions {
    std::optional<double> bpm;      ///< wins over the readme
    std::optional<int> beatsPerBar; ///< wins over the readme
    std::optional<int> sampleRate;  ///< must match the stems until resampling lands
};

/// A loaded song. Owns its stem sources; view() hands the engine non-owning pointers.
struct Song {
    std::string title;
    StemFolder folder;
    std::vector<std::unique_ptr<engine::StemSource>> sources;
    std::vector<std::string> stemNames;
    int sampleRate = 0;
    engine::SongTiming timing;
    bool bpmKnown = false; ///< from the readme or the command line, not the 120 BPM default
    std::int64_t lengthFrames = 0;

    /// @thread control. The engine's view of this song (valid while the Song lives).
    [[nodiscard]] engine::SongView view() const;

    /// @thread control. A stem by 1-based number ("2") or name, case-insensitive ("drums");
    /// nullopt when there is none.
    [[nodiscard]] std::optional<int> findStem(std::string_view numberOrName) const;
};

/// @thread control. Loads a stem folder. Throws stemdeck::Error naming the file for a missing or
/// unreadable folder or stem, stems of different sample rates, or a rate unlike the stems'.
[[nodiscard]] Song loadSong(const std::filesystem::path& folder, const SongOptions& options = {});

} // namespace stemdeck::set
