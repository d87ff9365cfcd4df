#include <catch2/catch.hpp>

#include <cmath>

#include "stemdeck/common/Error.h"
#include "stemdeck/control/EventScript.h"

using namespace stemdeck;
using namespace stemdeck::control;
using engine::Quantize;

namespace {
/// The engine command a scripted action becomes (as the renderer and the router send it).
engine::Command cmd(const ScriptEvent& e) {
    return toCommand(e.call, 48000.0);
}

const ScriptContext kCtx{{"Drums", "Bass", "Keys", "Vocals"}, 48000.0, true};

std::string errorOf(const std::string& yaml, const ScriptContext& ctx = kCtx) {
    try {
        (void)parseEventScript(yaml, "show.yaml", ctx);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
} // namespace

TEST_CASE("The issue's example script parses to the right commands", "[unit]") {
    const auto events = parseEventScript(R"(events:
  - { frame: 48000, action: mute, stem: 2 }               # exact frame
  - { time: 1.3, action: unmute, stem: drums, quantize: bar }   # seconds; next bar line
  - { time: 4.0, action: gain, stem: Bass, value: -6dB }  # dB, or a linear factor like 0.5
  - { time: 5.0, action: filter, stem: 3, value: -0.8 }
  - { time: 6.0, action: solo, stem: vocals }
  - { time: 7.0, action: seek, value: 2.5 }
)",
                                         "show.yaml", kCtx);
    REQUIRE(events.size() == 6);
    CHECK(events[0].frame == 48000);
    CHECK(cmd(events[0]).op == engine::Op::mute);
    CHECK(cmd(events[0]).stem == 1);
    CHECK(events[1].frame == 62400);
    CHECK(cmd(events[1]).op == engine::Op::unmute);
    CHECK(cmd(events[1]).stem == 0);
    CHECK(cmd(events[1]).quantize == Quantize::bar);
    CHECK(cmd(events[2]).value == Approx(std::pow(10.0, -6.0 / 20.0)));
    CHECK(cmd(events[3]).value == Approx(-0.8f));
    CHECK(cmd(events[3]).stem == 2);
    CHECK(cmd(events[4]).stem == 3);
    CHECK(cmd(events[5]).target == 120000);
    CHECK(cmd(events[5]).frame == 7 * 48000);
    CHECK(events[1].line == 3);
}

TEST_CASE("Events come back in time order, ties in file order", "[unit]") {
    const auto events = parseEventScript(R"(events:
  - { time: 2, action: unmute, stem: 1 }
  - { time: 1, action: mute, stem: 1 }
  - { time: 2, action: solo, stem: 2 }
)",
                                         "x.yaml", kCtx);
    REQUIRE(events.size() == 3);
    CHECK(cmd(events[0]).op == engine::Op::mute);
    CHECK(cmd(events[1]).op == engine::Op::unmute);
    CHECK(cmd(events[2]).op == engine::Op::solo);
}

TEST_CASE("Gain values in dB and as factors", "[unit]") {
    CHECK(*parseGain("-6dB") == Approx(0.501187));
    CHECK(*parseGain("+3 dB") == Approx(1.412538));
    CHECK(*parseGain("0dB") == 1.0f);
    CHECK(*parseGain("0.5") == 0.5f);
    CHECK(*parseGain("-inf dB") == 0.0f);
    CHECK_FALSE(parseGain("loud"));
    CHECK_FALSE(parseGain("+20dB")); // more than +12 dB is a typo, not a mix move
    CHECK_FALSE(parseGain("-0.5"));  // a negative factor would flip the polarity
    CHECK_FALSE(parseGain("6 dBx"));
}

