#include "stemdeck/midi/Mapping.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::midi {

namespace {

const std::vector<std::string> kTopKeys = {"name", "source", "ports", "channel", "shift", "bindings"};
const std::vector<std::string> kBindingKeys = {"note",     "cc",    "program", "channel",  "action",
                                               "stem",     "stems", "mode",    "quantize", "layer",
                                               "takeover", "taper", "led",     "value",    "hold"};

using yaml::Reader;

int integer(const YAML::Node& n, const Reader& p, const std::string& what, int lo, int hi) {
    if (!n.IsScalar()) p.fail(n, what + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    const std::string& text = n.Scalar();
    long v = 0;
    try {
        std::size_t used = 0;
        v = std::stol(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        p.fail(n, what + " must be a whole number, not '" + text + "'");
    }
    if (v < lo || v > hi)
        p.fail(n, what + " " + text + " is out of range (" + std::to_string(lo) + "-" + std::to_string(hi) + ")");
    return static_cast<int>(v);
}

double real(const YAML::Node& n, const Reader& p, const std::string& what) {
    if (const std::optional<double> v = Reader::as<double>(n)) return *v;
    p.fail(n, what + " must be a number");
}

Binding parseControl(const YAML::Node& n, const Reader& p) {
    Binding b;
    b.line = n.Mark().line + 1;
    int kinds = 0;
    if (const YAML::Node v = n["note"]) {
        b.kind = MessageKind::note;
        b.number = integer(v, p, "note", 0, 127);
        ++kinds;
    }
    if (const YAML::Node v = n["cc"]) {
        b.kind = MessageKind::cc;
        b.number = integer(v, p, "cc", 0, 127);
        ++kinds;
    }
    if (const YAML::Node v = n["program"]) {
        b.kind = MessageKind::program;
        b.number = integer(v, p, "program", 0, 127);
        ++kinds;
    }
    if (kinds != 1) p.fail(n, "each control is exactly one of note: N, cc: N or program: N");
    if (const YAML::Node c = n["channel"]) b.channel = integer(c, p, "channel", 1, 16) - 1;
    return b;
}

/// A binding's action, named `name`, with its row of the actions table: what it acts on and what it
/// takes. The steps below read the rest of the binding in this order.
struct Acting {
    const std::string& name;
    const control::ActionInfo& row;
};

/// stem: / stems: against what the action acts on.
void parseStems(const YAML::Node& n, Binding& b, const Acting& a, const Reader& p) {
    if (const YAML::Node s = n["stem"]) b.stems.push_back(integer(s, p, "stem", 1, 8) - 1);
    if (const YAML::Node s = n["stems"]) {
        if (!s.IsSequence()) p.fail(s, "stems is a list such as [1, 2]");
        for (const auto& item : s)
            b.stems.push_back(integer(item, p, "stem", 1, 8) - 1);
    }
    if (a.row.target != control::Target::song && b.stems.empty())
        p.fail(n, "'" + a.name + "' needs the stem it acts on: stem: 1 … 8");
    if (a.row.target == control::Target::song && !b.stems.empty())
        p.fail(n, "'" + a.name + "' acts on the song and takes no stem");
    if (a.row.target != control::Target::stems && b.stems.size() > 1) p.fail(n, "only 'drop' acts on several stems");
}

/// value: (or a fader or knob that gives it).
void parseBindingValue(const YAML::Node& n, Binding& b, const Acting& a, const Reader& p) {
    b.preset.action = b.action;
    if (const YAML::Node v = n["value"]) {
        if (a.row.value == control::ValueKind::none) p.fail(v, "'" + a.name + "' takes no value");
        if (!v.IsScalar()) p.fail(v, "'" + a.name + "' takes " + std::string(control::valueHint(a.row.value)));
        std::string why;
        // A mapping serves every song: scenes and markers by number.
        if (!control::parseValue(a.row, v.Scalar(), {}, b.preset, why)) p.fail(v, why);
        b.value = v.Scalar();
    } else if (a.row.value != control::ValueKind::none && !b.followsControl()) {
        p.fail(n, "'" + a.name + "' needs a value: " + std::string(control::valueHint(a.row.value)));
    }
    if (b.followsControl() && b.kind != MessageKind::cc)
        p.fail(n, "'" + a.name + "' follows a fader or knob: bind it to a cc, or give the level with value:");
}

/// mode: toggle, momentary or relative.
void parseMode(const YAML::Node& m, Binding& b, const Reader& p) {
    const std::string& t = m.Scalar();
    if (t == "toggle")
        b.mode = ControlMode::toggle;
    else if (t == "momentary")
        b.mode = ControlMode::momentary;
    else if (t == "relative")
        b.mode = ControlMode::relative;
    else
        p.fail(m, "mode '" + t + "' is not toggle, momentary or relative" +
                      didYouMean(t, {"toggle", "momentary", "relative"}));
    if (b.mode == ControlMode::relative && !b.followsControl())
        p.fail(m, "relative (an endless encoder) drives gain or filter (with no value:)");
    if (b.mode == ControlMode::momentary && b.action != MapAction::mute && b.action != MapAction::solo &&
        b.action != MapAction::unmute)
        p.fail(m, "momentary (hold) works with mute, unmute or solo: released, the opposite happens");
}

/// quantize: none, beat or bar (a drop waits for the bar unless told).
void parseQuantize(const YAML::Node& n, Binding& b, const Acting& a, const Reader& p) {
    b.quantize = b.action == MapAction::drop ? engine::Quantize::bar : engine::Quantize::none;
    if (const YAML::Node q = n["quantize"]) {
        const std::string& t = q.Scalar();
        if (t == "none")
            b.quantize = engine::Quantize::none;
        else if (t == "beat")
            b.quantize = engine::Quantize::beat;
        else if (t == "bar")
            b.quantize = engine::Quantize::bar;
        else
            p.fail(q, "quantize '" + t + "' is not none, beat or bar" + didYouMean(t, {"none", "beat", "bar"}));
        if (b.quantize != engine::Quantize::none && !a.row.quantisable)
            p.fail(q, "'" + a.name + "' happens when it is pressed and cannot wait for the beat or bar");
    }
    b.preset.quantize = b.quantize;
}

/// layer:, takeover: and taper: (how the control is read).
void parseHandling(const YAML::Node& n, Binding& b, const Reader& p) {
    if (const YAML::Node l = n["layer"]) {
        if (l.Scalar() != "shift") p.fail(l, "layer can only be 'shift' (the binding works while shift is held)");
        b.shift = true;
    }
    if (const YAML::Node t = n["takeover"]) {
        if (t.Scalar() == "soft")
            b.softTakeover = true;
        else if (t.Scalar() == "jump")
            b.softTakeover = false;
        else
            p.fail(t, "takeover is soft (wait until the fader passes the current value) or jump");
    }
    if (const YAML::Node t = n["taper"]) {
        if (!t.IsMap()) p.fail(t, "taper is { min_db: -60, max_db: 6 }");
        p.checkKeys(t, {"min_db", "max_db"}, "taper");
        if (t["min_db"]) b.minDb = real(t["min_db"], p, "min_db");
        if (t["max_db"]) b.maxDb = real(t["max_db"], p, "max_db");
        if (!(b.minDb < b.maxDb) || b.maxDb > 12.0 || b.minDb < -120.0)
            p.fail(t, "taper needs -120 ≤ min_db < max_db ≤ 12");
    }
}

/// hold: (a press that must last), which shutdown needs.
void parseHold(const YAML::Node& n, Binding& b, const Reader& p) {
    if (const YAML::Node h = n["hold"]) {
        b.holdSeconds = real(h, p, "hold");
        if (!(b.holdSeconds >= 0.5 && b.holdSeconds <= 10.0))
            p.fail(h, "hold is the seconds a press must last, 0.5 to 10 (e.g. hold: 2)");
        if (b.followsControl() || b.mode != ControlMode::toggle)
            p.fail(h, "hold is for a pad or button pressed and held, not a fader, an encoder or a momentary pad");
    }
    if (b.action == MapAction::shutdown && b.holdSeconds < 1.0)
        p.fail(n, "shutdown powers the machine off: give it a deliberate long press of a second or more, e.g. "
                  "hold: 2 (the action happens when the pad is let go after that long)");
}

/// led: the velocities (and note, channel) the controller shows.
void parseLed(const YAML::Node& led, Binding& b, const Reader& p) {
    if (!led.IsMap()) p.fail(led, "led is { on: 3, off: 0 } (the velocities the controller shows)");
    p.checkKeys(led, {"on", "off", "blink", "note", "channel"}, "led");
    if (led["channel"]) b.ledChannel = integer(led["channel"], p, "led channel", 1, 16) - 1;
    if (led["on"]) b.ledOn = integer(led["on"], p, "led on", 0, 127);
    if (led["off"]) b.ledOff = integer(led["off"], p, "led off", 0, 127);
    if (led["blink"]) b.ledBlink = integer(led["blink"], p, "led blink", 0, 127);
    if (led["note"]) b.ledNumber = integer(led["note"], p, "led note", 0, 127);
}

Binding parseBinding(const YAML::Node& n, const Reader& p) {
    if (!n.IsMap()) p.fail(n, "each binding is a map such as { note: 0, action: toggle_mute, stem: 1 }");
    p.checkKeys(n, kBindingKeys, "a binding");
    Binding b = parseControl(n, p);
    const YAML::Node a = n["action"];
    if (!a || !a.IsScalar()) p.fail(n, "a binding needs an action, such as action: toggle_mute");
    const auto action = control::actionFromName(a.Scalar());
    if (!action) p.fail(a, control::unknownActionMessage(a.Scalar()));
    b.action = *action;
    const Acting acting{a.Scalar(), control::info(b.action)};
    parseStems(n, b, acting, p);
    parseBindingValue(n, b, acting, p);
    if (const YAML::Node m = n["mode"]) parseMode(m, b, p);
    parseQuantize(n, b, acting, p);
    parseHandling(n, b, p);
    parseHold(n, b, p);
    if (const YAML::Node led = n["led"]) parseLed(led, b, p);
    return b;
}

} // namespace

Mapping parseMapping(std::string_view yaml, const std::filesystem::path& file) {
    const Reader p(file.string());
    YAML::Node root = yaml::parse(yaml, file.string());
    if (!root.IsMap()) throw Error(file.string() + ":1:1: a mapping is a map with 'ports:' and 'bindings:'");
    p.checkKeys(root, kTopKeys, "the mapping");
    Mapping m;
    m.file = file;
    m.name = root["name"] && root["name"].IsScalar() ? root["name"].Scalar() : file.stem().string();
    if (root["source"] && root["source"].IsScalar()) m.source = root["source"].Scalar();
    if (const YAML::Node ports = root["ports"]) {
        if (ports.IsScalar())
            m.ports.push_back(ports.Scalar());
        else if (ports.IsSequence())
            for (const auto& item : ports)
                m.ports.push_back(item.Scalar());
        else
            p.fail(ports, "ports lists port-name parts, such as ports: [APC mini mk2]");
    }
    int channel = -1; // the controller's channel, for every control that does not give its own
    if (const YAML::Node c = root["channel"]) channel = integer(c, p, "channel", 1, 16) - 1;
    if (const YAML::Node s = root["shift"]) {
        if (!s.IsMap()) p.fail(s, "shift is the control held for the shift layer, such as shift: { note: 122 }");
        p.checkKeys(s, {"note", "cc", "channel"}, "shift");
        m.shiftControl = parseControl(s, p);
        if (m.shiftControl->channel < 0) m.shiftControl->channel = channel;
    }
    const YAML::Node list = root["bindings"];
    if (!list || !list.IsSequence()) p.fail(list ? list : root, "the mapping needs a 'bindings:' list");
    for (const auto& item : list) {
        Binding b = parseBinding(item, p);
        if (b.channel < 0) b.channel = channel;
        if (b.shift && !m.shiftControl) p.fail(item, "layer: shift, but the mapping has no 'shift:' control");
        for (const Binding& other : m.bindings)
            if (other.kind == b.kind && other.number == b.number && other.shift == b.shift &&
                (other.channel == b.channel || other.channel < 0 || b.channel < 0))
                p.fail(item, "this control is already bound on line " + std::to_string(other.line) +
                                 "; one control, one action (use layer: shift for a second one)");
        m.bindings.push_back(std::move(b));
    }
    return m;
}

Mapping loadMapping(const std::filesystem::path& file) {
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot read the controller mapping; check the path");
    return parseMapping(*text, file);
}

float faderGain(int value, double minDb, double maxDb) noexcept {
    if (value <= 0) return 0.0f;
    const double db = minDb + (maxDb - minDb) * (std::min(value, 127) - 1) / 126.0;
    return static_cast<float>(fromDb(db));
}

double faderPosition(float gain, double minDb, double maxDb) noexcept {
    if (gain <= 0.0f) return 0.0;
    const double db = toDb(gain);
    return std::clamp(1.0 + (db - minDb) / (maxDb - minDb) * 126.0, 1.0, 127.0);
}

} // namespace stemdeck::midi
