// Ableton Link end to end: `stemdeck play --ableton-link` through a real JACK server (dummy driver)
// beside a second Link peer — this test, on Link's own SDK, which shares no code with stemdeck's —
// in the test's own network namespace (tests/e2e/netns.sh: multicast on lo only, so no peer on
// the machine's network can join). The test also records stemdeck's main output as a JACK client
// and places each recorded frame on Link's clock by its own route: JACK's cycle times
// (jack_get_cycle_times, JACK's own filter of the driver's clock), converted to Link's clock by
// reading both clocks side by side in that cycle, plus the playback ports' latency (where the
// sound is heard). The first sound is measured against the session as it was when the peer
// pressed play, before stemdeck could move it.
//
// The song: 120 BPM, 4/4, a 5 ms burst on every beat from bar 1 (frame 0), no count-in.
//   keep   armed, start/stop shared. The test's peer joins at 100 BPM: stemdeck says its 120. The
//          peer presses play: stemdeck starts on Link's next bar (its first burst on the bar line,
//          within 3 ms; goal 1 ms). The peer nudges the tempo to 125: stemdeck sets 120 back, and
//          its bursts sit on the session's beats again. The peer stops: stemdeck stops.
//   follow --ableton-link-tempo follow. The session is at 110 BPM: stemdeck's song glides to it
//          (its bursts 60/110 s apart) and the session keeps 110.
#include <ableton/Link.hpp>
#include <jack/jack.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;
constexpr double kBeatFrames = kRate * 0.5; // 120 BPM

/// stemdeck's main output (left), each cycle's first frame and JACK's time for it.
struct LinkTake {
    struct Cycle {
        std::int64_t at = 0; // recorded index of the cycle's first frame
        double usecs = 0.0;  // JACK's time of the cycle's start (jack_get_cycle_times)
        double periodUsecs = 0.0;
        double linkMinusJack = 0.0; // Link's clock minus JACK's, read side by side in this cycle
        jack_nframes_t frames = 0;
        double beat = 0.0, tempo = 0.0; // the peer's session in this cycle: its beat at the cycle's start
    };
    const ableton::Link* link = nullptr; // the peer: its clock
    jack_client_t* client = nullptr;
    jack_port_t* port = nullptr;
    std::vector<float> data;
    std::vector<Cycle> cycles;
    std::atomic<std::size_t> frames{0}, cycleCount{0};
    std::array<std::atomic<std::int64_t>, 256> xrunAt{}; // recorded frame of each xrun the server reported
    std::atomic<int> xruns{0};
    std::int64_t first = -1;

