// The spoken guide on the audio thread: Engine::process() with in-memory stems and clips whose
// samples say which clip they are (each a constant of its own), checked frame by frame: where a
// cue starts and ends, the count-in's words on their beats, what a loop, a release, a jump, a
// tempo and the toggle make it say.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
constexpr double kRate = 48000.0;
constexpr std::int64_t kBeat = 24000; // 120 BPM
constexpr std::int64_t kBar = 4 * kBeat;

/// Clips that name themselves: every sample of clip k is value(k).
struct Clips {
    std::vector<std::vector<float>> audio;
    GuideTrack track;
    static float value(int k) { return 0.01f * static_cast<float>(k + 1); }
    int add(int length) {
        audio.emplace_back(static_cast<std::size_t>(length), value(static_cast<int>(audio.size())));
        return static_cast<int>(audio.size()) - 1;
    }
    void finish() {
        for (const auto& a : audio)
            track.clips.push_back({a.data(), static_cast<int>(a.size())});
    }
};

struct Rig {
    stream::MemoryStemSource stem{std::vector<float>(2'000'000, 0.0f), {}};
    Engine engine;
    SongView view;
    CommandSender sender = [this] {
        engine.prepare(kRate, 256);
        return engine.makeSender();
    }();
    std::vector<float> guide, click;
    void load(const GuideTrack* track, double bpm = 120.0, int countIn = 0) {
        view.stems = {&stem};
        view.stemCount = 1;
        view.lengthFrames = 2'000'000;
        view.timing.bpm = bpm;
        view.countInBars = countIn;
        view.guides = track;
        engine.setSong(view);
    }
    void send(Op op, std::int64_t target = 0, std::int64_t length = 0, float value = 0.0f) {
        Command c{op};
        c.target = target;
        c.length = length;
        c.value = value;
        sender.send(c);
    }
    /// Renders up to output frame `until` in blocks of 250 (a guide bus of its own unless `onClick`).
    void run(std::int64_t until, bool onClick = false) {
        std::vector<float> l(250), r(250), g(250), c(250);
        while (static_cast<std::int64_t>(guide.size()) < until) {
            OutputBuses out;
            out.mainLeft = l.data();
            out.mainRight = r.data();
            out.click = c.data();
            if (!onClick) out.guide = g.data();
            engine.process(out, 250);
            guide.insert(guide.end(), onClick ? c.begin() : g.begin(), onClick ? c.end() : g.end());
            click.insert(click.end(), c.begin(), c.end());
        }
    }
    /// Each stretch of sound on the guide bus: [first, end) and its first sample (its clip's value).
    struct Said {
        std::int64_t from, to;
        float value;
    };
    [[nodiscard]] std::vector<Said> said() const {
        std::vector<Said> out;
        for (std::size_t i = 0; i < guide.size(); ++i) {
            if (guide[i] == 0.0f) continue;
            if (!out.empty() && out.back().to == static_cast<std::int64_t>(i)) { // (a fade's tail is its cue's)
                ++out.back().to;
                continue;
            }
            out.push_back({static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1, guide[i]});
        }
        return out;
    }
};
} // namespace

