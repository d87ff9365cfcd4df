// End to end through a real JACK server (dummy driver, no sound card): `stemdeck play` generated
// songs, record its output ports with our own JACK client, and check the recording.
//
//   stemdeck_e2e_jack STEMDECK SCENARIO
//
// Scenarios (each its own ctest):
//   routing      two stems, stem B routed to its own pair, a click pair with a 2-bar count-in, a
//                broken third stem. A's clicks are on the main pair and B's only on its own pair,
//                on the same frames as A's; the click ticks on the song's beat frames (accented on
//                bar 1); play exits by itself, 0 underruns. (Also run with the RealtimeSanitizer
//                build of stemdeck, which aborts on anything forbidden in the device callback.)
//   keys         play in a pseudo-terminal; keys mute, solo, stop, play, seek a bar, change song
//                and quit, and the recorded output follows each one.
//   device-loss  the JACK server is killed mid-song and started again: play says so, waits,
//                reconnects and continues from where it was; then SIGTERM stops it cleanly.
#include <jack/jack.h>
#include <jack/midiport.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/Goertzel.h"
#include "../support/TestSupport.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/StemReader.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;

std::vector<std::size_t> onsets(const std::vector<float>& x, std::size_t n, float threshold, std::size_t gap = 1000) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(x[i]) > threshold && (at.empty() || i > at.back() + gap)) at.push_back(i);
    return at;
}

float peakNear(const std::vector<float>& x, std::size_t from, std::size_t len) {
    float p = 0.0f;
    for (std::size_t i = from; i < std::min(x.size(), from + len); ++i)
        p = std::max(p, std::fabs(x[i]));
    return p;
}

// ---------------------------------------------------------------------------------------------

int routing(const std::string& stemdeck, test::TempDir& dir) {
    // 4 s at 120 BPM (24000 frames a beat); impulses at 1.5, 2.0, 2.5, 3.0 s: A left, B right.
    const std::int64_t len = 4 * kRate;
    const std::vector<std::int64_t> clicks = {72000, 96000, 120000, 144000};
    test::StemAudio a, b;
    a.left.assign(static_cast<std::size_t>(len), 0.0f);
    a.right = b.left = b.right = a.left;
    for (auto c : clicks) {
        a.left[static_cast<std::size_t>(c)] = 0.5f;
        b.right[static_cast<std::size_t>(c)] = 0.5f;
    }
    test::writeStemFolder(dir / "song", kRate, {a, b}, {"Left", "Right"}, "BPM: 120\n");
    std::ofstream(dir / "song" / "03_Broken.wav") << "not audio: a stem that cannot be opened";

    JackServer jack{"stemdeck-e2e-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    Recorder rec;
    if (!expect(rec.open(6, static_cast<std::size_t>(12 * kRate)), "the recorder connects to the server")) return 1;
    const std::int64_t period = jack_get_buffer_size(rec.client);
    const pid_t play = spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--click", "3",
                              "--stem-out", "right=5", "--count-in", "2", "--midi-clock"},
                             (dir / "play.log").string());
    expect(rec.connect({1, 2, 3, 4, 5, 6}), "stemdeck's output ports appear and are recorded");
    // The threads stemdeck starts have names (top -H, perf and crash dumps say who is who).
    // The disk thread runs above normal work where the system allows (here, as root: nice -10).
    std::string threads;
    std::optional<int> diskNice;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(play) + "/task", ec)) {
        const std::string comm = readFile(task.path() / "comm");
        threads += comm;
        if (!comm.starts_with("stemdeck-disk")) continue;
        const std::string stat = readFile(task.path() / "stat"); // "tid (comm) state …": nice is field 19
        std::istringstream fields(stat.substr(stat.rfind(')') + 1));
        std::string field;
        for (int k = 3; k <= 19 && fields >> field; ++k)
            if (k == 19) diskNice = std::stoi(field);
    }
    expect(threads.find("stemdeck-disk") != std::string::npos,
           "the disk thread is named stemdeck-disk (threads: " + threads + ")");
    expect(geteuid() != 0 || diskNice == -10,
           "as root, the disk thread runs at nice -10 (" + (diskNice ? std::to_string(*diskNice) : "?") + ")");
    const int status = waitExit(play, 20s);
    std::this_thread::sleep_for(200ms);
    rec.close();
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "stemdeck play ends by itself with status 0 when the song has played");
    expect(log.find("underruns 0") != std::string::npos, "play reports 0 underruns");
    expect(log.find("03_Broken.wav: cannot read as audio") != std::string::npos &&
               log.find("stays silent; the other stems play") != std::string::npos,
           "a broken third stem is named, kept silent, and the show goes on");

    const std::size_t n = rec.frames.load();
    const auto mainL = onsets(rec.data[0], n, 0.25f), mainR = onsets(rec.data[1], n, 0.25f);
    const auto directL = onsets(rec.data[4], n, 0.25f), directR = onsets(rec.data[5], n, 0.25f);
    expect(mainL.size() == clicks.size(), "stem A's clicks are on the main pair, left (" +
                                              std::to_string(mainL.size()) + " of " + std::to_string(clicks.size()) +
                                              ")");
    expect(mainR.empty(), "stem B, routed to its own pair, is not in the main mix");
    expect(directR.size() == clicks.size() && directL.empty(),
           "stem B's clicks are on its own pair, outputs 5-6 (" + std::to_string(directR.size()) + ")");
    if (mainL.size() != clicks.size() || directR.size() != clicks.size()) return 1;
    bool spacing = true, aligned = true;
    for (std::size_t i = 0; i < clicks.size(); ++i) {
        // Exact, but for whole periods a loaded server lost between them (see the click check below).
        const auto off = std::abs(static_cast<std::int64_t>(mainL[i] - mainL[0]) - (clicks[i] - clicks[0]));
        spacing = spacing && off % period == 0 && off <= 4 * period;
        aligned = aligned && mainL[i] == directR[i];
    }
    expect(spacing, "the clicks keep the file's spacing to the frame (24000 apart, give or take lost periods)");
    expect(aligned, "stem A (main) and stem B (own pair) click on the same recorded frames: sample-aligned");

    // The song's frame 0 in the recording, from A's first impulse; beats are 24000 frames apart.
    // A cycle that stemdeck or the recorder misses on a loaded machine (an xrun) shifts everything
    // recorded after it by whole periods, so the grid is checked where it cannot be fooled by that:
    // the click and stem A are rendered in the same callback, so the ticks on A's beats must fall
    // on A's impulses to the frame, and every other tick must be a whole number of beats from the
    // one before it (give or take whole periods the server lost).
    const auto zero = static_cast<std::int64_t>(mainL[0]) - clicks[0];
    const auto ticks = onsets(rec.data[2], n, 0.05f, 4000);
    bool onBeats = !ticks.empty(), onImpulses = true, bothSides = true;
    int countIn = 0, inSong = 0;
    for (std::size_t k = 0; k < ticks.size(); ++k) {
        const std::int64_t rel = static_cast<std::int64_t>(ticks[k]) - zero;
        if (k > 0) {
            const std::int64_t off = (static_cast<std::int64_t>(ticks[k] - ticks[k - 1])) % 24000;
            const std::int64_t slip = std::min(off, 24000 - off);
            onBeats = onBeats && slip % period == 0 && slip <= 4 * period;
        }
        (rel < -12000 ? countIn : inSong) += 1;
        // (not the first tick: the recorder connects outputs 3 and 4 one after the other, and may
        // catch it with only one of them connected, as it may miss it altogether, below)
        bothSides = bothSides && (k == 0 || rec.data[3][ticks[k]] == rec.data[2][ticks[k]]);
    }
    for (std::size_t impulse : mainL) // A's impulses are on beats 4-7 of the song: a tick on each, same frame
        onImpulses = onImpulses && std::find(ticks.begin(), ticks.end(), impulse) != ticks.end();
    expect(onImpulses, "the click ticks on the very frames of stem A's on-beat impulses (click and song in sync)");
    expect(onBeats, "every click tick is a whole number of beats after the one before (" +
                        std::to_string(ticks.size()) + " ticks; only whole lost periods of " + std::to_string(period) +
                        " frames may shift a recording)");
    expect(inSong == 8, "the click ticks on all 8 beats of the 4-second song (" + std::to_string(inSong) + ")");
    // The recorder may connect a few ms after the first tick: 7 of the 8 count-in ticks suffice.
    expect(countIn >= 7 && countIn <= 8, "a 2-bar count-in precedes bar 1 (" + std::to_string(countIn) + " ticks)");
    expect(bothSides, "the click plays on both outputs of its pair (3-4)");
    const auto z = static_cast<std::size_t>(zero);
    expect(peakNear(rec.data[2], z, 2000) > 1.2f * peakNear(rec.data[2], z + 24000, 2000),
           "bar 1's downbeat tick is accented");
    expect(peakNear(rec.data[2], z + 4 * 24000 + 4000, 16000) == 0.0f, "the click is silent between ticks");
    float mainTick = 0.0f;
    for (std::size_t t : ticks)
        mainTick = std::max(mainTick, peakNear(rec.data[0], t + 1, 1500));
    expect(mainTick == 0.0f, "the click never reaches the main mix");
    return 0;
}