    bool open(std::size_t length) {
        jack_status_t status{};
        client = jack_client_open("recorder", JackNoStartServer, &status);
        if (client == nullptr) return false;
        data.assign(length, 0.0f);
        cycles.resize(length / 64);
        port = jack_port_register(client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        jack_set_process_callback(client, &LinkTake::process, this);
        jack_set_xrun_callback(
            client,
            [](void* arg) {
                auto* t = static_cast<LinkTake*>(arg);
                const int k = t->xruns.fetch_add(1);
                if (k < 256) t->xrunAt[static_cast<std::size_t>(k)].store(static_cast<std::int64_t>(t->frames.load()));
                return 0;
            },
            this);
        return jack_activate(client) == 0;
    }
    void close() { closeClient(client); }
    ~LinkTake() { close(); }
    static int process(jack_nframes_t n, void* arg) {
        auto* t = static_cast<LinkTake*>(arg);
        jack_nframes_t current = 0;
        jack_time_t usecs = 0, next = 0;
        float period = 0.0f;
        if (jack_get_cycle_times(t->client, &current, &usecs, &next, &period) != 0) return 0;
        if (t->first < 0) t->first = current;
        const auto at = static_cast<std::size_t>(static_cast<std::int64_t>(current) - t->first);
        if (at + n >= t->data.size()) return 0;
        std::copy_n(static_cast<const float*>(jack_port_get_buffer(t->port, n)), n, t->data.data() + at);
        const std::size_t k = t->cycleCount.load(std::memory_order_relaxed);
        if (k < t->cycles.size()) {
            const auto linkNow = static_cast<double>(t->link->clock().micros().count());
            const auto jackNow = static_cast<double>(jack_get_time());
            const double start = static_cast<double>(usecs) + linkNow - jackNow;
            const auto session = t->link->captureAudioSessionState(); // (real-time safe: Link's own rule)
            t->cycles[k] = {static_cast<std::int64_t>(at),
                            static_cast<double>(usecs),
                            static_cast<double>(next - usecs),
                            linkNow - jackNow,
                            n,
                            session.beatAtTime(std::chrono::microseconds(std::llround(start)), 1.0),
                            session.tempo()};
            t->cycleCount.store(k + 1, std::memory_order_release);
        }
        t->frames.store(at + n, std::memory_order_release);
        return 0;
    }
    /// Link's time (µs) of recorded frame i, from its cycle's start and length on JACK's clock.
    [[nodiscard]] double linkTime(double i) const {
        const std::size_t n = cycleCount.load(std::memory_order_acquire);
        const auto it = std::upper_bound(cycles.begin(), cycles.begin() + static_cast<long>(n), i,
                                         [](double v, const Cycle& c) { return v < static_cast<double>(c.at); });
        if (it == cycles.begin()) return -1.0;
        const Cycle& c = *(it - 1);
        return c.usecs + (i - static_cast<double>(c.at)) * c.periodUsecs / c.frames + c.linkMinusJack;
    }
    /// ms from recorded frame i, heard `latency` frames later, to the nearest beat of the session
    /// as it was when that frame was heard (a session stemdeck moves later does not count here).
    [[nodiscard]] double offBeatThenMs(double i, jack_nframes_t latency) const {
        const double heard = i + latency;
        const std::size_t n = cycleCount.load(std::memory_order_acquire);
        const auto it = std::upper_bound(cycles.begin(), cycles.begin() + static_cast<long>(n), heard,
                                         [](double v, const Cycle& c) { return v < static_cast<double>(c.at); });
        if (it == cycles.begin()) return 1e9; // (not recorded: never a pass)
        const Cycle& c = *(it - 1);
        const double beat = c.beat + (linkTime(heard) - (c.usecs + c.linkMinusJack)) * c.tempo / 60e6;
        return (beat - std::round(beat)) * 60000.0 / c.tempo;
    }
    /// True when a cycle was lost (an xrun: some client, stemdeck or this one, missed it) in the
    /// second before recorded frame i: stemdeck's sound slipped there, and its phase is put back
    /// on the session after it.
    [[nodiscard]] bool nearXrun(double i) const {
        for (int k = 0; k < std::min(xruns.load(), 256); ++k) {
            const auto at = static_cast<double>(xrunAt[static_cast<std::size_t>(k)].load());
            if (i >= at - kRate * 0.1 && i < at + kRate * 1.0) return true;
        }
        return false;
    }
    /// The recorded bursts' first samples from `from` on (one a beat).
    [[nodiscard]] std::vector<double> onsets(std::size_t from = 0) const {
        std::vector<double> out;
        const std::size_t n = frames.load(std::memory_order_acquire);
        for (std::size_t i = from; i < n; ++i)
            if (std::fabs(data[i]) > 0.05f) {
                out.push_back(static_cast<double>(i));
                i += kRate / 10; // (past this burst)
            }
        return out;
    }
};

/// The playback ports' latency: a frame sent in a cycle is heard this many frames later.
jack_nframes_t playbackLatency(jack_client_t* client) {
    jack_port_t* port = jack_port_by_name(client, "system:playback_1");
    jack_latency_range_t range{};
    if (port != nullptr) jack_port_get_latency_range(port, JackPlaybackLatency, &range);
    return range.max;
}

void writeBurstSong(const fs::path& dir, double seconds) {
    const auto length = static_cast<std::size_t>(seconds * kRate);
    StemAudio a;
    a.left.assign(length, 0.0f);
    for (double beat = 0.0; beat < static_cast<double>(length); beat += kBeatFrames)
        for (int i = 0; i < kRate / 200; ++i) // 5 ms of 1 kHz, from its first sample
            if (const auto k = static_cast<std::size_t>(beat) + static_cast<std::size_t>(i); k < length)
                a.left[k] = 0.5f * static_cast<float>(std::sin(2.0 * M_PI * 1000.0 * (i + 0.25) / kRate));
    a.right = a.left;
    writeStemFolder(dir, kRate, {a}, {"Click"});
}

/// Starts play and records its main output's left side from the moment its port is there.
bool connectRecorder(LinkTake& take) {
    bool connected = false;
    for (int i = 0; i < 1000 && !connected; ++i) {
        connected = jack_connect(take.client, "stemdeck:out_1", jack_port_name(take.port)) == 0;
        if (!connected) std::this_thread::sleep_for(10ms);
    }
    return connected;
}

/// ms from `onset` (a recorded index) to the nearest line every `every` beats of `state`'s timeline.
double offBeatMs(const LinkTake& take, const ableton::Link::SessionState& state, double onset, double every,
                 jack_nframes_t latency) {
    const double t = take.linkTime(onset + latency);
    const double phase = state.phaseAtTime(std::chrono::microseconds(std::llround(t)), every);
    const double beats = phase > 0.5 * every ? phase - every : phase;
    return beats * 60000.0 / state.tempo();
}

double sessionTempo(ableton::Link& link) {
    return link.captureAppSessionState().tempo();
}

int keepScenario(const std::string& stemdeck, const fs::path& dir, int pressDelayMs) {
    ableton::Link peer(100.0);
    peer.enableStartStopSync(true);
    peer.enable(true);
    std::this_thread::sleep_for(1s); // (the older session is the one two sessions merge into: the peer's)
    LinkTake take;
    take.link = &peer;
    if (!expect(take.open(static_cast<std::size_t>(60 * kRate)), "the recorder is up")) return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys",
                              "--journal", "", "--armed", "--ableton-link", "--ableton-link-start-stop"},
                             (dir / "keep.log").string());
    expect(connectRecorder(take), "stemdeck's main output is recorded");
    const auto joined = std::chrono::steady_clock::now();
    const bool saw = waitUntil([&] { return peer.numPeers() == 1; }, 10s);
    const bool said = waitUntil([&] { return std::fabs(sessionTempo(peer) - 120.0) < 1e-3; }, 10s);
    const double saidAfter = std::chrono::duration<double>(std::chrono::steady_clock::now() - joined).count();
    expect(saw && said, "stemdeck joins the peer's session and says its song's 120 BPM (the peer had 100; " +
                            std::to_string(saidAfter) + " s after play started)");
    std::this_thread::sleep_for(500ms); // (armed: nothing plays before the peer's press)
    const std::size_t before = take.onsets().size();
    expect(before == 0, "armed, stemdeck does not play before the peer starts");
    std::this_thread::sleep_for(std::chrono::milliseconds(pressDelayMs)); // (the press elsewhere in Link's bar)

    // The peer presses play: stemdeck starts on Link's next bar.
    const std::size_t pressed = take.frames.load();
    {
        auto s = peer.captureAppSessionState();
        s.setIsPlayingAndRequestBeatAtTime(true, peer.clock().micros(), 0.0, 4.0);
        peer.commitAppSessionState(s);
    }
    const auto atPress = peer.captureAppSessionState();           // (the session stemdeck's start must land on)
    waitUntil([&] { return !take.onsets(pressed).empty(); }, 5s); // (at most a bar of 2 s waiting for Link's)
    const auto justStarted = peer.captureAppSessionState();
    std::this_thread::sleep_for(3s);
    const jack_nframes_t latency = playbackLatency(take.client);
    const std::vector<double> first = take.onsets();
    if (!expect(first.size() >= 5,
                "stemdeck plays after the peer's press (" + std::to_string(first.size()) + " beats heard in 3 s)"))
        return 1;
    const double waited = (first[0] - static_cast<double>(pressed)) / kRate;
    expect(waited <= 2.3, "it starts within a bar of the session's tempo of the press (" + std::to_string(waited) +
                              " s; a bar is 2 s)");
    const double barMs = offBeatMs(take, atPress, first[0], 4.0, latency);
    // stemdeck landed on the session's bar; it did not move the bar onto its start.
    const double moved = offBeatMs(take, justStarted, first[0], 4.0, latency) - barMs;
    double worstBeat = 0.0;
    for (const double o : first) { // (until a lost cycle: the phase is put back on the session after it)
        if (take.nearXrun(o)) break;
        worstBeat = std::max(worstBeat, std::fabs(take.offBeatThenMs(o, latency)));
    }
    std::printf("first burst %.3f s after the peer's press, %.3f ms from Link's bar line (playback latency %u "
                "frames); %zu beats, worst %.3f ms from Link's beat\n",
                (first[0] - static_cast<double>(pressed)) / kRate, barMs, latency, first.size(), worstBeat);
    expect(std::fabs(barMs) <= 3.0, "stemdeck's first sound is on Link's bar line (" + std::to_string(barMs) +
                                        " ms; Link's test plan allows 3)");
    expect(worstBeat <= 3.0, "and every beat after it on Link's beats (worst " + std::to_string(worstBeat) + " ms)");
    std::printf("the session's bar moved by %.3f ms as stemdeck started\n", moved);
    expect(std::fabs(moved) <= 0.1,
           "stemdeck's start did not move the session's bar (" + std::to_string(moved) + " ms)");

    // The peer nudges the tempo: stemdeck sets its own back.
    const auto nudged = std::chrono::steady_clock::now();
    {
        auto s = peer.captureAppSessionState();
        s.setTempo(125.0, peer.clock().micros());
        peer.commitAppSessionState(s);
    }
    const bool seen125 = waitUntil([&] { return std::fabs(sessionTempo(peer) - 125.0) < 1e-3; }, 1s);
    const bool back = waitUntil([&] { return std::fabs(sessionTempo(peer) - 120.0) < 1e-3; }, 5s);
    const double backAfter = std::chrono::duration<double>(std::chrono::steady_clock::now() - nudged).count();
    std::printf("a peer's 125 BPM: the session back at 120 after %.3f s\n", backAfter);
    expect(seen125 && back,
           "a peer's 125 BPM is set back to the song's 120 (after " + std::to_string(backAfter) + " s)");
    std::this_thread::sleep_for(3s);
    const std::size_t mark = take.frames.load();
    // At least 3 s, longer (up to 12) while the machine keeps losing cycles: jackd's own dummy
    // driver, real-time, was seen waking 6-12 ms late on CI's virtual machines, 8 times in 3 s
    // once, which left no beat to measure. Each lost cycle moves stemdeck's sound and its phase is
    // put back after it, so the beats within a second after one are left out.
    // (A late wake of the dummy driver that JACK does not report as an xrun moves one beat by up to a
    // period, 5.3 ms, as seen once on this machine with 30 xruns in the window: one beat of four or
    // more may be that far off; a phase stemdeck kept wrong moves them all.)
    std::vector<double> after;
    for (int second = 1; second <= 12; ++second) {
        std::this_thread::sleep_for(1s);
        if (second < 3) continue;
        after.clear();
        for (const double o : take.onsets(mark))
            if (!take.nearXrun(o)) after.push_back(std::fabs(take.offBeatThenMs(o, latency)));
        if (after.size() >= 4) break;
    }
    std::sort(after.begin(), after.end());
    const double worstAfter = after.empty() ? 0.0 : after.back();
    const double nextWorst = after.size() < 2 ? worstAfter : after[after.size() - 2];
    const double period = 1000.0 * 256 / kRate; // (the test server's period: jack.start(256, …))
    std::printf("after the nudge: %zu beats (a second after an xrun left out; %d xruns), worst %.3f ms, next %.3f ms "
                "from the session's beat\n",
                after.size(), take.xruns.load(), worstAfter, nextWorst);
    expect(after.size() >= 3 && nextWorst <= 3.0 &&
               (worstAfter <= 3.0 || (after.size() >= 4 && take.xruns.load() > 0 && worstAfter <= period + 0.2)),
           "after the nudge the bursts sit on the session's beats again (worst " + std::to_string(worstAfter) +
               " ms, the next " + std::to_string(nextWorst) + " ms)");

    // The peer stops: stemdeck stops.
    {
        auto s = peer.captureAppSessionState();
        s.setIsPlaying(false, peer.clock().micros());
        peer.commitAppSessionState(s);
    }
    std::this_thread::sleep_for(1500ms);
    const std::size_t stoppedAt = take.frames.load();
    std::this_thread::sleep_for(1500ms);
    expect(take.onsets(stoppedAt).empty(), "the peer's stop stops stemdeck");
    kill(play, SIGTERM);
    const int status = waitExit(play, 20s);
    take.close();
    const std::string log = readFile(dir / "keep.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "play ends cleanly on SIGTERM");
    expect(log.find("Ableton Link: stemdeck sets the tempo") != std::string::npos &&
               log.find("a peer started") != std::string::npos && log.find("a peer stopped") != std::string::npos,
           "play says what Link does, and each start and stop a peer made");
    return 0;
}