TEST_CASE("A marker's cue starts on the bar line before it and has finished by its downbeat", "[unit][guide]") {
    Clips clips;
    const int chorus = clips.add(2400), bridge = clips.add(100'000); // (a phrase longer than a bar)
    clips.finish();
    clips.track.cues = {{8, chorus}, {24, bridge}}; // bars 3 and 7
    Rig rig;
    rig.load(&clips.track);
    rig.send(Op::play);
    rig.run(7 * kBar);
    const auto said = rig.said();
    REQUIRE(said.size() == 2);
    CHECK(said[0].from == 1 * kBar); // bar 2's line
    CHECK(said[0].to == 1 * kBar + 2400);
    CHECK(said[0].value == Clips::value(chorus));
    // 100 000 frames need 5 beats: it starts on the beat line 5 beats before bar 7, ends before it.
    CHECK(said[1].from == 6 * kBar - 5 * kBeat);
    CHECK(said[1].to == 6 * kBar - 5 * kBeat + 100'000);
    CHECK(said[1].to <= 6 * kBar);
    for (const float c : rig.click) // (its own bus: the click's has nothing of it)
        REQUIRE(c == 0.0f);
}

TEST_CASE("The count-in is counted aloud, each word on its beat - a cue whose start is in it is not said",
          "[unit][guide]") {
    Clips clips;
    for (int k = 0; k < 4; ++k)
        clips.track.counts[static_cast<std::size_t>(k)] = clips.add(3000);
    const int intro = clips.add(2000), verse = clips.add(2000);
    clips.finish();
    clips.track.cues = {{0, intro}, {4, verse}}; // bars 1 and 2
    Rig rig;
    rig.load(&clips.track, 120.0, 1);
    rig.send(Op::play);
    rig.run(2 * kBar);
    const auto said = rig.said();
    REQUIRE(said.size() == 5);
    for (int k = 0; k < 4; ++k) { // one, two, three, four on the count-in's beats (output frames 0, 24000 …)
        CHECK(said[static_cast<std::size_t>(k)].from == k * kBeat);
        CHECK(said[static_cast<std::size_t>(k)].to == k * kBeat + 3000);
        CHECK(said[static_cast<std::size_t>(k)].value == Clips::value(k));
    }
    // Bar 1's "Intro" would start in the count-in: left out. "Verse" on bar 1's line (output kBar).
    CHECK(said[4].from == kBar);
    CHECK(said[4].value == Clips::value(verse));
}

TEST_CASE("A loop about to repeat announces its start - released before the cue, the next section is said - released "
          "during it, the cue stops and nothing is said late",
          "[unit][guide]") {
    Clips clips;
    const int chorus = clips.add(4800), verse = clips.add(4800);
    clips.finish();
    clips.track.cues = {{8, chorus}, {16, verse}}; // Chorus at bar 3, Verse at bar 5
    const std::int64_t chorusAt = 2 * kBar, verseAt = 4 * kBar, cueAt = 3 * kBar;

    SECTION("looping, then released before the cue's start") {
        Rig rig;
        rig.load(&clips.track);
        rig.send(Op::play);
        rig.run(chorusAt + kBeat);
        rig.send(Op::loopOn, chorusAt, verseAt - chorusAt);
        rig.run(chorusAt + 2 * kBar + kBar / 2); // the first pass's cue, the wrap, into the second pass
        rig.send(Op::loopOff);
        rig.run(chorusAt + 2 * kBar + 2 * kBar + kBeat);
        const auto said = rig.said();
        REQUIRE(said.size() == 3);
        CHECK(said[0].from == kBar); // "Chorus" before the chorus
        CHECK(said[0].value == Clips::value(chorus));
        CHECK(said[1].from == cueAt); // the loop repeats: "Chorus" again, not "Verse"
        CHECK(said[1].value == Clips::value(chorus));
        CHECK(said[2].from == cueAt + 2 * kBar); // released: the second pass goes on to the verse
        CHECK(said[2].value == Clips::value(verse));
    }
    SECTION("released while its cue speaks") {
        Rig rig;
        rig.load(&clips.track);
        rig.send(Op::play);
        rig.run(chorusAt + kBeat);
        rig.send(Op::loopOn, chorusAt, verseAt - chorusAt);
        rig.run(cueAt + 1000); // "Chorus" (for the repeat) is being said
        rig.send(Op::loopOff);
        rig.run(verseAt + kBar);
        const auto said = rig.said();
        REQUIRE(said.size() >= 2);
        CHECK(said[1].from == cueAt);
        CHECK(said[1].value == Clips::value(chorus));
        // It stops within the fade after the release's block, and "Verse" is never said late.
        const std::int64_t quiet = cueAt + 1000 + 250 + static_cast<std::int64_t>(Guide::kFadeSeconds * kRate);
        for (std::int64_t i = quiet; i < static_cast<std::int64_t>(rig.guide.size()); ++i)
            REQUIRE(rig.guide[static_cast<std::size_t>(i)] == 0.0f);
    }
}

TEST_CASE("After a jump the guide announces what follows the landing - a cue speaking at the jump stops",
          "[unit][guide]") {
    Clips clips;
    const int verse = clips.add(30'000), outro = clips.add(2400);
    clips.finish();
    clips.track.cues = {{8, verse}, {32, outro}}; // Verse at bar 3, Outro at bar 9
    Rig rig;
    rig.load(&clips.track);
    rig.send(Op::play);
    rig.run(kBar + 5000);         // "Verse" speaking (from bar 2)
    rig.send(Op::seek, 5 * kBar); // to bar 6, past the verse
    rig.run(12 * kBar);
    const auto said = rig.said();
    REQUIRE(said.size() == 2); // (nothing of the cut cue after the landing)
    CHECK(said[0].from == kBar);
    CHECK(said[0].value == Clips::value(verse));
    CHECK(said[0].to <= kBar + 5000 + 250 + static_cast<std::int64_t>(Guide::kFadeSeconds * kRate));
    // The outro's cue on bar 8's line, in song frames: the output runs on from the jump's landing.
    const std::int64_t songToOutput = static_cast<std::int64_t>(rig.guide.size()) - rig.engine.songFrame();
    const auto last = said.back();
    CHECK(last.value == Clips::value(outro));
    CHECK(last.to - last.from == 2400);
    CHECK(last.from == 7 * kBar + songToOutput);
    std::int64_t outroSays = 0;
    for (const auto& s : said)
        outroSays += s.value == Clips::value(outro) ? 1 : 0;
    CHECK(outroSays == 1);
}

TEST_CASE("At 80% tempo the cues move with the grid - the clips keep their length", "[unit][guide]") {
    Clips clips;
    const int chorus = clips.add(2400);
    clips.finish();
    clips.track.cues = {{8, chorus}};
    Rig rig;
    rig.load(&clips.track, 96.0); // 30 000 frames a beat
    rig.send(Op::play);
    rig.run(3 * 4 * 30'000);
    const auto said = rig.said();
    REQUIRE(said.size() == 1);
    CHECK(said[0].from == 4 * 30'000); // bar 2's line at 96 BPM
    CHECK(said[0].to - said[0].from == 2400);
}

TEST_CASE("Guides off says nothing and stops a cue speaking - on the click's bus without a bus of their own",
          "[unit][guide]") {
    Clips clips;
    const int chorus = clips.add(20'000), verse = clips.add(2400);
    clips.finish();
    clips.track.cues = {{8, chorus}, {16, verse}};
    Rig rig;
    rig.load(&clips.track);
    rig.send(Op::play);
    rig.run(kBar + 1000, true); // "Chorus" speaking, on the click's bus
    CHECK(rig.engine.guidesOn());
    rig.send(Op::guides, 0, 0, -1.0f); // the toggle: off
    rig.run(5 * kBar, true);
    CHECK(!rig.engine.guidesOn());
    const auto said = rig.said();
    REQUIRE(said.size() == 1);
    CHECK(said[0].from == kBar);
    CHECK(said[0].to <= kBar + 1000 + 250 + static_cast<std::int64_t>(Guide::kFadeSeconds * kRate));
    rig.send(Op::guides, 0, 0, -1.0f); // on again
    rig.run(8 * kBar, true);
    CHECK(rig.engine.guidesOn());
}

TEST_CASE("A cue whose start comes before an earlier cue's line is said too", "[unit][guide]") {
    Clips clips;
    const int watch = clips.add(2400), chorus = clips.add(2400), outro = clips.add(5 * kBeat);
    clips.finish();
    // "Watch the MD" on bar 16 beat 3 (beat 62) and Chorus on bar 17 (beat 64): the chorus's cue
    // starts on bar 16's line (beat 60), before the other's line. Outro on bar 19 (beat 72) is
    // five beats long: it starts on beat 67, before bar 18's line (beat 68), where nothing is.
    clips.track.cues = {{62, watch}, {64, chorus}, {72, outro}};
    Rig rig;
    rig.load(&clips.track);
    rig.send(Op::play);
    rig.run(19 * kBar);
    const auto said = rig.said();
    REQUIRE(said.size() == 3);
    CHECK(said[0].from == 58 * kBeat);
    CHECK(said[0].value == Clips::value(watch));
    CHECK(said[1].from == 60 * kBeat);
    CHECK(said[1].value == Clips::value(chorus));
    CHECK(said[2].from == 67 * kBeat);
    CHECK(said[2].to == 72 * kBeat);
    CHECK(said[2].value == Clips::value(outro));
}
