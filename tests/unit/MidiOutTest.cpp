// The MIDI output on the engine's timeline: clock ticks on their exact frames (24 a quarter note,
// whatever the time signature's unit), Start on bar 1's tick after a count-in, Stop / Song Position
// / Continue around a jump, a tempo step on its beat, the clock while stopped; cues on their beats,
// `current` on a song's load, the chase after a seek, a vamp's repeats, notes' note-offs, OSC cues
// as events. Every expectation is computed here from the grid's definition, not read back from the
// engine's own arithmetic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "stemdeck/control/SongCues.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {

struct Msg {
    std::int64_t frame = 0;
    std::vector<std::uint8_t> bytes;
};

/// One song of silence, the engine's MIDI output captured block by block (odd, changing sizes).
struct MidiRig {
    double rate;
    stream::MemoryStemSource stem;
    SongView view;
    Engine engine;
    CommandSender sender;
    std::vector<Msg> msgs;
    std::vector<Event> events;
    std::int64_t frame = 0;
    std::size_t block = 0;

    MidiRig(double sampleRate, std::int64_t length, const MidiClockOptions& clock, SongTiming timing = {},
            const MidiCues* cues = nullptr, int countIn = 0)
        : rate(sampleRate), stem(std::vector<float>(static_cast<std::size_t>(length), 0.0f), {}),
          sender((engine.prepare(sampleRate, 1024), engine.makeSender())) {
        engine.setMidiOut(true, clock);
        view.stems[0] = &stem;
        view.stemCount = 1;
        view.lengthFrames = length;
        view.timing = timing;
        view.countInBars = countIn;
        view.midiCues = cues;
        view.id = 3;
        engine.setSong(view);
    }
    void run(std::int64_t until) {
        static const int kSizes[] = {128, 37, 1000, 1, 512, 64};
        std::vector<float> l(1024), r(1024);
        while (frame < until) {
            const int n = static_cast<int>(std::min<std::int64_t>(kSizes[block++ % 6], until - frame));
            engine.process(l.data(), r.data(), n);
            const MidiOut& m = engine.midiOut();
            for (std::size_t i = 0; i < m.eventCount(); ++i) {
                const MidiEvent& e = m.events()[i];
                REQUIRE(e.offset >= 0);
                REQUIRE(e.offset < n);
                if (e.size > 0) msgs.push_back({frame + e.offset, {m.bytes() + e.start, m.bytes() + e.start + e.size}});
            }
            Event ev;
            while (engine.nextEvent(ev))
                events.push_back(ev);
            frame += n;
        }
    }
    void send(Command c) { REQUIRE(sender.send(c)); }
    [[nodiscard]] std::vector<std::int64_t> framesOf(std::uint8_t status) const {
        std::vector<std::int64_t> out;
        for (const Msg& m : msgs)
            if (m.bytes[0] == status) out.push_back(m.frame);
        return out;
    }
    /// The index of the first message with this status at or after `from` (msgs.size(): none).
    [[nodiscard]] std::size_t find(std::uint8_t status, std::size_t from = 0) const {
        for (std::size_t i = from; i < msgs.size(); ++i)
            if (msgs[i].bytes[0] == status) return i;
        return msgs.size();
    }
};

/// Tick k's frame from its definition: the nearest frame to k quarter-note twenty-fourths.
std::int64_t idealTick(double rate, double quarterBpm, std::int64_t k, std::int64_t origin = 0) {
    const long double perTick = static_cast<long double>(rate) * 60.0L / (static_cast<long double>(quarterBpm) * 24.0L);
    return origin + static_cast<std::int64_t>(std::floor(static_cast<long double>(k) * perTick + 0.5L));
}

MidiClockOptions clockOn() {
    MidiClockOptions c;
    c.on = true;
    return c;
}

set::Cue cueAt(set::Cue::At at, int bar = 1) {
    set::Cue c;
    c.at = at;
    c.bar = bar;
    return c;
}

} // namespace

