// Scenes and panic in the engine: every stem's change on one frame (the bar's first, for a
// quantised recall), at the block sizes a device or the renderer uses, each stem on a bus of its
// own so that every stem is checked, not just their sum.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
constexpr double kRate = 48000.0;
constexpr std::int64_t kBar = 96000; // 120 BPM, 4/4 at 48 kHz
constexpr int kStems = 4;

/// Four stems, each on its own direct bus: 0.5, 0.25, a ±0.125 square at Nyquist (the filter
/// shows on it at once), 0.0625.
struct Rig {
    std::vector<std::unique_ptr<stream::MemoryStemSource>> sources;
    SongView view;
    Engine engine;
    std::array<std::vector<float>, kStems> bus; // left channel of each stem's bus

    explicit Rig(std::int64_t frames) {
        const auto n = static_cast<std::size_t>(frames);
        std::vector<float> square(n);
        for (std::size_t i = 0; i < n; ++i)
            square[i] = (i % 2 == 0) ? 0.125f : -0.125f;
        for (const auto& audio :
             {std::vector<float>(n, 0.5f), std::vector<float>(n, 0.25f), square, std::vector<float>(n, 0.0625f)})
            sources.push_back(std::make_unique<stream::MemoryStemSource>(audio, std::vector<float>{}));
        for (int i = 0; i < kStems; ++i) {
            view.stems[static_cast<std::size_t>(i)] = sources[static_cast<std::size_t>(i)].get();
            view.directBus[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i);
        }
        view.stemCount = kStems;
        view.lengthFrames = frames;
    }
    void start() {
        engine.prepare(kRate, 1024);
        engine.setSong(view);
    }
    void render(std::int64_t frames, int block) {
        std::vector<float> ml(static_cast<std::size_t>(block)), mr(ml.size());
        std::array<std::vector<float>, kStems> l, r;
        for (auto& v : l)
            v.resize(ml.size());
        for (auto& v : r)
            v.resize(ml.size());
        for (std::int64_t done = 0; done < frames;) {
            const int n = static_cast<int>(std::min<std::int64_t>(block, frames - done));
            OutputBuses out;
            out.mainLeft = ml.data();
            out.mainRight = mr.data();
            for (std::size_t k = 0; k < kStems; ++k) {
                out.directLeft[k] = l[k].data();
                out.directRight[k] = r[k].data();
            }
            engine.process(out, n);
            for (std::size_t k = 0; k < kStems; ++k)
                bus[k].insert(bus[k].end(), l[k].begin(), l[k].begin() + n);
            done += n;
        }
    }
    /// Whether the engine reported a command of `op` dropped (draining its events).
    bool dropped(Op op) {
        bool seen = false;
        Event e;
        while (engine.nextEvent(e))
            seen = seen || (e.type == EventType::commandDropped && e.action == static_cast<std::uint8_t>(op));
        return seen;
    }
};

Command sceneCommand(int slot, Quantize q, std::int64_t frame) {
    Command c{Op::scene, q};
    c.value = static_cast<float>(slot);
    c.frame = frame;
    return c;
}
} // namespace

