#pragma once
// A song's cues made ready for the engine: the MIDI messages on beat lines (the engine places them
// on the grid as it plays, so a live tempo step moves them with the music) and the OSC messages the
// control side sends when the engine says one is due.
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/engine/MidiOut.h"
#include "stemdeck/engine/Timing.h"
#include "stemdeck/set/Cue.h"

namespace stemdeck::control {

struct SongCues {
    engine::MidiCues midi;             ///< every cue, OSC ones too (MidiCue::osc indexes `osc`)
    std::vector<set::OscCue> osc;      ///< by index
    std::vector<std::string> warnings; ///< cues left out (a beat the bar does not have), one line each
    [[nodiscard]] bool anyMidi() const;
};

/// @thread control. The set file's cues for a song on `timing` (its bars and beats) at
/// `sampleRate` (a note's length in frames). Cues on a beat past the bar's last are left out, with
/// a warning; the rest keep their order within each place.
[[nodiscard]] std::shared_ptr<const SongCues> makeSongCues(const std::vector<set::Cue>& cues,
                                                           const engine::SongTiming& timing, int sampleRate);

} // namespace stemdeck::control
