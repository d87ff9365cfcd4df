#include "stemdeck/control/EventScript.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "stemdeck/Error.h"
#include "stemdeck/Text.h"
#include "stemdeck/engine/Constants.h"

namespace stemdeck::control {

using engine::Action;
using engine::Quantize;

namespace {

struct NamedAction {
    const char* name;
    Action action;
};
constexpr NamedAction kActions[] = {
    {"mute", Action::mute},
    {"unmute", Action::unmute},
    {"toggle_mute", Action::toggleMute},
    {"solo", Action::solo},
    {"unsolo", Action::unsolo},
    {"toggle_solo", Action::toggleSolo},
    {"gain", Action::gain},
    {"filter", Action::filter},
    {"play", Action::play},
    {"stop", Action::stop},
    {"seek", Action::seek},
    {"reference", Action::referenceOn},
    {"stems", Action::referenceOff},
    {"toggle_reference", Action::toggleReference},
    {"loop", Action::loopOn},
    {"unloop", Action::loopOff},
};

/// Times in a script stop here (and so cannot overflow a frame count at any rate).
constexpr double kMaxSeconds = 24.0 * 3600.0;

const std::vector<std::string> kKeys = {"frame", "time", "action", "stem", "value", "quantize"};
const std::vector<std::string> kQuantizeNames = {"none", "beat", "bar"};

class ScriptError {
public:
    ScriptError(const std::string& file) : file_(file) {}
    [[noreturn]] void at(const YAML::Node& node, const std::string& message) const {
        const YAML::Mark m = node.Mark();
        throw Error(file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + message);
    }

private:
    const std::string& file_;
};

double number(const YAML::Node& node, const ScriptError& err, const std::string& what) {
    try {
        return node.as<double>();
    } catch (const YAML::Exception&) {
        err.at(node, what + " must be a number, not '" + node.Scalar() + "'");
    }
}

ScriptEvent parseEvent(const YAML::Node& item, const ScriptError& err, const ScriptContext& ctx) {
    if (!item.IsMap()) err.at(item, "each event is a map like { time: 1.0, action: mute, stem: 2 }");
    for (const auto& kv : item) {
        const std::string key = kv.first.Scalar();
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
            err.at(kv.first, "unknown key '" + key + "'" + didYouMean(key, kKeys) + "; keys are " + joinNames(kKeys));
    }
    ScriptEvent ev;
    ev.line = item.Mark().line + 1;

    const YAML::Node actionNode = item["action"];
    if (!actionNode) err.at(item, "missing 'action'; one of " + joinNames(actionNames()));
    const std::string& name = actionNode.Scalar();
    const auto action = actionFromName(name);
    if (!action)
        err.at(actionNode, "unknown action '" + name + "'" + didYouMean(name, actionNames()) + "; actions are " +
                               joinNames(actionNames()));
    engine::Command& c = ev.command;
    c.action = *action;

    const YAML::Node frame = item["frame"], time = item["time"];
    if (frame && time) err.at(time, "give either 'frame' or 'time', not both");
    if (!frame && !time) err.at(item, "missing 'time' (seconds) or 'frame' (samples): when does it happen?");
    if (frame) {
        const double f = number(frame, err, "frame");
        if (f < 0 || f != std::floor(f)) err.at(frame, "frame must be a whole number of samples ≥ 0");
        if (f > kMaxSeconds * ctx.sampleRate) err.at(frame, "frame is past 24 hours; a script covers one show");
        ev.frame = static_cast<std::int64_t>(f);
    } else {
        const double t = number(time, err, "time");
        if (t < 0) err.at(time, "time must be ≥ 0 seconds");
        if (t > kMaxSeconds) err.at(time, "time is past 24 hours; a script covers one show");
        ev.frame = static_cast<std::int64_t>(std::llround(t * ctx.sampleRate));
    }

    const YAML::Node stem = item["stem"];
    if (engine::needsStem(c.action)) {
        if (!stem)
            err.at(item, "'" + name + "' needs a 'stem': a number 1–" + std::to_string(ctx.stemNames.size()) +
                             " or a name (" + joinNames(ctx.stemNames) + ")");
        const auto index = findStemIndex(ctx.stemNames, stem.Scalar());
        if (!index)
            err.at(stem, "no stem '" + stem.Scalar() + "'" + didYouMean(stem.Scalar(), ctx.stemNames) +
                             "; stems are 1–" + std::to_string(ctx.stemNames.size()) + ": " + joinNames(ctx.stemNames));
        c.stem = static_cast<std::int8_t>(*index);
    } else if (stem) {
        err.at(stem, "'" + name + "' acts on the whole song and takes no 'stem'");
    }

    const YAML::Node value = item["value"];
    const bool needsValue = c.action == Action::gain || c.action == Action::filter || c.action == Action::seek ||
                            c.action == Action::loopOn;
    if (needsValue && !value) {
        const char* hint = c.action == Action::gain     ? "a level such as -6dB or a factor such as 0.5"
                           : c.action == Action::filter ? "a knob position from -1 (low-pass) to 1 (high-pass)"
                           : c.action == Action::loopOn ? "the section in seconds, START-END, such as 8-16"
                                                        : "a position in seconds";
        err.at(item, "'" + name + "' needs a 'value': " + hint);
    }
    if (!needsValue && value) err.at(value, "'" + name + "' takes no 'value'");
    if (c.action == Action::gain) {
        const auto g = parseGain(value.Scalar());
        if (!g)
            err.at(value, "gain '" + value.Scalar() +
                              "' is not a level: write -6dB, +3dB or a factor like 0.5 "
                              "(at most +12 dB)");
        c.value = *g;
    } else if (c.action == Action::filter) {
        const double v = number(value, err, "filter value");
        if (v < -1.0 || v > 1.0) err.at(value, "filter value must be from -1 (low-pass) to 1 (high-pass), 0 = off");
        c.value = static_cast<float>(v);
    } else if (c.action == Action::loopOn) {
        const std::string text = value.Scalar();
        const auto dash = text.find('-', 1);
        double from = -1.0, to = -1.0;
        try {
            if (dash == std::string::npos) throw std::invalid_argument(text);
            std::size_t a = 0, b = 0;
            from = std::stod(text.substr(0, dash), &a);
            to = std::stod(text.substr(dash + 1), &b);
            if (a != dash || b != text.size() - dash - 1) throw std::invalid_argument(text);
        } catch (const std::exception&) {
            err.at(value, "loop value '" + text + "' is not a section: write START-END in seconds, such as 8-16");
        }
        if (!(from >= 0.0 && to > from && to <= kMaxSeconds))
            err.at(value, "loop section must run forwards from ≥ 0 s: START-END");
        c.target = static_cast<std::int64_t>(std::llround(from * ctx.sampleRate));
        c.length = static_cast<std::int64_t>(std::llround(to * ctx.sampleRate)) - c.target;
    } else if (c.action == Action::seek) {
        const double s = number(value, err, "seek position");
        if (s < 0) err.at(value, "seek position must be ≥ 0 seconds");
        if (s > kMaxSeconds) err.at(value, "seek position is past 24 hours; no song is that long");
        c.target = static_cast<std::int64_t>(std::llround(s * ctx.sampleRate));
    }

    if (const YAML::Node q = item["quantize"]) {
        const std::string& qs = q.Scalar();
        if (qs == "none")
            c.quantize = Quantize::none;
        else if (qs == "beat")
            c.quantize = Quantize::beat;
        else if (qs == "bar")
            c.quantize = Quantize::bar;
        else
            err.at(q, "quantize '" + qs + "' is not one of none, beat, bar" + didYouMean(qs, kQuantizeNames));
        if (c.quantize != Quantize::none && !ctx.bpmKnown)
            err.at(q, "quantize needs the song's BPM: add a line 'BPM: 120' to the stem folder's readme.txt "
                      "or pass --bpm");
    }
    c.frame = ev.frame;
    return ev;
}

} // namespace

const std::vector<std::string>& actionNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& a : kActions)
            v.emplace_back(a.name);
        return v;
    }();
    return names;
}

