// Controller mappings and MIDI → action translation, message by message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "stemdeck/audio/DeviceOutput.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/midi/Leds.h"
#include "stemdeck/midi/MidiMapper.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::midi;

namespace {
const std::filesystem::path kControllers = std::filesystem::path(STEMDECK_SOURCE_DIR) / "controllers";

std::string errorOf(const std::string& yaml) {
    try {
        (void)parseMapping(yaml, "pad.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

control::ActionCall only(const Translation& t) {
    REQUIRE(t.count == 1);
    return t.items[0];
}
} // namespace

TEST_CASE("The shipped controller mappings parse and cover every stem", "[unit][midi]") {
    for (const char* file : {"akai-apc-mini-mk2.yaml", "korg-nanokontrol2.yaml", "generic-8-fader-8-pad.yaml",
                             "akai-midimix.yaml", "novation-launch-control-xl.yaml", "behringer-x-touch-mini.yaml"}) {
        INFO(file);
        const Mapping m = loadMapping(kControllers / file);
        CHECK_FALSE(m.source.empty());
        CHECK_FALSE(m.ports.empty());
        for (int stem = 0; stem < 8; ++stem)
            for (MapAction a : {MapAction::toggleMute, MapAction::gain, MapAction::filter})
                CHECK(std::any_of(m.bindings.begin(), m.bindings.end(), [&](const Binding& b) {
                    return b.action == a && !b.stems.empty() && b.stems[0] == stem;
                }));
        for (MapAction a : {MapAction::nextSong, MapAction::previousSong})
            CHECK(std::any_of(m.bindings.begin(), m.bindings.end(), [&](const Binding& b) { return b.action == a; }));
        auto binds = [&](std::initializer_list<MapAction> any) {
            return std::any_of(m.bindings.begin(), m.bindings.end(), [&](const Binding& b) {
                return std::find(any.begin(), any.end(), b.action) != any.end();
            });
        };
        // Everything a show needs, from the controller alone (boot to show: no keyboard).
        CHECK(binds({MapAction::play, MapAction::togglePlay}));
        CHECK(binds({MapAction::stop, MapAction::togglePlay}));
        CHECK(binds({MapAction::nextMarker, MapAction::marker}));
        CHECK(binds({MapAction::previousMarker, MapAction::marker}));
        CHECK(binds({MapAction::vamp}));
        CHECK(binds({MapAction::toggleReference}));
        CHECK(binds({MapAction::panic}));
        for (int slot = 0; slot < 4; ++slot) // at least four scenes
            CHECK(std::any_of(m.bindings.begin(), m.bindings.end(), [&](const Binding& b) {
                return b.action == MapAction::scene && static_cast<int>(b.preset.value) == slot;
            }));
        // Shutting the box down: a deliberate long press, on a control nothing else uses.
        const auto off = std::find_if(m.bindings.begin(), m.bindings.end(),
                                      [](const Binding& b) { return b.action == MapAction::shutdown; });
        REQUIRE(off != m.bindings.end());
        CHECK(off->holdSeconds >= 2.0);
        CHECK(std::count_if(m.bindings.begin(), m.bindings.end(), [&](const Binding& b) {
                  return b.kind == off->kind && b.number == off->number && b.shift == off->shift &&
                         (b.channel < 0 || off->channel < 0 || b.channel == off->channel);
              }) == 1);
    }
}

TEST_CASE("A long press: the action when the pad is let go after holding it long enough, never before",
          "[unit][midi]") {
    MidiMapper map(parseMapping("bindings:\n  - { note: 40, action: shutdown, hold: 2 }\n"
                                "  - { note: 41, action: panic, hold: 0.5 }\n",
                                "pad.yaml"),
                   48000.0);
    const StemValues v;
    CHECK(map.translate(0x90, 40, 127, 1000, v).count == 0);              // down: nothing yet
    CHECK(map.translate(0x80, 40, 0, 1000 + 95999, v).count == 0);        // let go 1 frame short of 2 s
    CHECK(map.translate(0x90, 40, 127, 200000, v).count == 0);            // down again
    CHECK(map.translate(0x90, 40, 127, 210000, v).count == 0);            // a repeated note-on keeps the first
    const auto off = only(map.translate(0x90, 40, 0, 200000 + 96000, v)); // velocity 0 is a release
    CHECK(off.action == MapAction::shutdown);
    CHECK(map.translate(0x80, 40, 0, 400000, v).count == 0); // a release without a press
    CHECK(map.translate(0x90, 41, 127, 0, v).count == 0);
    CHECK(only(map.translate(0x80, 41, 0, 24000, v)).action == MapAction::panic);
    // At another rate the same seconds.
    MidiMapper slow(parseMapping("bindings:\n  - { note: 40, action: shutdown, hold: 2 }\n", "pad.yaml"), 44100.0);
    CHECK(slow.translate(0x90, 40, 127, 0, v).count == 0);
    CHECK(slow.translate(0x80, 40, 0, 88199, v).count == 0);
    CHECK(slow.translate(0x90, 40, 127, 100000, v).count == 0);
    CHECK(only(slow.translate(0x80, 40, 0, 188200, v)).action == MapAction::shutdown);

    CHECK_THAT(errorOf("bindings:\n  - { note: 40, action: shutdown }\n"),
               Catch::Contains("pad.yaml:2:5") && Catch::Contains("hold: 2"));
    CHECK_THAT(errorOf("bindings:\n  - { note: 40, action: shutdown, hold: 0.5 }\n"),
               Catch::Contains("a second or more"));
    CHECK_THAT(errorOf("bindings:\n  - { cc: 7, action: gain, stem: 1, hold: 2 }\n"), Catch::Contains("not a fader"));
    CHECK_THAT(errorOf("bindings:\n  - { note: 1, action: panic, hold: 20 }\n"), Catch::Contains("0.5 to 10"));
}

TEST_CASE("APC mini mk2: pads, hold-to-mute, shift layer, drop", "[unit][midi]") {
    MidiMapper map(loadMapping(kControllers / "akai-apc-mini-mk2.yaml"));
    const StemValues v;
    const auto pad = only(map.translate(0x90, 3, 127, 4800, v)); // bottom row, 4th pad
    CHECK((control::info(pad.action).runs == control::Runs::engine));
    CHECK(pad.action == MapAction::toggleMute);
    CHECK(pad.stem == 3);
    CHECK(pad.frame == 4800);
    CHECK(map.translate(0x80, 3, 0, 4900, v).count == 0);                       // a toggle ignores the release
    CHECK(only(map.translate(0x90, 100, 127, 0, v)).action == MapAction::mute); // hold…
    CHECK(only(map.translate(0x90, 100, 0, 0, v)).action == MapAction::unmute); // …release
    CHECK(only(map.translate(0x90, 9, 127, 0, v)).action == MapAction::toggleSolo);
    CHECK(map.translate(0x90, 122, 127, 0, v).count == 0); // shift held
    CHECK(map.shiftHeld());
    CHECK(map.translate(0xB0, 49, 100, 0, v).count == 0);       // soft takeover: the knob is at 64 (off)
    CHECK(map.translate(0xB0, 49, 60, 0, v).count == 1);        // passed it: taken over
    const auto knob = only(map.translate(0xB0, 49, 127, 0, v)); // shift + fader 2: filter
    CHECK(knob.action == MapAction::filter);
    CHECK(knob.stem == 1);
    CHECK(knob.value == 1.0f);
    map.translate(0x80, 122, 0, 0, v);
    CHECK_FALSE(map.shiftHeld());
    const Translation drop = map.translate(0x90, 119, 127, 0, v);
    REQUIRE(drop.count == 1); // one drop of every stem: the router sends an unmute for each
    CHECK(drop.items[0].action == MapAction::drop);
    CHECK(drop.items[0].stemMask == 0xFF);
    CHECK(drop.items[0].quantize == engine::Quantize::bar);
    const auto next = only(map.translate(0x90, 113, 127, 0, v));
    CHECK_FALSE((control::info(next.action).runs == control::Runs::engine));
    CHECK(next.action == MapAction::nextSong);
    CHECK(map.translate(0xE0, 0, 64, 0, v).count == 0); // pitch bend: not mapped
}

TEST_CASE("A bar-quantised fader keeps its takeover while its move waits for the bar", "[unit][midi]") {
    // The engine still shows the old gain until the bar line: that is our own move waiting, not a
    // change made elsewhere, so every further move goes through (the latest one lands on the bar).
    MidiMapper map(parseMapping("bindings:\n  - { cc: 7, action: gain, stem: 1, quantize: bar }\n", "f.yaml"));
    StemValues v;                                          // unity until the bar
    REQUIRE(map.translate(0xB0, 7, 116, 0, v).count == 1); // passes 115.5: takes over
    for (int value = 100; value > 60; value -= 5) {
        const auto moved = only(map.translate(0xB0, 7, static_cast<std::uint8_t>(value), 0, v));
        CHECK(moved.value == Approx(faderGain(value, -60.0, 6.0)));
        CHECK(moved.quantize == engine::Quantize::bar);
    }
    v.gain[0] = faderGain(65, -60.0, 6.0); // the bar line: the latest move landed
    CHECK(map.translate(0xB0, 7, 60, 0, v).count == 1);
    v.gain[0] = 0.5f; // now someone else moves it: picked up again only when the fader passes it
    CHECK(map.translate(0xB0, 7, 20, 0, v).count == 0);
}

TEST_CASE("Faders: taper, soft takeover, and giving up the value when it changes elsewhere", "[unit][midi]") {
    MidiMapper map(parseMapping("bindings:\n  - { cc: 7, action: gain, stem: 1 }\n", "f.yaml"));
    StemValues v;                                               // stem 1 at unity: fader position 1 + 60/66*126 = 115.5
    CHECK(map.translate(0xB0, 7, 10, 0, v).count == 0);         // far below: nothing jumps
    CHECK(map.translate(0xB0, 7, 100, 0, v).count == 0);        // still below
    const auto taken = only(map.translate(0xB0, 7, 120, 0, v)); // passed 115.5: takes over
    CHECK(taken.value == Approx(faderGain(120, -60.0, 6.0)));
    v.gain[0] = taken.value;
    CHECK(only(map.translate(0xB0, 7, 0, 0, v)).value == 0.0f); // follows, to silence
    v.gain[0] = 0.0f;
    CHECK(faderGain(127, -60, 6) == Approx(1.9953f).epsilon(1e-3)); // +6 dB at the top
    CHECK(faderGain(1, -60, 6) == Approx(0.001f).epsilon(1e-3));    // -60 dB at the first step
    v.gain[0] = 0.5f;                                               // someone else moved it (keys, a script)
    CHECK(map.translate(0xB0, 7, 3, 0, v).count == 0);              // picked up again only when it passes
    CHECK(map.translate(0xB0, 7, 110, 0, v).count == 1);

    MidiMapper jump(parseMapping("bindings:\n  - { cc: 7, action: gain, stem: 1, takeover: jump }\n", "f.yaml"));
    CHECK(jump.translate(0xB0, 7, 10, 0, StemValues{}).count == 1);
}

TEST_CASE("Relative encoders, channels and program changes", "[unit][midi]") {
    MidiMapper map(parseMapping("bindings:\n"
                                "  - { cc: 20, action: filter, stem: 2, mode: relative }\n"
                                "  - { cc: 21, action: gain, stem: 2, mode: relative }\n"
                                "  - { note: 36, channel: 10, action: toggle_mute, stem: 3 }\n"
                                "  - { program: 0, action: next_song }\n",
                                "e.yaml"));
    StemValues v;
    v.filter[1] = 0.5f;
    CHECK(only(map.translate(0xB0, 20, 3, 0, v)).value == Approx(0.5f + 3.0f / 63.0f));
    CHECK(only(map.translate(0xB0, 20, 126, 0, v)).value == Approx(0.5f - 2.0f / 63.0f));
    CHECK(only(map.translate(0xB0, 21, 127, 0, v)).value == Approx(std::pow(10.0, -0.5 / 20.0)));
    CHECK(map.translate(0x90, 36, 100, 0, v).count == 0); // channel 1: not this binding
    CHECK(map.translate(0x99, 36, 100, 0, v).count == 1); // channel 10
    CHECK(control::info(only(map.translate(0xC0, 5, 0, 0, v)).action).runs ==
          control::Runs::player); // any program change
}

TEST_CASE("Mapping errors name file, line and column", "[unit][midi]") {
    INFO(errorOf("bindings:\n  - { note: 0, action: toggle_mte, stem: 1 }\n"));
    CHECK(errorOf("bindings:\n  - { note: 0, action: toggle_mte, stem: 1 }\n")
              .find("pad.yaml:2:24: unknown action 'toggle_mte' (did you mean 'toggle_mute'?)") == 0);
    CHECK(errorOf("bindings:\n  - { note: 200, action: play }\n") == "pad.yaml:2:13: note 200 is out of range (0-127)");
    CHECK(errorOf("bindings:\n  - { note: 1, action: gain, stem: 1 }\n") ==
          "pad.yaml:2:5: 'gain' follows a fader or knob: bind it to a cc, or give the level with value:");
    CHECK(errorOf("bindings:\n  - { note: 1, action: mute }\n") ==
          "pad.yaml:2:5: 'mute' needs the stem it acts on: stem: 1 … 8");
    CHECK(errorOf("bindings:\n  - { note: 1, action: play }\n  - { note: 1, action: stop }\n") ==
          "pad.yaml:3:5: this control is already bound on line 2; one control, one action (use layer: shift for a "
          "second one)");
    CHECK(errorOf("bindings:\n  - { cc: 1, layer: shift, action: play }\n") ==
          "pad.yaml:2:5: layer: shift, but the mapping has no 'shift:' control");
    CHECK(errorOf("bindng:\n  - {}\n")
              .find("pad.yaml:1:1: unknown key 'bindng' in the mapping (did you mean 'bindings'?)") == 0);
}

TEST_CASE("Launch Control XL: factory template 1 on channel 9 only", "[unit][midi]") {
    MidiMapper map(loadMapping(kControllers / "novation-launch-control-xl.yaml"));
    const StemValues v;
    const auto mute = only(map.translate(0x98, 89, 127, 0, v)); // Track Control 5, channel 9
    CHECK(mute.action == MapAction::toggleMute);
    CHECK(mute.stem == 4);
    CHECK(map.translate(0x90, 89, 127, 0, v).count == 0);        // the same note on channel 1: a user template
    CHECK(map.translate(0xB8, 84, 127, 0, v).count == 0);        // fader 8 at the top: soft takeover waits…
    const auto fader = only(map.translate(0xB8, 84, 110, 0, v)); // …until it passes unity (position 115.5)
    CHECK(fader.action == MapAction::gain);
    CHECK(fader.stem == 7);
    CHECK(map.translate(0xB8, 13, 0, 0, v).count == 0); // knob 1 at 0: soft takeover waits (the filter is at 64)
    CHECK(only(map.translate(0xB8, 107, 127, 0, v)).action == MapAction::nextMarker);
    CHECK(map.translate(0xB8, 107, 0, 0, v).count == 0); // the release does nothing
    const Binding& led = map.mapping().bindings[16];     // Track Control 1
    CHECK(led.number == 73);
    CHECK(led.ledBlink == 11);
}

TEST_CASE("X-Touch Mini: encoders on channel 11, shift for the filter, LEDs on their own notes", "[unit][midi]") {
    MidiMapper map(loadMapping(kControllers / "behringer-x-touch-mini.yaml"));
    const StemValues v;
    CHECK(only(map.translate(0xBA, 3, 116, 0, v)).action == MapAction::gain); // at unity: taken over
    CHECK(only(map.translate(0x9A, 10, 127, 0, v)).action == MapAction::toggleMute);
    map.translate(0x9A, 16, 127, 0, v); // bottom-left held
    REQUIRE(map.shiftHeld());
    CHECK(map.translate(0xBA, 5, 64, 0, v).items[0].action == MapAction::filter);
    const auto& b = map.mapping().bindings;
    const auto top = std::find_if(b.begin(), b.end(),
                                  [](const Binding& x) { return x.number == 10 && x.kind == MessageKind::note; });
    REQUIRE(top != b.end());
    CHECK(top->ledNumber == 2);
    CHECK(top->ledChannel == 0);
    CHECK(top->channel == 10);
}

TEST_CASE("MIDImix: SOLO-held mute notes are transport, REC ARM solos", "[unit][midi]") {
    MidiMapper map(loadMapping(kControllers / "akai-midimix.yaml"));
    const StemValues v;
    CHECK(only(map.translate(0x90, 22, 127, 0, v)).stem == 7); // MUTE 8
    CHECK(only(map.translate(0x90, 24, 127, 0, v)).action == MapAction::toggleSolo);
    CHECK(only(map.translate(0x90, 2, 127, 0, v)).action == MapAction::togglePlay);
    CHECK(only(map.translate(0x90, 26, 127, 0, v)).action == MapAction::nextSong);
    CHECK(map.translate(0x90, 20, 127, 0, v).items[0].stemMask == 0xFF); // SOLO + MUTE 7: drop every stem
}

TEST_CASE("A mapping's channel applies to every control without its own", "[unit][midi]") {
    const Mapping m = parseMapping("channel: 3\nshift: { note: 1 }\nbindings:\n"
                                   "  - { note: 5, action: play }\n  - { note: 6, channel: 4, action: stop }\n",
                                   "t.yaml");
    CHECK(m.shiftControl->channel == 2);
    CHECK(m.bindings[0].channel == 2);
    CHECK(m.bindings[1].channel == 3);
    CHECK_THROWS_WITH(parseMapping("channel: 17\nbindings: []\n", "t.yaml"), Catch::Contains("t.yaml:1:"));
    CHECK_THROWS_WITH(parseMapping("bindings:\n  - { note: 5, action: play, led: { note: 200 } }\n", "t.yaml"),
                      Catch::Contains("led note"));
}

TEST_CASE("A message's arrival time becomes the frame it lands on, one block after the callback clock",
          "[unit][midi]") {
    using audio::DeviceOutput;
    // A 128-frame callback began at output frame 9600, at t = 1 s on the steady clock.
    constexpr std::int64_t t0 = 1'000'000'000;
    CHECK(DeviceOutput::frameFor(t0, 9600, t0, 128, 48000.0) == 9728);             // at its start: next block
    CHECK(DeviceOutput::frameFor(t0 + 1'000'000, 9600, t0, 128, 48000.0) == 9776); // 1 ms later: +48 frames
    CHECK(DeviceOutput::frameFor(t0 + 2'666'666, 9600, t0, 128, 48000.0) == 9855); // just before the next callback
    CHECK(DeviceOutput::frameFor(t0 - 5'000'000, 9600, t0, 128, 48000.0) == 9728); // read before the block: its start
    CHECK(DeviceOutput::frameFor(t0 + 500'000, 0, t0, 64, 44100.0) == 64 + 22);    // 0.5 ms at 44.1 kHz: 22 frames
    // The mapper keeps that frame on the command, so the engine applies it inside the block.
    MidiMapper map(loadMapping(kControllers / "akai-apc-mini-mk2.yaml"));
    const auto t = map.translate(0x90, 0, 127, DeviceOutput::frameFor(t0 + 1'000'000, 9600, t0, 128, 48000.0), {});
    REQUIRE(t.count == 1);
    CHECK(t.items[0].frame == 9776);
}

TEST_CASE("A pad's LED shows its stem's mute or solo, its scene, the lock, and the message sets it", "[unit][midi]") {
    stream::MemoryStemSource a(std::vector<float>(48000, 0.5f), {}), b(std::vector<float>(48000, 0.25f), {});
    engine::Engine e;
    e.prepare(48000.0, 256);
    engine::SongView v;
    v.stems[0] = &a;
    v.stems[1] = &b;
    v.stemCount = 2;
    v.lengthFrames = 48000;
    e.setSong(v);
    auto sender = e.makeSender();
    REQUIRE(sender.send(engine::Command{engine::Op::mute, engine::Quantize::none, 1}));
    std::vector<float> l(256), r(256);
    e.process(l.data(), r.data(), 256); // publishes the stems' state

    Binding mute;
    mute.kind = MessageKind::note;
    mute.number = 36;
    mute.channel = 2;
    mute.action = MapAction::toggleMute;
    mute.stems = {1};
    mute.ledOn = 5;
    mute.ledOff = 1;
    CHECK(ledValue(mute, e, false, true) == 5); // stem 2 is muted: lit
    mute.stems = {0};
    CHECK(ledValue(mute, e, false, true) == 1); // stem 1 plays: unlit
    Binding solo = mute;
    solo.action = MapAction::toggleSolo;
    CHECK(ledValue(solo, e, false, true) == 1);
    Binding lock = mute;
    lock.action = MapAction::lock;
    lock.stems = {};
    CHECK(ledValue(lock, e, true, false) == 5);
    CHECK(ledValue(lock, e, false, false) == 1);
    Binding scene = lock;
    scene.action = MapAction::scene;
    CHECK(ledValue(scene, e, false, true) == 1); // no scene recalled yet
    Binding dark = mute;
    dark.ledOn.reset();
    dark.ledOff.reset();
    CHECK_FALSE(ledValue(dark, e, false, true).has_value()); // no LED to drive

    CHECK(ledMessage(mute, 5) == std::vector<unsigned char>{0x92, 36, 5});
    Binding cc = mute;
    cc.kind = MessageKind::cc;
    cc.ledChannel = 0;
    cc.ledNumber = 70;
    CHECK(ledMessage(cc, 127) == std::vector<unsigned char>{0xB0, 70, 127});
}
