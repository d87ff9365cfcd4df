#pragma once
// Private to src/midi: whether a MIDI API can be used now, asked before an RtMidi object is made.
// RtMidi reports a missing ALSA sequencer or JACK server from its constructors, before an error
// callback can be set, as raw lines on stderr ("MidiInAlsa::initialize: error creating ALSA
// sequencer client object.", "MidiInJack::initialize: JACK server not running?"), and alsa-lib adds
// its own ("ALSA lib seq_hw.c:…"). stemdeck asks first and says it once, in its own words.
#include <string>

namespace stemdeck::midi {

/// @thread any. "" when `api` ("alsa" or "jack") can be used now; else why not, one line with the fix.
[[nodiscard]] std::string midiApiProblem(const std::string& api);

/// @thread any. alsa-lib's own messages go nowhere (it reports what RtMidi then reports to us).
void quietAlsaLibrary();

} // namespace stemdeck::midi