TEST_CASE("MIDI clock: 24 ticks a quarter note, each on its exact frame, Start just before bar 1's",
          "[unit][midiout]") {
    SECTION("120 BPM at 48 kHz: a tick every 1000 frames") {
        MidiRig rig(48000.0, 480000, clockOn());
        rig.send(Command{Op::play});
        rig.run(500000);
        const auto ticks = rig.framesOf(MidiOut::kClock);
        REQUIRE(ticks.size() == 480);
        for (std::size_t k = 0; k < ticks.size(); ++k)
            REQUIRE(ticks[k] == static_cast<std::int64_t>(k) * 1000);
        REQUIRE(rig.msgs.size() >= 2);
        CHECK(rig.msgs[0].bytes == std::vector<std::uint8_t>{MidiOut::kStart}); // FA, then the F8 on frame 0
        CHECK(rig.msgs[0].frame == 0);
        CHECK(rig.msgs[1].bytes == std::vector<std::uint8_t>{MidiOut::kClock});
        CHECK(rig.framesOf(MidiOut::kStart).size() == 1);
        // The song's end stops the receiver on its last frame + 1.
        CHECK(rig.framesOf(MidiOut::kStop) == std::vector<std::int64_t>{480000});
    }
    SECTION("93.7 BPM at 44.1 kHz over ten minutes: never a frame off the ideal grid") {
        const std::int64_t length = 44100LL * 600;
        SongTiming t;
        t.bpm = 93.7;
        MidiRig rig(44100.0, length, clockOn(), t);
        rig.send(Command{Op::play});
        rig.run(length);
        const auto ticks = rig.framesOf(MidiOut::kClock);
        REQUIRE(ticks.size() > 22000);
        // tick k's ideal place is k · rate · 60 / (93.7 · 24) frames: each tick within half a frame of it
        const long double perTick = 44100.0L * 60.0L / (93.7L * 24.0L);
        long double worst = 0;
        for (std::size_t k = 0; k < ticks.size(); ++k)
            worst =
                std::max(worst, std::fabs(static_cast<long double>(ticks[k]) - static_cast<long double>(k) * perTick));
        CHECK(worst <= 0.5L + 1e-6L);
        CHECK(ticks.size() == static_cast<std::size_t>(std::ceil(static_cast<long double>(length) / perTick - 0.5L)));
    }
    SECTION("6/8: twelve ticks an eighth") {
        SongTiming t;
        t.bpm = 180.0; // eighths: 16 000 frames each, 1333.33 a tick
        t.beatsPerBar = 6;
        t.beatUnit = 8;
        MidiRig rig(48000.0, 96000 * 2, clockOn(), t);
        rig.send(Command{Op::play});
        rig.run(96000);
        const auto ticks = rig.framesOf(MidiOut::kClock);
        REQUIRE(ticks.size() == 72); // a 6/8 bar is three quarters: 72 ticks
        for (std::size_t k = 0; k < ticks.size(); ++k)
            REQUIRE(ticks[k] == idealTick(48000.0, 90.0, static_cast<std::int64_t>(k)));
        CHECK(ticks[12] == 16000); // the second eighth
    }
}

TEST_CASE("MIDI clock: a count-in ticks without Start, which comes on bar 1 (or on the count-in, by option)",
          "[unit][midiout]") {
    SECTION("bar 1") {
        MidiRig rig(48000.0, 192000, clockOn(), {}, nullptr, 1);
        rig.send(Command{Op::play});
        rig.run(150000);
        const auto ticks = rig.framesOf(MidiOut::kClock);
        REQUIRE(ticks.size() == 150);
        CHECK(ticks.front() == 0); // the count-in's first beat
        const auto start = rig.framesOf(MidiOut::kStart);
        REQUIRE(start.size() == 1);
        CHECK(start[0] == 96000); // bar 1, a bar of 4/4 at 120 BPM after the count-in began
        const std::size_t fa = rig.find(MidiOut::kStart);
        CHECK(rig.msgs[fa + 1].bytes[0] == MidiOut::kClock);
        CHECK(rig.msgs[fa + 1].frame == 96000);
    }
    SECTION("count-in") {
        MidiClockOptions c = clockOn();
        c.startAtCountIn = true;
        MidiRig rig(48000.0, 192000, c, {}, nullptr, 1);
        rig.send(Command{Op::play});
        rig.run(150000);
        CHECK(rig.framesOf(MidiOut::kStart) == std::vector<std::int64_t>{0});
    }
    SECTION("clock only: no Start, Stop or Song Position, every tick") {
        MidiClockOptions c = clockOn();
        c.transport = false;
        MidiRig rig(48000.0, 96000, c, {}, nullptr, 1);
        rig.send(Command{Op::play});
        rig.run(200000);
        CHECK(rig.framesOf(MidiOut::kClock).size() == 192);
        CHECK(rig.msgs.size() == 192);
    }
}

