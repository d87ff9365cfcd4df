// The one action table: every action is reachable, with the same name and the same value
// parsing, from an events script, a controller mapping, MIDI learn and (where it has one) a key,
// and the manual's list of actions (docs/manual/actions.md) is the table's.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "stemdeck/app/Keys.h"
#include "stemdeck/control/Action.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/MidiMapper.h"

using namespace stemdeck;
using namespace stemdeck::control;
using namespace stemdeck::app;

namespace {

/// A value of each kind, as a person would write it (numbers where a mapping needs them).
const std::map<ValueKind, std::string> kSample = {
    {ValueKind::level, "-6dB"},       {ValueKind::knob, "-0.5"},      {ValueKind::seconds, "2.5"},
    {ValueKind::section, "8-16"},     {ValueKind::click, "count-in"}, {ValueKind::song, "2"},
    {ValueKind::marker, "2"},         {ValueKind::scene, "2"},        {ValueKind::slot, "3"},
    {ValueKind::tempo, "80%"},        {ValueKind::semitones, "-2"},   {ValueKind::bars, "17-24"},
    {ValueKind::placement, "2 to 3"},
};

/// What the play screen's keys send for each key the table lists (a terminal's bytes).
const std::map<std::string, std::string> kKeyBytes = {
    {"1-8", "1"},          {"shift-1-8, s 1-8", "!"}, {"space", " "},        {"0, Home", "0"},
    {"<-", "\x1b[D"},      {"->", "\x1b[C"},          {"g N Enter", "g2\r"}, {"u N Enter", "u2\r"},
    {"x N Enter", "x2\r"}, {"e 1-8", "e2"},           {"w 1-8", "w3"},       {"+, =", "+"},
};

const ScriptContext kCtx{{"Drums", "Bass", "Keys", "Vox"},
                         48000.0,
                         true,
                         {{"Intro", "Breakdown", "", "", "", "", "", ""}, {"Verse", "Drop"}, 4}};

/// The stem(s) an action acts on, as a mapping writes them.
std::string targetYaml(const ActionInfo& a) {
    if (a.target == Target::stem) return ", stem: 1";
    if (a.target == Target::stems) return ", stems: [1, 2]";
    return "";
}

/// … and as a script writes them (by name).
std::string scriptTarget(const ActionInfo& a) {
    if (a.target == Target::stem) return ", stem: Drums";
    if (a.target == Target::stems) return ", stem: [Drums, Bass]";
    return "";
}

std::string scriptError(const std::string& yaml) {
    try {
        (void)parseEventScript(yaml, "show.yaml", kCtx);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string mappingError(const std::string& yaml) {
    try {
        (void)midi::parseMapping(yaml, "pads.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("Every action of the table is reachable from a script, a mapping and its key, parsed the same",
          "[unit][actions]") {
    for (const ActionInfo& a : actions()) {
        const std::string name(a.name);
        INFO("action " << name);
        const std::string value = a.value == ValueKind::none ? "" : ", value: " + kSample.at(a.value);
        // A script.
        const auto events = parseEventScript(
            "events:\n  - { time: 1, action: " + name + value + scriptTarget(a) + " }\n", "show.yaml", kCtx);
        REQUIRE(events.size() == 1);
        const ActionCall fromScript = events[0].call;
        CHECK(fromScript.action == a.action);
        // A mapping: a pad (a fader for gain and filter without a value).
        // (shutdown only as a long press: held 2 s, it happens when the pad is let go.)
        const bool longPress = a.action == Action::shutdown;
        const std::string mapping = "bindings:\n  - { note: 10, action: " + name + targetYaml(a) + value +
                                    (longPress ? ", hold: 2" : "") + " }\n";
        const midi::Mapping m = midi::parseMapping(mapping, "pads.yaml");
        REQUIRE(m.bindings.size() == 1);
        midi::MidiMapper mapper(m);
        midi::Translation t = mapper.translate(0x90, 10, 127, 4800, {});
        if (longPress) {
            CHECK(t.count == 0);
            t = mapper.translate(0x80, 10, 0, 4800 + 96000, {});
        }
        REQUIRE(t.count == 1);
        const ActionCall fromPad = t.items[0];
        CHECK(fromPad.action == a.action);
        CHECK(fromPad.frame == (longPress ? 4800 + 96000 : 4800));
        // The same text, the same value.
        CHECK(fromPad.value == fromScript.value);
        CHECK(fromPad.from == fromScript.from);
        CHECK(fromPad.to == fromScript.to);
        if (a.target == Target::stem) CHECK((fromPad.stem == 0 && fromScript.stem == 0));
        if (a.target == Target::stems) CHECK((fromPad.stemMask == 3 && fromScript.stemMask == 3));
        // Quantise: allowed where the table allows it, in both.
        const std::string q = ", quantize: bar";
        const std::string scriptQ = "events:\n  - { time: 1, action: " + name + scriptTarget(a) + value + q + " }\n";
        const std::string mappingQ = "bindings:\n  - { note: 10, action: " + name + targetYaml(a) + value + q + " }\n";
        if (a.quantisable) {
            CHECK(scriptError(scriptQ).empty());
            CHECK(mappingError(mappingQ).empty());
        } else {
            CHECK_THAT(scriptError(scriptQ), Catch::Contains("cannot wait for the beat or bar"));
            CHECK_THAT(mappingError(mappingQ), Catch::Contains("cannot wait for the beat or bar"));
        }
        // Its key, where it has one.
        if (!a.key.empty() && a.action != Action::unlock) {
            const auto bytes =
                kKeyBytes.contains(std::string(a.key)) ? kKeyBytes.at(std::string(a.key)) : std::string(a.key);
            TerminalKeys terminal;
            KeyDecoder keys;
            const auto pressed = decodeKeys(terminal, keys, bytes);
            REQUIRE(pressed.size() == 1);
            CHECK(pressed[0].action == a.action);
            if (a.value != ValueKind::none) CHECK(pressed[0].value == fromScript.value); // "2" → the second
        }
        // Its learn letter, where it has one.
        if (a.learnLetter != 0) {
            midi::LearnChoice choice;
            auto state = choice.feed(a.learnLetter);
            if (state != midi::LearnChoice::State::done) state = choice.feed('2');
            REQUIRE(state == midi::LearnChoice::State::done);
            const midi::Binding b = choice.binding({midi::MessageKind::cc, 10, 0}); // a cc can be anything
            CHECK(b.action == a.action);
            // What learn writes, a mapping reads back.
            midi::Mapping learned;
            learned.bindings.push_back(b);
            CHECK_NOTHROW(midi::parseMapping(midi::formatMapping(learned), "learned.yaml"));
        }
    }
}

TEST_CASE("The word unlock, typed, ends the show lock, and nothing else does", "[unit][actions]") {
    UnlockWord w;
    bool done = false;
    for (const char c : std::string("q1 2unlocx"))
        done = done || w.feed(c);
    CHECK_FALSE(done);
    for (const char c : std::string("UNLOCK"))
        done = w.feed(c);
    CHECK(done);
    for (const char c : std::string("uunlock")) // a stutter still counts
        done = w.feed(c);
    CHECK(done);
}

TEST_CASE("An unknown action names the nearest one, in scripts and mappings alike", "[unit][actions]") {
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: scen, value: 1 }\n"),
               Catch::StartsWith("show.yaml:2:24: unknown action 'scen' (did you mean 'scene'?)"));
    CHECK_THAT(mappingError("bindings:\n  - { note: 1, action: scen, value: 1 }\n"),
               Catch::StartsWith("pads.yaml:2:24: unknown action 'scen' (did you mean 'scene'?)"));
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: pnic }\n"), Catch::Contains("(did you mean 'panic'?)"));
    CHECK_THAT(mappingError("bindings:\n  - { note: 1, action: toggle_mte, stem: 1 }\n"),
               Catch::Contains("(did you mean 'toggle_mute'?)"));
}

TEST_CASE("Values: names where the song has them, numbers in mappings, clear errors", "[unit][actions]") {
    const auto events = parseEventScript("events:\n  - { time: 1, action: scene, value: breakdown }\n"
                                         "  - { time: 2, action: marker, value: Drop }\n",
                                         "show.yaml", kCtx);
    CHECK(events[0].call.value == 1.0f); // scene 2 by its name, any case
    CHECK(events[1].call.value == 1.0f);
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: scene, value: Brekdown }\n"),
               Catch::Contains("no scene 'Brekdown' (did you mean 'Breakdown'?); there are Intro, Breakdown"));
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: scene, value: 9 }\n"),
               Catch::Contains("scene 9 is not one of 1-8"));
    CHECK_THAT(mappingError("bindings:\n  - { note: 1, action: scene, value: Breakdown }\n"),
               Catch::Contains("no scene named 'Breakdown' here: give its number, 1-8"));
    CHECK_THAT(mappingError("bindings:\n  - { note: 1, action: scene }\n"),
               Catch::Contains("'scene' needs a value: a scene's name or its number, 1-8"));
    CHECK_THAT(mappingError("bindings:\n  - { note: 1, action: panic, value: 1 }\n"),
               Catch::Contains("'panic' takes no value"));
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: go_to_song, value: 7 }\n"),
               Catch::Contains("there is no song 7; the set has 4"));
    CHECK_THAT(scriptError("events:\n  - { time: 1, action: click, value: loud }\n"),
               Catch::Contains("click 'loud' is not one of off, count-in, always"));
    // A fixed level on a pad; a fader follows its cc.
    const midi::Mapping m = midi::parseMapping("bindings:\n  - { note: 1, action: gain, stem: 2, value: -6dB }\n"
                                               "  - { cc: 7, action: gain, stem: 2 }\n",
                                               "pads.yaml");
    CHECK_FALSE(m.bindings[0].followsControl());
    CHECK(m.bindings[1].followsControl());
    midi::MidiMapper mapper(m);
    CHECK(mapper.translate(0x90, 1, 127, 0, {}).items[0].value == Approx(0.501187));
}

TEST_CASE("A render refuses a script's live-only actions, naming the line", "[unit][actions]") {
    const auto events = parseEventScript("events:\n  - { time: 1, action: scene, value: 1 }\n"
                                         "  - { time: 2, action: next_song }\n",
                                         "show.yaml", kCtx);
    CHECK_THROWS_WITH(requireEngineActions(events, "show.yaml"),
                      Catch::StartsWith("show.yaml:3: 'next_song' needs the live player"));
}

TEST_CASE("The manual lists the action table as it is", "[unit][actions]") {
    std::ifstream in(std::string(STEMDECK_SOURCE_DIR) + "/docs/manual/actions.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string manual = text.str();
    const std::string begin = "<!-- actions: begin (stemdeck actions) -->\n", end = "<!-- actions: end -->";
    const auto from = manual.find(begin), to = manual.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const std::string listed = manual.substr(from + begin.size(), to - from - begin.size());
    CHECK(listed == actionsMarkdown()); // out of date: paste `stemdeck actions` between the markers
    // And the key help on the play screen is the table's.
    for (const ActionInfo& a : actions())
        if (!a.key.empty()) CHECK_THAT(keyHelp(), Catch::Contains(std::string(a.key) + " " + std::string(a.name)));
}
