// End to end over the web remote, in a real browser: `stemdeck play --web` on a JACK server with
// the dummy driver, Debian's chromium driven by puppeteer-core (tests/web/browser.mjs) on a phone-
// sized control view and band view. The main output is recorded with our own JACK client; the
// stems are constant levels, so the recording shows the drums muted from the phone and the song
// the band view follows. The server is then stopped and started again on the same port: the page
// says it is disconnected and comes back by itself.
//
//   stemdeck_e2e_web STEMDECK BROWSER_SCRIPT [SCREENSHOT_DIR]
#include <fcntl.h>
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
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

bool near(float a, float b) {
    return std::fabs(a - b) < 1e-3f;
}

/// node BROWSER_SCRIPT …, its stdout (STEP lines) into `out`, its stdin a pipe of ours.
struct Browser {
    pid_t pid = -1;
    int in = -1;
    fs::path out;
    Browser(const std::vector<std::string>& argv, const fs::path& stdoutFile, const fs::path& stderrFile)
        : out(stdoutFile) {
        int p[2];
        if (pipe(p) != 0) return;
        pid = fork();
        if (pid == 0) {
            dup2(p[0], 0);
            close(p[1]);
            if (std::FILE* f = std::fopen(stdoutFile.c_str(), "w")) dup2(fileno(f), 1);
            if (std::FILE* f = std::fopen(stderrFile.c_str(), "w")) dup2(fileno(f), 2);
            execArgv(argv);
        }
        close(p[0]);
        in = p[1];
    }
    ~Browser() {
        if (in >= 0) close(in);
        if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
    }
    void say(const std::string& line) const {
        const std::string l = line + "\n";
        if (write(in, l.data(), l.size()) < 0) std::perror("write to the browser script");
    }
    [[nodiscard]] bool failed() const { return readFile(out).find("FAIL") != std::string::npos; }
    /// Waits for `STEP name` (false at once on a FAIL line).
    bool step(const std::string& name, std::chrono::milliseconds timeout = 60000ms) const {
        bool ok = false;
        waitUntil(
            [&] {
                const std::string text = readFile(out);
                ok = text.find("STEP " + name + "\n") != std::string::npos;
                return ok || text.find("FAIL") != std::string::npos;
            },
            timeout);
        return ok;
    }
};