TEST_CASE("MIDI clock: a jump sends Stop and Song Position, then Continue on the new position's tick",
          "[unit][midiout]") {
    MidiRig rig(48000.0, 48000 * 60, clockOn());
    rig.send(Command{Op::play});
    rig.run(50000);
    Command seek{Op::seek};
    seek.target = 8 * 96000 + 500; // bar 9 and half a tick: the next sixteenth is bar 9's second
    rig.send(seek);
    rig.run(100000);
    const std::size_t stop = rig.find(MidiOut::kStop);
    REQUIRE(stop < rig.msgs.size());
    const std::int64_t jumpedAt = rig.msgs[stop].frame;
    // the stop fade (10 ms) ends, then the jump: nothing ticks between Stop and Continue
    CHECK(jumpedAt == 50000 + static_cast<std::int64_t>(kTransportFadeSeconds * 48000));
    REQUIRE(rig.msgs[stop + 1].bytes.size() == 3);
    CHECK(rig.msgs[stop + 1].bytes[0] == MidiOut::kPosition);
    const int sixteenth = rig.msgs[stop + 1].bytes[1] | rig.msgs[stop + 1].bytes[2] << 7;
    CHECK(sixteenth == 8 * 16 + 1);
    CHECK(rig.msgs[stop + 1].frame == jumpedAt);
    REQUIRE(rig.msgs[stop + 2].bytes[0] == MidiOut::kContinue); // no tick before it: they wait for the sixteenth
    CHECK(rig.msgs[stop + 3].bytes[0] == MidiOut::kClock);
    // Continue and its tick on the sixteenth's own frame: where the song is at that output frame
    // (it has played on without a break since, so it is the song frame now less the frames since)
    const std::int64_t sixteenthFrame = 8 * 96000 + 6 * 1000;
    CHECK(rig.engine.songFrame() - (rig.frame - rig.msgs[stop + 2].frame) == sixteenthFrame);
    CHECK(rig.msgs[stop + 3].frame == rig.msgs[stop + 2].frame);
    // the ticks after it: 1000 frames apart again
    CHECK(rig.msgs[stop + 4].bytes[0] == MidiOut::kClock);
    CHECK(rig.msgs[stop + 4].frame - rig.msgs[stop + 3].frame == 1000);
}

TEST_CASE("MIDI clock: stopped, Stop, and by option the clock runs on at the last tempo", "[unit][midiout]") {
    for (const bool runOn : {false, true}) {
        MidiClockOptions c = clockOn();
        c.whileStopped = runOn;
        MidiRig rig(48000.0, 480000, c);
        rig.send(Command{Op::play});
        rig.run(20500);
        rig.send(Command{Op::stop});
        rig.run(60000);
        const auto stops = rig.framesOf(MidiOut::kStop);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0] == 20500 + static_cast<std::int64_t>(kTransportFadeSeconds * 48000));
        const auto ticks = rig.framesOf(MidiOut::kClock);
        if (!runOn) {
            CHECK(ticks.back() == 20000);
        } else {
            REQUIRE(ticks.size() == 60);
            for (std::size_t k = 1; k < ticks.size(); ++k)
                REQUIRE(ticks[k] - ticks[k - 1] == 1000);
        }
    }
}

TEST_CASE("MIDI clock: a tempo step (a retime) changes the spacing on the step's beat", "[unit][midiout]") {
    stream::MemoryStemSource slowStem(std::vector<float>(600000, 0.0f), {});
    MidiRig rig(48000.0, 480000, clockOn());
    SongView slow = rig.view;
    slow.stems[0] = &slowStem;
    slow.lengthFrames = 600000;
    slow.timing.bpm = 96.0; // 1250 frames a tick
    rig.send(Command{Op::play});
    rig.run(100000);
    rig.engine.retimeSong(&slow);
    Command retime{Op::retime};
    retime.target = 120000; // beat 5 at 120 BPM, beat 5 at 96 BPM is song frame 150 000
    rig.send(retime);
    rig.run(200000);
    const auto ticks = rig.framesOf(MidiOut::kClock);
    const auto at = std::find(ticks.begin(), ticks.end(), 120000);
    REQUIRE(at != ticks.end());
    CHECK(*(at - 1) == 119000);       // the last tick of 120 BPM
    CHECK(*(at + 1) - *at == 1250);   // the first of 96 BPM, from the step's beat on
    CHECK(*(at + 24) - *at == 30000); // a quarter at 96 BPM
}

