// End to end over OSC: `stemdeck play` on a JACK server with the dummy driver, driven by liblo's
// own command-line tools (oscsend, and oscdump as a subscriber): independent clients. The main
// output is recorded with our own JACK client; the stems are constant levels, so the recorded
// level shows every mute, gain and song change, and the frame it changed on.
//
//   stemdeck_e2e_osc STEMDECK
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;
constexpr int kPeriod = 256;

/// Runs oscsend (liblo-tools) and waits for it: 0 when it sent.
int oscsend(int port, const std::vector<std::string>& message) {
    std::vector<std::string> argv = {"oscsend", "127.0.0.1", std::to_string(port)};
    argv.insert(argv.end(), message.begin(), message.end());
    const pid_t pid = spawn(argv, "/dev/null");
    return waitExit(pid, 5000ms);
}

bool near(float a, float b) {
    return std::fabs(a - b) < 1e-3f;
}

int run(const std::string& stemdeck, TempDir& dir) {
    const std::int64_t len = 60 * kRate;
    writeStemFolder(dir / "one", kRate, {constantStem(len, 0.25f, false), constantStem(len, 0.125f, false)},
                    {"Drums", "Bass"}, "BPM: 120\n");
    writeStemFolder(dir / "two", kRate, {constantStem(len, 0.5f, false)}, {"Lead"}, "BPM: 120\n");
    JackServer jack{"stemdeck-e2e-osc-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(kPeriod), "a JACK server (dummy driver) is up")) return 1;
    TimedRecorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(120 * kRate), &TimedRecorder::processTimed),
                "the recorder is on the server"))
        return 1;
    // (below the ephemeral ports, 32768 and up, which the system hands out to senders)
    const int dumpPort = 20000 + static_cast<int>(getpid() % 12000);
    const pid_t dump = spawn({"oscdump", "-L", std::to_string(dumpPort)}, (dir / "oscdump.log").string());
    const pid_t play = spawn({stemdeck, "play", (dir / "one").string(), (dir / "two").string(), "--driver", "jack",
                              "--osc", "127.0.0.1:0", "--at-end", "stop"},
                             (dir / "play.log").string());
    struct Reap { // whatever ends this test early: no player or oscdump left running
        pid_t a, b;
        ~Reap() {
            for (const pid_t p : {a, b})
                if (p > 0 && waitpid(p, nullptr, WNOHANG) == 0) kill(p, SIGKILL), waitpid(p, nullptr, 0);
        }
    } reap{play, dump};
    expect(rec.connect({1}), "stemdeck's main output is recorded");
    // The port it got (port 0: any free one) is in its log.
    const int port = oscPortFromLog(dir / "play.log");
    if (!expect(port > 0, "play says where it takes OSC (" + std::to_string(port) + ")")) return 1;
    expect(waitUntil([&] { return near(rec.now(0), 0.375f); }, 10000ms), "the song plays: Drums 0.25 + Bass 0.125");
    // The song starts on the first frame the recording is not silent: song frame 0.
    const std::int64_t songStart = rec.changedAt(0, 0.0f);

    expect(oscsend(port, {"/stemdeck/subscribe", "i", std::to_string(dumpPort)}) == 0, "oscsend subscribes oscdump");
    auto step = [&](const std::string& what, const std::vector<std::string>& message, float after) {
        expect(oscsend(port, message) == 0 && waitUntil([&] { return near(rec.now(0), after); }, 5000ms),
               what + " (level " + std::to_string(rec.now(0)) + ", expected " + std::to_string(after) + ")");
    };
    step("/stemdeck/mute s bass mutes the Bass stem by name (any case)", {"/stemdeck/mute", "s", "bass"}, 0.25f);
    step("/stemdeck/unmute i 2 unmutes it by number", {"/stemdeck/unmute", "i", "2"}, 0.375f);
    const float drumsAt6 = 0.25f * std::pow(10.0f, -6.0f / 20.0f);
    step("/stemdeck/gain sf Drums -6.0: a gain in dB", {"/stemdeck/gain", "sf", "Drums", "-6.0"}, drumsAt6 + 0.125f);
    step("/stemdeck/stem/1/fader f 0.909090: the fader's taper, 0 dB", {"/stemdeck/stem/1/fader", "f", "0.9090909"},
         0.375f);
    // A scene, stored and recalled on the next bar line.
    expect(oscsend(port, {"/stemdeck/gain", "si", "Drums", "-6"}) == 0 &&
               waitUntil([&] { return near(rec.now(0), drumsAt6 + 0.125f); }),
           "Drums at -6 dB again");
    expect(oscsend(port, {"/stemdeck/store_scene", "i", "1"}) == 0 &&
               waitUntil([&] { return readFile(dir / "play.log").find("scene 1") != std::string::npos; }),
           "/stemdeck/store_scene i 1 stores scene 1");
    step("/stemdeck/mute i 1 mutes Drums", {"/stemdeck/mute", "i", "1"}, 0.125f);
    const int xrunsBefore = rec.xruns.load();
    const std::int64_t sent = static_cast<std::int64_t>(jack_frame_time(rec.client));
    expect(oscsend(port, {"/stemdeck/scene", "is", "1", "quantize=bar"}) == 0 &&
               waitUntil([&] { return near(rec.now(0), drumsAt6 + 0.125f); }, 6000ms),
           "/stemdeck/scene i 1 s quantize=bar recalls scene 1: Drums back at -6 dB");
    std::this_thread::sleep_for(100ms);
    const std::int64_t landed = rec.changedAt(sent, 0.125f);
    const std::int64_t bar = 2 * kRate; // 4 beats at 120 BPM
    const std::int64_t intoBar = songStart < 0 || landed < 0 ? -1 : (landed - songStart) % bar;
    const std::int64_t slack = static_cast<std::int64_t>(2 + rec.xruns.load() - xrunsBefore) * kPeriod;
    expect(intoBar >= 0 && (intoBar <= slack || bar - intoBar <= slack),
           "the quantised scene lands on a bar line of the song: " + std::to_string(intoBar) +
               " frames into the bar (slack " + std::to_string(slack) + ", the server's skipped cycles included)");

    // Refusals: said in the log, answered to the sender, and the audio does not move.
    const float before = rec.now(0);
    oscsend(port, {"/stemdeck/mute", "s", "Nope"});
    oscsend(port, {"/stemdeck/quit"});
    oscsend(port, {"/stemdeck/gain", "sT", "Drums"});
    oscsend(port, {"/stemdeck/mute", "s", std::string(5000, 'x')});
    oscsend(port, {"/stemdeck/subscribe", "is", "9", "10.1.2.3"});
    for (const std::string said : {"no stem 'Nope' in this song", "'quit' is not taken over the network",
                                   "'gain' takes f or i: dB", "longer than 4096 bytes", "names another host"})
        expect(waitUntil([&] { return readFile(dir / "play.log").find(said) != std::string::npos; }),
               "refused and said: " + said);
    int status = 0;
    expect(near(rec.now(0), before) && waitpid(play, &status, WNOHANG) == 0,
           "the audio did not move and play is still running (quit is not on the network)");

    expect(oscsend(port, {"/stemdeck/next_song"}) == 0 && waitUntil([&] { return near(rec.now(0), 0.5f); }, 8000ms),
           "/stemdeck/next_song fades song 1 out and plays song 2 (Lead 0.5)");
    std::this_thread::sleep_for(1500ms); // a heartbeat or two

    kill(play, SIGTERM);
    expect(waitExit(play, 10000ms) == 0, "play ends cleanly on SIGTERM");
    kill(dump, SIGTERM);
    waitExit(dump, 2000ms);
    const std::string got = readFile(dir / "oscdump.log");
    for (const std::string line :
         {"/stemdeck/stem/2/mute i 1", "/stemdeck/stem/2/mute i 0", "/stemdeck/stem/2/name s \"Bass\"",
          "/stemdeck/song sii \"two\" 2 2", "/stemdeck/heartbeat i", "/stemdeck/position iif", "/stemdeck/scene is 1"})
        expect(got.find(line) != std::string::npos, "the subscriber (oscdump) got " + line);
    expect(got.find("/stemdeck/error") == std::string::npos,
           "a refusal is answered to its sender only, not to the subscribers");
    const std::string end = readFile(dir / "play.log");
    expect(end.find("underruns 0") != std::string::npos, "no stem underran meanwhile");
    expect(end.find("OSC: ") != std::string::npos && end.find(" refused") != std::string::npos,
           "play's summary counts the OSC messages");
    if (failures != 0)
        std::printf("play.log:\n%s\noscdump.log (head):\n%s\n", end.c_str(), got.substr(0, 3000).c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    if (std::system("command -v oscsend >/dev/null && command -v oscdump >/dev/null") != 0) {
        std::printf("liblo-tools (oscsend, oscdump) are not installed: scripts/setup-deps.sh installs them\n");
        return 1;
    }
    TempDir dir;
    const int rc = run(argv[1], dir);
    std::printf("%d passed, %d failed\n", passes, failures);
    return rc != 0 || failures != 0 ? 1 : 0;
}
