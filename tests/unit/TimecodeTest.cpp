// Timecode on the engine's timeline: drop-frame labels; MTC quarter frames and full frames, LTC
// read back by libltc's decoder and by the test's own biphase-mark decoder (tests/support/
// TimecodeDecode.h); song 3's bar 1 at 03:00:00:00, the count-in and a pre-roll before it, seeks
// across drop-frame's minute and ten-minute boundaries, the tempo options at 80 %, an hour with no
// drift. Every expectation is computed here from the timecode's definition (frame k of a song
// starts at bar 1 + k · rate / fps), not read back from the engine's own arithmetic.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "../support/TimecodeDecode.h"
#include "stemdeck/common/Timecode.h"
#include "stemdeck/control/LtcEncoder.h"
#include "stemdeck/engine/Engine.h"

using namespace stemdeck;
using namespace stemdeck::engine;
using test::DecodedFrame;

namespace {

/// A song with no stems (silence, any length) and its timecode outputs, captured block by block
/// (odd, changing sizes), LTC encoded before each block as a render does.
struct TimecodeRig {
    double rate;
    TimecodeOptions options;
    SongView view;
    Engine engine;
    LtcFrames frames;
    std::unique_ptr<control::LtcEncoder> encoder;
    CommandSender sender;
    std::vector<test::MidiSeen> midi;
    std::vector<float> ltc, click;
    bool keepLtc = true;
    std::int64_t frame = 0;
    std::size_t block = 0;

    TimecodeRig(double sampleRate, TimecodeOptions o, TimecodeLabel start, std::int64_t length, SongTiming timing = {},
                int countIn = 0, double speed = 1.0)
        : rate(sampleRate), options(o), sender((engine.prepare(sampleRate, 1024), engine.makeSender())) {
        frames.prepare(control::LtcEncoder::maxSamples(sampleRate, o.rate), TimecodeOut::ltcSlots(o));
        encoder = std::make_unique<control::LtcEncoder>(frames, sampleRate, o.rate);
        engine.setMidiOut(o.mtc, {});
        engine.setTimecode(o, &frames);
        view.stemCount = 0;
        view.lengthFrames = length;
        view.timing = timing;
        view.countInBars = countIn;
        view.timecode = start;
        view.speed = speed;
        engine.setSong(view);
    }
    void run(std::int64_t until) {
        static const int kSizes[] = {128, 37, 1000, 1, 512, 64};
        std::vector<float> l(1024), r(1024), t(1024), c(1024);
        OutputBuses out;
        out.mainLeft = l.data();
        out.mainRight = r.data();
        out.ltc = t.data();
        out.click = c.data();
        while (frame < until) {
            const int n = static_cast<int>(std::min<std::int64_t>(kSizes[block++ % 6], until - frame));
            encoder->fill();
            engine.process(out, n);
            const MidiOut& m = engine.midiOut();
            for (std::size_t i = 0; i < m.eventCount(); ++i) {
                const MidiEvent& e = m.events()[i];
                if (e.size > 0)
                    midi.push_back(
                        {static_cast<double>(frame + e.offset), {m.bytes() + e.start, m.bytes() + e.start + e.size}});
            }
            if (keepLtc) {
                ltc.insert(ltc.end(), t.begin(), t.begin() + n);
                click.insert(click.end(), c.begin(), c.begin() + n);
            }
            frame += n;
        }
    }
    void send(Command c) { REQUIRE(sender.send(c)); }
    void play() { send(Command{Op::play}); }
    void seek(std::int64_t target) {
        Command c{Op::seek};
        c.target = target;
        send(c);
    }
};

TimecodeOptions opts(TimecodeFps fps, bool mtc, bool ltc) {
    TimecodeOptions o;
    o.rate = TimecodeRate{fps};
    o.mtc = mtc;
    o.ltc = ltc;
    return o;
}

/// The timecode frame index a label names.
std::int64_t indexOf(TimecodeRate rate, const DecodedFrame& f) {
    return timecodeIndex(rate, TimecodeLabel{f.hours, f.minutes, f.seconds, f.frames});
}

/// Frame k's first sample from bar 1 (output sample `bar1`), `spf` samples a frame.
double frameStart(double bar1, double spf, std::int64_t k) {
    return std::floor(bar1 + static_cast<double>(k) * spf + 0.5);
}

/// Every decoded LTC frame is the one whose start it sits on (within 3 samples: the decoders place
/// a frame by its first edge, interpolated), counted from `first` at output sample `bar1`.
void checkLtcOnGrid(const std::vector<DecodedFrame>& decoded, TimecodeRate rate, std::int64_t first, double bar1,
                    double spf, const char* who) {
    INFO(who);
    REQUIRE(!decoded.empty());
    int wrong = 0;
    double worst = 0.0;
    for (const DecodedFrame& f : decoded) {
        const std::int64_t k = indexOf(rate, f) - first;
        const double off = f.at - frameStart(bar1, spf, k);
        worst = std::max(worst, std::fabs(off));
        if (std::fabs(off) > 3.0 || f.drop != rate.drop()) ++wrong;
    }
    INFO(decoded.size() << " frames, worst " << worst << " samples off their start");
    CHECK(wrong == 0);
}

} // namespace

