// Engine::retimeSong and Op::retime: the song goes on at another tempo on one beat line, on the
// same musical time of the new grid, crossfaded, its stems' state and its waiting commands kept.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/stream/MemoryStemSource.h"

using namespace stemdeck;
using namespace stemdeck::engine;

namespace {
constexpr double kRate = 48000.0;
constexpr int kBlock = 512;

std::vector<float> ramp(std::size_t frames, float base) {
    std::vector<float> v(frames);
    for (std::size_t i = 0; i < frames; ++i)
        v[i] = base + static_cast<float>(i) / 1e6f;
    return v;
}

// The "same song" twice: at 120 BPM (stem 1 reads its own frame / 1e6) and at 96 BPM (stem 1
// reads 1 + its frame / 1e6), so the output tells which view played and where. Stem 2 is 0.25.
struct Rig {
    stream::MemoryStemSource a{ramp(480000, 0.0f), {}}, b{std::vector<float>(480000, 0.25f), {}};
    stream::MemoryStemSource a2{ramp(600000, 1.0f), {}}, b2{std::vector<float>(600000, 0.25f), {}};
    SongView slow, fast;
    Engine engine;
    CommandSender sender;
    std::vector<float> out;
    std::vector<Event> events;
    Rig() : sender((engine.prepare(kRate, kBlock), engine.makeSender())) {
        fast.stems = {&a, &b};
        fast.stemCount = 2;
        fast.lengthFrames = 480000;
        fast.timing.bpm = 120.0;
        fast.id = 7;
        slow = fast;
        slow.stems = {&a2, &b2};
        slow.lengthFrames = 600000;
        slow.timing.bpm = 96.0;
        engine.setSong(fast);
    }
    void run(std::int64_t untilFrame) {
        std::vector<float> l(kBlock), r(kBlock);
        while (static_cast<std::int64_t>(out.size()) < untilFrame) {
            engine.process(l.data(), r.data(), kBlock);
            out.insert(out.end(), l.begin(), l.end());
            Event e;
            while (engine.nextEvent(e))
                events.push_back(e);
        }
    }
    [[nodiscard]] const Event* find(EventType type, Op op) const {
        for (const Event& e : events)
            if (e.type == type && (type == EventType::songRetimed || e.action == static_cast<std::uint8_t>(op)))
                return &e;
        return nullptr;
    }
};
} // namespace

TEST_CASE("Timing: a frame maps onto the same musical time of another grid, beat lines exactly", "[unit]") {
    SongTiming from, to;
    from.bpm = 120.0;
    to.bpm = 84.0;
    CHECK(retimedFrame(from, to, kRate, gridFrame(from, kRate, Quantize::beat, 13)) ==
          gridFrame(to, kRate, Quantize::beat, 13));
    CHECK(retimedFrame(from, to, kRate, 12000) == 17143); // half a beat: 12000 · 120/84, rounded
    from.bpm = 128.0;                                     // 22500 frames a beat
    to.bpm = 108.8;                                       // 85%: 26470.588…
    CHECK(retimedFrame(from, to, kRate, 22500 * 7) == gridFrame(to, kRate, Quantize::beat, 7));
    // A beat line rounded down to its frame counts as reached there (68 571.43 → frame 68 571).
    to.bpm = 84.0;
    const std::int64_t third = gridFrame(to, kRate, Quantize::beat, 2);
    CHECK(third == 68571);
    CHECK(toBarBeat(to, kRate, third).beat == 3);
    CHECK(toBarBeat(to, kRate, third).fraction == 0.0);
    CHECK(toBarBeat(to, kRate, third - 1).beat == 2);
}

