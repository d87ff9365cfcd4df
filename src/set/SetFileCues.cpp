// A song's cues (`cues:`) and the set's MIDI output (`midi_out:`), read from a set file with
// FILE:LINE:COLUMN errors.
#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "SetFileParse.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::set::detail {

namespace {

const std::vector<std::string> kCueKeys = {"at",   "channel",  "program", "bank",  "control", "value",
                                           "note", "velocity", "length",  "sysex", "osc",     "repeat"};
const std::vector<std::string> kOscKeys = {"to", "address", "args"};
const std::vector<std::string> kMidiOutKeys = {"connect", "clock", "clock_only", "clock_while_stopped", "start"};
const std::vector<std::string> kWhen = {"current", "start", "end", "bar", "marker"};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// A whole number written out whole ("12", "-3"), nothing else.
bool parseInt(const std::string& s, int& out) {
    if (s.empty() || s.size() > 9) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (std::isdigit(static_cast<unsigned char>(s[i])) == 0 && !(i == 0 && s[i] == '-' && s.size() > 1))
            return false;
    out = std::stoi(s);
    return true;
}

/// One of two words: true for `second`, false for `first`; anything else is refused, saying what
/// each means (`meaning`: "is first (…) or second (…)").
bool oneOf(const YAML::Node& n, const std::string& what, const std::string& first, const std::string& second,
           const std::string& meaning, const yaml::Reader& r) {
    const std::string text = r.scalar(n, what);
    if (text != first && text != second) r.fail(n, what + ": '" + text + "' " + meaning);
    return text == second;
}

/// `at:` — current, start, end, "bar 17", "bar 17 beat 3", "marker Chorus".
void parseAt(const YAML::Node& n, Cue& cue, const SetSong& song, const yaml::Reader& r) {
    const std::string text = trim(r.scalar(n, "at"));
    std::istringstream in(text);
    std::string word;
    in >> word;
    const std::string lower = foldCase(word);
    const std::string example = "; write at: current, start, end, bar 17, bar 17 beat 3 or marker Chorus";
    if (lower == "current" || lower == "start" || lower == "end") {
        if (std::string extra; in >> extra) r.fail(n, "at: '" + text + "' has more than '" + word + "'" + example);
        cue.at = lower == "current" ? Cue::At::current : lower == "start" ? Cue::At::start : Cue::At::end;
    } else if (lower == "bar") {
        cue.at = Cue::At::bar;
        std::string beatWord, extra;
        if (!(in >> cue.bar) || cue.bar < 1 || cue.bar > 100000)
            r.fail(n, "at: '" + text + "' needs a bar number from 1 to 100000" + example);
        if (in >> beatWord) {
            if (foldCase(beatWord) != "beat" || !(in >> cue.beat) || cue.beat < 1 || cue.beat > 32 || (in >> extra))
                r.fail(n, "at: '" + text + "': after the bar comes 'beat N' (1 to 32), as in bar 17 beat 3");
        }
    } else if (lower == "marker") {
        cue.at = Cue::At::marker;
        std::getline(in >> std::ws, cue.marker);
        cue.marker = trim(cue.marker);
        std::vector<std::string> names;
        for (const Marker& m : song.markers) {
            names.push_back(m.name);
            if (foldCase(m.name) == foldCase(cue.marker)) {
                cue.marker = m.name;
                cue.bar = m.bar;
                return;
            }
        }
        if (names.empty())
            r.fail(n, "at: '" + text + "': this song has no markers; give it markers: { " +
                          (cue.marker.empty() ? "Chorus" : cue.marker) + ": 17 } or cue a bar (at: bar 17)");
        r.fail(n, "at: '" + text + "': the song has no marker '" + cue.marker + "'" + didYouMean(cue.marker, names) +
                      "; its markers: " + joinNames(names));
    } else {
        r.fail(n, "at: '" + text + "' is not a place in a song" + didYouMean(lower, kWhen) + example);
    }
}

/// osc: { to: HOST:PORT, address: /path, args: [1, 0.5, text] }
OscCue parseOsc(const YAML::Node& n, const yaml::Reader& r) {
    if (!n.IsMap() || !n["to"] || !n["address"])
        r.fail(n, "osc is a map such as osc: { to: 127.0.0.1:16759, address: /location/1/0/1/press, args: [] }");
    r.checkKeys(n, kOscKeys, "an OSC cue");
    OscCue osc;
    const std::string to = r.scalar(n["to"], "to");
    const std::size_t colon = to.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0 || !parseInt(to.substr(colon + 1), port) || port < 1 || port > 65535)
        r.fail(n["to"], "to: '" + to + "' is not HOST:PORT, e.g. to: 127.0.0.1:16759 (a port from 1 to 65535)");
    osc.host = to.substr(0, colon);
    if (osc.host.size() > 2 && osc.host.front() == '[' && osc.host.back() == ']')
        osc.host = osc.host.substr(1, osc.host.size() - 2);
    unsigned char address[16];
    if (osc.host != "localhost" && inet_pton(AF_INET, osc.host.c_str(), address) != 1 &&
        inet_pton(AF_INET6, osc.host.c_str(), address) != 1)
        r.fail(n["to"], "to: '" + osc.host +
                            "' is not an IP address; write the host's address (192.168.1.20, "
                            "127.0.0.1): looking a name up could hold the show up mid-song");
    osc.port = port;
    osc.address = r.scalar(n["address"], "address");
    if (osc.address.empty() || osc.address[0] != '/' || osc.address.find(' ') != std::string::npos)
        r.fail(n["address"], "address: '" + osc.address +
                                 "' is not an OSC address; it starts with / and has no "
                                 "spaces, e.g. /location/1/0/1/press");
    if (const YAML::Node args = n["args"]) {
        if (!args.IsSequence()) r.fail(args, "args is a list, e.g. args: [1, 0.5, go]");
        for (const auto& a : args) {
            const std::string text = r.scalar(a, "an OSC argument");
            OscArgument arg;
            int whole = 0;
            if (a.Tag() != "!" && parseInt(text, whole)) { // a quoted "1" stays text
                arg.type = OscArgument::Type::integer;
                arg.integer = whole;
            } else if (const auto real = yaml::Reader::as<double>(a); a.Tag() != "!" && real) {
                arg.type = OscArgument::Type::real;
                arg.real = *real;
            } else {
                arg.type = OscArgument::Type::text;
                arg.text = text;
            }
            osc.args.push_back(arg);
        }
    }
    return osc;
}