TEST_CASE("Timecode labels: drop-frame leaves out 00 and 01 of each minute but every tenth", "[unit][timecode]") {
    const TimecodeRate df{TimecodeFps::fps2997df};
    const auto next = [&](int h, int m, int s, int f) {
        return timecodeLabel(df, timecodeIndex(df, {h, m, s, f}) + 1);
    };
    CHECK(next(0, 0, 59, 29) == TimecodeLabel{0, 1, 0, 2});
    CHECK(next(0, 9, 59, 29) == TimecodeLabel{0, 10, 0, 0});
    CHECK(next(0, 10, 0, 1) == TimecodeLabel{0, 10, 0, 2});
    CHECK(next(23, 59, 59, 29) == TimecodeLabel{0, 0, 0, 0}); // a day wraps
    CHECK(df.perDay() == 2589408);                            // 24 h · 6 · 17 982
    CHECK(timecodeLabel(df, -1) == TimecodeLabel{23, 59, 59, 29});
    // Every frame of a day: labels count up one frame at a time, and back to the same index.
    TimecodeLabel before = timecodeLabel(df, 0);
    int bad = 0;
    for (std::int64_t i = 1; i < df.perDay(); ++i) {
        const TimecodeLabel l = timecodeLabel(df, i);
        const bool dropped = l.seconds == 0 && l.frames == 2 && l.minutes % 10 != 0;
        const bool step = l.frames == before.frames + 1 || (l.frames == (dropped ? 2 : 0) && before.frames == 29);
        if (!step || timecodeIndex(df, l) != i) ++bad;
        before = l;
    }
    CHECK(bad == 0);
    const TimecodeRate f25{TimecodeFps::fps25};
    CHECK(timecodeIndex(f25, {3, 0, 0, 0}) == 3 * 3600 * 25);
    CHECK(timecodeText(df, {1, 0, 0, 2}) == "01:00:00;02");
    CHECK(timecodeText(f25, {3, 0, 0, 0}) == "03:00:00:00");
    CHECK(parseTimecodeLabel("03:00:00:00", 25) == TimecodeLabel{3, 0, 0, 0});
    CHECK(parseTimecodeLabel("1:02:03;04", 30) == TimecodeLabel{1, 2, 3, 4});
    CHECK_FALSE(parseTimecodeLabel("24:00:00:00", 25));
    CHECK_FALSE(parseTimecodeLabel("03:00:00:25", 25));
    CHECK_FALSE(parseTimecodeLabel("03:00:00", 25));
    CHECK(parseTimecodeRate("29.97df") == TimecodeRate{TimecodeFps::fps2997df});
    CHECK_FALSE(parseTimecodeRate("50"));
}

