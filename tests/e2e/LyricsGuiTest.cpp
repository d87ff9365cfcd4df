// The lyrics on the stage screen, under Xvfb on a JACK server with the dummy driver: a song whose
// ChordPro file times its lines by x_time and x_bar, played by `stemdeck-gui --lyrics`.
//   - at 100%: each line is on screen from its time (song time) on, the line before it until then;
//     the sections became markers (Verse, Chorus); a jump back to the start shows no line again;
//   - at 80% (--tempo 80%): the same lines 1/0.8 as late, as the music is;
//   - tap-to-time: the file's last line, not timed, is stamped by the t key while it plays, the file
//     saved with its x_time and the line then shown in its place.
// STEMDECK_LYRICS_SHOTS=DIR keeps a screenshot of each tempo (the manual's pictures).
//   stemdeck_e2e_lyrics_gui STEMDECK-GUI
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"
#include "stemdeck/set/Lyrics.h"

using namespace stemdeck;
using namespace stemdeck::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 48000;

const char* kSong = "{title: Lyric Test}\n"
                    "{start_of_verse: Verse}\n"
                    "{x_time: 0:02}\n"
                    "[Am]Line one\n"
                    "{x_time: 0:06}\n"
                    "Line [G]two\n"
                    "{end_of_verse}\n"
                    "{start_of_chorus}\n"
                    "{x_bar: 6}\n"
                    "Line three\n"
                    "{x_time: 0:14}\n"
                    "Line four\n"
                    "{end_of_chorus}\n"
                    "Line five\n";

/// The lyrics lines the GUI traced: the song's seconds when each line came on screen, by line
/// (1-based; 0: before the first).
struct Shown {
    int line = 0;
    double at = 0.0;
};

std::vector<Shown> traced(const std::string& log) {
    std::vector<Shown> out;
    const std::string key = "stemdeck-gui: lyrics at ";
    for (std::size_t p = log.find(key); p != std::string::npos; p = log.find(key, p + 1)) {
        Shown s;
        s.at = std::atof(log.c_str() + p + key.size());
        const std::size_t l = log.find(" line ", p);
        if (l == std::string::npos) continue;
        s.line = std::atoi(log.c_str() + l + 6);
        out.push_back(s);
    }
    return out;
}