/// The message a cue sends: exactly one of program, control, note, sysex, osc.
void parseMessage(const YAML::Node& n, Cue& cue, const yaml::Reader& r) {
    int kinds = 0;
    for (const char* k : {"program", "control", "note", "sysex", "osc"})
        if (n[k]) ++kinds;
    if (kinds != 1)
        r.fail(n, std::string(kinds == 0 ? "a cue sends one message"
                                         : "a cue sends one message, this one names " + std::to_string(kinds)) +
                      ": program (with bank), control (with value), note, sysex or osc; write a cue for each");
    if (const YAML::Node c = n["channel"]) cue.channel = r.integer(c, "channel", 1, 16);
    if (const YAML::Node p = n["program"]) cue.program = r.integer(p, "program", 1, 128);
    if (const YAML::Node b = n["bank"]) {
        if (!cue.program) r.fail(b, "bank goes with a program change (program: N)");
        cue.bank = r.integer(b, "bank", 0, 16383);
    }
    if (const YAML::Node c = n["control"]) {
        cue.control = r.integer(c, "control", 0, 127);
        if (!n["value"]) r.fail(n, "a controller cue needs its value (0-127): control: 74, value: 127");
    }
    if (const YAML::Node v = n["value"]) {
        if (!cue.control) r.fail(v, "value goes with a controller (control: N)");
        cue.value = r.integer(v, "value", 0, 127);
    }
    if (const YAML::Node t = n["note"]) cue.note = r.integer(t, "note", 0, 127);
    for (const char* k : {"velocity", "length"})
        if (n[k] && !cue.note) r.fail(n[k], std::string(k) + " goes with a note (note: N)");
    if (const YAML::Node v = n["velocity"]) cue.velocity = r.integer(v, "velocity", 1, 127);
    if (const YAML::Node l = n["length"]) cue.noteSeconds = r.number(l, "length (seconds)", 0.001, 60.0);
    if (const YAML::Node s = n["sysex"]) {
        std::string problem;
        cue.sysex = parseSysex(r.scalar(s, "sysex"), problem);
        if (!problem.empty()) r.fail(s, "sysex: " + problem);
        if (cue.sysex.size() > 4096) r.fail(s, "sysex: a cue's message is at most 4096 bytes");
    }
    if (const YAML::Node o = n["osc"]) {
        cue.osc = parseOsc(o, r);
        if (n["channel"]) r.fail(n["channel"], "channel goes with a MIDI message, not an OSC one");
    }
}

} // namespace

bool flag(const YAML::Node& n, const std::string& what, const yaml::Reader& r) {
    const std::optional<bool> yes = yaml::Reader::as<bool>(n);
    if (!yes) r.fail(n, what + " is true or false");
    return *yes;
}

void parseCues(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    if (!n.IsSequence())
        r.fail(n, "cues is a list, e.g. cues: [ { at: current, program: 5 }, { at: marker Chorus, control: 74, "
                  "value: 127 } ]");
    for (const auto& item : n) {
        if (!item.IsMap() || !item["at"])
            r.fail(item, "each cue is a map with at: and one message, e.g. { at: bar 17, program: 5, channel: 2 }");
        r.checkKeys(item, kCueKeys, "a cue");
        Cue cue;
        cue.line = item.Mark().line + 1;
        cue.column = item.Mark().column + 1;
        parseAt(item["at"], cue, song, r);
        parseMessage(item, cue, r);
        if (const YAML::Node rep = item["repeat"])
            cue.everyPass = oneOf(rep, "repeat", "once", "every",
                                  "is once (a vamp's repeats pass over it) or every (it fires on each repeat)", r);
        song.cues.push_back(std::move(cue));
    }
}

SetMidiOut parseMidiOut(const YAML::Node& n, const yaml::Reader& r) {
    if (!n.IsMap()) r.fail(n, "midi_out is a map, e.g. midi_out: { connect: Helix, clock: true }");
    r.checkKeys(n, kMidiOutKeys, "midi_out");
    SetMidiOut m;
    if (const YAML::Node c = n["connect"]) m.connect = r.scalar(c, "connect");
    if (const YAML::Node c = n["clock"]) m.clock = flag(c, "clock", r);
    if (const YAML::Node c = n["clock_only"]) m.clockOnly = flag(c, "clock_only", r);
    if (const YAML::Node c = n["clock_while_stopped"]) m.clockWhileStopped = flag(c, "clock_while_stopped", r);
    if (const YAML::Node s = n["start"])
        m.startAtCountIn = oneOf(s, "start", "bar-1", "count-in",
                                 "is bar-1 (Start on bar 1's downbeat, the clock running through the count-in) or "
                                 "count-in (Start on the count-in's first beat)",
                                 r);
    return m;
}

} // namespace stemdeck::set::detail