TEST_CASE("MTC: song 3's bar 1 is 03:00:00:00 after its count-in, quarter frames on their frames", "[unit][timecode]") {
    const double rate = 48000.0;
    TimecodeRig rig(rate, opts(TimecodeFps::fps30, true, false), {3, 0, 0, 0}, 10 * 48000, {}, 1);
    rig.play();
    rig.run(8 * 48000);
    const test::MtcRead r = test::readMtc(rig.midi);
    // A full frame at play: the count-in's first frame, one 4/4 bar at 120 BPM (2 s) before 03:00:00:00.
    REQUIRE(!r.full.empty());
    CHECK(r.full.front().at == 0.0);
    CHECK(r.full.front().hours == 2);
    CHECK(r.full.front().minutes == 59);
    CHECK(r.full.front().seconds == 58);
    CHECK(r.full.front().frames == 0);
    CHECK(r.rate == 3);
    CHECK(r.outOfOrder == 0);
    const TimecodeRate tc{TimecodeFps::fps30};
    const std::int64_t bar1 = 96000; // output frame of bar 1 (the count-in's 2 s played first)
    const std::int64_t first = timecodeIndex(tc, {3, 0, 0, 0});
    bool sawBar1 = false;
    int wrong = 0;
    for (const DecodedFrame& q : r.quarters) {
        // Piece 0 on an even frame's first sample; the sequence names that frame.
        const double k = static_cast<double>(indexOf(tc, q) - first);
        if (q.at != frameStart(bar1, 1600.0, static_cast<std::int64_t>(k)) || indexOf(tc, q) % 2 != 0) ++wrong;
        if (q.hours == 3 && q.minutes == 0 && q.seconds == 0 && q.frames == 0) sawBar1 = q.at == bar1;
    }
    CHECK(wrong == 0);
    CHECK(sawBar1);
    // Every quarter frame on its frame: a quarter of 1600 samples apart, from the count-in's start.
    std::vector<double> qf;
    for (const test::MidiSeen& m : rig.midi)
        if (m.bytes[0] == 0xF1) qf.push_back(m.frame);
    REQUIRE(qf.size() > 100);
    for (std::size_t i = 1; i < qf.size(); ++i)
        REQUIRE(qf[i] - qf[i - 1] == 400.0);
}

TEST_CASE("MTC: a seek sends a full frame where it lands, then quarter frames from piece 0 on an even frame",
          "[unit][timecode]") {
    const double rate = 48000.0;
    TimecodeRig rig(rate, opts(TimecodeFps::fps25, true, false), {1, 0, 0, 0}, 60 * 48000);
    rig.play();
    rig.run(2 * 48000);
    rig.seek(30 * 48000 + 1920 * 3 + 700); // 01:00:30:03 and 700 samples
    rig.run(4 * 48000);
    const test::MtcRead r = test::readMtc(rig.midi);
    REQUIRE(r.full.size() >= 2);
    const DecodedFrame& landed = r.full.back();
    CHECK(landed.hours == 1);
    CHECK(landed.minutes == 0);
    CHECK(landed.seconds == 30);
    CHECK(landed.frames == 3);
    // After it, the first sequence starts on the next even frame: 01:00:30:04.
    const auto after =
        std::find_if(r.quarters.begin(), r.quarters.end(), [&](const DecodedFrame& q) { return q.at > landed.at; });
    REQUIRE(after != r.quarters.end());
    CHECK(after->seconds == 30);
    CHECK(after->frames == 4);
    // Its piece 0 on that frame's first sample: the landing frame's other 1220 samples after it.
    CHECK(after->at == landed.at + 1220.0);
}

