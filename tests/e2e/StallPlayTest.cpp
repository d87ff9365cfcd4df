// `play` on a JACK server (dummy driver) with a song whose second stem is on a share that stops
// answering 5.9 s in (tests/stall/StallFs.c, --stall=late: a real FUSE filesystem). The disk
// thread's read of that stem never comes back; the other stem must play on without a gap (its
// ring holds 2.5 s: the disk thread hands it to a new thread after 1 s), the stalled stem falls
// silent, and play says "no answer from FILE in 2 s" (--io-timeout 2).
// With STEMDECK-GUI, the stage screen too: a two-song set whose first song has a stem on a share
// whose reads never answer (--stall=read). The preflight's check, the load and the waveform scan
// each meet it; the screen must go on to song 2 when song 1 ends (a new song's waveforms used to
// wait for the old scan: the screen froze for good) and end on SIGTERM.
//   stemdeck_e2e_stall STEMDECK STALLFS [STEMDECK-GUI]
// Skips (77) where FUSE cannot run, saying why.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;

bool mounted(const fs::path& dir) {
    struct stat in {
    }, above{};
    return ::stat(dir.c_str(), &in) == 0 && ::stat(dir.parent_path().c_str(), &above) == 0 && in.st_dev != above.st_dev;
}

/// A StallFs at `mnt`; false (with why) where FUSE cannot mount.
bool mountStall(const std::string& stallFs, const std::string& mode, const fs::path& mnt, const fs::path& log,
                pid_t& pid) {
    fs::create_directory(mnt);
    pid = spawn({stallFs, "--stall=" + mode, mnt.string()}, log.string());
    for (int i = 0; i < 200 && !mounted(mnt); ++i)
        std::this_thread::sleep_for(25ms);
    return mounted(mnt);
}

void unmountStall(pid_t pid, const fs::path& mnt) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    if (std::system(
            ("fusermount3 -u '" + mnt.string() + "' 2>/dev/null || umount -l '" + mnt.string() + "'").c_str()) != 0)
        std::printf("note: could not unmount %s\n", mnt.c_str());
}

