#include "stemdeck/remote/AbleSet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "stemdeck/common/Text.h"

namespace stemdeck::remote {

using control::Action;
using control::ActionCall;

namespace {

/// "(did you mean 'Bass'?)" for a word of a plausible length: the comparison costs its length
/// times each name's, and a sender's word may be 4000 characters long.
std::string guess(const std::string& word, const std::vector<std::string>& names) {
    return word.size() <= 40 ? didYouMean(word, names) : std::string();
}

OscMessage msg(std::string path, std::vector<OscValue> args) {
    return {std::move(path), std::move(args)};
}
OscValue i(std::int64_t v) {
    return OscValue::integer(v);
}
OscValue f(double v) {
    return OscValue::real(v);
}
OscValue b(bool v) {
    return OscValue::boolean(v);
}
OscValue s(std::string v) {
    return OscValue::string(std::move(v));
}

/// AbleSet's groups are lower case in its addresses (ASCII; other letters pass as they are).
std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

AbleSetTranslation fail(std::string error) {
    return {std::nullopt, std::move(error)};
}

ActionCall call(Action a) {
    ActionCall c;
    c.action = a;
    return c;
}

/// The song's beat grid as the state gives it: beats (of the time signature's unit) of the play
/// head from bar 1, and seconds ↔ beats.
struct Grid {
    double bpm = 120.0;
    int beatsPerBar = 4, beatUnit = 4;
    double downbeat = 0.0; ///< seconds of bar 1
    double beatsNow = 0.0;

