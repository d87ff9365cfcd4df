#pragma once
// A song's lyrics where the play head is, and the markers its sections give a song the set file
// gives none. Times in the lyrics are song time at 100%: the play head's own time is its song
// frame scaled by the tempo playing (a stretched song's grid is its own, stretched).
#include <cstddef>
#include <optional>
#include <vector>

#include "stemdeck/control/PlayerStatus.h"
#include "stemdeck/set/Lyrics.h"
#include "stemdeck/set/SetFile.h"

namespace stemdeck::control {

/// @thread control. The lines sung at `ownSeconds` (100%) and next; `tempo` (playing BPM over the
/// song's own) turns the wait for the next into seconds as heard; `tapCursor`: the line after the
/// last one tapped (set::nextLyricToTap).
[[nodiscard]] LyricsNow lyricsNow(const set::Lyrics& lyrics, double ownSeconds, double ownBpm, int beatsPerBar,
                                  double tempo, std::optional<std::size_t> tapCursor);

/// @thread control. A marker on the bar each section starts in (its first timed line; a pickup sung
/// within a beat before a bar: that bar), named as the section ("Verse 1", "Chorus", a second
/// unnamed chorus "Chorus 2"): jump targets where the set file has none.
[[nodiscard]] std::vector<set::Marker> sectionMarkers(const set::Lyrics& lyrics, double ownBpm, int beatsPerBar);

} // namespace stemdeck::control
