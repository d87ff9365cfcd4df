// Output buses, the click and count-in, and song changes on command: Engine::process() with
// in-memory stems, checked sample by sample.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
constexpr double kRate = 48000.0;

// Renders `frames` frames in blocks of `block` onto a main pair, a click and two direct buses.
struct Buses {
    std::vector<float> mainL, mainR, click, d0L, d0R, d1L, d1R;
    void render(Engine& e, std::int64_t frames, int block, bool withDirect = true, bool withClick = true) {
        std::vector<float> ml(block), mr(block), c(block), al(block), ar(block), bl(block), br(block);
        for (std::int64_t done = 0; done < frames; done += block) {
            OutputBuses out;
            out.mainLeft = ml.data();
            out.mainRight = mr.data();
            if (withClick) out.click = c.data();
            if (withDirect) {
                out.directLeft[0] = al.data();
                out.directRight[0] = ar.data();
                out.directLeft[1] = bl.data();
                out.directRight[1] = br.data();
            }
            e.process(out, block);
            mainL.insert(mainL.end(), ml.begin(), ml.end());
            mainR.insert(mainR.end(), mr.begin(), mr.end());
            click.insert(click.end(), c.begin(), c.end());
            d0L.insert(d0L.end(), al.begin(), al.end());
            d0R.insert(d0R.end(), ar.begin(), ar.end());
            d1L.insert(d1L.end(), bl.begin(), bl.end());
            d1R.insert(d1R.end(), br.begin(), br.end());
        }
    }
};

std::vector<std::size_t> onsets(const std::vector<float>& x, std::size_t minGap) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::fabs(x[i]) > 1e-4f && (at.empty() || i - at.back() >= minGap)) at.push_back(i);
    return at;
}

std::vector<Event> drain(Engine& e) {
    std::vector<Event> out;
    Event ev;
    while (e.nextEvent(ev))
        out.push_back(ev);
    return out;
}
} // namespace

TEST_CASE("A stem routed to a direct bus plays there and not in the main mix", "[unit][routing]") {
    stream::MemoryStemSource a{std::vector<float>(9600, 0.5f), {}};
    stream::MemoryStemSource b{std::vector<float>(9600, 0.25f), std::vector<float>(9600, -0.125f)};
    Engine e;
    e.prepare(kRate, 256);
    SongView v;
    v.stems = {&a, &b};
    v.stemCount = 2;
    v.lengthFrames = 9600;
    v.directBus[1] = 1; // stem 2 on direct bus 1
    e.setSong(v);
    auto sender = e.makeSender();
    sender.send(Command{Op::play});
    Buses out;
    out.render(e, 4800, 96);
    for (std::size_t i = 0; i < 4800; ++i) {
        REQUIRE(out.mainL[i] == 0.5f); // stem 1 only
        REQUIRE(out.mainR[i] == 0.5f);
        REQUIRE(out.d1L[i] == 0.25f); // stem 2 only, both sides as in its file
        REQUIRE(out.d1R[i] == -0.125f);
        REQUIRE(out.d0L[i] == 0.0f); // a bus nobody is routed to stays silent
    }

    SECTION("without that bus the stem falls back to the main mix") {
        Engine e2;
        e2.prepare(kRate, 256);
        e2.setSong(v);
        auto s2 = e2.makeSender();
        s2.send(Command{Op::play});
        Buses plain;
        plain.render(e2, 960, 96, false);
        CHECK(plain.mainL[10] == 0.75f);
        CHECK(plain.mainR[10] == 0.375f);
    }

    SECTION("a stop fades the direct bus with the main mix") {
        sender.send(Command{Op::stop});
        Buses tail;
        tail.render(e, 960, 96);
        CHECK(tail.d1L[0] < 0.25f);
        CHECK(tail.d1L[0] > 0.2f);
        CHECK(tail.d1L[959] == 0.0f);
        CHECK(tail.mainL[959] == 0.0f);
        for (std::size_t i = 1; i < 960; ++i)
            REQUIRE(tail.d1L[i] / 0.25f == Approx(tail.mainL[i] / 0.5f).margin(1e-6));
    }
}