/// Plays the song at `tempo` (1.0 or 0.8) and checks each line came on screen at its time.
int atTempo(const std::string& gui, const fs::path& song, TempDir& dir, double tempo, int screen) {
    const std::string name = tempo == 1.0 ? "100" : "80";
    const std::string display = ":" + std::to_string(500 + screen * 7 + getpid() % 200);
    XServer x(display, dir / ("xvfb-" + name + ".log"));
    if (!expect(x.up(), "Xvfb " + display + " is up")) return 1;
    const fs::path log = dir / ("gui-" + name + ".log");
    std::vector<std::string> args = {gui, song.string(), "--driver", "jack", "--lyrics", "--count-in", "0"};
    if (tempo != 1.0) args.insert(args.end(), {"--tempo", "80%"});
    const pid_t app = spawn(args, log.string(),
                            {"DISPLAY=" + display, "STEMDECK_GUI_LAYOUT=1", "STEMDECK_STATE_TRACE=1",
                             "XDG_CONFIG_HOME=" + (dir / "config").string(),
                             "XDG_STATE_HOME=" + (dir / "state").string(), "ASAN_OPTIONS=detect_leaks=0"});
    const bool up = waitUntil([&] { return readFile(log).find("stemdeck-gui: lyrics at ") != std::string::npos; }, 30s);
    if (!expect(up, name + "%: the lyrics view is up")) {
        std::printf("gui log:\n%s\n", readFile(log).c_str());
        kill(app, SIGKILL);
        waitExit(app, 8s);
        return 1;
    }
    expect(waitUntil(
               [&] {
                   return readFile(log).find("markers from its lyrics' sections: Verse (bar 2), Chorus (bar 6)") !=
                          std::string::npos;
               },
               10s),
           name + "%: the sections are the song's markers (Verse on bar 2, Chorus on bar 6)");
    // Laid out and shown (without a window manager the keys go to the window under the pointer);
    // the song plays from the start by itself, as play's does.
    expect(waitUntil([&] { return readFile(log).find("layout: scene rows ") != std::string::npos; }, 20s),
           name + "%: the stage window is laid out");
    std::this_thread::sleep_for(800ms);
    onDisplay(display, "xdotool mousemove 700 150 click 1"); // the keyboard to the window
    // Lines at 2, 6, 10 (bar 6 at 120 BPM) and 14 s of song time at 100%: heard 1/tempo as late.
    const std::map<int, double> due = {{1, 2.0}, {2, 6.0}, {3, 10.0}, {4, 14.0}};
    // (the manual's picture: line two, its chord over "two")
    const bool two = waitUntil(
        [&] {
            for (const Shown& s : traced(readFile(log)))
                if (s.line == 2) return true;
            return false;
        },
        30s);
    if (const char* shots = std::getenv("STEMDECK_LYRICS_SHOTS"); shots != nullptr && two) {
        std::this_thread::sleep_for(400ms);
        fs::create_directories(shots);
        onDisplay(display,
                  "import -window root '" + (fs::path(shots) / ("stage-lyrics-" + name + ".png")).string() + "'");
    }
    const bool four = waitUntil(
        [&] {
            for (const Shown& s : traced(readFile(log)))
                if (s.line == 4) return true;
            return false;
        },
        30s);
    if (!expect(four, name + "%: the fourth line came on screen")) std::printf("gui log:\n%s\n", readFile(log).c_str());
    int onTime = 0;
    std::string report;
    for (const Shown& s : traced(readFile(log))) {
        if (s.line < 1 || s.line > 4) continue;
        const double want = due.at(s.line) / tempo;
        // On screen from its time on: the GUI's next frame (30 a second) after the control
        // thread's next tick, at most a few tenths late on a loaded machine, never early.
        const bool ok = s.at >= want - 0.01 && s.at <= want + 0.6;
        onTime += ok ? 1 : 0;
        report +=
            " line " + std::to_string(s.line) + " at " + std::to_string(s.at) + " s (due " + std::to_string(want) + ")";
    }
    expect(onTime == 4, name + "%: each line came on screen at its time:" + report);
    if (tempo == 1.0) {
        // A jump back to the start: no line until the first's time again.
        const std::size_t before = traced(readFile(log)).size();
        onDisplay(display, "xdotool key 0");
        const bool back = waitUntil(
            [&] {
                const auto t = traced(readFile(log));
                for (std::size_t i = before; i < t.size(); ++i)
                    if (t[i].line == 0 && t[i].at < 1.5) return true;
                return false;
            },
            10s);
        expect(back, "after a jump to the start the screen shows no line, as the song has sung none yet");
    } else {
        // Tap-to-time: "Line five" has no time; t stamps it where the play head is.
        // (over a second of song time after line four's: a tap within a second of a line's time
        // re-times that line)
        const std::string said = "lyrics: line 5 'Line five' from ";
        std::this_thread::sleep_for(2500ms);
        onDisplay(display, "xdotool key t");
        const bool tapped = waitUntil([&] { return readFile(log).find(said) != std::string::npos; }, 10s);
        expect(tapped, "t stamped the untimed line (" + lastLine(readFile(log), "lyrics: line") + ")");
        const std::string text = readFile(song / "song.cho");
        const set::Lyrics saved = set::parseChordPro(text, song / "song.cho");
        const double stamped = saved.lines.size() == 5 ? saved.lines[4].time.seconds : -1.0;
        // Line four is on screen from 17.5 s heard (14 s of song time); the tap came 2.5 s after it.
        expect(stamped > 15.0 && stamped < 14.0 + 6.0 * tempo &&
                   text.find("{x_time: " + set::lyricTimeText(stamped) + "}\nLine five") != std::string::npos &&
                   saved.untimed() == 0,
               "the file was saved with Line five at " + std::to_string(stamped) +
                   " s (song time at 100%), every line timed");
        expect(waitUntil(
                   [&] {
                       for (const Shown& s : traced(readFile(log)))
                           if (s.line == 5) return true;
                       return false;
                   },
                   5s),
               "the tapped line is shown in its place");
    }
    onDisplay(display, "xdotool key q");
    expect(waitExit(app, 15s) == 0, name + "%: q ends the show");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: stemdeck_e2e_lyrics_gui STEMDECK-GUI\n");
        return 2;
    }
    TempDir dir;
    JackServer jack{"stemdeck-e2e-lyrics-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(256), "a JACK server (256-frame periods) is up")) return 1;
    const fs::path song = dir / "Night Drive";
    writeStemFolder(song, kRate, {sineStem(30 * kRate, 220.0, kRate, 0.2f, false)}, {"Keys"}, "BPM: 120\n");
    std::ofstream(song / "song.cho") << kSong;
    atTempo(argv[1], song, dir, 1.0, 0);
    atTempo(argv[1], song, dir, 0.8, 1);
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures != 0 ? 1 : 0;
}
