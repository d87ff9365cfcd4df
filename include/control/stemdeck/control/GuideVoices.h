#pragma once
// The spoken guide's clips, made before the show: a recorded cue where there is one (a song
// folder's guides/Chorus.wav, or the set's folder of recorded cues), else eSpeak NG's voice,
// synthesised once and cached beside the set (NAME.guides/), so a show never synthesises on stage.
// Each clip is resampled to the device's rate, its leading silence trimmed (its first sample is the
// word's onset) and its peak set to the guide's level.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "stemdeck/engine/Guide.h"
#include "stemdeck/set/SetFile.h"

namespace stemdeck::control {

/// How the guide speaks (the set file's `guides:` and the command line, decided).
struct GuideOptions {
    bool markers = true;          ///< each marker's name (or its cue:) before it
    bool countIn = true;          ///< the count-in counted aloud
    std::string voice = "en";     ///< eSpeak NG's voice
    float peak = 0.5f;            ///< every clip's peak, linear (−6 dBFS)
    std::filesystem::path folder; ///< recorded cues for every song ("" : none)
    std::filesystem::path cache;  ///< where synthesised cues are kept ("" : nowhere, synthesised each run)
};

/// Where a clip came from.
struct GuideCounts {
    int recorded = 0, cached = 0, synthesised = 0;
};

/// A song's guide as the engine reads it, and what keeps its clips alive.
struct SongGuides {
    engine::GuideTrack track;
    std::shared_ptr<const class GuideVoices> voices;
    std::vector<std::string> warnings; ///< cues left out (a beat the bar does not have)
};

/// @thread control.
class GuideVoices : public std::enable_shared_from_this<GuideVoices> {
public:
    /// Every clip the songs will say, at `sampleRate`: recorded, cached or synthesised now (the
    /// count-in's words as many as a song's bar has beats). A clip that cannot be made (eSpeak NG
    /// cannot speak, a recording cannot be read) is left out and said in warnings().
    [[nodiscard]] static std::shared_ptr<const GuideVoices> prepare(const std::vector<set::SetSong>& songs,
                                                                    const GuideOptions& options, int sampleRate);

    /// A song's track (no I/O): its markers' and its own cues on bars of `beatsPerBar` beats, and
    /// the count-in's words.
    [[nodiscard]] std::shared_ptr<const SongGuides> track(const set::SetSong& song, int beatsPerBar) const;

    [[nodiscard]] const GuideCounts& counts() const { return counts_; }
    /// Cues left out (a recording that cannot be read, a text eSpeak NG cannot say), one line each.
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    [[nodiscard]] const GuideOptions& options() const { return options_; }
    [[nodiscard]] int sampleRate() const { return sampleRate_; }
    /// "8 cues: 2 recorded, 6 synthesised (eSpeak NG, voice en), cached in sets/friday.guides"
    [[nodiscard]] std::string describe() const;

    /// The texts a song's guide says (marker names or their cue:, its own cues; not the counts).
    [[nodiscard]] static std::vector<std::string> textsOf(const set::SetSong& song, const GuideOptions& options);
    /// "one" … "sixteen": the count-in's words.
    [[nodiscard]] static const std::vector<std::string>& countWords();
    /// The cache's file for a text in a voice (its name from the text, and a hash of the text,
    /// the voice and eSpeak NG's version).
    [[nodiscard]] static std::filesystem::path cacheFile(const std::filesystem::path& cache, const std::string& text,
                                                         const std::string& voice);

    GuideVoices(const GuideOptions& options, int sampleRate) : options_(options), sampleRate_(sampleRate) {}

private:
    struct Clip {
        std::vector<float> samples;
    };
    const Clip& load(const std::string& text, const std::filesystem::path& songFolder);
    [[nodiscard]] const Clip* find(const std::string& text, const std::filesystem::path& songFolder) const;

    GuideOptions options_;
    int sampleRate_ = 48000;
    GuideCounts counts_;
    std::vector<std::string> warnings_;
    // By (song folder or "" for every song, folded text); a map: its clips never move.
    std::map<std::pair<std::string, std::string>, Clip> clips_;
};

} // namespace stemdeck::control