// ---------------------------------------------------------------------------------------------

int keys(const std::string& stemdeck, test::TempDir& dir, const std::string& controllers) {
    // Song 1: stem 1 a slow ramp 0 → 0.5 over 30 s (its value tells the song position), stem 2 a
    // constant 0.125. Song 2: one stem at a constant -0.5. 120 BPM: a bar is 2 s.
    const std::int64_t len = 30 * kRate;
    test::StemAudio ramp, level, other;
    ramp.left.resize(static_cast<std::size_t>(len));
    for (std::size_t i = 0; i < ramp.left.size(); ++i)
        ramp.left[i] = 0.5f * static_cast<float>(i) / static_cast<float>(len);
    level = test::constantStem(len, 0.125f, false);
    other = test::constantStem(len, -0.5f, false);
    test::writeStemFolder(dir / "one", kRate, {ramp, level}, {"Ramp", "Level"}, "BPM: 120\n");
    test::writeStemFolder(dir / "two", kRate, {other}, {"Other"}, "BPM: 120\n");
    auto secondsAt = [&](float mainValue, float minus) { // song position from stem 1's ramp
        return static_cast<double>(mainValue - minus) / 0.5 * 30.0;
    };

    JackServer jack{"stemdeck-e2e-keys-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    Recorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(60 * kRate)), "the recorder connects")) return 1;
    PtyProcess p;
    p.start({stemdeck, "play", (dir / "one").string(), (dir / "two").string(), "--driver", "jack", "--controller",
             controllers + "/akai-apc-mini-mk2.yaml"});
    expect(rec.connect({1}), "stemdeck's main output is recorded");
    expect(p.waitFor("space toggle_play", 5s), "play shows the key help on a terminal");
    expect(p.waitFor("1/2 one", 15s), "the status line shows song 1 of 2 by name"); // (a loaded machine: seconds)
    std::this_thread::sleep_for(1500ms);

    auto settle = [] { std::this_thread::sleep_for(400ms); };
    const float start = rec.now(0);
    expect(start > 0.125f && start < 0.2f, "song 1 plays: both stems in the main mix (" + std::to_string(start) + ")");

    p.type("1");
    settle();
    expect(std::fabs(rec.now(0) - 0.125f) < 1e-6f, "key 1 mutes stem 1 (main = stem 2 alone)");
    p.type("1");
    settle();
    expect(rec.now(0) > 0.13f, "key 1 again unmutes it");
    p.type("@");
    settle();
    expect(std::fabs(rec.now(0) - 0.125f) < 1e-6f, "shift-2 (@) solos stem 2");
    p.type("@");
    settle();
    p.type("s1");
    settle();
    const float soloRamp = rec.now(0);
    expect(soloRamp > 0.0f && soloRamp < 0.1f, "s then 1 solos stem 1 (" + std::to_string(soloRamp) + ")");
    p.type("s1");
    settle();

    p.type(" ");
    settle();
    expect(rec.now(0) == 0.0f, "space stops (silence after the fade)");
    expect(p.waitFor("|| 1/2", 2s), "the status line shows it stopped");
    p.type(" ");
    settle();
    const double before = secondsAt(rec.now(0), 0.125f);
    expect(before > 1.0, "space plays on from where it stopped (at " + std::to_string(before) + " s)");

    p.type("\x1b[C"); // → one bar on
    settle();
    const double after = secondsAt(rec.now(0), 0.125f);
    // About 0.4 s of play passes between the key and the reading: the jump itself lands on a bar
    // line (every 2 s) ahead of where it was.
    const double landed = after - 0.4;
    const double offBar = std::fabs(landed - 2.0 * std::round(landed / 2.0));
    expect(landed > before && landed - before < 2.2 && offBar < 0.1,
           "right arrow moves on to the next bar line (" + std::to_string(before) + " s -> " + std::to_string(after) +
               " s, 0.4 s after the key)");
    p.type("n");
    settle();
    expect(std::fabs(rec.now(0) + 0.5f) < 1e-6f, "n changes to song 2, which plays");
    expect(p.waitFor("2/2 two", 2s), "the status line shows song 2 of 2");
    p.type("p");
    settle();
    const float back = rec.now(0);
    expect(back > 0.12f && back < 0.14f, "p goes back to song 1, from its start (" + std::to_string(back) + ")");

    // Show lock: the keys do nothing but the word unlock; the controller still works.
    FakeController apc;
    expect(apc.open() && p.waitFor("MIDI: 'Akai APC mini mk2' on fake-apc", 3s), "a (fake) controller is connected");
    p.type("k");
    expect(p.waitFor("show locked: the keyboard and the mouse do nothing", 2s), "k locks the show and says so");
    expect(p.waitFor("LOCKED (type unlock)", 2s), "the status line shows LOCKED");
    p.type("2");
    settle();
    expect(rec.now(0) > 0.12f, "while locked, key 2 does nothing (stem 2 plays on)");
    expect(p.waitFor("show locked: type unlock to use", 2s), "a refused key says how to unlock");
    apc.send(0x90, 1, 127); // pad 2: toggle_mute stem 2
    // (waited for, not slept: under load the control thread may take longer than a settle)
    expect(waitUntil([&] { return rec.now(0) < 0.1f; }, 3s), "while locked, the controller's pad 2 still mutes stem 2");
    apc.send(0x90, 1, 127);
    settle();
    expect(rec.now(0) > 0.12f, "and unmutes it");
    p.type("unl0ck"); // a typo: still locked
    p.type("2");
    settle();
    expect(rec.now(0) > 0.12f, "a mistyped word does not unlock");
    p.type("unlock");
    expect(p.waitFor("show unlocked", 2s), "typing unlock unlocks");
    p.type("2");
    settle();
    expect(rec.now(0) < 0.1f, "unlocked, key 2 mutes stem 2 again");
    p.type("z");
    settle();
    expect(rec.now(0) > 0.12f, "z (panic) brings every stem back to the song's start state");
    p.type("q");
    const int status = waitExit(p.pid, 5s);
    p.drain();
    expect(status == 0, "q quits with status 0");
    expect(p.screen.find("stopped in song 1") != std::string::npos, "play says where it stopped");
    if (failures != 0) std::printf("terminal:\n%s\n", p.screen.c_str());
    return 0;
}

// ---------------------------------------------------------------------------------------------

int deviceLoss(const std::string& stemdeck, test::TempDir& dir) {
    const std::int64_t len = 40 * kRate;
    test::StemAudio ramp;
    ramp.left.resize(static_cast<std::size_t>(len));
    for (std::size_t i = 0; i < ramp.left.size(); ++i)
        ramp.left[i] = 0.5f * static_cast<float>(i) / static_cast<float>(len);
    test::writeStemFolder(dir / "song", kRate, {ramp}, {"Ramp"});
    auto seconds = [&](float v) { return static_cast<double>(v) / 0.5 * 40.0; };

    JackServer jack{"stemdeck-e2e-loss-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    const pid_t play =
        spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack"}, (dir / "play.log").string());
    double beforeLoss = 0.0;
    {
        Recorder rec;
        expect(rec.open(1, static_cast<std::size_t>(20 * kRate)) && rec.connect({1}), "first server: recording");
        std::this_thread::sleep_for(2s);
        beforeLoss = seconds(rec.now(0));
        std::printf("song position before the loss: %.3f s\n", beforeLoss);
        jack.stop(SIGKILL);   // the server dies without a word
        rec.client = nullptr; // its server is gone; nothing to close
        std::this_thread::sleep_for(2500ms);
        expect(waitpid(play, nullptr, WNOHANG) == 0, "play is still running without its device");
        const std::string log = readFile(dir / "play.log");
        expect(log.find("stopped: unplugged, or its server quit") != std::string::npos,
               "play says the device stopped and that it waits for it");

        if (!expect(jack.start(), "the JACK server is started again")) return 1;
        Recorder again;
        expect(again.open(1, static_cast<std::size_t>(20 * kRate)) && again.connect({1}, 5s),
               "stemdeck reconnects to the new server within a few seconds");
        std::this_thread::sleep_for(1s);
        const std::size_t n = again.frames.load();
        std::size_t first = 0;
        while (first < n && again.data[0][first] == 0.0f)
            ++first;
        const double resumedAt = first < n ? seconds(again.data[0][first]) : -1.0;
        std::printf("song position when it resumed: %.3f s\n", resumedAt);
        // The server was gone for over 2.5 s. The recorder can only connect once stemdeck's ports
        // are back, so it may miss the first moments after the reopening (up to a second).
        expect(resumedAt > beforeLoss && resumedAt < beforeLoss + 1.0,
               "playback continues from where it was (" + std::to_string(beforeLoss) + " s -> " +
                   std::to_string(resumedAt) + " s), not 2.5 s later where the song would have been");
        again.close();
    }
    kill(play, SIGTERM);
    const int status = waitExit(play, 5s);
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "SIGTERM stops play cleanly, status 0");
    expect(log.find("is back") != std::string::npos && log.find("device reopened 1x") != std::string::npos,
           "play reports the device back and one reopening");
    // The position is printed to the tenth of a second: where it paused is where it plays on from,
    // and that is where the recording stood when the server died.
    const auto paused = log.find("song paused at "), from = log.find("playing on from ");
    const std::string pausedText = paused == std::string::npos ? "" : log.substr(paused + 15, 6);
    const std::string fromText = from == std::string::npos ? "" : log.substr(from + 16, 6);
    const double pausedSeconds = pausedText.size() == 6 ? std::stod(pausedText.substr(2)) : -1.0;
    expect(!pausedText.empty() && pausedText == fromText && std::fabs(pausedSeconds - beforeLoss) < 0.15,
           "play says where the song paused (" + pausedText + ") and plays on from there (" + fromText + ")");
    return 0;
}

// ---------------------------------------------------------------------------------------------

int midiControl(const std::string& stemdeck, test::TempDir& dir, const std::string& controllers) {
    // Stem 1 a constant 0.25, stem 2 a constant 0.125: the main mix's level shows every change.
    const std::int64_t len = 40 * kRate;
    test::writeStemFolder(dir / "song", kRate,
                          {test::constantStem(len, 0.25f, false), test::constantStem(len, 0.125f, false)},
                          {"One", "Two"}, "BPM: 120\n");
    JackServer jack{"stemdeck-e2e-midi-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(128), "a JACK server (128-frame periods) is up")) return 1;
    TimedRecorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(60 * kRate), &TimedRecorder::processTimed),
                "the recorder connects"))
        return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--controller",
                              controllers + "/akai-apc-mini-mk2.yaml"},
                             (dir / "play.log").string());
    expect(rec.connect({1}), "stemdeck's main output is recorded");
    std::this_thread::sleep_for(500ms);
    FakeController apc; // plugged in after stemdeck started: found by its hot-plug check
    expect(apc.open(), "the fake APC mini mk2 is on the server");
    bool found = false;
    for (int i = 0; i < 60 && !found; ++i) {
        found = readFile(dir / "play.log").find("MIDI: 'Akai APC mini mk2' on fake-apc:APC mini mk2 MIDI") !=
                std::string::npos;
        std::this_thread::sleep_for(50ms);
    }
    expect(found, "stemdeck finds the controller within a second of it appearing");
    // LED feedback: on connect every pad is lit for its state (note 0: stem 1 playing = green 21,
    // full brightness = channel 7 → status 0x96).
    expect(waitUntil([&] { return apc.gotLed(0x960015u) && apc.gotLed(0x960800u); }),
           "on connect every pad's LED is sent (mute pads green)");
    const int ledsBefore = apc.receivedCount.load();

    const int period = 128;
    std::vector<std::int64_t> latencies;
    auto measure = [&](const std::string& what, std::uint8_t s, std::uint8_t d1, std::uint8_t d2, float before,
                       float after) {
        // The limit is 3 periods while the server keeps time. A cycle missed on a loaded machine
        // (an xrun, which the server reports to every client) delays all that follows by a
        // period, so each xrun reported meanwhile adds one.
        const int xrunsBefore = rec.xruns.load();
        apc.send(s, d1, d2);
        const std::int64_t sent = apc.sentAt.load();
        waitUntil([&] { return std::fabs(rec.now(0) - after) < 1e-3f; });
        std::this_thread::sleep_for(50ms); // (a ramp's last steps)
        const std::int64_t at = rec.changedAt(sent, before);
        const float now = rec.now(0);
        const std::int64_t latency = at < 0 ? -1 : at - sent;
        const int xruns = rec.xruns.load() - xrunsBefore;
        const std::int64_t limit = (3 + xruns) * period;
        latencies.push_back(latency);
        expect(std::fabs(now - after) < 1e-3f && latency >= 0 && latency <= limit,
               what + ": level " + std::to_string(before) + " -> " + std::to_string(now) + ", change began " +
                   std::to_string(latency) + " frames after the message (limit: 3 periods" +
                   (xruns > 0 ? " + " + std::to_string(xruns) + " for the server's xruns meanwhile" : std::string{}) +
                   " = " + std::to_string(limit) + ")");
    };
    measure("pad 1 (note 0) mutes stem 1", 0x90, 0, 127, 0.375f, 0.125f);
    expect(apc.gotLed(0x960005u, ledsBefore), "its LED turns red (note 0, velocity 5) on stemdeck's MIDI output");
    measure("pad 1 again unmutes it", 0x90, 0, 127, 0.125f, 0.375f);
    apc.send(0xB0, 49, 110); // fader 2 below stem 2's unity position: soft takeover ignores it
    std::this_thread::sleep_for(100ms);
    expect(std::fabs(rec.now(0) - 0.375f) < 1e-6f,
           "a fader away from the current gain does not jump it (soft takeover)");
    apc.send(0xB0, 49, 120); // passes unity (115.5): taken over
    std::this_thread::sleep_for(100ms);
    measure("fader 2 (CC 49) rides stem 2 down to -27 dB", 0xB0, 49, 64, rec.now(0),
            0.25f + 0.125f * std::pow(10.0f, -27.0f / 20.0f));
    apc.send(0x90, 122, 127); // shift held: faders sweep filters
    apc.send(0xB0, 48, 64);   // picks up the filter knob at its centre
    measure("shift + fader 1 sweeps stem 1's filter to high-pass (DC goes)", 0xB0, 48, 127, rec.now(0),
            0.125f * std::pow(10.0f, -27.0f / 20.0f));
    apc.send(0x80, 122, 0);

    // A quantised action: pad 2 mutes stem 2, then the drop button (note 119, quantised to the
    // bar) unmutes every stem on the next bar line. Until it lands, pad 2's LED blinks (the APC
    // mapping has no blink value, so stemdeck switches it between red and green itself).
    const float withTwo = rec.now(0);
    const float stemTwo = 0.125f * std::pow(10.0f, -27.0f / 20.0f); // at -27 dB
    auto muteTwo = [&] {
        apc.send(0x90, 1, 127);
        return waitUntil([&] { return std::fabs(rec.now(0) - (withTwo - stemTwo)) < 1e-3f; });
    };
    // A first drop lands on a bar line, which the recording shows (stemdeck's own song position,
    // whatever cycles a loaded server skipped); the second, pressed at once, waits most of a bar,
    // so its LED has time to blink.
    expect(muteTwo(), "pad 2 mutes stem 2");
    apc.send(0x90, 119, 127);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - withTwo) < 1e-3f; }), "a first drop brings it back");
    expect(muteTwo(), "pad 2 mutes it again, early in the next bar");
    const float withoutTwo = rec.now(0);
    const int ledsAtDrop = apc.receivedCount.load();
    apc.send(0x90, 119, 127);
    const std::int64_t dropSent = apc.sentAt.load();
    waitUntil([&] { return std::fabs(rec.now(0) - withTwo) < 1e-3f; }); // a bar at 120 BPM is 2 s
    std::this_thread::sleep_for(100ms);                                 // (the LED's last message)
    const std::int64_t dropLanded = rec.changedAt(dropSent, withoutTwo);
    int red = 0, green = 0, last = 0;
    for (int k = ledsAtDrop; k < apc.receivedCount.load(); ++k) {
        const std::uint32_t m = apc.received[static_cast<std::size_t>(k)].load();
        if ((m & 0xFFFF00u) != 0x960100u) continue; // pad 2's LED
        last = static_cast<int>(m & 0xFF);
        red += last == 5;
        green += last == 21;
    }
    // (In JACK frames, which a loaded server's skipped cycles stretch against the song's: the
    // bounds are half a bar and a bar and a half.)
    expect(std::fabs(withTwo - withoutTwo - stemTwo) < 1e-3f && std::fabs(rec.now(0) - withTwo) < 1e-3f &&
               dropLanded - dropSent >= kRate && dropLanded - dropSent <= 3 * kRate,
           "drop (quantised to the bar), pressed early in a bar, brings stem 2 back on the next bar line, " +
               std::to_string(dropLanded - dropSent) + " frames after the button (a bar: 96000)");
    expect(red >= 2 && green >= 2 && last == 21, "pad 2's LED blinks while the drop waits (" + std::to_string(red) +
                                                     "x red, " + std::to_string(green) + "x green) and ends green");

    // Panic from a pad: stem 1's filter (swept to high-pass) and stem 2's gain (-27 dB) go back to
    // the song's start state, both stems at unity: 0.25 + 0.125.
    apc.send(0x90, 24, 127);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.375f) < 1e-3f; }),
           "the panic pad (4th row, 1st pad) brings every stem back to the song's start state (level " +
               std::to_string(rec.now(0)) + ", expected 0.375)");
    // Scenes from pads: shift + a third-row pad stores the state as scene 1; a pad mutes stem 1;
    // the scene pad brings scene 1 back on the next bar line, and its LED lights (green 21).
    apc.send(0x90, 122, 127);
    apc.send(0x90, 16, 127);
    apc.send(0x80, 122, 0);
    expect(waitUntil([&] { return readFile(dir / "play.log").find("scene 1 'Scene 1' stored") != std::string::npos; }),
           "shift + the first third-row pad stores scene 1");
    apc.send(0x90, 0, 127);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.125f) < 1e-3f; }), "pad 1 mutes stem 1");
    const int ledsAtScene = apc.receivedCount.load();
    apc.send(0x90, 16, 127);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.375f) < 1e-3f; }),
           "the scene 1 pad recalls it on the next bar: stem 1 back");
    expect(waitUntil([&] { return apc.gotLed(0x961015u, ledsAtScene); }), "the scene 1 pad lights green");

    apc.close(); // the controller is unplugged mid-song…
    std::this_thread::sleep_for(1500ms);
    expect(readFile(dir / "play.log").find("is gone; waiting for it to come back") != std::string::npos,
           "stemdeck notices the controller is gone (and the audio plays on)");
    FakeController again; // …and plugged back in
    expect(again.open(), "the controller comes back");
    found = false;
    for (int i = 0; i < 60 && !found; ++i) {
        const std::string log = readFile(dir / "play.log");
        found = std::count(log.begin(), log.end(), '\n') > 0 &&
                log.rfind("MIDI: 'Akai APC mini mk2' on fake-apc") > log.find("is gone");
        std::this_thread::sleep_for(50ms);
    }
    expect(found, "stemdeck reopens it within a second");
    expect(waitUntil([&] { return again.gotLed(0x960015u) && again.gotLed(0x960115u); }),
           "its LEDs are restored when it comes back");
    std::this_thread::sleep_for(300ms);
    const float beforeMute = rec.now(0);
    again.send(0x90, 1, 127); // pad 2 mutes stem 2 (at unity since the panic)
    expect(waitUntil([&] { return std::fabs(rec.now(0) - (beforeMute - 0.125f)) < 1e-3f; }),
           "after coming back, its pads work again");
    // `stemdeck midi monitor` on the same controller prints what it sends, decoded.
    const pid_t mon = spawn({stemdeck, "midi", "monitor", "--api", "jack", "fake-apc"}, (dir / "monitor.log").string());
    bool listening = false;
    for (int i = 0; i < 100 && !listening; ++i) {
        listening = readFile(dir / "monitor.log").find("monitoring fake-apc:APC mini mk2 MIDI") != std::string::npos;
        std::this_thread::sleep_for(30ms);
    }
    again.send(0xB0, 56, 100);
    again.send(0x92, 36, 100);
    std::this_thread::sleep_for(300ms);
    const auto stopAt = std::chrono::steady_clock::now();
    kill(mon, SIGTERM);
    const int monStatus = waitExit(mon, 3s);
    std::printf("midi monitor exited %.0f ms after SIGTERM\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stopAt).count());
    const std::string monLog = readFile(dir / "monitor.log");
    expect(listening && monStatus == 0 && monLog.find("control      ch 1   cc  56  value 100") != std::string::npos &&
               monLog.find("note on      ch 3   note  36 (C2)  velocity 100") != std::string::npos,
           "midi monitor prints the controller's messages decoded:\n" + monLog);
    kill(play, SIGTERM);
    const int status = waitExit(play, 5s);
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "play stops cleanly");
    expect(log.find("underruns 0") != std::string::npos, "no underruns through all of it");
    std::printf("MIDI-to-audio latency (frames, at 48 kHz / 128-frame periods):");
    for (auto l : latencies)
        std::printf(" %lld", static_cast<long long>(l));
    std::printf("\n");
    return 0;
}