TEST_CASE("The click ticks on every beat frame, accented on each bar's downbeat", "[unit][click]") {
    // 44.1 kHz at 128 BPM: 20671.875 frames per beat, so the grid's rounding is exercised.
    const double rate = 44100.0;
    const std::int64_t length = 44100 * 10;
    stream::MemoryStemSource a{std::vector<float>(static_cast<std::size_t>(length), 0.0f), {}};
    Engine e;
    e.prepare(rate, 128);
    SongView v;
    v.stems[0] = &a;
    v.stemCount = 1;
    v.lengthFrames = length;
    v.timing.bpm = 128.0;
    v.timing.beatsPerBar = 3;
    e.setSong(v);
    auto sender = e.makeSender();
    sender.send(Command{Op::click, Quantize::none, -1, static_cast<float>(ClickMode::always)});
    sender.send(Command{Op::play});
    Buses out;
    out.render(e, length, 100);
    const auto at = onsets(out.click, 4000);
    REQUIRE(at.size() == 22); // beats 0…21 start inside 10 s (21.3 beats)
    for (std::size_t k = 0; k < at.size(); ++k) {
        INFO("beat " << k);
        CHECK(at[k] ==
              static_cast<std::size_t>(gridFrame(v.timing, rate, Quantize::beat, static_cast<std::int64_t>(k))));
        const float peak = *std::max_element(out.click.begin() + static_cast<long>(at[k]),
                                             out.click.begin() + static_cast<long>(at[k]) + 1000);
        if (k % 3 == 0)
            CHECK(peak > 0.4f); // accent: about -7 dBFS
        else
            CHECK(peak < 0.34f); // other beats: about -10 dBFS
    }
    // The click never leaks into the main mix.
    CHECK(*std::max_element(out.mainL.begin(), out.mainL.end()) == 0.0f);
}

TEST_CASE("Count-in: bars of click before bar 1, then the stems on the bar", "[unit][click]") {
    const std::int64_t length = 48000 * 4;
    stream::MemoryStemSource a{std::vector<float>(static_cast<std::size_t>(length), 0.5f), {}};
    Engine e;
    e.prepare(kRate, 256);
    SongView v;
    v.stems[0] = &a;
    v.stemCount = 1;
    v.lengthFrames = length;
    v.timing.bpm = 120.0; // 24000 frames per beat, 96000 per bar
    v.countInBars = 2;
    e.setSong(v);
    auto sender = e.makeSender();
    sender.send(Command{Op::click, Quantize::none, -1, static_cast<float>(ClickMode::countIn)});
    sender.send(Command{Op::play});
    Buses out;
    out.render(e, 2 * 96000 + length + 512, 128);

    const auto ticks = onsets(out.click, 4000);
    REQUIRE(ticks.size() == 8); // two bars of 4, and no click in the song (count-in mode)
    for (std::size_t k = 0; k < 8; ++k)
        CHECK(ticks[k] == k * 24000);
    // Stems start exactly at the end of the count-in, at full level on the first frame.
    CHECK(out.mainL[2 * 96000 - 1] == 0.0f);
    CHECK(out.mainL[2 * 96000] == 0.5f);
    CHECK(out.mainL[2 * 96000 + length - 1] == 0.5f);
    CHECK(out.mainL[2 * 96000 + length] == 0.0f);
    const auto ev = drain(e);
    REQUIRE(std::count_if(ev.begin(), ev.end(), [](const Event& x) { return x.type == EventType::songEnded; }) == 1);
    CHECK(std::find_if(ev.begin(), ev.end(), [](const Event& x) { return x.type == EventType::songEnded; })->frame ==
          2 * 96000 + length);

    SECTION("play from elsewhere has no count-in") {
        sender.send(Command{Op::seek, Quantize::none, -1, 0.0f, kNextBlock, 48000});
        sender.send(Command{Op::play});
        Buses again;
        again.render(e, 4096, 128);
        CHECK(onsets(again.click, 4000).empty());
        CHECK(again.mainL[4095] == 0.5f);
    }
}