TEST_CASE("A bar-quantised scene recall lands every stem's change on the bar's first frame", "[render][scene]") {
    for (const int block : {32, 128, 333, 1024}) {
        DYNAMIC_SECTION("block " << block) {
            Rig rig(3 * kBar);
            Scene breakdown;
            breakdown.stems[0].muted = true;   // stem 1 fades out
            breakdown.stems[1].gain = 0.5f;    // stem 2 glides down 6 dB
            breakdown.stems[2].filter = -0.5f; // stem 3 sweeps into the low-pass
            rig.view.scenes[0] = breakdown;    // stem 4 is muted before: the scene unmutes it
            rig.view.scenesDefined = 1;
            rig.start();
            auto sender = rig.engine.makeSender();
            sender.send(Command{Op::play});
            Command mute4{Op::mute};
            mute4.stem = 3;
            sender.send(mute4);
            sender.send(sceneCommand(0, Quantize::bar, 30001)); // pressed in bar 1: lands on bar 2
            rig.render(kBar + 4000, block);
            const auto F = static_cast<std::size_t>(kBar);
            const std::size_t fade = static_cast<std::size_t>(secondsToFrames(kMuteFadeSeconds, kRate));
            // Nothing changes before F…
            for (std::size_t i = fade; i < F; ++i) {
                REQUIRE(rig.bus[0][i] == 0.5f);
                REQUIRE(rig.bus[1][i] == 0.25f);
                REQUIRE(rig.bus[2][i] == ((i % 2 == 0) ? 0.125f : -0.125f));
                REQUIRE(rig.bus[3][i] == 0.0f);
            }
            // …and every stem has changed on F itself.
            CHECK(rig.bus[0][F] < 0.5f);              // the mute's fade starts
            CHECK(rig.bus[1][F] < 0.25f);             // the gain's glide starts
            CHECK(std::fabs(rig.bus[2][F]) < 0.125f); // the filter's sweep starts
            CHECK(rig.bus[3][F] > 0.0f);              // the unmute's fade starts
            // And they end where the scene says.
            const std::size_t end = rig.bus[0].size() - 1;
            CHECK(rig.bus[0][end] == 0.0f);
            CHECK(rig.bus[1][end] == Approx(0.125f).margin(1e-6));
            CHECK(rig.bus[3][end] == 0.0625f);
            CHECK(rig.engine.lastScene() == 0);
        }
    }
}

TEST_CASE("A scene recalled while another's fades still run ends in the new scene's exact state", "[render][scene]") {
    for (const int block : {32, 128, 333, 1024}) {
        DYNAMIC_SECTION("block " << block) {
            Rig rig(kBar);
            Scene a, b;
            a.stems[0].muted = a.stems[1].muted = true;
            a.stems[2].gain = 0.25f;
            a.stems[2].filter = 0.8f;
            a.stems[3].soloed = true;
            b.stems[2].muted = true; // b: stem 3 muted, stem 2 at +3 dB, stem 4 filtered, nothing soloed
            b.stems[1].gain = std::pow(10.0f, 3.0f / 20.0f);
            b.stems[3].filter = -0.3f;
            rig.view.scenes[2] = a;
            rig.view.scenes[5] = b;
            rig.view.scenesDefined = (1u << 2) | (1u << 5);
            rig.start();
            auto sender = rig.engine.makeSender();
            sender.send(Command{Op::play});
            sender.send(sceneCommand(2, Quantize::none, 4800));
            sender.send(sceneCommand(5, Quantize::none, 4800 + 100)); // 100 frames into a's 10 ms fades
            rig.render(kBar / 2, block);
            for (int i = 0; i < kStems; ++i) {
                const StemStatus& s = rig.engine.stem(i);
                const auto si = static_cast<std::size_t>(i);
                INFO("stem " << i + 1);
                CHECK(s.muted.load() == b.stems[si].muted);
                CHECK(s.soloed.load() == false);
                CHECK(s.gain.load() == b.stems[si].gain);
                CHECK(s.filter.load() == b.stems[si].filter);
                CHECK(s.mix() == b.stems[si]);
            }
            const std::size_t end = rig.bus[0].size() - 1;
            CHECK(rig.bus[0][end] == 0.5f); // a muted it; b does not
            CHECK(rig.bus[1][end] == Approx(0.25f * b.stems[1].gain).margin(1e-6));
            CHECK(rig.bus[2][end] == 0.0f);
            CHECK(rig.engine.lastScene() == 5);
        }
    }
}

TEST_CASE("A scene the song does not have is dropped and reported, and changes nothing", "[unit][scene]") {
    Rig rig(kBar);
    rig.start();
    auto sender = rig.engine.makeSender();
    sender.send(Command{Op::play});
    sender.send(sceneCommand(3, Quantize::none, 100));
    rig.render(2048, 256);
    CHECK(rig.dropped(Op::scene));
    CHECK(rig.bus[0].back() == 0.5f);
    CHECK(rig.engine.lastScene() == -1);
}