TEST_CASE("LTC: song 3's bar 1 is 03:00:00:00, every frame on its sample, read by libltc and by a biphase decoder",
          "[unit][timecode]") {
    for (const double rate : {48000.0, 44100.0}) {
        for (const TimecodeFps fps : {TimecodeFps::fps25, TimecodeFps::fps24, TimecodeFps::fps30}) {
            const TimecodeRate tc{fps};
            INFO(rate << " Hz, " << tc.name() << " fps");
            TimecodeRig rig(rate, opts(fps, false, true), {3, 0, 0, 0}, static_cast<std::int64_t>(20 * rate));
            rig.play();
            rig.run(static_cast<std::int64_t>(20 * rate));
            const double spf = rate / tc.perSecond();
            const std::int64_t first = timecodeIndex(tc, {3, 0, 0, 0});
            const auto byLibltc = test::decodeLtcWithLibltc(rig.ltc, rate, tc.perSecond());
            const auto byOwn = test::decodeLtcBiphase(rig.ltc, rate, tc.perSecond());
            checkLtcOnGrid(byLibltc, tc, first, 0.0, spf, "libltc");
            checkLtcOnGrid(byOwn, tc, first, 0.0, spf, "own decoder");
            REQUIRE(!byOwn.empty());
            CHECK(indexOf(tc, byOwn.front()) == first); // 03:00:00:00 on bar 1, the first sample
            // every frame of the song but the last (a decoder needs the next frame's edge)
            CHECK(byOwn.size() >= static_cast<std::size_t>(20 * tc.perSecond()) - 1);
            CHECK(rig.engine.timecode().ltcMisses() == 0);
            // −18 dBFS peak
            const float peak = *std::max_element(rig.ltc.begin(), rig.ltc.end());
            CHECK(peak == Approx(0.1259f).margin(0.002f));
        }
    }
}

TEST_CASE("Drop-frame across a minute and a ten-minute boundary, reached by seeking, in LTC and MTC",
          "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate df{TimecodeFps::fps2997df};
    const double spf = rate / df.perSecond(); // 1601.6
    TimecodeRig rig(rate, opts(TimecodeFps::fps2997df, true, true), {0, 0, 0, 0}, 11 * 60 * 48000);
    rig.play();
    rig.run(48000);
    // To 00:00:59;20, then to 00:09:59;20: each plays across its boundary.
    const auto frameOf = [&](TimecodeLabel l) {
        return static_cast<std::int64_t>(frameStart(0.0, spf, timecodeIndex(df, l)));
    };
    rig.seek(frameOf({0, 0, 59, 20}));
    rig.run(4 * 48000);
    rig.seek(frameOf({0, 9, 59, 20}));
    rig.run(7 * 48000);
    for (const auto& decoded : {test::decodeLtcWithLibltc(rig.ltc, rate, df.perSecond()),
                                test::decodeLtcBiphase(rig.ltc, rate, df.perSecond())}) {
        std::vector<std::pair<TimecodeLabel, TimecodeLabel>> steps;
        for (std::size_t i = 1; i < decoded.size(); ++i) {
            const DecodedFrame& a = decoded[i - 1];
            const DecodedFrame& b = decoded[i];
            if (a.frames == 29)
                steps.push_back({{a.hours, a.minutes, a.seconds, a.frames}, {b.hours, b.minutes, b.seconds, b.frames}});
            CHECK(b.drop);
        }
        CHECK(std::count(steps.begin(), steps.end(),
                         std::pair{TimecodeLabel{0, 0, 59, 29}, TimecodeLabel{0, 1, 0, 2}}) == 1);
        CHECK(std::count(steps.begin(), steps.end(),
                         std::pair{TimecodeLabel{0, 9, 59, 29}, TimecodeLabel{0, 10, 0, 0}}) == 1);
    }
    const test::MtcRead r = test::readMtc(rig.midi);
    CHECK(r.rate == 2);
    bool minute = false, tenth = false;
    for (const DecodedFrame& q : r.quarters) { // sequences name even frames: ;28 then ;02 (;00 after ten)
        minute = minute || (q.minutes == 1 && q.seconds == 0 && q.frames == 2);
        tenth = tenth || (q.minutes == 10 && q.seconds == 0 && q.frames == 0);
        CHECK(q.frames % 2 == 0);
    }
    CHECK(minute);
    CHECK(tenth);
}

