// Ableton Link, the engine's part without a network: the song's grid in Link's terms, and what it
// asks the session for (the control side commits it: tests/e2e/LinkPlayTest.cpp does it all live).
#include <ableton/Link.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "stemdeck/engine/LinkSync.h"

using namespace stemdeck::engine;

namespace {

std::vector<LinkRequest> drain(LinkSync& sync) {
    std::vector<LinkRequest> out;
    LinkRequest r;
    while (sync.takeRequest(r))
        out.push_back(r);
    return out;
}

} // namespace

TEST_CASE("Link's beats are quarter notes and its quantum the song's bar, whatever the time signature", "[link]") {
    SongTiming common{120.0, 4, 4, 0};
    LinkBeat b = linkBeat(common, 48000.0, 24000);
    CHECK(b.tempo == Approx(120.0));
    CHECK(b.quantum == Approx(4.0));
    CHECK(b.beat == Approx(1.0));
    SongTiming sixEight{180.0, 6, 8, 0};    // 180 eighths a minute: 90 quarters, a bar of 3
    b = linkBeat(sixEight, 48000.0, 16000); // one eighth in
    CHECK(b.tempo == Approx(90.0));
    CHECK(b.quantum == Approx(3.0));
    CHECK(b.beat == Approx(0.5));
    SongTiming sevenEight{140.0, 7, 8, 4800}; // a lead-in of 0.1 s before bar 1
    b = linkBeat(sevenEight, 48000.0, 0);
    CHECK(b.quantum == Approx(3.5));
    CHECK(b.beat < 0.0);
    CHECK(b.beat == Approx(-4800.0 / (48000.0 * 60.0 / 140.0) * 0.5));
}

TEST_CASE("Alone, the engine's Link part says the song's tempo, puts the beat on a start and says starts and stops",
          "[link]") {
    ableton::Link link(100.0); // (never enabled: no network, no peers)
    LinkSync sync;
    LinkOptions options;
    options.startStop = true;
    sync.setLink(&link, options);
    sync.prepare(48000.0);
    sync.setOutputLatency(480); // 10 ms to the output
    const LinkBeat head{0.0, 120.0, 4.0};
    for (int i = 0; i < 20; ++i)
        sync.beginBlock(i * 128, head);
    std::vector<LinkRequest> asked = drain(sync);
    REQUIRE(asked.size() == 1); // said once: the session is not judged again while it settles
    CHECK(asked[0].kinds == LinkRequest::kTempo);
    CHECK(asked[0].bpm == Approx(120.0));
    CHECK_FALSE(sync.holdsStart()); // no peers: a press never waits

    const auto before = link.clock().micros().count();
    sync.started(20 * 128, LinkBeat{-4.0, 120.0, 4.0}); // a bar of count-in before bar 1
    asked = drain(sync);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].kinds == (LinkRequest::kTempo | LinkRequest::kBeat | LinkRequest::kPlaying));
    CHECK(asked[0].beat == Approx(-4.0));
    CHECK(asked[0].quantum == Approx(4.0));
    CHECK(asked[0].isPlaying);
    // Stamped with when that frame is heard: now and the output latency (give or take the line).
    const double ahead = static_cast<double>(asked[0].micros - before);
    CHECK(ahead > 5000.0);
    CHECK(ahead < 60000.0);

    sync.stopped(30 * 128);
    asked = drain(sync);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].kinds == LinkRequest::kPlaying);
    CHECK_FALSE(asked[0].isPlaying);
}

TEST_CASE("With follow, the engine's Link part says a tempo only alone, as a song starts", "[link]") {
    ableton::Link link(100.0);
    LinkSync sync;
    LinkOptions options;
    options.tempo = LinkTempo::follow;
    sync.setLink(&link, options);
    sync.prepare(48000.0);
    for (int i = 0; i < 20; ++i)
        sync.beginBlock(i * 128, LinkBeat{0.0, 120.0, 4.0});
    CHECK(drain(sync).empty());
    sync.retimed(40 * 128, LinkBeat{2.0, 110.0, 4.0}); // (a followed tempo landing: the session's already)
    CHECK(drain(sync).empty());
    sync.started(60 * 128, LinkBeat{0.0, 120.0, 4.0}); // alone the session is stemdeck's: its song's tempo
    const std::vector<LinkRequest> asked = drain(sync);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].kinds == (LinkRequest::kTempo | LinkRequest::kBeat));
    CHECK(asked[0].bpm == Approx(120.0));
}

TEST_CASE("A tempo back from the network in whole microseconds a beat is not said again and again", "[link]") {
    ableton::Link link(60e6 / 472441.0); // 127 BPM as a peer sends it: 126.99997
    REQUIRE(link.captureAppSessionState().tempo() != 127.0);
    LinkSync sync;
    sync.setLink(&link, LinkOptions{});
    sync.prepare(48000.0);
    for (int i = 0; i < 20; ++i)
        sync.beginBlock(i * 128, LinkBeat{0.0, 127.0, 4.0});
    CHECK(drain(sync).empty());
    CHECK(sync.reasserts() == 0);
}