/// Presses a pad until `screen` shows `text` (at most 10 s). Right after learn says "touch a
/// control" its connection to the controller may not be in JACK's graph yet (a change applies
/// from the next cycle): a press in that cycle is lost, as it would be to a performer's first
/// press within a few milliseconds. Repeats of the same pad are not taken for the next control.
bool pressUntilShown(FakeController& pads, std::uint8_t note, PtyProcess& screen, const std::string& text) {
    for (int i = 0; i < 10; ++i) {
        pads.send(0x90, note, 100);
        if (screen.waitFor(text, 1000ms)) return true;
    }
    return false;
}

/// MIDI learn, twice: `stemdeck learn` writes a new mapping from a fake controller's messages and
/// typed actions; `stemdeck play` with that mapping then plays by it, learns one more control
/// from its `l` key, and uses that at once.
int midiLearn(const std::string& stemdeck, test::TempDir& dir) {
    const std::int64_t len = 40 * kRate;
    test::writeStemFolder(dir / "song", kRate,
                          {test::constantStem(len, 0.25f, false), test::constantStem(len, 0.125f, false)},
                          {"One", "Two"}, "BPM: 120\n");
    JackServer jack{"stemdeck-e2e-learn-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(128), "a JACK server (128-frame periods) is up")) return 1;
    FakeController pads;
    if (!expect(pads.open(), "a fake controller is on the server")) return 1;
    const std::string mappingFile = (dir / "mine.yaml").string();

    PtyProcess learn;
    learn.start({stemdeck, "learn", mappingFile, "--api", "jack", "--port", "fake-apc"});
    expect(learn.waitFor("touch a control", 10s), "learn opens the controller and asks for a control");
    expect(pressUntilShown(pads, 36, learn, "note 36 on channel 1: what should it do?"),
           "it names the pad that was hit");
    learn.type("m1\n");
    expect(learn.waitFor("learned: note 36 on channel 1 -> toggle_mute stem 1", 5s), "m1: the pad mutes stem 1");
    const bool savedAfterOne = readFile(mappingFile).find("note: 36") != std::string::npos;
    for (int v = 30; v < 34; ++v) // a fader move: one control, many messages
        pads.send(0xB0, 7, static_cast<std::uint8_t>(v));
    expect(learn.waitFor("cc 7 on channel 1: what should it do?", 5s), "a fader move is one control");
    learn.type("g\n");
    expect(learn.waitFor("which stem (1-8)?", 5s), "gain asks for the stem");
    learn.type("2\n");
    expect(learn.waitFor("learned: cc 7 on channel 1 -> gain stem 2", 5s), "the fader rides stem 2's gain");
    expect(pressUntilShown(pads, 37, learn, "note 37 on channel 1"), "the next control is asked about");
    learn.type("\n");
    expect(learn.waitFor("skipped", 5s), "Enter alone skips a control");
    expect(pressUntilShown(pads, 38, learn, "note 38 on channel 1"), "and the next");
    learn.type("\x04"); // end of input: done
    expect(learn.waitFor("2 controls learned", 5s), "end of input finishes with a summary");
    expect(waitExit(learn.pid, 5s) == 0, "learn exits 0");
    const std::string written = readFile(mappingFile);
    std::printf("learned mapping:\n%s\n", written.c_str());
    expect(savedAfterOne, "the mapping is saved after each control, not only at the end");
    expect(written.find("ports: [\"fake-apc\"]") != std::string::npos &&
               written.find("{ note: 36, channel: 1, action: toggle_mute, stem: 1, led: { on: 127, off: 0 } }") !=
                   std::string::npos &&
               written.find("{ cc: 7, channel: 1, action: gain, stem: 2 }") != std::string::npos &&
               written.find("note: 37") == std::string::npos,
           "the file holds the two bindings and the controller's name");
    std::error_code ec;
    int leftovers = 0;
    for (const auto& e : fs::directory_iterator(dir.path(), ec))
        leftovers += e.path().filename().string().find(".tmp") != std::string::npos;
    expect(leftovers == 0, "no temporary file is left beside it");

    // On a full disk (a file-size limit of 0 stands in for one) the save fails: learn says why,
    // exits 1, and does not print "learned:" first.
    PtyProcess full;
    full.start({"bash", "-c", "ulimit -f 0; trap '' XFSZ; exec \"$0\" learn \"$1\" --api jack --port fake-apc",
                stemdeck, (dir / "full.yaml").string()});
    expect(full.waitFor("touch a control", 10s), "learn starts with a file-size limit of 0");
    expect(pressUntilShown(pads, 41, full, "note 41 on channel 1: what should it do?"), "it names the pad");
    full.type("m1\n");
    expect(full.waitFor("cannot save the mapping", 5s) && full.screen.find("learned:") == std::string::npos,
           "the failed save is reported, without a 'learned:' before it:\n" + full.screen);
    expect(waitExit(full.pid, 5s) == 1, "and learn exits 1");

    // Play with the learned mapping; learn one more control from the play screen.
    TimedRecorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(60 * kRate), &TimedRecorder::processTimed),
                "the recorder connects"))
        return 1;
    PtyProcess play;
    play.start({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--controller", mappingFile});
    expect(rec.connect({1}), "stemdeck's main output is recorded");
    expect(play.waitFor("MIDI: 'mine' on fake-apc", 10s),
           "play opens the learned mapping's controller:\n" + play.screen);
    std::this_thread::sleep_for(300ms);
    pads.send(0x90, 36, 100);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.125f) < 1e-3f; }),
           "the learned pad mutes stem 1 (0.375 -> 0.125)");
    pads.send(0x90, 36, 100);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.375f) < 1e-3f; }), "and unmutes it");
    play.type("l");
    expect(play.waitFor("MIDI learn: touch a control", 5s), "l starts MIDI learn in play");
    pads.send(0x90, 40, 100);
    expect(play.waitFor("MIDI learn: note 40 on channel 1:", 5s), "the touched pad is named on the play screen");
    const float beforeSolo = rec.now(0);
    expect(std::fabs(beforeSolo - 0.375f) < 1e-3f, "while learning, the touched pad did nothing to the audio");
    play.type("s");
    expect(play.waitFor("which stem? 1-8", 5s), "solo asks for the stem");
    play.type("2");
    expect(play.waitFor("note 40 on channel 1 -> toggle_solo stem 2, saved to", 5s), "learned and saved");
    pads.send(0x90, 40, 100);
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.125f) < 1e-3f; }),
           "the new pad works at once: stem 2 soloed (0.375 -> 0.125)");
    expect(readFile(mappingFile).find("{ note: 40, channel: 1, action: toggle_solo, stem: 2") != std::string::npos,
           "the file has the new binding");
    play.type("q");
    const int status = waitExit(play.pid, 5s);
    play.drain();
    expect(status == 0 && play.screen.find("underruns 0") != std::string::npos, "play quits cleanly, 0 underruns");
    return 0;
}

