// The stage GUI at three screen sizes — a 1024x600 stage monitor (kiosk), 1280x800 and 1920x1080 —
// with the example set (three scenes: Breakdown, Build, Full), under Xvfb on a JACK server with the
// dummy driver:
//   - every scene button is as wide as its whole name (at 1024 on a row of its own), the footer
//     has room for its message lines, one under the other; a screenshot of each size
//     (STEMDECK_LAYOUT_SHOTS=DIR keeps them: the manual's pictures);
//   - the mouse drives the show: kiosk starts locked and typing 'unlock' unlocks; a click on scene 1
//     recalls it (Drums and Bass muted), PANIC puts the song's start state back, LOCK locks the
//     show and a click on a scene then does nothing.
//   stemdeck_e2e_gui_layout STEMDECK-GUI STEMDECK SOURCE_DIR
// The demo song is written by `stemdeck demo` into the test's folder: sets/demo is generated, not
// committed, and a fresh clone does not have it.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

void click(const std::string& display, int x, int y) {
    onDisplay(display, "xdotool mousemove " + std::to_string(x) + " " + std::to_string(y));
    std::this_thread::sleep_for(200ms);
    onDisplay(display, "xdotool click 1");
}

/// The last published mix the GUI traced (STEMDECK_STATE_TRACE).
std::string mix(const fs::path& log) {
    return lastLine(readFile(log), "stemdeck-gui: state: ");
}

