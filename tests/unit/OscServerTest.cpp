// The OSC thread beside a show: the engine rendered block by block and the show ticked on the
// test's thread (the audio and control threads), the OSC server on its own, a client on a UDP
// socket. Also built with ThreadSanitizer ([tsan]): the OSC thread's router input and its reads
// of the published state against the control thread's ticks, with a second client flooding.
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/Show.h"
#include "stemdeck/remote/OscClient.h"
#include "stemdeck/remote/OscServer.h"

using namespace stemdeck;
using namespace stemdeck::control;
using namespace stemdeck::remote;

namespace {
constexpr int kRate = 48000;
constexpr int kBlock = 256;

struct OscRig {
    test::TempDir dir;
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<Show> show;
    std::unique_ptr<OscServer> server;
    std::vector<float> out;
    std::vector<OscMessage> got;

    OscRig() {
        test::writeStemFolder(
            dir / "one", kRate,
            {test::constantStem(kRate * 8, 0.25f, false), test::constantStem(kRate * 8, 0.125f, false)},
            {"Drums", "Bass"}, "BPM: 120\n");
        test::writeStemFolder(dir / "two", kRate, {test::constantStem(kRate * 8, 0.5f, false)}, {"Keys"}, "BPM: 120\n");
        engine.prepare(kRate, kBlock);
        PlayerOptions o;
        o.song.sampleRate = kRate;
        show = std::make_unique<Show>(engine, songsFromFolders({dir / "one", dir / "two"}), o, log);
        show->start();
        OscOptions options;
        options.native = Endpoint{"127.0.0.1", 0};
        server = std::make_unique<OscServer>(show->router(), show->state(), options,
                                             [this] { return engine.outputFrame(); });
        server->start();
    }
    ~OscRig() { server->stop(); }
    /// `blocks` blocks, each followed by a tick; what comes back to `client` meanwhile is kept.
    void run(int blocks, OscClient& client) {
        std::vector<float> l(kBlock), r(kBlock);
        for (int b = 0; b < blocks; ++b) {
            (void)show->player().waitForDisk(engine::kSeekReadyFrames, 5.0);
            engine.process(l.data(), r.data(), kBlock);
            out.insert(out.end(), l.begin(), l.end());
            show->tick();
            while (auto m = client.receive(0))
                got.push_back(*m);
            std::this_thread::sleep_for(std::chrono::microseconds(500)); // (time for the OSC thread)
        }
    }
    bool received(const OscMessage& m) const { return std::find(got.begin(), got.end(), m) != got.end(); }
    /// Blocks until `done()` (at most `most` blocks: 10 s of audio, far more than a loaded machine needs).
    template <typename Done>
    bool runUntil(Done done, OscClient& client, int most = 1875) {
        for (int b = 0; b < most && !done(); b += 5)
            run(5, client);
        return done();
    }
};

void send(OscClient& client, OscMessage m) {
    std::string error;
    REQUIRE(client.send(m, error));
}
} // namespace

TEST_CASE("OSC beside a show: actions land, subscribers follow, refusals are answered", "[unit][osc][tsan]") {
    OscRig rig;
    OscClient client(Endpoint{"127.0.0.1", rig.server->nativePort()});
    rig.show->player().play();
    send(client, {"/stemdeck/subscribe", {}});
    CHECK(rig.runUntil([&] { return rig.received({"/stemdeck/stem/1/name", {OscValue::string("Drums")}}); }, client));
    CHECK(rig.received({"/stemdeck/stem/1/mute", {OscValue::integer(0)}}));

    // A second client sends gains for stem 2 from another thread meanwhile, 200 a second (the
    // host's budget is 500: the test's own messages come from the same host).
    std::atomic<bool> flooding{true};
    std::thread flood([&] {
        OscClient other(Endpoint{"127.0.0.1", rig.server->nativePort()});
        std::string error;
        while (flooding.load()) {
            (void)other.send({"/stemdeck/gain", {OscValue::integer(2), OscValue::real(0.0)}}, error);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    struct Join {
        std::atomic<bool>& flag;
        std::thread& thread;
        ~Join() {
            flag = false;
            if (thread.joinable()) thread.join();
        }
    } join{flooding, flood};
    send(client, {"/stemdeck/mute", {OscValue::string("drums")}});
    rig.run(60, client);
    CHECK(rig.out.back() == Approx(0.125f)); // Drums gone, Bass at 0 dB
    CHECK(rig.received({"/stemdeck/stem/1/mute", {OscValue::integer(1)}}));
    send(client, {"/stemdeck/mute", {OscValue::string("Nope")}});
    rig.run(20, client);
    const auto error =
        std::find_if(rig.got.begin(), rig.got.end(), [](const OscMessage& m) { return m.path == "/stemdeck/error"; });
    REQUIRE(error != rig.got.end());
    CHECK_THAT(error->args[0].text, Catch::Contains("no stem 'Nope'"));
    // What a sender wrote reaches the log without its control characters: an address that would
    // clear the operator's terminal and forge a line of its own.
    send(client, {"/\x1b[2J\x1b[31mDEVICE LOST\nOSC: 192.168.1.20 subscribed", {}});
    std::vector<std::string> notes;
    rig.runUntil(
        [&] {
            for (std::string& line : rig.server->takeNotes())
                notes.push_back(std::move(line));
            return std::any_of(notes.begin(), notes.end(),
                               [](const std::string& l) { return l.find("DEVICE LOST") != std::string::npos; });
        },
        client);
    const auto forged = std::find_if(notes.begin(), notes.end(),
                                     [](const std::string& l) { return l.find("DEVICE LOST") != std::string::npos; });
    REQUIRE(forged != notes.end());
    CHECK(forged->find('\x1b') == std::string::npos);
    CHECK(forged->find('\n') == std::string::npos);
    send(client, {"/stemdeck/next_song", {}});
    CHECK(rig.runUntil(
        [&] {
            return rig.received(
                {"/stemdeck/song", {OscValue::string("two"), OscValue::integer(2), OscValue::integer(2)}});
        },
        client));
    rig.run(20, client);
    flooding = false;
    CHECK(rig.show->player().currentSong() == 1);
    CHECK(rig.received({"/stemdeck/song", {OscValue::string("two"), OscValue::integer(2), OscValue::integer(2)}}));
    // Song 2 has one stem: stem 2's addresses are sent once more, emptied.
    CHECK(rig.received({"/stemdeck/stem/2/name", {OscValue::string("")}}));
    const auto state = rig.show->state().latest();
    CHECK(state->health.dropped == 0); // the flood never filled the engine's queue
    const OscServer::Counts c = rig.server->counts();
    CHECK(c.applied >= 3);
    CHECK(c.refused >= 1);
}