TEST_CASE("At 80 %: follow stretches the frames, wall keeps real time, stop sends none", "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate tc{TimecodeFps::fps25};
    for (const TimecodeTempo mode : {TimecodeTempo::follow, TimecodeTempo::wall, TimecodeTempo::stop}) {
        TimecodeOptions o = opts(TimecodeFps::fps25, true, true);
        o.tempo = mode;
        TimecodeRig rig(rate, o, {1, 0, 0, 0}, 10 * 48000, {96.0, 4, 4, 0}, 0, 0.8);
        rig.play();
        rig.run(6 * 48000);
        const auto decoded = test::decodeLtcBiphase(rig.ltc, rate, mode == TimecodeTempo::follow ? 20.0 : 25.0);
        INFO("mode " << static_cast<int>(mode) << ", LTC peak " << *std::max_element(rig.ltc.begin(), rig.ltc.end())
                     << ", libltc decoded "
                     << test::decodeLtcWithLibltc(rig.ltc, rate, mode == TimecodeTempo::follow ? 20.0 : 25.0).size()
                     << ", LTC misses " << rig.engine.timecode().ltcMisses());
        const test::MtcRead r = test::readMtc(rig.midi);
        if (mode == TimecodeTempo::stop) {
            CHECK(decoded.empty());
            CHECK(r.quarters.empty());
            CHECK(rig.engine.timecode().frameNow() == TimecodeOut::kNone);
            continue;
        }
        // follow: a frame lasts 1920 / 0.8 = 2400 samples (the song's own 25 fps, slowed with it);
        // wall: 1920, real time from bar 1.
        const double spf = mode == TimecodeTempo::follow ? 2400.0 : 1920.0;
        checkLtcOnGrid(decoded, tc, timecodeIndex(tc, {1, 0, 0, 0}), 0.0, spf, "own decoder");
        REQUIRE(r.quarters.size() > 4);
        CHECK(r.quarters[1].at - r.quarters[0].at == 2 * spf);
    }
}

TEST_CASE("A pre-roll runs timecode before the count-in, the click silent until the count-in", "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate tc{TimecodeFps::fps25};
    TimecodeOptions o = opts(TimecodeFps::fps25, false, true);
    o.prerollSeconds = 5.0;
    TimecodeRig rig(rate, o, {2, 0, 0, 0}, 10 * 48000, {}, 1); // count-in: one bar, 2 s
    Command click{Op::click};
    click.value = 1.0f; // count-in
    rig.send(click);
    rig.play();
    rig.run(8 * 48000);
    const auto decoded = test::decodeLtcBiphase(rig.ltc, rate, 25.0);
    REQUIRE(!decoded.empty());
    // 01:59:55:00 on the first sample: 5 s before bar 1, which plays 5 s in.
    CHECK(decoded.front().hours == 1);
    CHECK(decoded.front().minutes == 59);
    CHECK(decoded.front().seconds == 55);
    CHECK(decoded.front().frames == 0);
    CHECK(decoded.front().at < 3.0);
    checkLtcOnGrid(decoded, tc, timecodeIndex(tc, {2, 0, 0, 0}), 5.0 * rate, 1920.0, "own decoder");
    // The click: nothing for the pre-roll's first 3 s, the count-in's four beats in the 2 s after.
    float before = 0.0f, during = 0.0f;
    for (std::size_t i = 0; i < static_cast<std::size_t>(3 * 48000); ++i)
        before = std::max(before, std::fabs(rig.click[i]));
    for (std::size_t i = 3 * 48000; i < static_cast<std::size_t>(5 * 48000); ++i)
        during = std::max(during, std::fabs(rig.click[i]));
    CHECK(before == 0.0f);
    CHECK(during > 0.1f);
}