int followScenario(const std::string& stemdeck, const fs::path& dir) {
    ableton::Link peer(110.0);
    peer.enable(true);
    std::this_thread::sleep_for(1s); // (the session stemdeck joins is the peer's, at 110)
    LinkTake take;
    take.link = &peer;
    if (!expect(take.open(static_cast<std::size_t>(40 * kRate)), "the recorder is up")) return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys",
                              "--journal", "", "--ableton-link", "--ableton-link-tempo", "follow"},
                             (dir / "follow.log").string());
    expect(connectRecorder(take), "stemdeck's main output is recorded");
    std::this_thread::sleep_for(6s);
    // From 6 s on (the glide is over): 4 s, longer (up to 14 s) while lost cycles leave fewer than
    // 4 beats to measure (as the keep scenario).
    const std::size_t from = take.frames.load();
    std::vector<double> beats;
    for (int second = 1; second <= 14; ++second) {
        std::this_thread::sleep_for(1s);
        if (second < 4) continue;
        beats = take.onsets(from);
        if (std::count_if(beats.begin(), beats.end(), [&](double o) { return !take.nearXrun(o); }) >= 4) break;
    }
    const double tempo = sessionTempo(peer);
    double interval = 0.0;
    if (beats.size() >= 2) interval = (beats.back() - beats.front()) / static_cast<double>(beats.size() - 1);
    const double bpm = interval > 0 ? 60.0 * kRate / interval : 0.0;
    const auto state = peer.captureAppSessionState();
    double worst = 0.0;
    std::string each, eachEnd;
    int measured = 0;
    const jack_nframes_t latency = playbackLatency(take.client);
    for (const double o : beats) {
        if (take.nearXrun(o)) continue; // (a lost cycle moves what follows it: as the keep scenario)
        ++measured;
        const double ms = take.offBeatThenMs(o, latency);
        worst = std::max(worst, std::fabs(ms));
        each += " " + std::to_string(ms).substr(0, 6);
        eachEnd += " " + std::to_string(offBeatMs(take, state, o, 1.0, latency)).substr(0, 6);
    }
    std::string xrunsAt;
    for (int k = 0; k < std::min(take.xruns.load(), 256); ++k)
        xrunsAt +=
            " " +
            std::to_string(static_cast<double>(take.xrunAt[static_cast<std::size_t>(k)].load()) / kRate).substr(0, 5);
    std::printf("follow: xruns at (s of the recording):%s\n", xrunsAt.c_str());
    std::printf("follow: each beat's offset from the session as it was then (ms):%s\n", each.c_str());
    std::printf("follow: (from the session at the end, moved since by phase corrections:%s)\n", eachEnd.c_str());
    std::printf(
        "follow: the session at %.3f BPM; stemdeck's beats from 6 s on: %zu beats at %.3f BPM, %d measured (a second "
        "after an xrun left out; %d xruns), worst %.3f ms from the session's beat\n",
        tempo, beats.size(), bpm, measured, take.xruns.load(), worst);
    expect(std::fabs(tempo - 110.0) < 1e-3, // (Link keeps whole microseconds a beat: 109.99990)
           "with follow the session keeps the peer's 110 BPM");
    expect(beats.size() >= 4 && std::fabs(bpm - 110.0) < 0.5,
           "and stemdeck plays at it: its beats " + std::to_string(bpm) + " BPM apart");
    expect(measured >= 3 && worst <= 3.0, "on the session's beats (worst " + std::to_string(worst) + " ms, " +
                                              std::to_string(measured) + " beats measured)");
    kill(play, SIGTERM);
    const int status = waitExit(play, 20s);
    take.close();
    const std::string log = readFile(dir / "follow.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "play ends cleanly on SIGTERM");
    expect(log.find("following the session's 110.0 BPM") != std::string::npos, "play says it follows the session");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s STEMDECK [keep|follow [PRESS_DELAY_MS]] (in a network namespace of its own: "
                     "tests/e2e/netns.sh)\n",
                     argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    const std::string only = argc > 2 ? argv[2] : "";           // (the real-time-safety build runs keep)
    const int pressDelayMs = argc > 3 ? std::atoi(argv[3]) : 0; // (another place in the bar for the press)
    // The whole suite's files written back to disk first: twice, as the last tests of a full run,
    // both Link tests saw 130-160 lost cycles in their windows, and never when run alone or after
    // the package test; a writeback burst that stalls this virtual machine is the suspect.
    ::sync();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    TempDir dir;
    writeBurstSong(dir / "song", 60.0);
    std::ofstream(dir / "set.yaml") << "songs:\n  - { folder: song, bpm: 120 }\n";
    JackServer jack{"stemdeck-e2e-link-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    // A real-time server (as on a stage), where the machine allows it (CI runs as root): without it
    // the disk thread's live stretching (follow) starves JACK's threads on two cores and the
    // server loses several cycles a second, each of which moves the phase being measured. Where
    // real time is not allowed jackd says so and runs without it.
    if (!expect(jack.start(256, kJackRate, true, true), "a JACK server with the dummy driver is up")) return 1;
    if (only.empty() || only == "keep") keepScenario(stemdeck, dir.path(), pressDelayMs);
    if (only.empty() || only == "follow") followScenario(stemdeck, dir.path());
    if (failures > 0 || getenv("STEMDECK_TEST_JACKD_LOG") != nullptr) { // (which client missed its cycles)
        std::istringstream log(readFile(dir / "jackd.log"));
        int shown = 0;
        for (std::string line; std::getline(log, line) && shown < 20;)
            if (line.find("XRun") != std::string::npos || line.find("not finished") != std::string::npos ||
                line.find("real-time") != std::string::npos || line.find("realtime") != std::string::npos) {
                std::printf("jackd: %s\n", line.c_str());
                ++shown;
            }
    }
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