TEST_CASE("Script errors name file line and column and say how to fix it", "[unit]") {
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mutee, stem: 1 }\n"),
               Catch::StartsWith("show.yaml:2:24: unknown action 'mutee' (did you mean 'mute'?)"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute, stme: 1 }\n"),
               Catch::StartsWith("show.yaml:2:30: unknown key 'stme' (did you mean 'stem'?)"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute, stem: drum }\n"),
               Catch::Contains("show.yaml:2:36: no stem 'drum' (did you mean 'Drums'?)") &&
                   Catch::Contains("Drums, Bass, Keys, Vocals"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute, stem: 9 }\n"), Catch::Contains("stems are 1–4"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute }\n"),
               Catch::StartsWith("show.yaml:2:5: 'mute' needs a 'stem'"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: gain, stem: 1, value: loud }\n"),
               Catch::StartsWith("show.yaml:2:46: gain 'loud' is not a level"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: filter, stem: 1, value: 2 }\n"),
               Catch::Contains("filter value must be from -1"));
    CHECK_THAT(errorOf("events:\n  - { action: play }\n"), Catch::Contains("missing 'time'"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, frame: 5, action: play }\n"), Catch::Contains("not both"));
    CHECK_THAT(errorOf("events:\n  - { time: -1, action: play }\n"), Catch::Contains("time must be ≥ 0"));
    CHECK_THAT(errorOf("events:\n  - { time: .nan, action: play }\n"), Catch::Contains("time must be ≥ 0"));
    CHECK_THAT(errorOf("events:\n  - { frame: .inf, action: play }\n"), Catch::Contains("frame must be a whole number"));
    CHECK(errorOf("events:\n  - { time: 1, time: 2, action: play }\n") ==
          "show.yaml:2:16: 'time' is given twice in this map; keep one"); // (yaml-cpp took the first)
    CHECK_THAT(errorOf("events:\n  - { time: soon, action: play }\n"),
               Catch::StartsWith("show.yaml:2:13: time must be a number, not 'soon'"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: play, stem: 1 }\n"), Catch::Contains("takes no 'stem'"));
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute, stem: 1, quantize: bars }\n"),
               Catch::Contains("(did you mean 'bar'?)"));
    CHECK_THAT(errorOf("events: [ { time: 1, action: mute\n"),
               Catch::StartsWith("show.yaml:") && Catch::Contains("not valid YAML"));
    CHECK_THAT(errorOf("evnts:\n  - { time: 1, action: play }\n"), Catch::Contains("expected a top-level 'events:'"));
}

TEST_CASE("Quantise without a known BPM is refused with the fix", "[unit]") {
    ScriptContext noBpm = kCtx;
    noBpm.bpmKnown = false;
    CHECK_THAT(errorOf("events:\n  - { time: 1, action: mute, stem: 1, quantize: bar }\n", noBpm),
               Catch::Contains("add a line 'BPM: 120'") && Catch::Contains("--bpm"));
    CHECK_NOTHROW(parseEventScript("events:\n  - { time: 1, action: mute, stem: 1 }\n", "x", noBpm));
}

TEST_CASE("Loop (vamp) and reference A/B actions", "[unit]") {
    const auto events = parseEventScript("events:\n  - { time: 1, action: loop, value: 8-16 }\n"
                                         "  - { time: 20, action: unloop }\n  - { time: 2, action: reference }\n"
                                         "  - { time: 3, action: stems }\n  - { time: 4, action: toggle_reference }\n",
                                         "show.yaml", kCtx);
    REQUIRE(events.size() == 5);
    CHECK(cmd(events[0]).op == engine::Op::loopOn);
    CHECK(cmd(events[0]).target == 8 * 48000);
    CHECK(cmd(events[0]).length == 8 * 48000);
    CHECK(cmd(events[1]).op == engine::Op::referenceOn);
    CHECK(cmd(events[4]).op == engine::Op::loopOff);
    CHECK(errorOf("events:\n  - { time: 1, action: loop }\n") ==
          "show.yaml:2:5: 'loop' needs a 'value': the section in seconds, START-END, such as 8-16");
    CHECK(errorOf("events:\n  - { time: 1, action: loop, value: 16-8 }\n") ==
          "show.yaml:2:37: loop section must run forwards from ≥ 0 s: START-END");
    CHECK(
        errorOf("events:\n  - { time: 1, action: loop, value: verse }\n").find("loop value 'verse' is not a section") !=
        std::string::npos);
}

TEST_CASE("Times and frames past a day are refused, not overflowed (found by fuzzing)", "[unit]") {
    CHECK(errorOf("events:\n  - { frame: 480003333333333333333333333333, action: play }\n") ==
          "show.yaml:2:14: frame is past 24 hours; a script covers one show");
    CHECK(errorOf("events:\n  - { time: 1e300, action: play }\n") ==
          "show.yaml:2:13: time is past 24 hours; a script covers one show");
    CHECK(errorOf("events:\n  - { time: 1, action: seek, value: 1e300 }\n") ==
          "show.yaml:2:37: seek position is past 24 hours; no song is that long");
}