TEST_CASE("Cues: current on the song's load, start, a bar, the end, in their order, each on its frame",
          "[unit][midiout]") {
    std::vector<set::Cue> cues;
    set::Cue pc = cueAt(set::Cue::At::current);
    pc.program = 5;
    pc.bank = 130; // MSB 1, LSB 2
    pc.channel = 2;
    cues.push_back(pc);
    set::Cue cc = cueAt(set::Cue::At::bar, 3);
    cc.control = 74;
    cc.value = 127;
    cues.push_back(cc);
    set::Cue note = cueAt(set::Cue::At::bar, 2);
    note.beat = 3;
    note.note = 36;
    note.velocity = 90;
    note.noteSeconds = 0.25;
    note.channel = 10;
    cues.push_back(note);
    set::Cue start = cueAt(set::Cue::At::start);
    start.sysex = {0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7};
    cues.push_back(start);
    set::Cue end = cueAt(set::Cue::At::end);
    end.control = 123;
    cues.push_back(end);
    SongTiming t;
    const auto made = control::makeSongCues(cues, t, 48000);
    MidiRig rig(48000.0, 480000, {}, t, &made->midi);
    rig.run(1000); // loaded: `current` goes out at once, stopped
    REQUIRE(rig.msgs.size() == 3);
    CHECK(rig.msgs[0].frame == 0);
    CHECK(rig.msgs[0].bytes == std::vector<std::uint8_t>{0xB1, 0, 1});
    CHECK(rig.msgs[1].bytes == std::vector<std::uint8_t>{0xB1, 32, 2});
    CHECK(rig.msgs[2].bytes == std::vector<std::uint8_t>{0xC1, 4}); // program 5 is sent as 4
    rig.send(Command{Op::play});
    rig.run(490000);
    REQUIRE(rig.msgs.size() == 8);
    CHECK(rig.msgs[3].bytes == start.sysex);
    CHECK(rig.msgs[3].frame == 1000);
    CHECK(rig.msgs[4].bytes == std::vector<std::uint8_t>{0x99, 36, 90}); // bar 2 beat 3
    CHECK(rig.msgs[4].frame == 1000 + 6 * 24000);
    CHECK(rig.msgs[5].bytes == std::vector<std::uint8_t>{0x89, 36, 0}); // its note-off 0.25 s later
    CHECK(rig.msgs[5].frame == 1000 + 6 * 24000 + 12000);
    CHECK(rig.msgs[6].bytes == std::vector<std::uint8_t>{0xB0, 74, 127}); // bar 3
    CHECK(rig.msgs[6].frame == 1000 + 8 * 24000);
    CHECK(rig.msgs[7].bytes == std::vector<std::uint8_t>{0xB0, 123, 0}); // the end
    CHECK(rig.msgs[7].frame == 1000 + 480000);
}

TEST_CASE("Cues: a seek sends again the last program change and controllers before where it lands", "[unit][midiout]") {
    std::vector<set::Cue> cues;
    set::Cue pc1 = cueAt(set::Cue::At::current);
    pc1.program = 1;
    cues.push_back(pc1);
    set::Cue pc2 = cueAt(set::Cue::At::bar, 3);
    pc2.program = 2;
    pc2.bank = 5;
    cues.push_back(pc2);
    set::Cue cc1 = cueAt(set::Cue::At::bar, 2);
    cc1.control = 7;
    cc1.value = 40;
    cues.push_back(cc1);
    set::Cue cc2 = cueAt(set::Cue::At::bar, 4);
    cc2.control = 7;
    cc2.value = 90;
    cues.push_back(cc2);
    set::Cue later = cueAt(set::Cue::At::bar, 9);
    later.program = 9;
    cues.push_back(later);
    set::Cue onTarget = cueAt(set::Cue::At::bar, 5);
    onTarget.control = 64;
    onTarget.value = 127;
    cues.push_back(onTarget);
    const auto made = control::makeSongCues(cues, {}, 48000);
    MidiRig rig(48000.0, 48000 * 60, {}, {}, &made->midi);
    rig.run(100);
    rig.msgs.clear();
    Command seek{Op::seek};
    seek.target = 4 * 96000; // bar 5, stopped: the chase at once
    rig.send(seek);
    rig.run(200);
    REQUIRE(rig.msgs.size() == 4);
    CHECK(rig.msgs[0].bytes == std::vector<std::uint8_t>{0xB0, 0, 0}); // bar 3's program, its bank first
    CHECK(rig.msgs[1].bytes == std::vector<std::uint8_t>{0xB0, 32, 5});
    CHECK(rig.msgs[2].bytes == std::vector<std::uint8_t>{0xC0, 1});
    CHECK(rig.msgs[3].bytes == std::vector<std::uint8_t>{0xB0, 7, 90}); // bar 4's volume, not bar 2's
    CHECK(rig.msgs[0].frame == 100);
    rig.msgs.clear();
    rig.send(Command{Op::play}); // the cue on the bar it landed on fires as it plays from there
    rig.run(1000);
    REQUIRE(rig.msgs.size() == 1);
    CHECK(rig.msgs[0].bytes == std::vector<std::uint8_t>{0xB0, 64, 127});
    CHECK(rig.msgs[0].frame == 200);

    SECTION("a new listener gets the same again, where the song is") {
        rig.msgs.clear();
        rig.engine.requestMidiChase();
        rig.run(1300);
        REQUIRE(rig.msgs.size() == 5); // now bar 5's controller too: it is behind the play head
        CHECK(rig.msgs[2].bytes == std::vector<std::uint8_t>{0xC0, 1});
        CHECK(rig.msgs[4].bytes == std::vector<std::uint8_t>{0xB0, 64, 127});
    }
}