TEST_CASE("A retime switches on its beat line to the same musical time of the new grid, crossfaded, every "
          "stem's state and a waiting bar-quantised command kept",
          "[unit]") {
    Rig rig;
    rig.sender.send(Command{Op::play});
    Command mute{Op::mute};
    mute.stem = 1;
    rig.sender.send(mute);
    rig.run(100000);
    // Bar-quantised at frame ~100 000: on the old grid bar 3 would be frame 192 000.
    Command unmute{Op::unmute, Quantize::bar, 1};
    rig.sender.send(unmute);
    rig.engine.retimeSong(&rig.slow);
    Command retime{Op::retime};
    retime.target = 120000; // beat 5 of 120 BPM: beat 5 of 96 BPM is frame 150 000
    rig.sender.send(retime);
    rig.run(260000);

    const Event* applied = rig.find(EventType::commandApplied, Op::retime);
    REQUIRE(applied != nullptr);
    CHECK(applied->frame == 120000);
    CHECK(applied->songFrame == 150000);
    const Event* done = rig.find(EventType::songRetimed, Op::retime);
    REQUIRE(done != nullptr);
    const auto fade = static_cast<std::int64_t>(kRetimeCrossfadeSeconds * kRate);
    CHECK(done->frame >= 120000 + fade);
    CHECK(done->frame <= 120000 + fade + kBlock);
    CHECK(rig.engine.timing().bpm == 96.0);
    CHECK(rig.engine.songLength() == 600000);

    const auto& o = rig.out;
    CHECK(o[119999] == Approx(119999 / 1e6).margin(1e-6)); // the old view to the line (stem 2 muted)
    // The crossfade: old frame 120 000 + t fades into new frame 150 000 + t.
    for (const std::int64_t t : {0L, 480L, fade - 1}) {
        const double x = 0.5 * M_PI * static_cast<double>(t + 1) / static_cast<double>(fade + 1); // equal power
        const double oldV = static_cast<double>(120000 + t) / 1e6, newV = 1.0 + static_cast<double>(150000 + t) / 1e6;
        CHECK(o[static_cast<std::size_t>(120000 + t)] == Approx(std::cos(x) * oldV + std::sin(x) * newV).margin(1e-5));
    }
    CHECK(o[static_cast<std::size_t>(120000 + fade)] == Approx(1.0 + (150000.0 + fade) / 1e6).margin(1e-6));
    // Stem 2 stayed muted across the switch, and its bar-quantised unmute landed on bar 3 of the
    // new grid (frame 240 000 of it = output frame 210 000), not the old grid's 192 000.
    CHECK(o[192000] == Approx(1.0 + 222000 / 1e6).margin(1e-6));
    CHECK(o[209999] == Approx(1.0 + 239999 / 1e6).margin(1e-6));
    CHECK(o[210000 + 480] == Approx(1.25 + 240480 / 1e6).margin(1e-5));
    CHECK(rig.engine.songFrame() == 150000 + (static_cast<std::int64_t>(rig.out.size()) - 120000));
}

TEST_CASE("A retime waiting for its line is dropped when the play head jumps, and done at once when stopped", "[unit]") {
    Rig rig;
    rig.sender.send(Command{Op::play});
    rig.run(20000);
    rig.engine.retimeSong(&rig.slow);
    Command retime{Op::retime};
    retime.target = 96000;
    rig.sender.send(retime);
    rig.run(40000);
    Command seek{Op::seek};
    seek.target = 0;
    rig.sender.send(seek);
    rig.run(120000);
    const Event* dropped = rig.find(EventType::commandDropped, Op::retime);
    REQUIRE(dropped != nullptr);
    CHECK(rig.find(EventType::commandApplied, Op::retime) == nullptr);
    CHECK(rig.engine.timing().bpm == 120.0); // still the old grid
    CHECK(rig.engine.songLength() == 480000);

    // A retime for another song (the set moved on) is dropped too.
    SongView other = rig.slow;
    other.id = 8;
    rig.engine.retimeSong(&other);
    retime.target = rig.engine.songFrame() + 24000 * 2;
    rig.sender.send(retime);
    rig.run(static_cast<std::int64_t>(rig.out.size()) + 60000);
    CHECK(rig.engine.timing().bpm == 120.0);

    // Stopped: at once, the play head on the same musical time.
    rig.events.clear();
    rig.sender.send(Command{Op::stop});
    rig.run(static_cast<std::int64_t>(rig.out.size()) + 4096);
    const std::int64_t at = rig.engine.songFrame();
    rig.engine.retimeSong(&rig.slow);
    retime.target = 0;
    rig.sender.send(retime);
    rig.run(static_cast<std::int64_t>(rig.out.size()) + kBlock);
    CHECK(rig.find(EventType::commandApplied, Op::retime) != nullptr);
    CHECK(rig.find(EventType::songRetimed, Op::retime) != nullptr);
    CHECK(rig.engine.timing().bpm == 96.0);
    CHECK(rig.engine.songFrame() == std::llround(static_cast<double>(at) * 1.25));
}
