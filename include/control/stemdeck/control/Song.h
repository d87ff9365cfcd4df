#pragma once
// A song ready to play: its stem folder decoded into sources, its grid, its names.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/GuideVoices.h"
#include "stemdeck/control/SongCues.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/formats/StretchedReader.h"
#include "stemdeck/set/Lyrics.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/set/StemFolder.h"
#include "stemdeck/stream/DiskStreamer.h"

namespace stemdeck::control {

/// What the command line can override.
struct SongOptions {
    std::optional<double> bpm;      ///< wins over the readme
    std::optional<int> beatsPerBar; ///< wins over the readme
    std::optional<int> sampleRate;  ///< play at this rate (stems are resampled); default: the first stem's
    std::shared_ptr<stream::DiskStreamer> streamer; ///< shared disk thread; a song makes its own if empty
    /// On stage: a stem that cannot be opened stays silent (keeping its number) and the song
    /// plays, with a warning naming the file. Off, such a stem refuses the song (render, check).
    bool keepBrokenStems = false;
    /// Rehearsal tempo and key (Rubber Band). From the command line they win over the set file's.
    std::optional<set::TempoSetting> tempo;
    std::optional<double> transpose; ///< semitones
    /// R3 short window for playing live, its standard window for render (see docs/manual/benchmarks.md).
    formats::Stretch::Quality stretchQuality = formats::Stretch::Quality::live;
    /// The thread that stretches (shared like `streamer`; a song makes its own if empty and it
    /// is stretched). Unstretched songs never use it.
    std::shared_ptr<stream::DiskStreamer> stretchStreamer;
    /// Where every stem's RAM head starts, in frames of the song as it plays (0: the top). A song
    /// retimed while it plays is loaded again with its head where the new tempo takes over.
    std::int64_t headAt = 0;
    double headSeconds = 0.0; ///< the head's length (0: StreamingSizes' default)
    /// Render: a stem's read fault is silence to the song's end, never retried (the same file,
    /// run to run, whatever the machine's load). Play retries (StreamingSizes::retryAfterFault).
    bool offline = false;
};

/// A loaded song. Its stems stream from disk; view() hands the engine non-owning pointers, so the
/// Song must outlive the engine's use of it.
struct Song {
    Song() = default;
    Song(Song&&) noexcept = default;
    Song& operator=(Song&&) noexcept = default;
    ~Song(); ///< stops streaming its stems (the disk thread frees them)

    std::string title;
    set::StemFolder folder;
    std::vector<std::shared_ptr<stream::StreamedStem>> sources; ///< nullptr: a broken stem kept silent
    std::shared_ptr<stream::StreamedStem> reference;            ///< 00_MIX_REFERENCE, streamed for A/B (if readable)
    std::shared_ptr<stream::DiskStreamer> streamer;
    std::vector<std::string> stemNames;
    int sampleRate = 0;
    engine::SongTiming timing; ///< as it plays: a stretched song's BPM is its own times the tempo
    /// Its tempo and key as it plays (unity: the files as they are). Every stem and the reference
    /// mix go through identically configured stretchers, so they stay sample-aligned.
    formats::Stretch stretch;
    double ownBpm = 120.0;             ///< the song's own BPM (timing.bpm at unity tempo)
    bool bpmKnown = false;             ///< from the readme or the command line, not the 120 BPM default
    std::vector<std::string> warnings; ///< plays, but not as a professional delivery (lossy stems)
    std::int64_t lengthFrames = 0;
    /// Its cues (MIDI and OSC), made by applySetSong; shared with the same song retimed (the
    /// engine places them on whichever grid plays).
    std::shared_ptr<const SongCues> cues;
    /// Its spoken guide cues (none: nullptr), made by applySetSong; shared with the song retimed
    /// like `cues` (the view's guides points into them).
    std::shared_ptr<const SongGuides> guides;
    /// Its words and chords (lyrics.lrc or a ChordPro file; none: nullptr), timed at 100% tempo;
    /// shared with the same song retimed. A tap (tap-to-time) replaces it with the file saved.
    std::shared_ptr<const set::Lyrics> lyrics;

    /// @thread control. The engine's view of this song (valid while the Song lives).
    [[nodiscard]] engine::SongView view() const;

    /// @thread control, before playback. Holds every stem from `frame` in RAM, so a jump there
    /// starts on the next block with all stems together.
    void addCue(std::int64_t frame);

    /// @thread control. Faults the disk thread met since the last call, one message each.
    [[nodiscard]] std::vector<std::string> takeFaults();

    /// @thread control. A stem by 1-based number ("2") or name, case-insensitive ("drums");
    /// nullopt when there is none.
    [[nodiscard]] std::optional<int> findStem(std::string_view numberOrName) const;
};

/// @thread control. What a set file says about a song, as loading options (BPM, time signature,
/// tempo and key where `base` has none) on top of `base`.
[[nodiscard]] SongOptions optionsFor(const set::SetSong& plan, const SongOptions& base);

/// @thread control. The rest of what a set file says, applied to a loaded song and its engine
/// view: title, count-in (`defaultCountIn` when it says nothing), the stems' start state and the
/// cues (the view points at the song's), and its spoken guide from `guides` (none: nullptr).
/// Returns a warning for each start-state stem the song does not have.
[[nodiscard]] std::vector<std::string> applySetSong(const set::SetSong& plan, Song& song, engine::SongView& view,
                                                    int defaultCountIn, const GuideVoices* guides = nullptr);

/// @thread control. A song's spoken guide (its cues on the song's bars, no I/O): the song keeps
/// it, the view points at it. Returns a warning for each cue left out.
[[nodiscard]] std::vector<std::string> applyGuides(const GuideVoices& guides, const set::SetSong& plan, Song& song,
                                                   engine::SongView& view);

/// @thread control. Loads a stem folder and starts streaming it. Throws stemdeck::Error naming
/// the file for a missing or unreadable folder or stem. Stems at another rate than the song's are
/// resampled, with a warning when they differ among themselves.
[[nodiscard]] Song loadSong(const std::filesystem::path& folder, const SongOptions& options = {});

} // namespace stemdeck::control
