#include "stemdeck/app/MidiOutSetup.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <ostream>

#include "stemdeck/common/Error.h"
#include "stemdeck/remote/OscClient.h"

namespace stemdeck::app {

std::string MidiOutArgs::describe() const {
    if (!enabled()) return "";
    std::string out = "MIDI out: ";
    if (clock || clockOnly)
        out += std::string(clockOnly ? "clock only" : "clock") +
               (clockOnly             ? ""
                : start == "count-in" ? " (Start on the count-in)"
                                      : " (Start on bar 1)") +
               (whileStopped ? ", running while stopped" : "");
    else
        out += mtc ? "" : "no clock";
    out += mtc ? (clock || clockOnly ? ", MTC" : "MTC") : "";
    out += cues ? ", cues" : "";
    out += connect.empty() ? " (not connected: connect its midi_out port)" : " → " + connect;
    return out;
}

void addMidiOutOptions(CLI::App& cmd, MidiOutArgs& a) {
    cmd.add_option("--midi-out", a.connect,
                   "Connect stemdeck's MIDI output (JACK: CLIENT:midi_out) to the MIDI inputs whose names hold NAME "
                   "(any part, any case); its clock and the set's cues go there")
        ->type_name("NAME");
    cmd.add_flag("--midi-clock", a.clock,
                 "Send MIDI clock (24 ticks a quarter note) on the MIDI output, with Start, Stop, Continue and Song "
                 "Position; it runs through the count-in and Starts on bar 1");
    cmd.add_flag("--midi-clock-only", a.clockOnly,
                 "MIDI clock without Start, Stop, Continue or Song Position (for a modeler's delays)");
    cmd.add_flag("--midi-clock-while-stopped", a.whileStopped,
                 "Keep the clock ticking while stopped, at the last song's tempo (Start still waits for bar 1)");
    cmd.add_option("--midi-clock-start", a.start,
                   "Where the clock's Start goes: bar-1 (default: a drum machine lands on bar 1) or count-in")
        ->check(CLI::IsMember({"bar-1", "count-in"}));
}

void takeSetMidiOut(MidiOutArgs& a, const set::SetMidiOut& s, const std::vector<set::SetSong>& songs) {
    if (a.connect.empty() && s.connect) a.connect = *s.connect;
    if (!a.clock && s.clock) a.clock = *s.clock;
    if (!a.clockOnly && s.clockOnly) a.clockOnly = *s.clockOnly;
    if (!a.whileStopped && s.clockWhileStopped) a.whileStopped = *s.clockWhileStopped;
    if (a.start.empty() && s.startAtCountIn) a.start = *s.startAtCountIn ? "count-in" : "bar-1";
    a.cues = std::any_of(songs.begin(), songs.end(), [](const set::SetSong& song) {
        return std::any_of(song.cues.begin(), song.cues.end(), [](const set::Cue& c) { return !c.osc; });
    });
    a.oscCues = std::any_of(songs.begin(), songs.end(), [](const set::SetSong& song) {
        return std::any_of(song.cues.begin(), song.cues.end(), [](const set::Cue& c) { return c.osc.has_value(); });
    });
}

engine::MidiClockOptions clockOptions(const MidiOutArgs& a) {
    engine::MidiClockOptions c;
    c.on = a.clock || a.clockOnly;
    c.transport = !a.clockOnly;
    c.whileStopped = a.whileStopped;
    c.startAtCountIn = a.start == "count-in";
    return c;
}

OscCueSender::OscCueSender(std::ostream& log) : log_(log) {}
OscCueSender::~OscCueSender() = default;

void OscCueSender::send(const set::OscCue& cue) {
    const std::string target = cue.host + ":" + std::to_string(cue.port);
    auto it = clients_.find(target);
    std::string error;
    if (it == clients_.end()) {
        try {
            const std::string host = cue.host == "localhost" ? "127.0.0.1" : cue.host;
            it = clients_.emplace(target, std::make_unique<remote::OscClient>(remote::Endpoint{host, cue.port})).first;
        } catch (const Error& e) {
            error = e.what();
        }
    }
    remote::OscMessage m;
    m.path = cue.address;
    for (const set::OscArgument& a : cue.args)
        m.args.push_back(a.type == set::OscArgument::Type::integer ? remote::OscValue::integer(a.integer)
                         : a.type == set::OscArgument::Type::real  ? remote::OscValue::real(a.real)
                                                                   : remote::OscValue::string(a.text));
    if (error.empty() && it->second->send(m, error)) {
        ++sent_;
        failed_.erase(target);
        return;
    }
    if (!failed_[target])
        log_ << "warning: OSC cue " << cue.address << " to " << target << " not sent: " << error << "\n";
    failed_[target] = true;
}

} // namespace stemdeck::app
