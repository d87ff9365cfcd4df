#include "stemdeck/control/SongCues.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::control {

namespace {

int rank(engine::MidiCue::At at) {
    switch (at) {
    case engine::MidiCue::At::current: return 0;
    case engine::MidiCue::At::start: return 1;
    case engine::MidiCue::At::beat: return 2;
    case engine::MidiCue::At::end: return 3;
    }
    return 3;
}

engine::MidiCue::At placeOf(set::Cue::At at) {
    switch (at) {
    case set::Cue::At::current: return engine::MidiCue::At::current;
    case set::Cue::At::start: return engine::MidiCue::At::start;
    case set::Cue::At::end: return engine::MidiCue::At::end;
    case set::Cue::At::bar:
    case set::Cue::At::marker: break;
    }
    return engine::MidiCue::At::beat;
}

} // namespace

bool SongCues::anyMidi() const {
    return std::any_of(midi.cues.begin(), midi.cues.end(), [](const engine::MidiCue& c) { return c.osc < 0; });
}

std::shared_ptr<const SongCues> makeSongCues(const std::vector<set::Cue>& cues, const engine::SongTiming& timing,
                                             int sampleRate) {
    auto out = std::make_shared<SongCues>();
    for (const set::Cue& c : cues) {
        if ((c.at == set::Cue::At::bar || c.at == set::Cue::At::marker) && c.beat > timing.beatsPerBar) {
            out->warnings.push_back("line " + std::to_string(c.line) + ": the cue at " + c.where() +
                                    " is left out: a bar of this song has " + std::to_string(timing.beatsPerBar) +
                                    " beats");
            continue;
        }
        engine::MidiCue m;
        m.at = placeOf(c.at);
        m.beat = static_cast<std::int64_t>(c.bar - 1) * timing.beatsPerBar + (c.beat - 1);
        m.everyPass = c.everyPass;
        m.channel = static_cast<std::uint8_t>((c.channel - 1) & 0x0F);
        if (c.osc) {
            m.osc = static_cast<std::int32_t>(out->osc.size());
            out->osc.push_back(*c.osc);
        } else {
            const std::vector<std::uint8_t> bytes = c.midiBytes();
            m.offset = static_cast<std::uint32_t>(out->midi.bytes.size());
            m.size = static_cast<std::uint32_t>(bytes.size());
            out->midi.bytes.insert(out->midi.bytes.end(), bytes.begin(), bytes.end());
            if (c.program) m.chase = engine::MidiCue::Chase::program;
            if (c.control) {
                m.chase = engine::MidiCue::Chase::control;
                m.control = static_cast<std::uint8_t>(*c.control);
            }
            if (c.note) m.noteOffFrames = std::max<std::int64_t>(1, std::llround(c.noteSeconds * sampleRate));
        }
        out->midi.cues.push_back(m);
    }
    std::stable_sort(out->midi.cues.begin(), out->midi.cues.end(),
                     [](const engine::MidiCue& a, const engine::MidiCue& b) {
                         if (rank(a.at) != rank(b.at)) return rank(a.at) < rank(b.at);
                         return a.at == engine::MidiCue::At::beat && a.beat < b.beat;
                     });
    return out;
}

} // namespace stemdeck::control