std::optional<Action> actionFromName(std::string_view name) {
    for (const auto& a : kActions)
        if (name == a.name) return a.action;
    return std::nullopt;
}

std::string_view actionName(Action action) {
    for (const auto& a : kActions)
        if (a.action == action) return a.name;
    return "?";
}

std::vector<ScriptEvent> parseEventScript(std::string_view yaml, const std::string& fileName,
                                          const ScriptContext& context) {
    const ScriptError err(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        throw Error(fileName + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                    ": not valid YAML (" + e.msg + ")");
    }
    if (!root.IsMap() || !root["events"])
        throw Error(fileName + ":1:1: expected a top-level 'events:' list, e.g.\nevents:\n"
                               "  - { time: 1.0, action: mute, stem: 2 }");
    for (const auto& kv : root)
        if (kv.first.Scalar() != "events")
            err.at(kv.first, "unknown key '" + kv.first.Scalar() + "'" + didYouMean(kv.first.Scalar(), {"events"}) +
                                 "; the file holds one 'events:' list");
    const YAML::Node list = root["events"];
    if (!list.IsSequence() && !list.IsNull()) err.at(list, "'events' must be a list of events");
    std::vector<ScriptEvent> events;
    for (const auto& item : list)
        events.push_back(parseEvent(item, err, context));
    std::stable_sort(events.begin(), events.end(),
                     [](const ScriptEvent& a, const ScriptEvent& b) { return a.frame < b.frame; });
    return events;
}

std::vector<std::int64_t> cueFrames(const std::vector<ScriptEvent>& events, double sampleRate) {
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * sampleRate) + 1;
    std::vector<std::int64_t> targets;
    for (const auto& e : events) {
        if (e.command.action == Action::seek) targets.push_back(e.command.target);
        if (e.command.action == Action::loopOn) targets.push_back(std::max<std::int64_t>(1, e.command.target - xfade));
    }
    return targets;
}

std::vector<ScriptEvent> loadEventScript(const std::filesystem::path& file, const ScriptContext& context) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot read the events file; check the path");
    std::ostringstream text;
    text << in.rdbuf();
    return parseEventScript(text.str(), file.string(), context);
}

} // namespace stemdeck::control