/// The stage GUI under Xvfb: keys and a mouse click change the engine (heard on the recorded
/// output), the screenshot is the stage view, and a scripted session through the GUI records the
/// same samples as `stemdeck render` of the same script.
int gui(const std::string& gui, test::TempDir& dir, const std::string& stemdeck) {
    // Stem 1 a ramp 0.1 → 0.5 over 20 s (its value tells the song frame), stem 2 a constant 0.125.
    const std::int64_t len = 20 * kRate;
    test::StemAudio ramp;
    for (std::int64_t i = 0; i < len; ++i)
        ramp.left.push_back(0.1f + 0.4f * static_cast<float>(i) / static_cast<float>(len));
    test::writeStemFolder(dir / "song", kRate, {ramp, test::constantStem(len, 0.125f, false)}, {"Ramp", "Two"},
                          "BPM: 120\n");
    const std::string display = ":" + std::to_string(90 + getpid() % 400);
    XServer x(display, dir / "xvfb.log");
    if (!expect(x.up(), "Xvfb " + display + " is up")) return 1;
    JackServer jack{"stemdeck-e2e-gui-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(256), "a JACK server (256-frame periods) is up")) return 1;
    // This machine's GUI settings: a mapping file (nothing to connect to), applied at start.
    fs::create_directories(dir / "config" / "stemdeck");
    std::ofstream(dir / "pads.yaml")
        << "ports: [nothing-like-this]\nbindings:\n  - { note: 36, action: toggle_play }\n";
    std::ofstream(dir / "config" / "stemdeck" / "gui.yaml") << "controller: " << (dir / "pads.yaml").string() << "\n";
    const std::vector<std::string> env = {"DISPLAY=" + display, "STEMDECK_GUI_LAYOUT=1",
                                          "XDG_CONFIG_HOME=" + (dir / "config").string(),
                                          "ASAN_OPTIONS=detect_leaks=0"}; // X11 and fontconfig keep theirs
    TimedRecorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(40 * kRate), &TimedRecorder::processTimed),
                "the recorder connects"))
        return 1;
    const pid_t app = spawn({gui, (dir / "song").string(), "--driver", "jack"}, (dir / "gui.log").string(), env);
    expect(rec.connect({1}, 10000ms), "the GUI's main output is recorded");
    std::string log;
    for (int i = 0; i < 200 && log.find("layout: stem 2") == std::string::npos; ++i) {
        std::this_thread::sleep_for(50ms);
        log = readFile(dir / "gui.log");
    }
    int muteX = 0, muteY = 0;
    buttonAt(log, "stem 2 mute", muteX, muteY);
    expect(muteX > 0 && muteY > 0, "the stage view is up (stem 2's mute button at " + std::to_string(muteX) + "," +
                                       std::to_string(muteY) + ")");
    std::this_thread::sleep_for(800ms);
    // Without a window manager the keys go to the window under the pointer.
    onDisplay(display, "xdotool mousemove 700 150 click 1"); // a click on the title gives it the keyboard
    std::this_thread::sleep_for(500ms);
    const float before = rec.now(0);
    onDisplay(display, "xdotool key 1");
    expect(waitUntil([&] { return std::fabs(rec.now(0) - 0.125f) < 1e-3f; }) && before > 0.2f,
           "key 1 mutes stem 1 (" + std::to_string(before) + " -> " + std::to_string(rec.now(0)) + ")");
    onDisplay(display, "xdotool mousemove " + std::to_string(muteX) + " " + std::to_string(muteY));
    std::this_thread::sleep_for(300ms);
    onDisplay(display, "xdotool click 1");
    expect(waitUntil([&] { return std::fabs(rec.now(0)) < 1e-4f; }),
           "a click on stem 2's MUTE button mutes it (silence: both muted)");
    const fs::path shot =
        std::getenv("STEMDECK_SCREENSHOT") ? fs::path(std::getenv("STEMDECK_SCREENSHOT")) : dir / "stage.png";
    onDisplay(display, "xdotool mousemove 700 150");
    std::this_thread::sleep_for(300ms);
    onDisplay(display, "xdotool key 1"); // stem 1 back: the screenshot shows one stem muted
    std::this_thread::sleep_for(500ms);
    onDisplay(display, "import -window root '" + shot.string() + "'");
    const int colours = [&] {
        FILE* p = popen(("convert '" + shot.string() + "' -format %k info: 2>/dev/null").c_str(), "r");
        int n = 0;
        if (p != nullptr) {
            if (std::fscanf(p, "%d", &n) != 1) n = 0;
            pclose(p);
        }
        return n;
    }();
    expect(colours > 200, "the screenshot is the stage view, not a blank screen (" + std::to_string(colours) +
                              " colours in " + shot.string() + ")");
    expect(readFile(dir / "gui.log").find("MIDI: no port matching 'nothing-like-this'") != std::string::npos,
           "the settings file's MIDI mapping is in use");
    // The rehearsal buttons: A of the A-B loop, and TEMPO - (a step to 95%).
    for (const auto& [button, said] : std::vector<std::pair<std::string, std::string>>{
             {"loop_a", "A-B loop: A at bar "}, {"tempo_down", "song 1: 95% tempo (114 BPM)"}}) {
        int bx = 0, by = 0;
        buttonAt(readFile(dir / "gui.log"), button, bx, by);
        onDisplay(display, "xdotool mousemove " + std::to_string(bx) + " " + std::to_string(by));
        std::this_thread::sleep_for(200ms);
        onDisplay(display, "xdotool click 1");
        expect(bx > 0 && waitUntil([&] { return readFile(dir / "gui.log").find(said) != std::string::npos; }),
               "a click on the " + button + " button (at " + std::to_string(bx) + "," + std::to_string(by) + "): '" +
                   said + "'");
    }
    onDisplay(display, "xdotool mousemove 700 150 click 1"); // the keys back to the stage
    // The settings dialog: ',' opens it, Save writes the file (atomically) with what is running.
    onDisplay(display, "xdotool key comma");
    int saveX = 0, saveY = 0;
    for (int i = 0; i < 100 && !buttonAt(readFile(dir / "gui.log"), "settings save", saveX, saveY); ++i)
        std::this_thread::sleep_for(50ms);
    if (std::getenv("STEMDECK_SETTINGS_SCREENSHOT") != nullptr)
        onDisplay(display, std::string("import -window root '") + std::getenv("STEMDECK_SETTINGS_SCREENSHOT") + "'");
    onDisplay(display, "xdotool mousemove " + std::to_string(saveX) + " " + std::to_string(saveY));
    std::this_thread::sleep_for(200ms);
    onDisplay(display, "xdotool click 1");
    waitUntil([&] { return readFile(dir / "gui.log").find("settings saved to") != std::string::npos; });
    const std::string saved = readFile(dir / "config" / "stemdeck" / "gui.yaml");
    expect(saveX > 0 && saved.find("driver: jack") != std::string::npos &&
               saved.find("rate: 48000") != std::string::npos && saved.find("pads.yaml") != std::string::npos,
           "',' opens the settings; Save writes them to $XDG_CONFIG_HOME/stemdeck/gui.yaml:\n" + saved);
    onDisplay(display, "xdotool key Escape"); // closes the dialog
    std::this_thread::sleep_for(300ms);
    onDisplay(display, "xdotool mousemove 1100 140 click 1"); // the stage window, right of where the dialog was
    std::this_thread::sleep_for(300ms);
    onDisplay(display, "xdotool key q");
    const int status = waitExit(app, 8s);
    log = readFile(dir / "gui.log");
    std::printf("gui log:\n%s\n", log.c_str());
    expect(status == 0 && log.find("underruns 0") != std::string::npos, "q quits the GUI cleanly, 0 underruns");
    rec.close();

    // A scripted session through the GUI records exactly what `stemdeck render` writes for it.
    std::ofstream(dir / "events.yaml") << "events:\n"
                                          "  - { time: 1.0, action: mute, stem: Two }\n"
                                          "  - { time: 1.5, action: unmute, stem: Two }\n"
                                          "  - { time: 2.0, action: gain, stem: Ramp, value: -6dB }\n"
                                          "  - { time: 2.5, action: filter, stem: Two, value: 0.5 }\n";
    const int rendered = std::system((stemdeck + " render '" + (dir / "song").string() + "' --events '" +
                                      (dir / "events.yaml").string() + "' --float -o '" + (dir / "ref.wav").string() +
                                      "' >/dev/null 2>&1")
                                         .c_str());
    TimedRecorder take;
    if (!expect(rendered == 0 && take.open(1, static_cast<std::size_t>(40 * kRate), &TimedRecorder::processTimed),
                "render wrote the reference; the recorder connects"))
        return 1;
    std::vector<std::string> traced = env; // each face writes the mix it shows at every change
    traced.push_back("STEMDECK_STATE_TRACE=1");
    const pid_t scripted = spawn({gui, (dir / "song").string(), "--driver", "jack", "--events",
                                  (dir / "events.yaml").string(), "--at-end", "stop"},
                                 (dir / "gui2.log").string(), traced);
    expect(take.connect({1}, 10000ms), "the scripted GUI session is recorded");
    std::this_thread::sleep_for(4000ms);
    // Told to quit with the settings dialog open: it closes cleanly (this crashed in JUCE's shutdown).
    onDisplay(display, "xdotool mousemove 700 150 click 1");
    std::this_thread::sleep_for(200ms);
    onDisplay(display, "xdotool key comma");
    const bool dialogOpen = [&] {
        for (int i = 0; i < 60; ++i, std::this_thread::sleep_for(50ms))
            if (readFile(dir / "gui2.log").find("layout: settings save") != std::string::npos) return true;
        return false;
    }();
    kill(scripted, SIGTERM);
    const int quitStatus = waitExit(scripted, 8s);
    expect(dialogOpen && quitStatus == 0,
           "SIGTERM with the settings dialog open ends the GUI cleanly (status " + std::to_string(quitStatus) + ")");
    // Align by the ramp: the recorded frame whose value is the render's frame k.
    test::StemAudio ref; // the render, read back as a stem (32-bit float: exact)
    try {
        formats::StemReader reader(dir / "ref.wav", 0);
        ref.left.resize(static_cast<std::size_t>(reader.lengthFrames()));
        ref.right.resize(ref.left.size());
        if (reader.start(0))
            ref.left.resize(static_cast<std::size_t>(
                reader.read(ref.left.data(), ref.right.data(), static_cast<int>(ref.left.size()))));
    } catch (const Error&) {
        ref.left.clear(); // no reference: the comparison below fails
    }
    const std::size_t n = take.frames.load();
    std::size_t first = 0;
    while (first < n && take.data[0][first] == 0.0f)
        ++first;
    first += static_cast<std::size_t>(kRate) / 4; // past play's 10 ms fade-in (render starts without one)
    // That recorded sample is render frame k: the ramp makes every frame's value unique.
    std::int64_t offset = std::numeric_limits<std::int64_t>::min();
    for (std::size_t k = 0;
         first + 1 < n && k + 1 < std::min<std::size_t>(ref.left.size(), static_cast<std::size_t>(kRate)) &&
         offset == std::numeric_limits<std::int64_t>::min();
         ++k)
        if (std::fabs(ref.left[k] - take.data[0][first]) < 1e-7f &&
            std::fabs(ref.left[k + 1] - take.data[0][first + 1]) < 1e-7f)
            offset = static_cast<std::int64_t>(k) - static_cast<std::int64_t>(first);
    // Compared cycle by cycle: a cycle the loaded server skipped is stepped over (JackHarness.h).
    const auto period = static_cast<std::size_t>(jack_get_buffer_size(take.client));
    CycleComparison c;
    if (offset != std::numeric_limits<std::int64_t>::min())
        c = compareByCycle(take.data[0], n, ref.left, offset, period, first, 3 * kRate);
    if (c.firstDifference >= 0)
        std::printf("first difference at render frame %lld\n", static_cast<long long>(c.firstDifference));
    // Skipped cycles are never compared; over 2 s of the 2.75 s window must have been.
    expect(c.compared > static_cast<std::size_t>(2 * kRate) && c.differ == 0,
           "the GUI's scripted session matches `stemdeck render` of it sample for sample (" +
               std::to_string(c.compared) +
               " frames through the mute, unmute, gain and filter moves; worst difference " + std::to_string(c.worst) +
               "; " + std::to_string(c.skipped) + " cycles skipped by the loaded server, " + std::to_string(c.slips) +
               " slips of whole periods)");

    // The same script through `play`: both faces read the one published show state, so they show
    // the same mixes in the same order (the initial one, then each of the four moves).
    take.close();
    const pid_t played = spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--events",
                                (dir / "events.yaml").string(), "--at-end", "stop", "--no-keys"},
                               (dir / "play3.log").string(), {"STEMDECK_STATE_TRACE=1", "ASAN_OPTIONS=detect_leaks=0"});
    std::this_thread::sleep_for(4500ms);
    kill(played, SIGTERM);
    const int playStatus = waitExit(played, 8s);
    auto mixes = [](const std::string& text) {
        std::vector<std::string> seen;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
            if (const auto k = line.find(": state: "); k != std::string::npos) seen.push_back(line.substr(k + 9));
        return seen;
    };
    const std::vector<std::string> guiMixes = mixes(readFile(dir / "gui2.log"));
    const std::vector<std::string> playMixes = mixes(readFile(dir / "play3.log"));
    std::string both;
    for (const std::string& m : playMixes)
        both += "  play: " + m + "\n";
    for (const std::string& m : guiMixes)
        both += "  gui:  " + m + "\n";
    std::printf("mixes shown:\n%s", both.c_str());
    expect(playStatus == 0 && playMixes.size() == 5 && guiMixes == playMixes,
           "play and the GUI show the same five mixes for the same script, in the same order");
    return 0;
}