int run(const std::string& stemdeck, const std::string& script, const std::string& screens, TempDir& dir) {
    // 60 BPM: a bar is 4 s, so the play head is still before Verse (bar 5, 16 s) when the band
    // view asks for the next marker.
    const std::int64_t len = 90 * kRate;
    writeStemFolder(dir / "one", kRate, {constantStem(len, 0.25f, false), constantStem(len, 0.125f, false)},
                    {"Drums", "Bass"}, "BPM: 60\n");
    // Song one's lyrics (ChordPro, timed by bar): the band view shows the Verse's line in Verse.
    std::ofstream(dir / "one" / "one.cho") << "{start_of_verse}\n{x_bar: 5}\n[Am]Verse words [F]here\n{end_of_verse}\n"
                                              "{soc}\n{x_bar: 9}\nChorus words\n{eoc}\n";
    writeStemFolder(dir / "two", kRate, {constantStem(len, 0.5f, false)}, {"Lead"}, "BPM: 60\n");
    writeStemFolder(dir / "three", kRate, {constantStem(len, 0.0625f, false)}, {"Keys"}, "BPM: 60\n");
    std::ofstream(dir / "set.yaml") << "songs:\n"
                                       "  - folder: one\n    title: one\n    markers: { Verse: 5, Chorus: 9 }\n"
                                       "  - folder: two\n    title: two\n"
                                       "  - folder: three\n    title: three\n";
    JackServer jack{"stemdeck-e2e-web-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1); // the tokens and the journal: the test's own
    if (!expect(jack.start(kPeriod), "a JACK server (dummy driver) is up")) return 1;
    TimedRecorder rec;
    if (!expect(rec.open(1, static_cast<std::size_t>(200 * kRate), &TimedRecorder::processTimed),
                "the recorder is on the server"))
        return 1;
    auto startPlay = [&](const std::string& at, const fs::path& log) {
        return spawn(
            {stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--web", at, "--at-end", "stop"},
            log.string());
    };
    pid_t play = startPlay("127.0.0.1:0", dir / "play.log");
    struct Reap { // whatever ends this test early: no player left running
        pid_t* p;
        ~Reap() {
            if (*p > 0 && waitpid(*p, nullptr, WNOHANG) == 0) kill(*p, SIGKILL), waitpid(*p, nullptr, 0);
        }
    } reap{&play};
    expect(rec.connect({1}), "stemdeck's main output is recorded");
    const int port = portFromLog(dir / "play.log", "web remote: http://127.0.0.1:");
    if (!expect(port > 0, "play says where the web remote is (" + std::to_string(port) + ")")) return 1;
    expect(waitUntil([&] { return near(rec.now(0), 0.375f); }, 10000ms), "the song plays: Drums 0.25 + Bass 0.125");

    // The control token, as a phone's QR code carries it (from this machine no token is needed;
    // the page is given it all the same, as a phone would be).
    std::string token;
    {
        std::ifstream t(dir / "state" / "stemdeck" / "web-tokens");
        std::string key, value;
        while (t >> key >> value)
            if (key == "control") token = value;
    }
    expect(token.size() == 22, "the control token was made and kept in the state folder");
    std::vector<std::string> argv = {"node",    script, "--base", "http://127.0.0.1:" + std::to_string(port),
                                     "--token", token};
    if (!screens.empty()) argv.insert(argv.end(), {"--screens", screens});
    Browser browser(argv, dir / "browser.out", dir / "browser.err");
    if (!expect(browser.step("control-open"), "chromium opened the control view on a phone")) {
        std::fprintf(stderr, "%s\n%s\n", readFile(dir / "browser.out").c_str(), readFile(dir / "browser.err").c_str());
        return 1;
    }
    expect(browser.step("drums-muted"), "the control view's MUTE on Drums was tapped and shows muted");
    expect(waitUntil([&] { return near(rec.now(0), 0.125f); }, 5000ms),
           "the recording hears the drums muted from the phone (level " + std::to_string(rec.now(0)) + ")");
    browser.say("GO unmute");
    expect(browser.step("drums-unmuted"), "tapped again: unmuted");
    expect(waitUntil([&] { return near(rec.now(0), 0.375f); }, 5000ms), "the recording hears them back");
    expect(browser.step("band-marker"), "the band view followed the next marker (Verse, then Chorus next)");
    expect(browser.step("band-lyrics"),
           "the band view shows the Verse's lyric line, its chords Am and F above their words, Chorus's next");
    if (!screens.empty()) expect(browser.step("screenshots"), "screenshots of the phone and tablet layouts");
    // Tonight's order from the control view: song three up to place 2 (cued next), then cut.
    expect(browser.step("order-moved"), "EDIT ORDER, UP on song three: the list shows 1 3 2 and three cued next");
    expect(browser.step("order-skipped"), "SKIP on song three: shown cut, song two cued next");
    {
        const std::string saved = readFile(dir / "set.order.yaml");
        const auto two = saved.find("{ song: \"two\" }"), three = saved.find("{ song: \"three\", skipped: true }");
        expect(two != std::string::npos && three != std::string::npos && three < two,
               "tonight's order, saved beside the set: three (cut) before two:\n" + saved);
    }
    expect(browser.step("band-song"), "a tap on next song did nothing, a hold went on to song two");
    expect(waitUntil([&] { return near(rec.now(0), 0.5f); }, 10000ms),
           "the recording plays song two: Lead 0.5 (level " + std::to_string(rec.now(0)) + ")");

    // The server goes, and comes back on the same port.
    expect(browser.step("ready-restart"), "the browser waits for the server to go");
    kill(play, SIGTERM);
    expect(waitExit(play, 10000ms) == 0, "play ended on SIGTERM");
    play = -1;
    expect(browser.step("saw-disconnected", 20000ms), "the band view says it is disconnected");
    std::remove((dir / "state" / "stemdeck" / "journal.json").c_str()); // a fresh start on song one, not a resume
    play = startPlay("127.0.0.1:" + std::to_string(port), dir / "play2.log");
    expect(browser.step("reconnected", 45000ms), "the band view reconnected by itself to the new server");
    expect(waitExit(browser.pid, 20000ms) == 0, "the browser script finished cleanly");
    browser.pid = -1;
    if (failures > 0)
        std::fprintf(stderr, "--- browser.out\n%s--- browser.err\n%s--- play.log\n%s--- play2.log\n%s",
                     readFile(dir / "browser.out").c_str(), readFile(dir / "browser.err").c_str(),
                     readFile(dir / "play.log").c_str(), readFile(dir / "play2.log").c_str());
    kill(play, SIGTERM);
    waitExit(play, 10000ms);
    play = -1;
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STEMDECK BROWSER_SCRIPT [SCREENSHOT_DIR]\n", argv[0]);
        return 2;
    }
    TempDir dir;
    const int rc = run(argv[1], argv[2], argc > 3 ? argv[3] : "", dir);
    std::printf("%d passed, %d failed\n", passes, failures);
    return rc != 0 || failures != 0 ? 1 : 0;
}