/// The stage screen (see the top of the file).
void stageScreen(const std::string& gui, const std::string& stallFs, test::TempDir& dir) {
    const fs::path mnt = dir / "share-gui";
    pid_t share = -1;
    if (!expect(mountStall(stallFs, "read", mnt, dir / "share-gui.log", share), "a second StallFs mounts")) return;
    writeStemFolder(dir / "one", 44100, {sineStem(3 * 44100, 330.0, 44100.0, 0.25f, true)}, {"Here"}, "BPM: 120\n");
    fs::create_symlink(mnt / "01_Stall.wav", dir / "one" / "02_Share.wav");
    writeStemFolder(dir / "two", 44100, {sineStem(3 * 44100, 220.0, 44100.0, 0.25f, true)}, {"There"}, "BPM: 120\n");
    std::ofstream(dir / "stall.yaml") << "name: Stalled share\nsongs:\n  - one\n  - two\n";
    {
        XServer x(":" + std::to_string(400 + getpid() % 200), dir / "xvfb.log");
        if (expect(x.up(), "Xvfb is up")) {
            JackServer jack{"stemdeck-e2e-stall-gui-" + std::to_string(getpid()), dir / "jackd-gui.log"};
            setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
            if (expect(jack.start(), "a JACK server for the screen is up")) {
                fs::create_directories(dir / "config");
                const fs::path log = dir / "gui.log";
                const pid_t app = spawn(
                    {gui, (dir / "stall.yaml").string(), "--driver", "jack", "--io-timeout", "2", "--at-end", "next"},
                    log.string(),
                    {"DISPLAY=" + x.display, "STEMDECK_STATE_TRACE=1", "XDG_CONFIG_HOME=" + (dir / "config").string(),
                     "ASAN_OPTIONS=detect_leaks=0"});
                const std::string named = "no answer from " + (dir / "one" / "02_Share.wav").string() + " in 2 s";
                expect(waitUntil([&] { return readFile(log).find(named) != std::string::npos; }, 30s),
                       "the screen's log says: " + named);
                expect(waitUntil([&] { return readFile(log).find("state: song 2 ") != std::string::npos; }, 40s),
                       "song 1 plays without the stalled stem and the screen goes on to song 2");
                // Still alive after the song change: the screen answers SIGTERM and sums up the show.
                std::this_thread::sleep_for(1500ms);
                kill(app, SIGTERM);
                expect(waitUntil([&] { return readFile(log).find(" in song 2 at ") != std::string::npos; }, 15s),
                       "on SIGTERM the screen ends the show and sums it up");
                unmountStall(share, mnt); // (then the process, whose scan sleeps in the share, can end)
                share = -1;
                const int status = waitExit(app, 15s);
                expect(status == 0, "the screen exits cleanly (status " + std::to_string(status) + ")");
                if (failures > 0) std::printf("gui log:\n%s\n", readFile(log).c_str());
            }
        }
    }
    if (share > 0) unmountStall(share, mnt);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STEMDECK STALLFS [STEMDECK-GUI]\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1], stallFs = argv[2];
    if (!fs::exists("/dev/fuse")) {
        std::printf("SKIP: no /dev/fuse on this machine\n");
        return 77;
    }
    test::TempDir dir;
    const fs::path mnt = dir / "share";
    pid_t share = -1;
    if (!mountStall(stallFs, "late", mnt, dir / "share.log", share)) {
        kill(share, SIGKILL);
        waitpid(share, nullptr, 0);
        std::printf("SKIP: StallFs could not mount (FUSE is not allowed here): %s\n",
                    readFile(dir / "share.log").c_str());
        return 77;
    }
    // Stem 1 here (a 330 Hz tone, 16 s); stem 2 the share's file (a 440 Hz tone that stops
    // answering at 5.9 s). Both at -12 dBFS.
    const fs::path song = dir / "song";
    writeStemFolder(song, 44100, {sineStem(16 * 44100, 330.0, 44100.0, 0.25f, true)}, {"Here"}, "BPM: 120\n");
    fs::create_symlink(mnt / "01_Stall.wav", song / "02_Share.wav");
    int rc = 0;
    {
        JackServer jack{"stemdeck-e2e-stall-" + std::to_string(getpid()), dir / "jackd.log"};
        setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
        if (!expect(jack.start(), "a JACK server with the dummy driver is up")) rc = 1;
        Recorder rec;
        if (rc == 0 && !expect(rec.open(2, static_cast<std::size_t>(40 * kRate)), "the recorder connects")) rc = 1;
        if (rc == 0) {
            // LeakSanitizer's exit check cannot stop a thread asleep in a FUSE request: off here.
            const pid_t play = spawn({stemdeck, "play", song.string(), "--driver", "jack", "--io-timeout", "2"},
                                     (dir / "play.log").string(), {"ASAN_OPTIONS=detect_leaks=0"});
            expect(rec.connect({1, 2}), "stemdeck's outputs appear and are recorded");
            // The song starts where the recording stops being silent; 13 s of it are enough.
            std::size_t start = 0;
            const bool heard = waitUntil(
                [&] {
                    const std::size_t n = rec.frames.load();
                    while (start < n && std::fabs(rec.data[0][start]) < 1e-3f)
                        ++start;
                    return start < n && n >= start + static_cast<std::size_t>(13 * kRate);
                },
                40s);
            kill(play, SIGTERM);
            std::this_thread::sleep_for(300ms);
            rec.close();
            const std::string log = readFile(dir / "play.log");
            expect(heard, "13 s of the song are recorded");
            const std::string named = "no answer from " + (song / "02_Share.wav").string() + " in 2 s";
            expect(log.find(named) != std::string::npos, "play says: " + named);
            if (heard) {
                const auto at = [&](double s) { return start + static_cast<std::size_t>(s * kRate); };
                // No gap: the longest run of (near) silence in 13 s of two tones, then one.
                std::size_t run = 0, longest = 0, where = 0;
                for (std::size_t i = start; i < at(13.0); ++i) {
                    run = std::fabs(rec.data[0][i]) < 1e-3f ? run + 1 : 0;
                    if (run > longest) {
                        longest = run;
                        where = i;
                    }
                }
                expect(longest <= 8, "stem 1 plays on without a gap while stem 2's share does not answer (longest "
                                     "silence " +
                                         std::to_string(longest) + " frames, at " +
                                         std::to_string(static_cast<double>(where - start) / kRate) + " s)");
                // Two tones until the share stops answering, then one: its stem fell silent.
                const double both = test::rms(rec.data[0], at(1.0), at(4.0));
                const double one = test::rms(rec.data[0], at(9.0), at(12.0));
                expect(both > 0.22 && one > 0.15 && one < 0.2,
                       "the share's stem plays until it stops answering, then is silent (level " +
                           std::to_string(both) + " before, " + std::to_string(one) + " after)");
            }
            // The share goes (ending the read asleep in it), then play can end.
            kill(share, SIGKILL);
            const int status = waitExit(play, 15s);
            expect(status == 0, "play ends cleanly on SIGTERM (status " + std::to_string(status) + ")");
            // The stalled stem said so before its ring ran dry (it reads 2.7 s ahead): its silence
            // is not an underrun, and nothing else underran.
            const std::string end = readFile(dir / "play.log");
            expect(end.find("underruns 0") != std::string::npos, "play reports 0 underruns");
            if (failures > 0) std::printf("play log:\n%s\n", end.c_str());
        }
    }
    unmountStall(share, mnt);
    if (argc > 3 && rc == 0) stageScreen(argv[3], stallFs, dir);
    std::printf("%d passed, %d failed\n", passes, failures);
    return rc != 0 || failures != 0 ? 1 : 0;
}