    explicit Grid(const control::PlayerStatus& p)
        : bpm(p.bpm > 0 ? p.bpm : 120.0), beatsPerBar(std::max(1, p.beatsPerBar)), beatUnit(std::max(1, p.beatUnit)) {
        beatsNow = static_cast<double>(p.barBeat.bar - 1) * beatsPerBar + (p.barBeat.beat - 1) + p.barBeat.fraction;
        downbeat = p.seconds - beatsNow * 60.0 / bpm;
    }
    [[nodiscard]] double beats(double seconds) const { return (seconds - downbeat) * bpm / 60.0; }
    [[nodiscard]] double seconds(double beats) const { return downbeat + beats * 60.0 / bpm; }
    /// AbleSet counts quarter notes (Live's beats): 6/8's eighths are half a quarter.
    [[nodiscard]] double quarters(double beats) const { return beats * 4.0 / beatUnit; }
};

/// The marker section the play head is in: its index, or -1 before the first marker.
int sectionAt(const control::PlayerStatus& p) {
    int at = -1;
    for (std::size_t k = 0; k < p.markers.size(); ++k)
        if (p.markers[k].second <= p.seconds + 1e-6) at = static_cast<int>(k);
    return at;
}

/// A 1-based number (i, f) or a name (s) among `names`: its 0-based index, or -1 and `error`.
int pick(const OscValue& v, const std::vector<std::string>& names, const std::string& what, std::string& error) {
    const int count = static_cast<int>(names.size());
    if (v.isNumber()) {
        if (v.number == std::floor(v.number) && v.number >= 1 && v.number <= count)
            return static_cast<int>(v.number) - 1;
        char number[32];
        std::snprintf(number, sizeof number, "%g", v.number); // (any double: a sender's)
        error = "there is no " + what + " " + number +
                (count > 0 ? "; they are 1-" + std::to_string(count) : "; there are none");
        return -1;
    }
    if (v.isText()) {
        for (int k = 0; k < count; ++k)
            if (equalsIgnoreCase(names[static_cast<std::size_t>(k)], v.text)) return k;
        error = "no " + what + " '" + v.text + "'" + guess(v.text, names);
        return -1;
    }
    error = "a " + what + " is its number from 1 (i) or its name (s)";
    return -1;
}

/// AbleSet's setlist: tonight's songs that are not cut, in tonight's order (AbleSet has no cut
/// songs); its indices are places in this list, not song numbers.
std::vector<const control::ShowSong*> setlist(const control::ShowState& st) {
    std::vector<const control::ShowSong*> t;
    for (const auto& song : st.songs)
        if (!song.skipped) t.push_back(&song);
    return t;
}

std::vector<std::string> titles(const control::ShowState& st) {
    std::vector<std::string> t;
    for (const control::ShowSong* song : setlist(st))
        t.push_back(song->title);
    return t;
}

/// The current song's index in the setlist (0-based), or -1.
int activeIndex(const control::ShowState& st) {
    const std::vector<const control::ShowSong*> list = setlist(st);
    for (std::size_t k = 0; k < list.size(); ++k)
        if (list[k]->number == st.player.song) return static_cast<int>(k);
    return -1;
}

std::vector<std::string> sections(const control::PlayerStatus& p) {
    std::vector<std::string> t;
    for (const auto& m : p.markers)
        t.push_back(m.first);
    return t;
}

std::optional<int> steps(const std::vector<OscValue>& args, std::string& error) {
    if (args.empty() || !args[0].isNumber() || args[0].number != std::floor(args[0].number) ||
        std::fabs(args[0].number) > 100000) {
        error = "takes a whole number of steps (i)";
        return std::nullopt;
    }
    return static_cast<int>(args[0].number);
}

} // namespace

AbleSetTranslation translateAbleSet(const OscMessage& m, const control::ShowState& st, std::optional<bool> vampWanted) {
    AbleSetRequest r;
    std::vector<OscValue> args;
    for (const OscValue& v : m.args) {
        if (v.isText() && v.text.rfind("uuid=", 0) == 0) {
            r.uuid = v.text.substr(5);
            continue;
        }
        if (v.isText() && v.text.rfind("force=", 0) == 0) continue; // (stemdeck jumps at once, always)
        args.push_back(v);
    }
    const control::PlayerStatus& p = st.player;
    const std::string& path = m.path;
    std::string error;
    if (path == "/subscribe") {
        r.kind = OscRequest::Kind::subscribe;
        for (const OscValue& v : args) {
            if (v.isNumber() && !r.port) {
                if (v.number != std::floor(v.number) || v.number < 1 || v.number > 65535)
                    return fail("/subscribe: a port is a whole number from 1 to 65535");
                r.port = static_cast<int>(v.number);
            } else if (v.isText() && r.host.empty() && !r.port) {
                r.host = v.text; // "auto", or (the module before 1.4) the host to send to
            } else if (v.isBool()) {
                r.fine = v.type == 'T';
            } // else the client's name ("Companion")
        }
        return {r, {}};
    }
    if (path == "/unsubscribe") {
        r.kind = OscRequest::Kind::unsubscribe;
        return {r, {}};
    }
    if (path == "/getValues") {
        r.kind = OscRequest::Kind::dump;
        if (!args.empty() && args[0].isNumber() && args[0].number >= 1 && args[0].number <= 65535 &&
            args[0].number == std::floor(args[0].number))
            r.port = static_cast<int>(args[0].number);
        return {r, {}};
    }
    if (path == "/global/play" || path == "/setlist/playCuedSong") {
        r.calls.push_back(call(Action::play));
        return {r, {}};
    }
    if (path == "/global/pause") {
        r.calls.push_back(call(Action::stop));
        return {r, {}};
    }
    if (path == "/global/stop") { // stops and goes back to the song's start
        r.calls.push_back(call(Action::stop));
        r.calls.push_back(call(Action::toStart));
        return {r, {}};
    }
    // A relative jump is so many next_song (or next_marker) actions: each counts from where the one
    // before asked to go, not from the state, which a fade or a bar line may not have reached yet.
    auto repeated = [&](Action on, Action back, int n, int most) {
        for (int k = 0; k < std::min(std::abs(n), most); ++k)
            r.calls.push_back(call(n > 0 ? on : back));
    };
    if (path == "/setlist/jumpToSong" || path == "/setlist/jumpBySongs") {
        int index = p.song - 1; // jumpBySongs 0: this song again, from its start (index: its number - 1)
        if (path == "/setlist/jumpToSong") {
            if (args.empty()) return fail("/setlist/jumpToSong needs a song: its number from 1 (i) or title (s)");
            const int place = pick(args[0], titles(st), "song", error);
            if (place < 0) return fail("/setlist/jumpToSong: " + error);
            index = setlist(st)[static_cast<std::size_t>(place)]->number - 1; // the song at that place tonight
        } else {
            const auto n = steps(args, error);
            if (!n) return fail("/setlist/jumpBySongs " + error);
            if (*n != 0) {
                repeated(Action::nextSong, Action::previousSong, *n, static_cast<int>(st.songs.size()));
                return {r, {}};
            }
        }
        ActionCall c = call(Action::goToSong);
        c.value = static_cast<float>(std::max(0, index));
        r.calls.push_back(c);
        return {r, {}};
    }
    if (path == "/setlist/jumpToSection" || path == "/setlist/jumpBySections") {
        const std::vector<std::string> names = sections(p);
        int index = 0;
        if (path == "/setlist/jumpToSection") {
            if (args.empty()) return fail("/setlist/jumpToSection needs a section: its number from 1 or name");
            index = pick(args[0], names, "section (marker)", error);
            if (index < 0) return fail("/setlist/jumpToSection: " + error);
        } else {
            const auto n = steps(args, error);
            if (!n) return fail("/setlist/jumpBySections " + error);
            if (names.empty()) return fail("/setlist/jumpBySections: the song has no markers (sections)");
            if (*n != 0) {
                repeated(Action::nextMarker, Action::previousMarker, *n, static_cast<int>(names.size()));
                return {r, {}};
            }
            index = std::max(0, sectionAt(p));
        }
        ActionCall c = call(Action::marker);
        c.value = static_cast<float>(index);
        r.calls.push_back(c);
        return {r, {}};
    }
    if (path == "/setlist/jumpByBars" || path == "/setlist/jumpByBeats") {
        const auto n = steps(args, error);
        if (!n) return fail(path + " " + error);
        const Grid g(p);
        const bool bars = path == "/setlist/jumpByBars";
        const double line = bars ? std::floor(g.beatsNow / g.beatsPerBar) * g.beatsPerBar : std::floor(g.beatsNow);
        // (a beat is a quarter note, as in Live: 6/8's eighths are half a one)
        const double target = line + *n * (bars ? g.beatsPerBar : g.beatUnit / 4.0);
        ActionCall c = call(Action::seek);
        c.from = std::clamp(g.seconds(target), 0.0, std::max(0.0, p.lengthSeconds));
        r.calls.push_back(c);
        return {r, {}};
    }
    if (path == "/setlist/enableLoop" || path == "/setlist/escapeLoop") {
        if (vampWanted.value_or(p.vamp) == (path == "/setlist/enableLoop")) return {r, {}}; // already so
        r.calls.push_back(call(Action::vamp));
        return {r, {}};
    }
    if (path.rfind("/mixer/", 0) == 0) {
        const auto slash = path.rfind('/');
        const std::string group = path.substr(7, slash - 7), what = path.substr(slash + 1);
        if (what != "mute" && what != "solo")
            return fail("AbleSet's mixer takes /mixer/GROUP/mute or /mixer/GROUP/solo, not '" + what + "'");
        std::vector<std::string> names;
        int stem = -1;
        for (std::size_t k = 0; k < p.stems.size(); ++k) {
            names.push_back(p.stems[k].name);
            if (equalsIgnoreCase(p.stems[k].name, group)) stem = static_cast<int>(k);
        }
        if (stem < 0) return fail("no stem '" + group + "' in this song" + guess(group, names));
        const bool mute = what == "mute";
        Action a = mute ? Action::toggleMute : Action::toggleSolo;
        if (!args.empty() && !(args[0].isText() && args[0].text == "toggle")) {
            if (!args[0].isNumber() && !args[0].isBool()) return fail(path + " takes 1, 0 or \"toggle\"");
            const bool on = args[0].number != 0.0;
            a = mute ? (on ? Action::mute : Action::unmute) : (on ? Action::solo : Action::unsolo);
        }
        ActionCall c = call(a);
        c.stem = static_cast<std::int8_t>(stem);
        r.calls.push_back(c);
        return {r, {}};
    }
    return fail("AbleSet's " + path + " has no stemdeck counterpart (see the manual's list)");
}

std::vector<OscMessage> ableSetState(const control::ShowState& st) {
    const control::PlayerStatus& p = st.player;
    const Grid g(p);
    std::vector<OscMessage> out;
    out.push_back(msg("/global/isPlaying", {b(p.rolling)}));
    out.push_back(msg("/global/tempo", {f(p.bpm * 4.0 / std::max(1, p.beatUnit))})); // quarter notes a minute
    out.push_back(msg("/global/timeSignature", {i(p.beatsPerBar), i(p.beatUnit)}));
    out.push_back(msg("/setlist/name", {s(st.setName)}));
    std::vector<OscValue> songs, secs;
    for (const std::string& t : titles(st))
        songs.push_back(s(t));
    for (const std::string& t : sections(p))
        secs.push_back(s(t));
    out.push_back(msg("/setlist/songs", songs));
    out.push_back(msg("/setlist/sections", secs));
    out.push_back(msg("/setlist/activeSongName", {s(p.title)}));
    out.push_back(msg("/setlist/activeSongIndex", {i(activeIndex(st))}));
    out.push_back(msg("/setlist/activeSongStart", {f(g.quarters(g.beats(0.0)))}));
    out.push_back(msg("/setlist/activeSongEnd", {f(g.quarters(g.beats(p.lengthSeconds)))}));
    // Nothing is ever queued: a jump goes at once (stemdeck has no AbleSet-style manual jump mode).
    out.push_back(msg("/setlist/queuedName", {s(""), s("")}));
    out.push_back(msg("/setlist/queuedIndex", {i(-1), i(-1)}));
    for (const control::StemLine& line : p.stems) {
        const std::string base = "/mixer/" + lower(line.name) + "/";
        out.push_back(msg(base + "muted", {b(line.mix.muted)}));
        out.push_back(msg(base + "soloed", {b(line.mix.soloed)}));
    }
    return out;
}

std::vector<OscMessage> ableSetPosition(const control::ShowState& st, bool fine) {
    const control::PlayerStatus& p = st.player;
    const Grid g(p);
    std::vector<OscMessage> out;
    out.push_back(msg("/global/beatsPosition", {f(std::floor(g.quarters(g.beatsNow)))}));
    if (fine) out.push_back(msg("/global/finePosition", {f(std::round(g.quarters(g.beatsNow) * 100.0) / 100.0)}));
    out.push_back(msg("/global/humanPosition", {i(p.barBeat.bar), i(p.barBeat.beat)}));
    out.push_back(msg("/setlist/isCountingIn", {b(p.rolling && p.seconds < 0.0)}));
    const int section = sectionAt(p);
    const auto sectionEnd = [&](int k) {
        return k + 1 < static_cast<int>(p.markers.size()) ? p.markers[static_cast<std::size_t>(k + 1)].second
                                                          : p.lengthSeconds;
    };
    out.push_back(msg("/setlist/activeSectionIndex", {i(section)}));
    out.push_back(msg("/setlist/activeSectionName",
                      {s(section >= 0 ? p.markers[static_cast<std::size_t>(section)].first : std::string())}));
    out.push_back(
        msg("/setlist/activeSectionStart",
            {f(section >= 0 ? g.quarters(g.beats(p.markers[static_cast<std::size_t>(section)].second)) : 0.0)}));
    out.push_back(msg("/setlist/activeSectionEnd", {f(section >= 0 ? g.quarters(g.beats(sectionEnd(section))) : 0.0)}));
    // The loop: the A-B practice loop when one is set, else the section a vamp loops.
    double from = 0.0, to = 0.0;
    if (p.loopA >= 0.0 && p.loopB > p.loopA) {
        from = g.quarters(g.beats(p.loopA));
        to = g.quarters(g.beats(p.loopB));
    } else if (p.vamp && section >= 0) {
        from = g.quarters(g.beats(p.markers[static_cast<std::size_t>(section)].second));
        to = g.quarters(g.beats(sectionEnd(section)));
    }
    out.push_back(msg("/setlist/loopEnabled", {b(p.vamp)}));
    out.push_back(msg("/setlist/loopStart", {f(from)}));
    out.push_back(msg("/setlist/loopEnd", {f(to)}));
    out.push_back(msg("/setlist/remainingTimeInSong", {f(std::round(st.clock.remainingSong))}));
    out.push_back(msg("/setlist/remainingTimeInSet", {f(std::round(st.clock.remainingSet))}));
    return out;
}

std::string ableSetMarkdown() {
    return "| AbleSet command (from Companion) | what stemdeck does |\n|---|---|\n"
           "| `/subscribe \"auto\" PORT \"Companion\" T\\|F` | state to the sender's PORT on every change (T: "
           "finePosition too), a `/heartbeat` every second |\n"
           "| `/getValues [PORT]` | the whole state, once |\n"
           "| `/unsubscribe` | no more state |\n"
           "| `/global/play`, `/setlist/playCuedSong` | `play` |\n"
           "| `/global/pause` | `stop` (the play head stays) |\n"
           "| `/global/stop` | `stop`, then `to_start` |\n"
           "| `/setlist/jumpToSong N\\|TITLE` | `go_to_song` (N from 1: the place in tonight's order, cut songs left "
           "out) |\n"
           "| `/setlist/jumpBySongs N` | `next_song` (or `previous_song`) N times; 0: `go_to_song` this one |\n"
           "| `/setlist/jumpToSection N\\|NAME` | `marker` (a section is a marker) |\n"
           "| `/setlist/jumpBySections N` | `next_marker` (or `previous_marker`) N times |\n"
           "| `/setlist/jumpByBars N`, `/setlist/jumpByBeats N` | `seek` to the bar line (or quarter note) N on or "
           "back |\n"
           "| `/setlist/enableLoop`, `/setlist/escapeLoop` | `vamp` on, off |\n"
           "| `/mixer/STEM/mute\\|solo 1\\|0\\|\"toggle\"` | `mute`, `unmute`, `toggle_mute` (solo alike); STEM is the "
           "stem's name, any case |\n";
}

} // namespace stemdeck::remote