TEST_CASE("defineScene stores a scene stem by stem, and a recall then applies it", "[unit][scene]") {
    Rig rig(kBar);
    rig.start();
    auto sender = rig.engine.makeSender();
    sender.send(Command{Op::play});
    for (int i = 0; i < kStems; ++i) {
        Command d{Op::defineScene};
        d.stem = static_cast<std::int8_t>(i);
        d.value = i == 1 ? 0.5f : 1.0f;
        d.value2 = 0.0f;
        d.flags = i == 0 ? kSceneMuted : 0;
        d.target = 7;
        sender.send(d);
    }
    sender.send(sceneCommand(7, Quantize::none, 1000));
    rig.render(4000, 128);
    CHECK(rig.engine.stem(0).muted.load());
    CHECK(rig.engine.stem(1).gain.load() == 0.5f);
    CHECK(rig.bus[0].back() == 0.0f);
    CHECK(rig.bus[1].back() == Approx(0.125f).margin(1e-6));
}

TEST_CASE("defineScene for another song (the set ran on meanwhile) is dropped, not stored in the song that plays",
          "[unit][scene]") {
    Rig rig(kBar);
    rig.view.id = 4;
    rig.start();
    auto sender = rig.engine.makeSender();
    Command d{Op::defineScene};
    d.stem = 0;
    d.flags = kSceneMuted;
    d.target = 2;
    d.song = 3; // stored for song 3; song 4 plays
    sender.send(d);
    sender.send(Command{Op::play});
    sender.send(sceneCommand(2, Quantize::none, 1000));
    rig.render(4000, 128);
    CHECK(rig.dropped(Op::defineScene));
    CHECK_FALSE(rig.engine.stem(0).muted.load()); // scene 3 of song 4 was never defined
    d.song = 4;                                   // the same for the song that plays: stored
    sender.send(d);
    sender.send(sceneCommand(2, Quantize::none, 5000));
    rig.render(4000, 128);
    CHECK(rig.engine.stem(0).muted.load());
}

TEST_CASE("Panic: every stem to the song's start state, A/B off, waiting changes gone", "[render][scene]") {
    for (const int block : {32, 333, 1024}) {
        DYNAMIC_SECTION("block " << block) {
            Rig rig(3 * kBar);
            rig.view.start[1].gain = 0.5f; // the song starts with stem 2 down 6 dB and stem 4 muted
            rig.view.start[3].muted = true;
            rig.start();
            auto sender = rig.engine.makeSender();
            sender.send(Command{Op::play});
            Command c{Op::mute};
            c.stem = 0;
            sender.send(c); // a performer's moves: stem 1 muted, stem 3 filtered, stem 2 pushed, 4 soloed
            c = Command{Op::filter};
            c.stem = 2;
            c.value = 0.9f;
            sender.send(c);
            c = Command{Op::gain};
            c.stem = 1;
            c.value = 1.5f;
            sender.send(c);
            c = Command{Op::solo};
            c.stem = 3;
            sender.send(c);
            c = Command{Op::mute, Quantize::bar};
            c.stem = 1;
            c.frame = 10000; // a mute waiting for bar 2: panic drops it
            sender.send(c);
            Command panic{Op::panic};
            panic.frame = 48000;
            sender.send(panic);
            rig.render(kBar + 48000, block);
            for (int i = 0; i < kStems; ++i) {
                const auto si = static_cast<std::size_t>(i);
                INFO("stem " << i + 1);
                CHECK(rig.engine.stem(i).muted.load() == (i == 3));
                CHECK_FALSE(rig.engine.stem(i).soloed.load());
                CHECK(rig.engine.stem(i).gain.load() == rig.view.start[si].gain);
                CHECK(rig.engine.stem(i).filter.load() == 0.0f);
            }
            const std::size_t end = rig.bus[0].size() - 1;
            CHECK(rig.bus[0][end] == 0.5f);
            CHECK(rig.bus[1][end] == Approx(0.125f).margin(1e-6)); // the mute that waited for bar 2 never came
            CHECK(rig.bus[3][end] == 0.0f);
            CHECK(rig.engine.stem(1).pending.load() == 0);
            CHECK_FALSE(rig.engine.referenceOn());
        }
    }
}
