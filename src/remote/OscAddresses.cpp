#include "stemdeck/remote/OscAddresses.h"

#include "stemdeck/remote/RemoteValues.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/engine/Constants.h"

namespace stemdeck::remote {

using control::Action;
using control::ActionInfo;
using control::Target;
using control::ValueKind;

namespace {

/// "(did you mean 'Bass'?)" for a word of a plausible length: the comparison costs its length
/// times each name's, and a sender's word may be 4000 characters long.
std::string guess(const std::string& word, const std::vector<std::string>& names) {
    return word.size() <= 40 ? didYouMean(word, names) : std::string();
}

/// The OSC form of a value kind: what its arguments are, what they mean, an example message.
struct KindRow {
    ValueKind kind;
    std::string_view types;
    std::string_view means;
    std::string_view example;
};

// clang-format off
constexpr KindRow kKinds[] = {
    {ValueKind::level,     "f or i: dB; s: as in a script", "a gain in dB (-6 is half as loud; at most +12); the string \"0.5\" is a factor", "/stemdeck/gain \"Bass\" -6.0"},
    {ValueKind::knob,      "f or i",                        "the DJ filter: -1 low-pass … 0 off … 1 high-pass", "/stemdeck/filter 1 -0.5"},
    {ValueKind::seconds,   "f or i",                        "a song position in seconds", "/stemdeck/seek 42.5"},
    {ValueKind::section,   "f f, or s \"START-END\"",       "a section in seconds", "/stemdeck/loop 8.0 16.0"},
    {ValueKind::click,     "s, or i 0 1 2",                 "off, count-in, always (0, 1, 2)", "/stemdeck/click \"count-in\""},
    {ValueKind::song,      "i: from 1; s: its title",       "a song of tonight's set", "/stemdeck/go_to_song 3"},
    {ValueKind::marker,    "i: from 1; s: its name",        "a marker of the song", "/stemdeck/marker \"Chorus\""},
    {ValueKind::scene,     "i: 1-8; s: its name",           "a scene of the song", "/stemdeck/scene \"Breakdown\" quantize=bar"},
    {ValueKind::slot,      "i: 1-8",                        "where store_scene writes", "/stemdeck/store_scene 2"},
    {ValueKind::tempo,     "f or i: percent; s: \"112bpm\"", "a share of the song's own tempo in percent, or a BPM as a string", "/stemdeck/tempo 85"},
    {ValueKind::semitones, "f or i: semitones; s: \"+30c\"", "a transposition", "/stemdeck/transpose -2"},
    {ValueKind::bars,      "i i, or s \"FIRST-LAST\"",      "bars of the song, both played", "/stemdeck/practice_loop 17 24"},
    {ValueKind::placement, "i or s, then i; or s \"N to P\"", "a song (its number from 1, or its title) and its place tonight from 1", "/stemdeck/move_song 7 3"},
};
// clang-format on

const KindRow* kindRow(ValueKind kind) {
    for (const KindRow& r : kKinds)
        if (r.kind == kind) return &r;
    return nullptr;
}

/// What a message's positional arguments and named arguments are.
struct Split {
    std::vector<OscValue> args;
    std::string quantize, token, uuid;
    bool quantizeGiven = false;
};

Split split(const OscMessage& m) {
    Split s;
    for (const OscValue& v : m.args) {
        if (v.isText()) {
            const auto eq = v.text.find('=');
            if (eq != std::string::npos) {
                const std::string key = v.text.substr(0, eq), value = v.text.substr(eq + 1);
                if (key == "quantize") {
                    s.quantize = value;
                    s.quantizeGiven = true;
                    continue;
                }
                if (key == "token") {
                    s.token = value;
                    continue;
                }
                if (key == "uuid") {
                    s.uuid = value;
                    continue;
                }
            }
        }
        s.args.push_back(v);
    }
    return s;
}

std::string typeName(const OscValue& v) {
    switch (v.type) {
    case 'i': return "an int32 (i)";
    case 'h': return "an int64 (h)";
    case 'f': return "a float (f)";
    case 'd': return "a double (d)";
    case 's': return "a string (s)";
    case 'S': return "a symbol (S)";
    case 'c': return "a char (c)";
    case 'T': return "true (T)";
    case 'F': return "false (F)";
    case 'N': return "nil (N)";
    case 'I': return "infinitum (I)";
    default: return "a type stemdeck does not take (" + v.text + ")";
    }
}

/// A stem of the song now playing, by its number from 1 or its name (any case); -1 and `error`.
int stemOf(const OscValue& v, const control::ShowState& state, std::string& error) {
    const auto& stems = state.player.stems;
    const int count = static_cast<int>(stems.size());
    if (v.isNumber()) {
        const double n = v.number;
        if (n == std::floor(n) && n >= 1 && n <= count) return static_cast<int>(n) - 1;
        error = "there is no stem " + numberText(n) + " in this song" +
                (count > 0 ? ": its stems are 1-" + std::to_string(count) : std::string(": no song is loaded"));
        return -1;
    }
    if (v.isText()) {
        std::vector<std::string> names;
        for (int i = 0; i < count; ++i) {
            if (equalsIgnoreCase(stems[static_cast<std::size_t>(i)].name, v.text)) return i;
            names.push_back(stems[static_cast<std::size_t>(i)].name);
        }
        error = "no stem '" + v.text + "' in this song" + guess(v.text, names) +
                (names.empty() ? std::string(": no song is loaded") : "; its stems are " + joinNames(names));
        return -1;
    }
    error = "a stem is its number from 1 (i) or its name (s), not " + typeName(v);
    return -1;
}

bool truth(const OscValue& v, bool& on, std::string& error) {
    if (v.isBool() || v.isNumber()) {
        on = v.number != 0.0;
        return true;
    }
    if (v.isText() && (v.text == "1" || v.text == "0" || v.text == "true" || v.text == "false")) {
        on = v.text == "1" || v.text == "true";
        return true;
    }
    error = "an on/off value is T or F, or 1 or 0, not " + typeName(v);
    return false;
}

/// The script text for a value given as OSC arguments, or "" and `error`.
std::string valueText(const ActionInfo& row, const std::vector<OscValue>& args, const control::ShowState& state,
                      std::string& error) {
    const KindRow* k = kindRow(row.value);
    const std::string name(row.name);
    auto bad = [&](const OscValue& v) {
        error =
            "'" + name + "' takes " + std::string(k->types) + " (" + std::string(k->means) + "), not " + typeName(v);
        return std::string();
    };
    const OscValue& a = args[0];
    if (a.isText() && a.text.find_first_not_of(" \t") == std::string::npos) {
        error = "'" + name + "' got an empty string; it takes " + std::string(k->types) + " (" + std::string(k->means) +
                ")";
        return {};
    }
    const bool pair =
        row.value == ValueKind::section || row.value == ValueKind::bars || row.value == ValueKind::placement;
    if (args.size() > (pair ? 2u : 1u)) {
        error = "'" + name + "' takes one value (" + std::string(k->types) + "); " + std::to_string(args.size()) +
                " were sent";
        return {};
    }
    if (row.value == ValueKind::placement) { // a song (number or title), then maybe its place
        std::string song;
        if (a.isNumber()) {
            song = numberValueText(ValueKind::song, a.number, error);
            if (song.empty()) return {};
        } else if (!a.isText()) {
            return bad(a);
        } else {
            song = songNumberByTitle(state, a.text);
            if (song.empty()) song = a.text; // a number as text, or "7 to 3" (parseValue says what is wrong)
        }
        if (args.size() == 1) return song;
        if (!args[1].isNumber()) return bad(args[1]);
        return song + " to " + numberText(args[1].number);
    }
    if (pair) {
        if (args.size() == 1) return a.isText() ? a.text : bad(a);
        if (!a.isNumber()) return bad(a);
        if (!args[1].isNumber()) return bad(args[1]);
        return numberText(a.number) + "-" + numberText(args[1].number);
    }
    if (a.isText()) {
        if (row.value == ValueKind::song) { // a title
            if (std::string number = songNumberByTitle(state, a.text); !number.empty()) return number;
            std::vector<std::string> titles;
            for (const control::ShowSong& song : state.songs)
                titles.push_back(song.title);
            if (!a.text.empty() && a.text.find_first_not_of("0123456789") == std::string::npos) return a.text;
            error = "no song '" + a.text + "' in tonight's set" + guess(a.text, titles);
            return {};
        }
        if (row.value == ValueKind::slot) return bad(a);
        return a.text;
    }
    if (!a.isNumber()) return bad(a);
    return numberValueText(row.value, a.number, error);
}

OscTranslation fail(std::string error) {
    return {std::nullopt, std::move(error)};
}

/// The named arguments, checked, into `r` (quantize only where the action may wait).
bool named(const Split& s, const ActionInfo* row, OscRequest& r, std::string& error) {
    r.token = s.token;
    r.uuid = s.uuid;
    if (!s.quantizeGiven) return true;
    if (row == nullptr || !row->quantisable) {
        error = row ? "'" + std::string(row->name) + "' cannot wait for a beat or bar (no quantize=)"
                    : "this message cannot wait for a beat or bar (no quantize=)";
        return false;
    }
    if (s.quantize == "bar")
        r.call.quantize = engine::Quantize::bar;
    else if (s.quantize == "beat")
        r.call.quantize = engine::Quantize::beat;
    else if (s.quantize == "none" || s.quantize.empty())
        r.call.quantize = engine::Quantize::none;
    else {
        error = "quantize=" + s.quantize + " is not bar, beat or none";
        return false;
    }
    return true;
}

OscTranslation stemAddress(const OscMessage& m, std::string_view rest, const control::ShowState& state) {
    // rest: "N/what"
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
        return fail("a stem's address is /stemdeck/stem/N/mute, solo, gain, fader or filter");
    const std::string who(rest.substr(0, slash)), what(rest.substr(slash + 1));
    const Split s = split(m);
    std::string error;
    OscValue stemArg = OscValue::string(who);
    if (!who.empty() && who.find_first_not_of("0123456789") == std::string::npos)
        stemArg = OscValue::integer(std::stol(who.substr(0, 6)));
    const int stem = stemOf(stemArg, state, error);
    if (stem < 0) return fail(error);
    OscRequest r;
    r.call.stem = static_cast<std::int8_t>(stem);
    const std::vector<std::string> parts = {"mute", "solo", "gain", "fader", "filter"};
    if (std::find(parts.begin(), parts.end(), what) == parts.end())
        return fail("no stem address '" + what + "'" + guess(what, parts) + "; a stem has " + joinNames(parts));
    if (s.args.size() > 1)
        return fail("'" + what + "' takes one value; " + std::to_string(s.args.size()) + " were sent");
    if (what == "mute" || what == "solo") {
        const bool mute = what == "mute";
        if (s.args.empty()) {
            r.call.action = mute ? Action::toggleMute : Action::toggleSolo;
        } else {
            bool on = false;
            if (!truth(s.args[0], on, error)) return fail(error);
            r.call.action = mute ? (on ? Action::mute : Action::unmute) : (on ? Action::solo : Action::unsolo);
        }
    } else {
        if (s.args.empty()) return fail("'" + what + "' needs a value");
        const OscValue& v = s.args[0];
        if (what == "fader") {
            if (!v.isNumber() || v.number < 0.0 || v.number > 1.0)
                return fail("a fader is a number from 0 (silence) to 1 (+6 dB), not " +
                            (v.isNumber() ? numberText(v.number) : typeName(v)));
            r.call.action = Action::gain;
            r.call.value = faderToGain(v.number);
        } else {
            r.call.action = what == "gain" ? Action::gain : Action::filter;
            const ActionInfo& row = control::info(r.call.action);
            const std::string text = valueText(row, s.args, state, error);
            if (text.empty()) return fail(error);
            if (!control::parseValue(row, text, valueContext(state), r.call, error)) return fail(error);
        }
    }
    if (!named(s, &control::info(r.call.action), r, error)) return fail(error);
    return {r, {}};
}

} // namespace

float faderToGain(double position) noexcept {
    if (!(position > 0.0)) return 0.0f;
    return static_cast<float>(fromDb(kFaderMinDb + (kFaderMaxDb - kFaderMinDb) * std::min(position, 1.0)));
}

double gainToFader(float gain) noexcept {
    if (!(gain > 0.0f)) return 0.0;
    return std::clamp((toDb(gain) - kFaderMinDb) / (kFaderMaxDb - kFaderMinDb), 0.0, 1.0);
}

bool offTheNetwork(Action action) noexcept {
    return action == Action::quit || action == Action::shutdown || action == Action::learn;
}

OscTranslation translateNative(const OscMessage& m, const control::ShowState& state) {
    if (m.path.rfind(kOscPrefix, 0) != 0)
        return fail("'" + m.path +
                    "' is not a stemdeck address: they start with /stemdeck/ ('stemdeck osc' lists them)");
    const std::string_view rest = std::string_view(m.path).substr(kOscPrefix.size());
    if (rest.rfind("stem/", 0) == 0) return stemAddress(m, rest.substr(5), state);
    const Split s = split(m);
    std::string error;
    OscRequest r;
    if (rest == "subscribe" || rest == "unsubscribe" || rest == "get") {
        r.kind = rest == "subscribe" ? OscRequest::Kind::subscribe
                 : rest == "get"     ? OscRequest::Kind::dump
                                     : OscRequest::Kind::unsubscribe;
        if (!named(s, nullptr, r, error)) return fail(error);
        const bool subscribe = r.kind == OscRequest::Kind::subscribe;
        const bool takesPort = r.kind != OscRequest::Kind::dump;
        for (const OscValue& v : s.args) {
            if (takesPort && v.isNumber() && !r.port) {
                if (v.number != std::floor(v.number) || v.number < 1 || v.number > 65535)
                    return fail("a port is a whole number from 1 to 65535, not " + numberText(v.number));
                r.port = static_cast<int>(v.number);
            } else if (subscribe && v.isText() && r.host.empty()) {
                r.host = v.text;
            } else {
                return fail("/stemdeck/" + std::string(rest) +
                            (subscribe   ? " takes an optional port (i) and host (s); "
                             : takesPort ? " takes an optional port (i); "
                                         : " takes no arguments; ") +
                            "got " + typeName(v));
            }
        }
        return {r, {}};
    }
    const auto action = control::actionFromName(rest);
    if (!action) {
        std::vector<std::string> known = control::actionNames();
        known.insert(known.end(), {"subscribe", "unsubscribe", "get"});
        return fail("unknown address '" + m.path.substr(0, 80) + (m.path.size() > 80 ? "…" : "") + "'" +
                    guess(std::string(rest), known) + " ('stemdeck osc' lists the addresses)");
    }
    const ActionInfo& row = control::info(*action);
    if (offTheNetwork(*action))
        return fail("'" + std::string(row.name) + "' is not taken over the network: it " +
                    (*action == Action::learn ? "needs someone at the controller" : "ends the show") +
                    "; use the keyboard or a controller");
    r.call.action = *action;
    std::size_t next = 0;
    if (row.target == Target::stem) {
        if (s.args.empty())
            return fail("'" + std::string(row.name) + "' needs a stem first: its number from 1 (i) or its name (s)");
        const int stem = stemOf(s.args[0], state, error);
        if (stem < 0) return fail(error);
        r.call.stem = static_cast<std::int8_t>(stem);
        next = 1;
    } else if (row.target == Target::stems) {
        if (s.args.empty()) return fail("'" + std::string(row.name) + "' needs one or more stems (numbers or names)");
        for (const OscValue& v : s.args) {
            const int stem = stemOf(v, state, error);
            if (stem < 0) return fail(error);
            r.call.stemMask = static_cast<std::uint8_t>(r.call.stemMask | (1u << stem));
        }
        next = s.args.size();
    }
    const std::vector<OscValue> values(s.args.begin() + static_cast<std::ptrdiff_t>(next), s.args.end());
    if (row.value == ValueKind::none) {
        if (!values.empty())
            return fail("'" + std::string(row.name) + "' takes no value" +
                        (row.target == Target::stem ? " after its stem" : std::string()) + "; got " +
                        typeName(values[0]));
    } else {
        if (values.empty())
            return fail("'" + std::string(row.name) + "' needs a value: " + std::string(kindRow(row.value)->types) +
                        " (" + std::string(kindRow(row.value)->means) + ")");
        const std::string text = valueText(row, values, state, error);
        if (text.empty()) return fail(error);
        if (!control::parseValue(row, text, valueContext(state), r.call, error)) return fail(error);
    }
    // A drop lands on the next bar unless it says otherwise, as a controller's drop button does.
    if (*action == Action::drop) r.call.quantize = engine::Quantize::bar;
    if (!named(s, &row, r, error)) return fail(error);
    return {r, {}};
}

std::string oscValuesMarkdown() {
    std::string out = "| value | OSC arguments (type tags) | means | example |\n|---|---|---|---|\n";
    for (const KindRow& k : kKinds)
        out += "| " +
               std::string(control::valueHint(k.kind).substr(0, control::valueHint(k.kind).find_first_of(":("))) +
               " | " + std::string(k.types) + " | " + std::string(k.means) + " | `" + std::string(k.example) + "` |\n";
    return out;
}

std::string oscAddressesMarkdown() {
    std::string out = "| address | arguments | on the beat/bar | what it does |\n|---|---|---|---|\n";
    std::string off;
    for (const ActionInfo& a : control::actions()) {
        if (offTheNetwork(a.action)) {
            off += (off.empty() ? "`" : ", `") + std::string(a.name) + "`";
            continue;
        }
        std::string args;
        if (a.target == Target::stem) args = "STEM";
        if (a.target == Target::stems) args = "STEM STEM …";
        if (a.value != ValueKind::none) args += (args.empty() ? "" : ", then ") + std::string(kindRow(a.value)->types);
        if (a.action == Action::unlock) args = "token=… (needs --osc-token)";
        out += "| `/stemdeck/" + std::string(a.name) + "` | " + args + " | " +
               (a.quantisable ? "quantize=bar\\|beat" : "") + " | " + std::string(a.summary) + " |\n";
    }
    out += "| `/stemdeck/stem/N/mute` | T/F or 1/0; none: toggle | quantize=bar\\|beat | mutes or unmutes stem N (its "
           "number or name) |\n"
           "| `/stemdeck/stem/N/solo` | T/F or 1/0; none: toggle | quantize=bar\\|beat | solos stem N or takes its "
           "solo off |\n"
           "| `/stemdeck/stem/N/gain` | f or i: dB | quantize=bar\\|beat | sets stem N's level in dB |\n"
           "| `/stemdeck/stem/N/fader` | f: 0-1 | quantize=bar\\|beat | sets stem N's level as a fader: 0 silence, "
           "then -60 dB … +6 dB |\n"
           "| `/stemdeck/stem/N/filter` | f: -1 … 1 | quantize=bar\\|beat | sets stem N's DJ filter |\n"
           "| `/stemdeck/subscribe` | [i PORT] [s HOST: \"auto\" or the sender's own] | | the state is sent to the "
           "sender (or PORT on its host) on every change, a heartbeat every second |\n"
           "| `/stemdeck/unsubscribe` | [i PORT] | | no more state (to that port, else the sender's; none such: to the "
           "sender's host) |\n"
           "| `/stemdeck/get` | | | the whole state, once, to the sender |\n";
    out += "\nNot on the network: " + off +
           " (they end the show or wait for someone at the controller). STEM is the stem's number from 1 "
           "(i) or its name (s, any case). Any message may also carry `token=…` and `uuid=…`, in any position.\n";
    return out;
}

} // namespace stemdeck::remote