TEST_CASE("A resume point: play counts in the bars before it, the stems silent until its frame", "[unit][click]") {
    const std::int64_t length = 96000 * 6; // six bars at 120 BPM
    std::vector<float> ramp(static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < ramp.size(); ++i)
        ramp[i] = static_cast<float>(i + 1) / static_cast<float>(length); // never 0: its value tells the frame
    stream::MemoryStemSource a{ramp, {}};
    stream::MemoryStemSource ref{std::vector<float>(static_cast<std::size_t>(length), 0.25f), {}};
    Engine e;
    e.prepare(kRate, 256);
    SongView v;
    v.stems[0] = &a;
    v.stemCount = 1;
    v.reference = &ref;
    v.lengthFrames = length;
    v.timing.bpm = 120.0; // 24000 frames per beat, 96000 per bar
    v.countInBars = 2;
    e.setSong(v);
    auto sender = e.makeSender();
    sender.send(Command{Op::click, Quantize::none, -1, static_cast<float>(ClickMode::countIn)});
    const std::int64_t bar4 = 3 * 96000;
    sender.send(Command{Op::seek, Quantize::none, -1, 1.0f, kNextBlock, bar4}); // value 1: a resume point
    Buses idle;
    idle.render(e, 512, 128);
    CHECK(e.songFrame() == bar4);
    sender.send(Command{Op::play});
    Buses out;
    out.render(e, 2 * 96000 + 4096, 128);
    // Two bars of click (bars 2 and 3), none after (count-in mode), the stems silent through
    // them, then bar 4's first frame exactly, at full level.
    const auto ticks = onsets(out.click, 4000);
    REQUIRE(ticks.size() == 8);
    for (std::size_t k = 0; k < 8; ++k)
        CHECK(ticks[k] == k * 24000);
    CHECK(std::all_of(out.mainL.begin(), out.mainL.begin() + 2 * 96000, [](float x) { return x == 0.0f; }));
    CHECK(out.mainL[2 * 96000] == ramp[static_cast<std::size_t>(bar4)]);
    CHECK(out.mainL[2 * 96000 + 4095] == ramp[static_cast<std::size_t>(bar4 + 4095)]);
    CHECK(e.stem(0).underruns.load() == 0);

    SECTION("the reference mix (A/B) is silent through the count-in too") {
        sender.send(Command{Op::stop});
        Buses stop;
        stop.render(e, 4096, 128);
        sender.send(Command{Op::referenceOn});
        sender.send(Command{Op::seek, Quantize::none, -1, 1.0f, kNextBlock, bar4});
        sender.send(Command{Op::play});
        Buses ab;
        ab.render(e, 2 * 96000 + 4096, 128);
        CHECK(std::all_of(ab.mainL.begin(), ab.mainL.begin() + 2 * 96000, [](float x) { return x == 0.0f; }));
        CHECK(ab.mainL[2 * 96000 + 2048] == 0.25f);
    }
    SECTION("once: stopped and played again from a plain seek, no count-in") {
        sender.send(Command{Op::stop});
        Buses stop;
        stop.render(e, 4096, 128);
        sender.send(Command{Op::seek, Quantize::none, -1, 0.0f, kNextBlock, bar4});
        sender.send(Command{Op::play});
        Buses again;
        again.render(e, 4096, 128);
        CHECK(onsets(again.click, 4000).empty());
        CHECK(again.mainL[4095] == ramp[static_cast<std::size_t>(bar4 + 4095)]);
    }
}

TEST_CASE("loadCued changes song: at once when stopped, after the fade when playing", "[unit][songs]") {
    stream::MemoryStemSource a{std::vector<float>(48000, 0.5f), {}};
    stream::MemoryStemSource b{std::vector<float>(48000, 0.25f), {}};
    Engine e;
    e.prepare(kRate, 256);
    SongView first, second;
    first.stems[0] = &a;
    first.stemCount = 1;
    first.lengthFrames = 48000;
    second.stems[0] = &b;
    second.stemCount = 1;
    second.lengthFrames = 48000;
    e.setSong(first);
    auto sender = e.makeSender();
    sender.send(Command{Op::play});
    Buses out;
    out.render(e, 1024, 128);
    CHECK(out.mainL[1023] == 0.5f);

    e.cueNextSong(&second, false);
    sender.send(Command{Op::loadCued, Quantize::none, -1, 1.0f, 2048});
    out.render(e, 4096, 128);
    // 1024 rendered before; the command lands at 2048, fades 10 ms (480 frames), then song 2
    // plays from its frame 0 at full level on the very next frame.
    CHECK(out.mainL[2047] == 0.5f);
    CHECK(out.mainL[2048 + 240] < 0.5f);
    CHECK(out.mainL[2048 + 240] > 0.0f);
    CHECK(out.mainL[2048 + 480] == 0.25f);
    CHECK(out.mainL[5119] == 0.25f);
    const auto ev = drain(e);
    const auto changed =
        std::find_if(ev.begin(), ev.end(), [](const Event& x) { return x.type == EventType::songChanged; });
    REQUIRE(changed != ev.end());
    CHECK(changed->frame == 2048 + 480);
    CHECK(e.songFrame() == 5120 - (2048 + 480));

    SECTION("with nothing cued the command is dropped and nothing changes") {
        sender.send(Command{Op::loadCued, Quantize::none, -1, 1.0f});
        out.render(e, 256, 128);
        const auto later = drain(e);
        CHECK(std::any_of(later.begin(), later.end(),
                          [](const Event& x) { return x.type == EventType::commandDropped; }));
        CHECK(out.mainL.back() == 0.25f);
    }
    SECTION("stopped, the cued song loads at once and waits at its start") {
        sender.send(Command{Op::stop});
        out.render(e, 1024, 128);
        e.cueNextSong(&first, false);
        sender.send(Command{Op::loadCued, Quantize::none, -1, 0.0f});
        out.render(e, 256, 128);
        CHECK_FALSE(e.rolling());
        CHECK(e.songFrame() == 0);
        CHECK(out.mainL.back() == 0.0f);
        sender.send(Command{Op::play});
        out.render(e, 256, 128);
        CHECK(out.mainL.back() == 0.5f);
    }
}