int atSize(const std::string& gui, const fs::path& set, test::TempDir& dir, const std::string& size, int screen) {
    const std::string display = ":" + std::to_string(300 + screen * 7 + getpid() % 200);
    XServer x(display, dir / ("xvfb-" + size + ".log"), size);
    if (!expect(x.up(), "Xvfb " + display + " is up at " + size)) return 1;
    const fs::path log = dir / ("gui-" + size + ".log");
    fs::create_directories(dir / "config");
    const pid_t app = spawn({gui, set.string(), "--driver", "jack", "--kiosk", "--web", "127.0.0.1:0"}, log.string(),
                            {"DISPLAY=" + display, "STEMDECK_GUI_LAYOUT=1", "STEMDECK_STATE_TRACE=1",
                             "XDG_CONFIG_HOME=" + (dir / "config").string(),
                             "XDG_STATE_HOME=" + (dir / "state").string(), "ASAN_OPTIONS=detect_leaks=0"});
    const bool laidOut = waitUntil([&] { return readFile(log).find("layout: scene 3 ") != std::string::npos; }, 20s);
    std::this_thread::sleep_for(1000ms); // the last layout (names set, strips shown)
    std::string text = readFile(log);
    if (!expect(laidOut && lastLine(text, "layout: window ").find(size) != std::string::npos,
                size + ": the kiosk window covers the screen (" + lastLine(text, "layout: window ") + ")")) {
        // No layout, nothing else to look at: say why and end this size now (not ten timeouts later).
        std::printf("gui log at %s:\n%s\n", size.c_str(), text.c_str());
        kill(app, SIGKILL);
        waitExit(app, 8s);
        return 1;
    }
    const int width = std::atoi(size.c_str());
    for (int k = 1; k <= 3; ++k) {
        const std::string scene = lastLine(text, "layout: scene " + std::to_string(k) + " ");
        expect(scene.ends_with(" whole"),
               size + ": scene button " + std::to_string(k) + " shows its whole name, on one line (" + scene + ")");
    }
    const std::string rows = lastLine(text, "layout: scene rows ");
    expect(rows.starts_with(width < 1280 ? "2," : "1,") && rows.find("footer 2 message lines") != std::string::npos,
           size + ": " + (width < 1280 ? "the scenes get a row of their own" : "the scenes share their row") +
               "; the footer has room for 2 log lines under the health and device lines (" + rows + ")");
    if (const char* shots = std::getenv("STEMDECK_LAYOUT_SHOTS")) {
        fs::create_directories(shots);
        const fs::path shot = fs::path(shots) / ("stage-" + size + ".png");
        onDisplay(display, "import -window root '" + shot.string() + "'");
        expect(fs::exists(shot), size + ": screenshot " + shot.string());
    }
    // The mouse: scene 1 (Breakdown mutes Drums and Bass), PANIC (the start state: only Vox muted),
    // LOCK, then scene 2 refused.
    int sx = 0, sy = 0, px = 0, py = 0, lx = 0, ly = 0, s2x = 0, s2y = 0;
    const bool found = buttonAt(text, "scene 1", sx, sy) && buttonAt(text, "scene 2", s2x, s2y);
    const std::string panicLock = lastLine(text, "layout: panic ");
    const bool found2 = std::sscanf(panicLock.c_str(), "%d,%d lock %d,%d", &px, &py, &lx, &ly) == 4;
    expect(found && found2, size + ": the layout names the scene, PANIC and LOCK buttons");
    // Kiosk starts with the show lock on: typed 'unlock' (a click gives the window the keys).
    const bool lockedAtStart = waitUntil([&] { return mix(log).ends_with("; locked"); });
    click(display, width / 2, 40);
    std::this_thread::sleep_for(300ms);
    onDisplay(display, "xdotool type --delay 80 unlock");
    expect(lockedAtStart && waitUntil([&] { return !mix(log).ends_with("; locked") && !mix(log).empty(); }),
           size + ": kiosk starts locked; typing 'unlock' unlocks (" + mix(log) + ")");
    click(display, sx, sy);
    const bool recalled = waitUntil([&] {
        const std::string m = mix(log);
        return m.find("1 Drums muted") != std::string::npos && m.find("2 Bass muted") != std::string::npos &&
               m.find("scene 1") != std::string::npos;
    });
    expect(recalled, size + ": a click on scene 1 recalls Breakdown (" + mix(log) + ")");
    click(display, px, py);
    expect(waitUntil([&] {
               const std::string m = mix(log);
               return m.find("1 Drums muted") == std::string::npos && m.find("2 Bass muted") == std::string::npos &&
                      m.find("6 Vox muted") != std::string::npos;
           }),
           size + ": a click on PANIC puts the song's start state back (" + mix(log) + ")");
    expect(!mix(log).ends_with("; locked"), size + ": unlocked before LOCK is clicked");
    if (width == 1280) { // the web remote's join codes: JOIN shows them, an independent decoder reads them
        int jx = 0, jy = 0;
        expect(std::sscanf(lastLine(readFile(log), "layout: join ").c_str(), "%d,%d", &jx, &jy) == 2,
               size + ": with --web the layout has a JOIN button");
        click(display, jx, jy);
        expect(waitUntil([&] { return lastLine(readFile(log), "layout: join codes ") == "shown"; }),
               size + ": a click on JOIN shows the join codes");
        std::this_thread::sleep_for(500ms);
        const fs::path shot = dir / "join.png", read = dir / "join.txt";
        onDisplay(display, "import -window root '" + shot.string() + "'");
        std::system(("zbarimg --raw -q '" + shot.string() + "' > '" + read.string() + "' 2>/dev/null").c_str());
        const std::string codes = readFile(read), tokens = readFile(dir / "state" / "stemdeck" / "web-tokens");
        const auto token = [&](const std::string& key) {
            const auto at = tokens.find(key + " ");
            return at == std::string::npos
                       ? std::string("?")
                       : tokens.substr(at + key.size() + 1, tokens.find('\n', at) - at - key.size() - 1);
        };
        expect(codes.find("/control#token=" + token("control")) != std::string::npos &&
                   codes.find("/band#token=" + token("band")) != std::string::npos,
               size + ": zbarimg reads the band and control links with their tokens off the screen (" + codes + ")");
        onDisplay(display, "xdotool key j");
        expect(waitUntil([&] { return lastLine(readFile(log), "layout: join codes ") == "hidden"; }),
               size + ": J hides them");
        // Tonight's running order: pick song three, UP (to place 2), then SKIP; saved beside the set.
        int rx = 0, ry = 0, ux = 0, uy = 0, kx = 0, ky = 0;
        text = readFile(log);
        expect(std::sscanf(lastLine(text, "layout: order row 3 ").c_str(), "%d,%d", &rx, &ry) == 2 &&
                   std::sscanf(lastLine(text, "layout: order up ").c_str(), "%d,%d", &ux, &uy) == 2 &&
                   std::sscanf(lastLine(text, "layout: order skip ").c_str(), "%d,%d", &kx, &ky) == 2,
               size + ": the layout has the running order's rows and buttons");
        const fs::path order = set.parent_path() / "example.order.yaml";
        const auto before = [&](const std::string& a, const std::string& b) {
            const std::string t = readFile(order);
            return t.find(a) != std::string::npos && t.find(b) != std::string::npos && t.find(a) < t.find(b);
        };
        click(display, rx, ry);
        std::this_thread::sleep_for(300ms);
        click(display, ux, uy);
        expect(waitUntil([&] { return before("{ song: \"three\" }", "{ song: \"two\" }"); }),
               size + ": song three picked, UP: it plays second tonight (" + readFile(order) + ")");
        click(display, kx, ky);
        expect(waitUntil([&] { return before("{ song: \"three\", skipped: true }", "{ song: \"two\" }"); }),
               size + ": SKIP cuts it (" + readFile(order) + ")");
        if (const char* shots = std::getenv("STEMDECK_LAYOUT_SHOTS"))
            onDisplay(display, "import -window root '" + (fs::path(shots) / "stage-order.png").string() + "'");
    }
    click(display, lx, ly);
    expect(waitUntil([&] { return mix(log).ends_with("; locked"); }), size + ": a click on LOCK locks the show");
    click(display, s2x, s2y);
    std::this_thread::sleep_for(700ms);
    expect(mix(log).find("scene 2") == std::string::npos && mix(log).ends_with("; locked"),
           size + ": locked, a click on scene 2 does nothing (" + mix(log) + ")");
    kill(app, SIGTERM);
    const int status = waitExit(app, 8s);
    expect(status == 0, size + ": SIGTERM ends the GUI cleanly (status " + std::to_string(status) + ")");
    if (failures > 0) std::printf("gui log at %s:\n%s\n", size.c_str(), readFile(log).c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s STEMDECK-GUI STEMDECK SOURCE_DIR\n", argv[0]);
        return 2;
    }
    const std::string gui = argv[1];
    const std::string cli = argv[2];
    const fs::path source = argv[3];
    test::TempDir dir;
    // The example set as shipped, its song folder beside it, written as the README does it.
    fs::copy_file(source / "sets" / "example.yaml", dir / "example.yaml");
    // Two more songs after it, for tonight's running order (the GUI's UP and SKIP).
    for (const char* name : {"two", "three"})
        writeStemFolder(dir / name, 48000, {constantStem(48000 * 20, 0.1f, false)}, {"Keys"}, "BPM: 120\n");
    std::ofstream(dir / "example.yaml", std::ios::app) << "  - folder: two\n  - folder: three\n";
    const std::string demo = (dir / "demo").string();
    if (!expect(std::system(("'" + cli + "' demo '" + demo + "' >'" + demo + ".log' 2>&1").c_str()) == 0,
                "stemdeck demo writes the demo song"))
        return 1;
    JackServer jack{"stemdeck-e2e-layout-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(256), "a JACK server is up")) return 1;
    int screen = 0;
    for (const std::string size : {"1024x600", "1280x800", "1920x1080"})
        atSize(gui, dir / "example.yaml", dir, size, screen++);
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures != 0 ? 1 : 0;
}
