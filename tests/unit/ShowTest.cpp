// One way in: every surface (keys, the GUI's mouse, a controller, an event script) reaches the engine
// and the player through a router input of the Show; the Show performs the session's verbs and
// publishes the one state every face reads.
#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/Show.h"

using namespace stemdeck;
using namespace stemdeck::control;

namespace {
constexpr int kRate = 48000;
constexpr int kBlock = 256;

// Two songs of DC (song 1: 0.25 on stem 1 and 0.125 on stem 2; song 2: 0.5), the engine driven
// block by block as a device would, the show ticking after each block.
struct Rig {
    test::TempDir dir;
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<Show> show;
    std::vector<float> out;
    int learned = 0, shutdowns = 0;
    explicit Rig(const std::string& script = "") {
        test::writeStemFolder(
            dir / "one", kRate,
            {test::constantStem(kRate * 8, 0.25f, false), test::constantStem(kRate * 8, 0.125f, false)},
            {"Drums", "Bass"}, "BPM: 120\n");
        test::writeStemFolder(dir / "two", kRate, {test::constantStem(kRate * 8, 0.5f, false)}, {"Keys"}, "BPM: 120\n");
        engine.prepare(kRate, kBlock);
        PlayerOptions o;
        o.song.sampleRate = kRate;
        if (!script.empty())
            o.script = parseEventScript(script, "show.yaml", {{"Drums", "Bass"}, kRate, true, {{}, {}, 2}});
        ShowHooks hooks;
        hooks.learn = [this] { ++learned; };
        hooks.shutdown = [this] { ++shutdowns; };
        show = std::make_unique<Show>(engine, songsFromFolders({dir / "one", dir / "two"}), o, log,
                                      ShowOptions{"Set", {}, false, {}, {}}, hooks);
        show->start();
    }
    void run(int blocks) {
        std::vector<float> l(kBlock), r(kBlock);
        for (int b = 0; b < blocks; ++b) {
            (void)show->player().waitForDisk(engine::kSeekReadyFrames, 5.0);
            engine.process(l.data(), r.data(), kBlock);
            out.insert(out.end(), l.begin(), l.end());
            show->tick();
        }
    }
};
} // namespace

TEST_CASE("An event script is a surface: its engine actions land on their exact frame, its player and session "
          "actions once their time has come",
          "[unit][show]") {
    Rig rig(R"(events:
  - { frame: 30000, action: mute, stem: Drums }
  - { frame: 60000, action: lock }
  - { frame: 96000, action: next_song }
)");
    rig.show->player().play();
    rig.run(500); // 2.7 s
    // The mute: on frame 30000 the fade down begins (the 0.25 of Drums goes, 0.125 of Bass stays).
    CHECK(rig.out[29999] == 0.375f);
    CHECK(rig.out[31000] == Approx(0.125f));
    CHECK(rig.show->locked());
    CHECK(rig.log.str().find("show locked") != std::string::npos);
    // next_song at 2 s: song 2 plays after the change's fade.
    CHECK(rig.show->player().currentSong() == 1);
    CHECK(rig.out.back() == 0.5f);
    const auto state = rig.show->state().latest();
    CHECK(state->player.song == 2);
    CHECK(state->locked);
    CHECK(state->songs.size() == 2);
    CHECK(state->songs[0].lengthSeconds == Approx(8.0));
}

TEST_CASE("The lock shuts the keys and the mouse, never a controller, and learn and shutdown are the program hooks",
          "[unit][show]") {
    Rig rig;
    const auto keys = rig.show->makeInput(Surface::keys);
    const auto gui = rig.show->makeInput(Surface::gui);
    const auto pad = rig.show->makeInput(Surface::midi);
    rig.show->player().play();
    rig.run(4);
    rig.show->setLocked(true);
    ActionCall mute;
    mute.action = Action::toggleMute;
    mute.stem = 0;
    CHECK_FALSE(keys->send(mute));
    CHECK_FALSE(gui->send(mute));
    rig.run(10);
    CHECK(rig.out.back() == 0.375f); // nothing muted
    CHECK(rig.show->state().latest()->health.refused == 2);
    CHECK(pad->send(mute));
    rig.run(10);
    CHECK(rig.out.back() == Approx(0.125f));
    ActionCall unlock;
    unlock.action = Action::unlock;
    CHECK(keys->send(unlock)); // the word typed: through the keys' own input
    rig.run(1);
    CHECK_FALSE(rig.show->locked());
    ActionCall learn;
    learn.action = Action::learn;
    CHECK(keys->send(learn));
    rig.run(1);
    CHECK(rig.learned == 1);
    ActionCall shutdown;
    shutdown.action = Action::shutdown;
    CHECK(pad->send(shutdown));
    rig.run(20);
    CHECK(rig.shutdowns == 1);
    CHECK(rig.show->shutdownAsked());
    CHECK(rig.show->finished()); // it quit with a fade
    CHECK(rig.show->state().latest()->finished);
}

TEST_CASE("The published state follows the show: position frames between change events, the clock to "
          "extrapolate from, the time left in the song and the set",
          "[unit][show]") {
    Rig rig;
    rig.run(2);
    const auto before = rig.show->state().latest();
    CHECK_FALSE(before->clock.rolling);
    rig.show->player().play();
    rig.run(200);
    const auto a = rig.show->state().latest();
    rig.run(1);
    const auto b = rig.show->state().latest();
    CHECK(a->clock.rolling);
    CHECK(b->version == a->version + 1);
    CHECK(b->changes == a->changes); // only the position moved
    CHECK(b->clock.outputFrame == a->clock.outputFrame + kBlock);
    CHECK(b->clock.monotonicNs > a->clock.monotonicNs);
    CHECK(b->clock.sampleRate == kRate);
    CHECK(b->clock.bpm == 120.0);
    CHECK(b->clock.remainingSong == Approx(8.0 - b->player.seconds).margin(1e-6));
    // Song 2 was loaded (cued) with song 1: its length is known, so the set's is too.
    CHECK(b->cuedSong == 1);
    CHECK(b->clock.remainingSetKnown);
    CHECK(b->clock.remainingSet == Approx(b->clock.remainingSong + 8.0).margin(1e-6));
    const auto pad = rig.show->makeInput(Surface::midi);
    ActionCall solo;
    solo.action = Action::solo;
    solo.stem = 1;
    pad->send(solo);
    rig.run(1);
    CHECK(rig.show->state().latest()->changes == b->changes + 1);
    CHECK(rig.show->state().latest()->player.stems.at(1).mix.soloed);
}
