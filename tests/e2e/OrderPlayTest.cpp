// Tonight's running order end to end, through a real JACK server (dummy driver) and a recording of
// play's main output: play starts with a hand-written order (--order, song 5 not in it), an action
// script reshapes it as song 1 plays (song 4 to place 2, song 3 cut, song 5 added), the set runs on
// in the edited order; play is killed with SIGKILL in song 4, and `play --resume --resume-play`
// comes back in song 4 with the edited order and plays on through it: 4, 2, 5 — never song 3.
// Each song is one constant level (song k: 0.1 × k), so the recording says which song played.
#include <signal.h>
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

constexpr int kRate = 48000;
constexpr double kSongSeconds = 3.0; // 120 BPM: a bar and a half

/// The songs heard, in order: each level held for at least 0.3 s (a song), as its number.
std::vector<int> songsHeard(const Recorder& rec) {
    const std::size_t n = rec.frames.load();
    const auto hold = static_cast<std::size_t>(0.3 * kRate);
    std::vector<int> out;
    std::size_t runStart = 0;
    for (std::size_t i = 1; i <= n; ++i) {
        if (i < n && std::fabs(rec.data[0][i] - rec.data[0][runStart]) < 1e-4f) continue;
        const float level = rec.data[0][runStart];
        const int song = static_cast<int>(std::lround(level * 10.0f));
        if (i - runStart >= hold && song >= 1 && std::fabs(level - 0.1f * static_cast<float>(song)) < 1e-4f &&
            (out.empty() || out.back() != song))
            out.push_back(song);
        runStart = i;
    }
    return out;
}

std::string list(const std::vector<int>& v) {
    std::string s;
    for (const int k : v)
        s += (s.empty() ? "" : " ") + std::to_string(k);
    return s;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    TempDir dir;
    const auto len = static_cast<std::int64_t>(kSongSeconds * kRate);
    std::string set = "at_end: run-on\nsongs:\n";
    for (int k = 1; k <= 5; ++k) {
        const std::string name = "song" + std::to_string(k);
        writeStemFolder(dir / name, kRate, {constantStem(len, 0.1f * static_cast<float>(k), false)}, {"Keys"},
                        "BPM: 120\n");
        set += "  - folder: " + name + "\n";
    }
    std::ofstream(dir / "live.yaml") << set;
    std::ofstream(dir / "planned.order.yaml") << "# tonight as planned before the show: song 5 is the spare\n"
                                                 "order: [1, 2, 3, 4]\n";
    std::ofstream(dir / "edits.yaml") << "events:\n"
                                         "  - { time: 0.3, action: move_song, value: 4 to 2 }\n"
                                         "  - { time: 0.4, action: skip_song, value: 3 }\n"
                                         "  - { time: 0.5, action: add_song, value: 5 }\n";
    // JACK's asynchronous mode: a synchronous server waits for a client killed mid-cycle until its
    // timeout before the next client may open (JACK's recovery, not stemdeck's).
    JackServer jack{"stemdeck-e2e-order-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(256, kRate, false), "a JACK server (asynchronous) with the dummy driver is up")) return 1;
    const fs::path journal = dir / "journal.json";
    const std::vector<std::string> common = {
        stemdeck, "play", (dir / "live.yaml").string(), "--driver", "jack", "--journal", journal.string()};

    // The first run: the planned order, edited by the script as song 1 plays.
    Recorder first;
    if (!expect(first.open(1, static_cast<std::size_t>(30 * kRate)), "a recorder is on the server")) return 1;
    std::vector<std::string> args = common;
    for (const std::string& a : std::vector<std::string>{"--order", (dir / "planned.order.yaml").string(), "--events",
                                                         (dir / "edits.yaml").string()})
        args.push_back(a);
    pid_t play = spawn(args, (dir / "play-1.log").string());
    expect(first.connect({1}), "play's main output is recorded");
    const bool inFour = waitUntil(
        [&] {
            const std::vector<int> h = songsHeard(first);
            return h.size() >= 2 && h[1] == 4 && first.now(0) == 0.4f;
        },
        15000ms);
    std::this_thread::sleep_for(1000ms); // a second into song 4 (its resume bar line is its first)
    expect(inFour, "song 1 ran on into song 4, moved up by the script");
    kill(play, SIGKILL);
    waitExit(play, 5000ms);
    const std::vector<int> heard1 = songsHeard(first);
    expect(heard1 == std::vector<int>{1, 4}, "before the crash: songs 1 then 4 (heard " + list(heard1) + ")");
    first.close();
    const std::string log1 = readFile(dir / "play-1.log");
    expect(log1.find("tonight's order from " + (dir / "planned.order.yaml").string()) != std::string::npos,
           "play started with the order given");
    expect(log1.find("tonight: song 4 'song4' to place 2") != std::string::npos &&
               log1.find("tonight: song 3 'song3' cut") != std::string::npos &&
               log1.find("tonight: song 5 'song5' added at place 5") != std::string::npos,
           "play said each edit");

    // Saved beside the set at every change: 1 (played) 4 2 (3 cut) 5.
    const std::string saved = readFile(dir / "live.order.yaml");
    const auto at = [&](const std::string& s) { return saved.find(s); };
    const auto p1 = at("{ song: \"song1\", played: true }"), p4 = at("{ song: \"song4\""),
               p2 = at("{ song: \"song2\" }"), p3 = at("{ song: \"song3\", skipped: true }"),
               p5 = at("{ song: \"song5\" }");
    expect(p1 != std::string::npos && p4 != std::string::npos && p2 != std::string::npos && p3 != std::string::npos &&
               p5 != std::string::npos && p1 < p4 && p4 < p2 && p2 < p3 && p3 < p5,
           "tonight's order was saved beside the set, edited:\n" + saved);
    expect(readFile(journal).find("\"order\"") != std::string::npos, "the journal keeps tonight's order");
    expect(readFile(dir / "live.yaml") == set, "the set file is untouched");

    // The restart: the journal's song and tonight's order come back; it plays on through the order.
    Recorder second;
    if (!expect(second.open(1, static_cast<std::size_t>(30 * kRate)), "a second recorder is on the server")) return 1;
    args = common;
    args.emplace_back("--resume");
    args.emplace_back("--resume-play");
    play = spawn(args, (dir / "play-2.log").string());
    expect(second.connect({1}), "the restarted play's main output is recorded");
    const int rc = waitExit(play, 30000ms);
    const std::vector<int> heard2 = songsHeard(second);
    const std::string log2 = readFile(dir / "play-2.log");
    expect(log2.find("resumed after a crash") != std::string::npos, "play says it resumed after the crash");
    expect(heard2 == std::vector<int>{4, 2, 5},
           "after the crash: song 4 again, then 2 and 5 in the edited order, never 3 (heard " + list(heard2) + ")");
    expect(rc == 0, "play ended with the set (exit " + std::to_string(rc) + ")");
    if (failures != 0) std::printf("first run:\n%s\nsecond run:\n%s\n", log1.c_str(), log2.c_str());
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures != 0 ? 1 : 0;
}