TEST_CASE("A/B: the main mix crossfades to the reference mix and back in 10 ms", "[unit][reference]") {
    stream::MemoryStemSource a{std::vector<float>(48000, 0.25f), {}};
    stream::MemoryStemSource ref{std::vector<float>(48000, 0.5f), {}};
    Engine e;
    e.prepare(kRate, 256);
    SongView v;
    v.stems[0] = &a;
    v.stemCount = 1;
    v.lengthFrames = 48000;
    v.reference = &ref;
    e.setSong(v);
    auto sender = e.makeSender();
    sender.send(Command{Op::play});
    sender.send(Command{Op::toggleReference, Quantize::none, -1, 0.0f, 1000});
    sender.send(Command{Op::referenceOff, Quantize::none, -1, 0.0f, 3000});
    Buses out;
    out.render(e, 4096, 128);
    CHECK(out.mainL[999] == 0.25f);
    for (std::size_t i = 1000; i < 1480; ++i)
        REQUIRE(out.mainL[i + 1] >= out.mainL[i]); // a monotonic crossfade, no step
    CHECK(out.mainL[1480] == 0.5f);
    CHECK(out.mainL[2999] == 0.5f);
    CHECK(out.mainL[3000 + 480] == 0.25f);
    CHECK_FALSE(e.referenceOn());

    SECTION("a song without a reference mix refuses the switch") {
        SongView plain = v;
        plain.reference = nullptr;
        Engine e2;
        e2.prepare(kRate, 256);
        e2.setSong(plain);
        auto s2 = e2.makeSender();
        s2.send(Command{Op::play});
        s2.send(Command{Op::referenceOn});
        Buses o2;
        o2.render(e2, 512, 128);
        CHECK(o2.mainL[511] == 0.25f);
        const auto ev = drain(e2);
        CHECK(std::any_of(ev.begin(), ev.end(), [](const Event& x) { return x.type == EventType::commandDropped; }));
    }
}

TEST_CASE("Vamp: a loop repeats with an exact period, crossfaded into its start, until released", "[unit][loop]") {
    std::vector<float> ramp(96000);
    for (std::size_t i = 0; i < ramp.size(); ++i)
        ramp[i] = static_cast<float>(i) / 100000.0f;
    stream::MemoryStemSource a{ramp, {}};
    Engine e;
    e.prepare(kRate, 256);
    SongView v;
    v.stems[0] = &a;
    v.stemCount = 1;
    v.lengthFrames = 96000;
    e.setSong(v);
    auto sender = e.makeSender();
    Command loop{Op::loopOn};
    loop.target = 9600;
    loop.length = 9600; // [9600, 19200)
    sender.send(loop);
    sender.send(Command{Op::play});
    Command release{Op::loopOff};
    release.frame = 30000; // during the third pass (output 28800…38400 plays 9600…19200)
    sender.send(release);
    Buses out;
    out.render(e, 48000, 100);
    const int x = 240; // 5 ms
    for (std::size_t t = 0; t < 19200 - x; ++t)
        REQUIRE(out.mainL[t] == ramp[t]);
    for (int k = 0; k < x; ++k) { // the crossfade: the loop's end into the frames before its start
        const std::size_t t = 19200 - static_cast<std::size_t>(x) + static_cast<std::size_t>(k);
        const float g = static_cast<float>(k + 1) / static_cast<float>(x);
        REQUIRE(out.mainL[t] == Approx(ramp[t] + g * (ramp[t - 9600] - ramp[t])).margin(1e-6));
    }
    for (std::size_t t = 19200; t < 28800 - x; ++t) // second pass: the start again, frame for frame
        REQUIRE(out.mainL[t] == ramp[t - 9600]);
    for (std::size_t t = 28800; t < 38400; ++t) // third pass, released inside it: plays to its end…
        REQUIRE(out.mainL[t] == ramp[t - 19200]);
    for (std::size_t t = 38400; t < 48000; ++t) // …and runs on past it
        REQUIRE(out.mainL[t] == ramp[t - 19200]);
    CHECK_FALSE(e.looping());
}