// Eight stereo stems at 120 BPM: stem 1 a 440 Hz sine on the left only, stems 2-8 other tones on
// the right. With `noise`, stem 2 is white noise on the left instead, beside stem 1's tone (as
// music has: a crossfade between stretcher runs then never cancels to silence).
void writeEightTones(const fs::path& folder, std::int64_t len, bool noise) {
    std::vector<test::StemAudio> stems;
    std::vector<std::string> names;
    std::uint32_t seed = 12345;
    for (int i = 0; i < 8; ++i) {
        const auto tone = test::sineStem(len, i == 0 ? 440.0 : 90.0 * (i + 1), kRate, 0.25f, false);
        const bool noisy = noise && i == 1;
        test::StemAudio st;
        st.left = i == 0 ? tone.left : std::vector<float>(tone.left.size(), 0.0f);
        st.right = i == 0 || noisy ? std::vector<float>(tone.left.size(), 0.0f) : tone.left;
        if (noisy)
            for (float& x : st.left) {
                seed = seed * 1664525u + 1013904223u;
                x = 0.17f * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f);
            }
        stems.push_back(std::move(st));
        names.push_back("Stem" + std::to_string(i + 1));
    }
    test::writeStemFolder(folder, kRate, stems, names, "BPM: 120\n");
}