TEST_CASE("An hour of 29.97 drop-frame: every LTC frame and quarter frame still on its sample", "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate df{TimecodeFps::fps2997df};
    const double spf = rate / df.perSecond();
    TimecodeRig rig(rate, opts(TimecodeFps::fps2997df, true, true), {1, 0, 0, 0}, 3611LL * 48000);
    rig.keepLtc = false;
    rig.play();
    // Ten-second windows at the start and after 20, 40 and 60 minutes, decoded where they are.
    for (const int minute : {0, 20, 40, 60}) {
        const auto from = static_cast<std::int64_t>(minute) * 60 * 48000;
        rig.keepLtc = false;
        rig.run(from);
        rig.keepLtc = true;
        rig.ltc.clear();
        rig.run(from + 10 * 48000);
        auto decoded = test::decodeLtcBiphase(rig.ltc, rate, df.perSecond());
        for (DecodedFrame& f : decoded)
            f.at += static_cast<double>(from);
        INFO("minute " << minute);
        checkLtcOnGrid(decoded, df, timecodeIndex(df, {1, 0, 0, 0}), 0.0, spf, "own decoder");
        CHECK(decoded.size() >= 295);
    }
    const test::MtcRead r = test::readMtc(rig.midi);
    int wrong = 0;
    for (const DecodedFrame& q : r.quarters)
        if (q.at != frameStart(0.0, spf, indexOf(df, q) - timecodeIndex(df, {1, 0, 0, 0}))) ++wrong;
    CHECK(wrong == 0);
    CHECK(r.quarters.size() > 50000);
    CHECK(r.quarters.back().at > 3609.0 * 48000); // to the last window's end
}

TEST_CASE("A run-on: the next song's LTC names its bar 1 on the first sample it plays", "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate tc{TimecodeFps::fps25};
    TimecodeRig rig(rate, opts(TimecodeFps::fps25, true, true), {1, 0, 0, 0}, 2 * 48000 + 700); // ends mid-frame
    SongView next = rig.view;
    next.timecode = {3, 0, 0, 0};
    next.lengthFrames = 3 * 48000;
    rig.engine.cueNextSong(&next, true); // as the set player cues a run-on while the song plays
    rig.play();
    rig.run(5 * 48000);
    const double bar1 = 2 * 48000 + 700; // the next song's frame 0, on the very next output frame
    // Both decoders read 03:00:00:00 first, then every frame on its sample. The frame song 1 was
    // cut in had an edge 4.5 samples before bar 1: libltc places the frame after such a short pulse
    // up to a bit late (it times a frame from its bits), so its position is checked from the next
    // frame on; the test's decoder places it on its first edge.
    const bool own[] = {false, true};
    for (const bool ours : own) {
        const auto decoded = ours ? test::decodeLtcBiphase(rig.ltc, rate, 25.0) : test::decodeLtcWithLibltc(rig.ltc, rate, 25.0);
        const auto first = std::find_if(decoded.begin(), decoded.end(),
                                        [](const DecodedFrame& f) { return f.hours == 3; });
        REQUIRE(first != decoded.end());
        CHECK(indexOf(tc, *first) == timecodeIndex(tc, {3, 0, 0, 0}));
        if (ours) CHECK(std::fabs(first->at - bar1) <= 3.0);
        std::vector<DecodedFrame> rest(first + 1, decoded.end());
        checkLtcOnGrid(rest, tc, timecodeIndex(tc, {3, 0, 0, 0}), bar1, 1920.0, "the next song");
        CHECK(rest.size() >= 70);
    }
    CHECK(rig.engine.timecode().ltcMisses() == 0);
    const test::MtcRead r = test::readMtc(rig.midi);
    REQUIRE(r.full.size() >= 2);
    CHECK(r.full[1].hours == 3); // a full frame as it begins
    CHECK(r.full[1].at == bar1);
}

