#pragma once
// The spoken guide cues for play, the stage GUI and render: their command-line options over the
// set file's `guides:` and `audio:` (guide, click_level, guide_level), and the clips made before
// the show.
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "stemdeck/control/GuideVoices.h"
#include "stemdeck/set/SetFile.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

struct GuideArgs {
    bool on = false, off = false;     ///< --guides, --no-guides (else the set file's guides:)
    std::optional<int> out;           ///< --guide OUTPUT: their own pair (default: the click's)
    std::optional<double> level;      ///< --guide-level DB (default −6 dBFS)
    std::optional<double> clickLevel; ///< --click-level DB (default −6 dBFS)
    std::string voice;                ///< --guide-voice (default: the set's, else en)
    set::SetGuides set;               ///< the set file's guides:
    std::filesystem::path cache;      ///< beside the set file; a folder alone: the user's cache

    /// The guide speaks (asked for here, or by the set file, and not turned off).
    [[nodiscard]] bool wanted() const { return !off && (on || (set.present && set.on.value_or(true))); }
    [[nodiscard]] control::GuideOptions options() const;
    /// "spoken guide: on the click's outputs (3-4), −6 dBFS, voice en, count-ins counted" …
    [[nodiscard]] std::string describe(std::optional<int> clickOut) const;
};

/// @thread main. --guides, --no-guides, --guide-level, --click-level, --guide-voice, and (play,
/// `outputs`) --guide.
void addGuideOptions(CLI::App& command, GuideArgs& args, bool outputs = true);

/// @thread main. The set file's guides: and audio: guide, click_level, guide_level where the
/// command line says nothing; the cache beside the set.
void takeSetGuides(GuideArgs& args, const set::SetFile& set);

/// @thread main. The user's cache of synthesised cues, for songs played without a set file
/// ($XDG_CACHE_HOME/stemdeck/guides, else ~/.cache/stemdeck/guides).
[[nodiscard]] std::filesystem::path userGuideCache();

/// @thread control, before the show. The clips of every song's guide (GuideVoices::prepare),
/// said in one line to `log`; nullptr (and why, in the log) when the guide is not wanted or
/// cannot speak: the show goes on without it.
[[nodiscard]] std::shared_ptr<const control::GuideVoices>
prepareGuides(const GuideArgs& args, const std::vector<set::SetSong>& songs, int sampleRate, std::ostream& log);

} // namespace stemdeck::app