// Tempo and key live: eight stereo stems at 80% and -2 semitones through the stretch thread, played
// on a JACK server and recorded. Stem 1 is a 440 Hz sine on the left only; stems 2-8 are other
// tones on the right, so the stretch thread carries a full song's load.
int stretch(const std::string& stemdeck, test::TempDir& dir) {
    writeEightTones(dir / "song", 12 * kRate, false);

    JackServer jack{"stemdeck-e2e-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    // Recorded by JACK frame time: a cycle of the recorder's that a loaded server skips leaves a
    // hole where it was instead of pulling the rest earlier (it cost 1.7 s of a 15 s song under
    // two CPU hogs); a cycle of stemdeck's it skips delays the rest by a period, an xrun it reports.
    TimedRecorder rec;
    if (!expect(rec.open(2, static_cast<std::size_t>(40 * kRate), &TimedRecorder::processTimed),
                "the recorder connects to the server"))
        return 1;
    const pid_t play =
        spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--tempo", "80%", "--transpose", "-2"},
              (dir / "play.log").string());
    expect(rec.connect({1, 2}), "stemdeck's output ports appear and are recorded");
    std::string threads; // (the song loads, and its stretch thread starts, once the device is open)
    for (auto until = std::chrono::steady_clock::now() + 10s;
         threads.find("stemdeck-tempo") == std::string::npos && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(50ms);
        threads.clear();
        std::error_code ec;
        for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(play) + "/task", ec))
            threads += readFile(task.path() / "comm");
    }
    expect(threads.find("stemdeck-tempo") != std::string::npos,
           "the stretched song has its own thread, stemdeck-tempo (threads: " + threads + ")");
    const int status = waitExit(play, 30s);
    std::this_thread::sleep_for(200ms);
    rec.close();
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "stemdeck play ends by itself with status 0 when the song has played");
    expect(log.find("underruns 0") != std::string::npos, "play reports 0 underruns at 80% and -2 semitones");
    expect(log.find("(8 stems, 96 BPM at 80% tempo, -2 st, 4/4, 0:15.0)") != std::string::npos,
           "play announces the song at 96 BPM, 80% tempo, -2 st, lasting 15 s");

    const std::size_t n = rec.frames.load();
    const std::vector<float>& left = rec.data[0];
    std::size_t first = 0, last = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(left[i]) > 0.05f) {
            if (first == 0) first = i;
            last = i;
        }
    // Each xrun the server reported may have skipped a cycle of stemdeck's (the song then ends a
    // period later in JACK time) or the recorder's (a silent period in the recording).
    const int xruns = rec.xruns.load();
    const double period = 256.0 / kRate;
    const double seconds = static_cast<double>(last - first) / kRate;
    expect(seconds > 15.0 - 0.05 && seconds < 15.0 + 0.05 + xruns * period,
           "the 12 s song lasts 15 s at 80% (" + std::to_string(seconds) + " s in JACK time" +
               (xruns > 0 ? ", up to " + std::to_string(xruns) + " periods more for the server's xruns" : "") + ")");
    // Every block the device asked for was there: no dropout in the recording's sound but the
    // periods the server skipped.
    std::vector<bool> silent; // per 64-frame window from `first`
    std::size_t gaps = 0;
    for (std::size_t i = first; i + 64 < last; i += 64) {
        silent.push_back(peakNear(left, i, 64) < 0.05f);
        gaps += silent.back() ? 1 : 0;
    }
    const auto allowed = static_cast<std::size_t>(xruns) * (256 / 64 + 1);
    expect(gaps <= allowed, "no silent gap inside the song (" + std::to_string(gaps) + " 64-frame windows silent" +
                                (xruns > 0 ? ", " + std::to_string(allowed) + " allowed for the server's xruns" : "") +
                                ")");
    // The pitch in the middle: zero crossings over the first whole second from 4 s in with no hole
    // (440 Hz two semitones down is 392.0 Hz).
    std::size_t from = first + 4 * kRate;
    for (std::size_t w = 4 * kRate / 64; w + kRate / 64 < silent.size(); ++w)
        if (std::none_of(silent.begin() + static_cast<std::ptrdiff_t>(w),
                         silent.begin() + static_cast<std::ptrdiff_t>(w + kRate / 64 + 1), [](bool b) { return b; })) {
            from = first + w * 64;
            break;
        }
    int crossings = 0;
    for (std::size_t i = from + 1; i < std::min<std::size_t>(from + kRate, n); ++i)
        crossings += (left[i - 1] < 0.0f) != (left[i] < 0.0f) ? 1 : 0;
    const double hz = crossings / 2.0;
    expect(std::fabs(hz - 392.0) < 1.5, "440 Hz plays at 392 Hz, -2 semitones (" + std::to_string(hz) + " Hz)");
    return 0;
}