TEST_CASE("A tempo change while playing: wall runs on in real time, follow slows with the song, no jump",
          "[unit][timecode]") {
    const double rate = 48000.0;
    const TimecodeRate tc{TimecodeFps::fps25};
    for (const TimecodeTempo mode : {TimecodeTempo::wall, TimecodeTempo::follow}) {
        TimecodeOptions o = opts(TimecodeFps::fps25, false, true);
        o.tempo = mode;
        TimecodeRig rig(rate, o, {1, 0, 0, 0}, 20 * 48000);
        SongView slower = rig.view; // the same song at 80 %: 96 BPM, its frames 1.25 times as many
        slower.timing.bpm = 96.0;
        slower.speed = 0.8;
        slower.lengthFrames = 25 * 48000;
        rig.play();
        rig.run(48000);
        rig.engine.retimeSong(&slower);
        Command c{Op::retime};
        c.target = 2 * 48000; // beat 5's line (2 s), where it switches
        c.value = 1.0f;       // (the same audio: no crossfade)
        rig.send(c);
        rig.run(6 * 48000);
        const auto decoded = test::decodeLtcBiphase(rig.ltc, rate, 25.0 * (mode == TimecodeTempo::follow ? 0.8 : 1.0));
        INFO((mode == TimecodeTempo::wall ? "wall" : "follow") << ", " << decoded.size() << " frames");
        REQUIRE(decoded.size() > 100);
        int jumps = 0;
        for (std::size_t i = 1; i < decoded.size(); ++i)
            jumps += indexOf(tc, decoded[i]) != indexOf(tc, decoded[i - 1]) + 1 ? 1 : 0;
        // (follow: the first frame at the new speed may not be ready as it lands: a jump over it)
        CHECK(jumps <= (mode == TimecodeTempo::wall ? 0 : static_cast<int>(rig.engine.timecode().ltcMisses())));
        // wall: every frame on the real-time grid from bar 1, 1920 samples each, through the change;
        // follow: 1920 before the switch (frame 50, 01:00:02:00), 2400 after it.
        for (const DecodedFrame& f : decoded) {
            const std::int64_t k = indexOf(tc, f) - timecodeIndex(tc, {1, 0, 0, 0});
            const double want = mode == TimecodeTempo::wall || k <= 50 ? 1920.0 * static_cast<double>(k)
                                                                       : 96000.0 + 2400.0 * static_cast<double>(k - 50);
            CHECK(std::fabs(f.at - want) <= 3.0);
        }
        CHECK(rig.engine.timecode().ltcMisses() <= 1); // (the new speed's first frame, encoded as it lands)
    }
}

TEST_CASE("A pre-roll holds the MIDI clock, its Start and the start cues for the count-in", "[unit][timecode]") {
    const double rate = 48000.0;
    TimecodeOptions o = opts(TimecodeFps::fps25, false, true);
    o.prerollSeconds = 3.3; // not a whole number of beats
    TimecodeRig rig(rate, o, {1, 0, 0, 0}, 10 * 48000, {}, 1);
    MidiClockOptions clock;
    clock.on = true;
    clock.startAtCountIn = true;
    rig.engine.setMidiOut(true, clock);
    rig.engine.setSong(rig.view);
    rig.play();
    rig.run(6 * 48000);
    // The count-in starts 3.3 - 2 = 1.3 s in: Start and the first tick there, no tick before it.
    const auto first = std::find_if(rig.midi.begin(), rig.midi.end(),
                                    [](const test::MidiSeen& m) { return m.bytes[0] == 0xF8 || m.bytes[0] == 0xFA; });
    REQUIRE(first != rig.midi.end());
    CHECK(first->bytes[0] == 0xFA);
    CHECK(first->frame == 1.3 * 48000);
    // Then a tick every 1000 frames (120 BPM) on the song's grid to the end of the run: 226.
    std::vector<double> ticks;
    for (const test::MidiSeen& m : rig.midi)
        if (m.bytes[0] == 0xF8) ticks.push_back(m.frame);
    CHECK(ticks.size() == 226);
    for (std::size_t k = 0; k < ticks.size(); ++k)
        REQUIRE(ticks[k] == 62400.0 + 1000.0 * static_cast<double>(k));
}
