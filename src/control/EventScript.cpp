#include "stemdeck/control/EventScript.h"

#include <algorithm>
#include <cmath>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Tree.h"
#include "stemdeck/engine/Constants.h"

namespace stemdeck::control {

using engine::Quantize;

namespace {

/// Times in a script stop here (and so cannot overflow a frame count at any rate).
constexpr double kMaxSeconds = 24.0 * 3600.0;

const std::vector<std::string> kKeys = {"frame", "time", "action", "stem", "value", "quantize"};
const std::vector<std::string> kQuantizeNames = {"none", "beat", "bar"};

using yaml::Tree;
using yaml::TreeNode;

double number(const TreeNode& node, const Tree& err, const std::string& what) {
    if (const std::optional<double> v = node.number()) return *v;
    err.fail(node, what + " must be a number, not '" + node.scalar() + "'");
}

int stemIndex(const TreeNode& stem, const Tree& err, const ScriptContext& ctx) {
    const auto index = stem.isScalar() ? findStemIndex(ctx.stemNames, stem.scalar()) : std::nullopt;
    if (!index)
        err.fail(stem, "no stem '" + stem.scalar() + "'" + didYouMean(stem.scalar(), ctx.stemNames) + "; stems are 1–" +
                           std::to_string(ctx.stemNames.size()) + ": " + joinNames(ctx.stemNames));
    return *index;
}

ScriptEvent parseEvent(const TreeNode& item, const Tree& err, const ScriptContext& ctx) {
    if (!item.isMap()) err.fail(item, "each event is a map like { time: 1.0, action: mute, stem: 2 }");
    if (const std::optional<TreeNode> unknown = Tree::unknownKey(item, kKeys)) {
        const std::string key = unknown->scalar();
        err.fail(*unknown, "unknown key '" + key + "'" + didYouMean(key, kKeys) + "; keys are " + joinNames(kKeys));
    }
    ScriptEvent ev;
    ev.line = item.line();

    const std::optional<TreeNode> actionNode = item.find("action");
    if (!actionNode) err.fail(item, "missing 'action'; one of " + joinNames(actionNames()));
    const std::string& name = actionNode->scalar();
    const auto action = actionFromName(name);
    if (!action) err.fail(*actionNode, unknownActionMessage(name));
    const ActionInfo& row = info(*action);
    ActionCall& c = ev.call;
    c.action = *action;

    const std::optional<TreeNode> frame = item.find("frame"), time = item.find("time");
    if (frame && time) err.fail(*time, "give either 'frame' or 'time', not both");
    if (!frame && !time) err.fail(item, "missing 'time' (seconds) or 'frame' (samples): when does it happen?");
    if (frame) {
        const double f = number(*frame, err, "frame");
        if (!std::isfinite(f) || f < 0 || f != std::floor(f)) err.fail(*frame, "frame must be a whole number of samples ≥ 0");
        if (f > kMaxSeconds * ctx.sampleRate) err.fail(*frame, "frame is past 24 hours; a script covers one show");
        ev.frame = static_cast<std::int64_t>(f);
    } else {
        const double t = number(*time, err, "time");
        if (!std::isfinite(t) || t < 0) err.fail(*time, "time must be ≥ 0 seconds");
        if (t > kMaxSeconds) err.fail(*time, "time is past 24 hours; a script covers one show");
        ev.frame = static_cast<std::int64_t>(std::llround(t * ctx.sampleRate));
    }

    const std::optional<TreeNode> stem = item.find("stem");
    if (row.target == Target::song && stem) err.fail(*stem, "'" + name + "' acts on the whole song and takes no 'stem'");
    if (row.target != Target::song && !stem)
        err.fail(item, "'" + name + "' needs a 'stem'" +
                           (row.target == Target::stems ? std::string(" (or a list)") : "") + ": a number 1–" +
                           std::to_string(ctx.stemNames.size()) + " or a name (" + joinNames(ctx.stemNames) + ")");
    if (row.target == Target::stem) {
        if (!stem->isScalar()) err.fail(*stem, "'" + name + "' acts on one stem: stem: 2 or stem: Bass");
        c.stem = static_cast<std::int8_t>(stemIndex(*stem, err, ctx));
    } else if (row.target == Target::stems) {
        if (stem->isSequence())
            for (std::size_t i = 0; i < stem->size(); ++i)
                c.stemMask = static_cast<std::uint8_t>(c.stemMask | 1u << stemIndex(stem->item(i), err, ctx));
        else
            c.stemMask = static_cast<std::uint8_t>(1u << stemIndex(*stem, err, ctx));
    }

    const std::optional<TreeNode> value = item.find("value");
    if (row.value != ValueKind::none && !value)
        err.fail(item, "'" + name + "' needs a 'value': " + std::string(valueHint(row.value)));
    if (row.value == ValueKind::none && value) err.fail(*value, "'" + name + "' takes no 'value'");
    if (value) {
        if (!value->isScalar()) err.fail(*value, "'" + name + "' takes " + std::string(valueHint(row.value)));
        std::string why;
        if (!parseValue(row, value->scalar(), ctx.values, c, why)) err.fail(*value, why);
    }

    if (const std::optional<TreeNode> qn = item.find("quantize")) {
        const TreeNode& q = *qn;
        const std::string& qs = q.scalar();
        if (qs == "none")
            c.quantize = Quantize::none;
        else if (qs == "beat")
            c.quantize = Quantize::beat;
        else if (qs == "bar")
            c.quantize = Quantize::bar;
        else
            err.fail(q, "quantize '" + qs + "' is not one of none, beat, bar" + didYouMean(qs, kQuantizeNames));
        if (c.quantize != Quantize::none && !row.quantisable)
            err.fail(q, "'" + name + "' happens when it is issued and cannot wait for the beat or bar");
        if (c.quantize != Quantize::none && !ctx.bpmKnown)
            err.fail(q, "quantize needs the song's BPM: add a line 'BPM: 120' to the stem folder's readme.txt "
                        "or pass --bpm");
    }
    c.frame = ev.frame;
    return ev;
}

} // namespace

std::vector<ScriptEvent> parseEventScript(std::string_view yaml, const std::string& fileName,
                                          const ScriptContext& context) {
    const std::unique_ptr<const Tree> tree = Tree::parse(yaml, fileName);
    const Tree& err = *tree;
    const TreeNode root = tree->root();
    if (!root.isMap() || !root.find("events"))
        throw Error(fileName + ":1:1: expected a top-level 'events:' list, e.g.\nevents:\n"
                               "  - { time: 1.0, action: mute, stem: 2 }");
    if (const std::optional<TreeNode> unknown = Tree::unknownKey(root, {"events"}))
        err.fail(*unknown, "unknown key '" + unknown->scalar() + "'" + didYouMean(unknown->scalar(), {"events"}) +
                               "; the file holds one 'events:' list");
    const TreeNode list = *root.find("events");
    if (!list.isSequence() && !list.isNull()) err.fail(list, "'events' must be a list of events");
    std::vector<ScriptEvent> events;
    events.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i)
        events.push_back(parseEvent(list.item(i), err, context));
    std::stable_sort(events.begin(), events.end(),
                     [](const ScriptEvent& a, const ScriptEvent& b) { return a.frame < b.frame; });
    return events;
}

std::vector<std::int64_t> cueFrames(const std::vector<ScriptEvent>& events, double sampleRate) {
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * sampleRate) + 1;
    std::vector<std::int64_t> targets;
    for (const auto& e : events) {
        if (e.call.action == Action::seek) targets.push_back(std::llround(e.call.from * sampleRate));
        if (e.call.action == Action::loop)
            targets.push_back(std::max<std::int64_t>(1, std::llround(e.call.from * sampleRate) - xfade));
    }
    return targets;
}

void requireEngineActions(const std::vector<ScriptEvent>& events, const std::string& fileName) {
    for (const ScriptEvent& e : events)
        if (info(e.call.action).runs != Runs::engine)
            throw Error(fileName + ":" + std::to_string(e.line) + ": '" + std::string(info(e.call.action).name) +
                        "' needs the live player (songs, markers, the keyboard); a render plays one script of "
                        "engine actions: use it with stemdeck play --events, or use seek, loop or scene here");
}

std::vector<ScriptEvent> loadEventScript(const std::filesystem::path& file, const ScriptContext& context) {
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot read the events file; check the path");
    return parseEventScript(*text, file.string(), context);
}

} // namespace stemdeck::control