TEST_CASE("Cues: on a vamp's repeats once, or every pass by option, and OSC cues as events", "[unit][midiout]") {
    std::vector<set::Cue> cues;
    set::Cue once = cueAt(set::Cue::At::bar, 2);
    once.control = 1;
    once.value = 1;
    cues.push_back(once);
    set::Cue every = cueAt(set::Cue::At::bar, 2);
    every.control = 2;
    every.value = 2;
    every.everyPass = true;
    cues.push_back(every);
    set::Cue osc = cueAt(set::Cue::At::bar, 3);
    osc.osc = set::OscCue{"127.0.0.1", 9000, "/go", {}};
    cues.push_back(osc);
    const auto made = control::makeSongCues(cues, {}, 48000);
    REQUIRE(made->osc.size() == 1);
    MidiRig rig(48000.0, 48000 * 30, {}, {}, &made->midi);
    rig.send(Command{Op::play});
    Command loop{Op::loopOn};
    loop.target = 96000; // bars 2 and 3, looping
    loop.length = 2 * 96000;
    rig.send(loop);
    rig.run(96000 * 7 - 10); // three passes (bars 1-3, 2-3, 2-3)
    int ones = 0, twos = 0;
    for (const Msg& m : rig.msgs) {
        ones += m.bytes[1] == 1;
        twos += m.bytes[1] == 2;
    }
    CHECK(ones == 1);
    CHECK(twos == 3);
    std::vector<std::int64_t> oscAt;
    for (const Event& e : rig.events)
        if (e.type == EventType::oscCue) {
            CHECK(e.cue == 0);
            CHECK(e.song == 3);
            oscAt.push_back(e.frame);
        }
    CHECK(oscAt == std::vector<std::int64_t>{192000}); // once: the default
}

TEST_CASE("A seek asked for during a stop's fade: Stop, then Song Position and the chase where it lands",
          "[unit][midiout]") {
    std::vector<set::Cue> cues;
    set::Cue pc = cueAt(set::Cue::At::bar, 3);
    pc.program = 9;
    cues.push_back(pc);
    const auto made = control::makeSongCues(cues, {}, 48000);
    MidiRig rig(48000.0, 48000 * 60, clockOn(), {}, &made->midi);
    rig.send(Command{Op::play});
    rig.run(50000);
    rig.send(Command{Op::stop});
    Command seek{Op::seek};
    seek.target = 4 * 96000; // bar 5, asked for as the stop fades: the transport stops there
    rig.send(seek);
    rig.run(100000);
    const std::size_t stop = rig.find(MidiOut::kStop);
    REQUIRE(stop + 2 < rig.msgs.size());
    const std::int64_t at = 50000 + static_cast<std::int64_t>(kTransportFadeSeconds * 48000);
    CHECK(rig.msgs[stop].frame == at);
    CHECK(rig.msgs[stop + 1].bytes == std::vector<std::uint8_t>{MidiOut::kPosition, 64, 0}); // bar 5: 64 sixteenths
    CHECK(rig.msgs[stop + 1].frame == at);
    CHECK(rig.msgs[stop + 2].bytes == std::vector<std::uint8_t>{0xC0, 8}); // bar 3's program, chased
    CHECK(rig.engine.songFrame() == 4 * 96000);
    CHECK_FALSE(rig.engine.rolling());
}