// Tempo and key changed while playing, from the keys: eight stereo stems start as recorded (no
// stretch thread yet); six presses of - glide to 70% a step a beat, two of < take the key down two
// semitones. Stem 1 is 440 Hz on the left with stem 2's noise, the others tones on the right. (Over
// a pure tone alone the crossfade between two stretcher runs can dip deeply for a few ms where
// their phases oppose; real material, like this, is never silent there.)
int tempoLive(const std::string& stemdeck, test::TempDir& dir) {
    writeEightTones(dir / "song", 30 * kRate, true);

    JackServer jack{"stemdeck-e2e-tempo-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    Recorder rec;
    if (!expect(rec.open(2, static_cast<std::size_t>(40 * kRate)), "the recorder connects to the server")) return 1;
    PtyProcess p;
    p.start({stemdeck, "play", (dir / "song").string(), "--driver", "jack"});
    expect(rec.connect({1, 2}), "stemdeck's output ports appear and are recorded");
    expect(p.waitFor("(8 stems, 120 BPM, 4/4, 0:30.0)", 10s), "the song loads as recorded: 120 BPM");
    p.pump(2s);
    const std::size_t pressedAt = rec.frames.load();
    p.type("------");
    expect(p.waitFor("song 1: 70% tempo (84 BPM), from the next beat", 3s), "six presses of - ask for 70%");
    expect(p.waitFor("song 1 now at 95% tempo (114 BPM), from bar", 10s), "the first step lands on a beat line");
    expect(p.waitFor("song 1 now at 70% tempo (84 BPM), from bar", 20s), "the glide arrives at 70% (84 BPM)");
    p.type("<<");
    expect(p.waitFor("song 1 now at 70% tempo, -2 st (84 BPM), from bar", 20s),
           "two presses of < take it down 2 st (a load of eight stretched stems: seconds under load, as the glide)");
    expect(p.waitFor("84.0 BPM at 70% tempo, -2 st", 5s), "the status line shows the tempo and the key");
    p.pump(3s);
    const std::size_t endAt = rec.frames.load();
    p.type("q");
    const int status = p.waitExit(10s);
    rec.close();
    expect(status == 0, "q quits with status 0 (" + std::to_string(status) + ")");
    expect(p.screen.find("underruns 0") != std::string::npos, "play reports 0 underruns through the glide");
    const std::vector<float>& left = rec.data[0];
    std::size_t first = 0;
    while (first < endAt && std::fabs(left[first]) < 0.05f)
        ++first;
    // No dropout: from the song's start to the quit, every 64-frame window holds the tones.
    std::size_t gaps = 0;
    std::string where;
    for (std::size_t i = first; i + 64 < endAt - kRate / 10; i += 64)
        if (peakNear(left, i, 64) < 0.05f) {
            ++gaps;
            if (where.size() < 200) where += " " + std::to_string(static_cast<double>(i - first) / kRate) + " s";
        }
    expect(first > 0 && pressedAt > first + kRate,
           "the song played as recorded before the keys (" + std::to_string(first) + ")");
    expect(gaps == 0, "no silent gap through the glide and the key change (" + std::to_string(gaps) +
                          " 64-frame windows silent:" + where + ")");
    // The last two seconds: 440 Hz two semitones down, 392.0 Hz (the strongest tone near it).
    const std::size_t to = endAt - kRate / 2, from = to - 2 * kRate;
    const double hz = test::toneFrequency(left, from, to, kRate, 400.0, 30.0);
    expect(std::fabs(hz - 392.0) < 1.5, "440 Hz plays at 392 Hz at the end (" + std::to_string(hz) + " Hz)");
    if (failures != 0) std::printf("terminal:\n%s\n", p.screen.c_str());
    return 0;
}

// The A-B practice loop from the keys: a pressed in bar 2, b in bar 4, so bars 2-4 loop; then i
// for a count-in before each pass, then v to let it go. One mono stem whose every frame tells
// where it was read, at 240 BPM (a bar is a second); the click on outputs 3-4, its mode off.
int practiceLoop(const std::string& stemdeck, test::TempDir& dir) {
    const auto rampAt = [](std::int64_t frame) { return test::rampAt(frame, 0.1f); };
    const std::int64_t len = 30 * kRate, bar = kRate;
    test::writeStemFolder(dir / "song", kRate, {test::rampStem(len, 0.1f)}, {"Ramp"}, "BPM: 240\n");

    JackServer jack{"stemdeck-e2e-loop-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    Recorder rec;
    if (!expect(rec.open(2, static_cast<std::size_t>(40 * kRate)), "the recorder connects to the server")) return 1;
    PtyProcess p;
    p.start({stemdeck, "play", (dir / "song").string(), "--driver", "jack", "--click", "3", "--click-mode", "off"});
    expect(rec.connect({1, 3}), "stemdeck's main and click outputs are recorded");
    expect(p.waitFor("240 BPM, 4/4, 0:30.0)", 10s), "the song loads: 240 BPM");
    expect(p.waitFor("bar 2.2", 10s), "the song plays into bar 2");
    p.type("a");
    expect(p.waitFor("A-B loop: A at bar 2 (0:01.0)", 3s), "a puts A on bar 2's first beat");
    expect(p.waitFor("bar 4.2", 10s), "the song plays on into bar 4");
    p.type("b");
    expect(p.waitFor("A-B loop: bars 2-4; v lets it go", 5s), "b, pressed in bar 4, loops bars 2-4");
    expect(p.waitFor("LOOP A-B bars 2-4", 3s), "the status line shows the loop");
    p.pump(7s); // two passes
    p.type("i");
    expect(p.waitFor("A-B loop: a 1-bar count-in before each pass", 3s), "i turns the count-in on");
    p.pump(5s); // a count-in and a pass
    p.type("v");
    expect(p.waitFor("A-B loop released", 3s), "v lets the loop go");
    p.pump(5s);
    const std::size_t endAt = rec.frames.load();
    p.type("q");
    const int status = p.waitExit(10s);
    rec.close();
    expect(status == 0, "q quits with status 0 (" + std::to_string(status) + ")");
    expect(p.screen.find("underruns 0") != std::string::npos, "play reports 0 underruns");

    // Every time bar 2 (A) comes round: the recording frame where the ramp's frame A + 1000 plays.
    const std::vector<float>& main = rec.data[0];
    const std::vector<float>& click = rec.data[1];
    const float mark = rampAt(bar + 1000);
    std::vector<std::size_t> passes;
    for (std::size_t k = 0; k < endAt; ++k)
        if (std::fabs(main[k] - mark) < 0.5e-7f &&
            (passes.empty() || k > passes.back() + static_cast<std::size_t>(bar)))
            passes.push_back(k - 1000);
    std::string gaps;
    for (std::size_t k = 1; k < passes.size(); ++k) {
        gaps += ' '; // (piece by piece: GCC 12 at -O3 sees a false -Wrestrict in " " + to_string(…))
        gaps += std::to_string(passes[k] - passes[k - 1]);
    }
    // Bar 2 the first time, then after each pass: 3 bars (144 000 frames) without the count-in, 4
    // with it (a period either way where the loaded server skipped a cycle).
    std::size_t plain = 0, counted = 0;
    for (std::size_t k = 1; k < passes.size(); ++k) {
        const auto d = static_cast<std::int64_t>(passes[k] - passes[k - 1]);
        plain += std::llabs(d - 3 * bar) <= 512 ? 1 : 0;
        counted += std::llabs(d - 4 * bar) <= 512 ? 1 : 0;
    }
    expect(passes.size() >= 5 && plain >= 2 && counted >= 1 && plain + counted == passes.size() - 1,
           "bar 2 comes round after each pass: 3 bars apart, 4 with the count-in (frames:" + gaps + ")");
    // Each pass plays the song's frames from A on: a pass's middle, frame for frame.
    std::size_t wrong = 0;
    for (std::size_t k = 1; k < passes.size(); ++k)
        for (std::int64_t f = 2000; f < 2 * bar; f += 997)
            wrong += std::fabs(main[passes[k] + static_cast<std::size_t>(f)] - rampAt(bar + f)) < 0.5e-7f ? 0 : 1;
    expect(wrong == 0, "every pass plays bars 2-4 as the file has them (" + std::to_string(wrong) + " frames wrong)");
    // The count-in: a bar before that pass with the stems silent and the click on its four beats
    // (the click's mode is off: it clicks for the count-in only).
    std::size_t countedAt = 0;
    for (std::size_t k = 1; k < passes.size(); ++k)
        if (std::llabs(static_cast<std::int64_t>(passes[k] - passes[k - 1]) - 4 * bar) <= 512) countedAt = passes[k];
    if (countedAt > static_cast<std::size_t>(bar)) {
        const std::size_t from = countedAt - static_cast<std::size_t>(bar);
        int beats = 0;
        for (int beat = 0; beat < 4; ++beat)
            beats += peakNear(click, from + static_cast<std::size_t>(beat * bar / 4), 2400) > 0.1f ? 1 : 0;
        expect(peakNear(main, from + 600, static_cast<std::size_t>(bar) - 1200) == 0.0f && beats == 4,
               "before it a bar of silence with the click on its 4 beats (" + std::to_string(beats) + ")");
        expect(peakNear(click, passes[1] - 2000, 4000) == 0.0f, "no click between passes without the count-in");
    }
    // Let go: the song runs on past bar 4.
    const float last = main[endAt - static_cast<std::size_t>(kRate) / 2];
    expect(last > rampAt(5 * bar), "after v the song plays on past the loop (" + std::to_string(last) + ")");
    if (failures != 0) std::printf("terminal:\n%s\n", p.screen.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STEMDECK routing|keys|device-loss\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1], scenario = argv[2];
    test::TempDir dir;
    int rc = 2;
    if (scenario == "routing") rc = routing(stemdeck, dir);
    if (scenario == "keys") rc = keys(stemdeck, dir, argc > 3 ? argv[3] : "controllers");
    if (scenario == "device-loss") rc = deviceLoss(stemdeck, dir);
    if (scenario == "midi-learn") rc = midiLearn(stemdeck, dir);
    if (scenario == "gui") rc = gui(stemdeck, dir, argc > 3 ? argv[3] : "stemdeck");
    if (scenario == "midi") rc = midiControl(stemdeck, dir, argc > 3 ? argv[3] : "controllers");
    if (scenario == "stretch") rc = stretch(stemdeck, dir);
    if (scenario == "tempo-live") rc = tempoLive(stemdeck, dir);
    if (scenario == "practice-loop") rc = practiceLoop(stemdeck, dir);
    std::printf("%d passed, %d failed\n", passes, failures);
    return rc != 0 || failures != 0 ? 1 : 0;
}
