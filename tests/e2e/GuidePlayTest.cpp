// The spoken guide end to end: `stemdeck play --guides` through a real JACK server (dummy driver),
// its guide on outputs 3-4 of its own, recorded beside the main pair by a separate client. The song's
// stem says where the song is (left a ramp over the song, right a constant: left / right names the
// song frame), and its cues are recorded files (guides/One.wav … Verse.wav, each a tone of its own
// pitch), so each cue heard is known by its pitch.
//
// Checks: the count-in's words one, two, three, four on the count-in's beats (a bar before the song's
// first frame), "Verse" starting on the song frame of the bar line before its marker (bar 3) and over
// before the marker's downbeat, nothing else said; play says where the guide plays and where its cues
// came from.
#include <jack/jack.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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
constexpr std::int64_t kBeat = kRate / 2, kBar = 4 * kBeat; // 120 BPM
constexpr std::int64_t kLength = 5 * kBar;
const std::vector<std::pair<std::string, double>> kCues = {
    {"One", 1000.0}, {"Two", 1250.0}, {"Three", 1500.0}, {"Four", 1750.0}, {"Verse", 700.0}};

/// A cue recorded as a tone, from its first sample (a cosine: no silence to trim).
void writeCue(const fs::path& file, double hz, double seconds) {
    StemAudio a;
    a.left.resize(static_cast<std::size_t>(seconds * kRate));
    for (std::size_t i = 0; i < a.left.size(); ++i)
        a.left[i] = 0.4f * static_cast<float>(std::cos(2.0 * M_PI * hz * static_cast<double>(i) / kRate));
    a.right = a.left;
    writeSoundFile(file, 0x010000 | 0x0006, kRate, a); // SF_FORMAT_WAV | SF_FORMAT_FLOAT
}

/// The pitch of a stretch of a recording, from its zero crossings.
double pitch(const std::vector<float>& x, std::size_t from, std::size_t n) {
    int crossings = 0;
    for (std::size_t i = from + 1; i < from + n && i < x.size(); ++i)
        crossings += (x[i - 1] < 0.0f) != (x[i] < 0.0f) ? 1 : 0;
    return crossings * kRate / (2.0 * static_cast<double>(n));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    TempDir dir;
    const fs::path song = dir / "song";
    StemAudio ramp;
    ramp.left.resize(static_cast<std::size_t>(kLength));
    ramp.right.assign(static_cast<std::size_t>(kLength), 0.5f);
    for (std::int64_t f = 0; f < kLength; ++f)
        ramp.left[static_cast<std::size_t>(f)] = 0.5f * static_cast<float>(f) / static_cast<float>(kLength);
    fs::create_directories(song / "guides");
    writeSoundFile(song / "01_Ramp.wav", 0x010000 | 0x0006, kRate, ramp);
    for (const auto& [name, hz] : kCues)
        writeCue(song / "guides" / (name + ".wav"), hz, name == "Verse" ? 0.4 : 0.15);
    std::ofstream(dir / "set.yaml") << "count_in: 1\nguides: on\naudio: { guide: 3 }\nsongs:\n"
                                       "  - folder: song\n    bpm: 120\n    markers: [ { name: Verse, bar: 3 } ]\n";

    JackServer jack{"stemdeck-e2e-guide-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    Recorder rec;
    if (!expect(rec.open(3, static_cast<std::size_t>(20 * kRate)), "the recorder is up")) return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys",
                              "--journal", "", "--at-end", "stop"},
                             (dir / "play.log").string());
    // (stemdeck starts the song once its ports are up: a count-in of a bar first, 2 s, so the
    // recorder is connected well before anything sounds)
    expect(rec.connect({1, 2, 3}), "stemdeck's main pair and its guide's output are recorded");
    const bool played = waitUntil( // (four of its five bars heard)
        [&] {
            const auto n = static_cast<long>(rec.frames.load());
            return std::count_if(rec.data[1].begin(), rec.data[1].begin() + n, [](float x) { return x != 0.0f; }) >
                   4 * kBar;
        },
        30s);
    expect(played, "play played the song");
    kill(play, SIGTERM);
    const int status = waitExit(play, 20s);
    rec.close();
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "play ends cleanly");
    expect(log.find("spoken guide: on outputs 3-4") != std::string::npos, "play says where the guide plays");
    expect(log.find(" spoken cues: 5 recorded") != std::string::npos, "and that the song's recordings are its cues");

    const std::vector<float>& left = rec.data[0];
    const std::vector<float>& right = rec.data[1];
    const std::vector<float>& guide = rec.data[2];
    const std::size_t n = rec.frames.load();
    // Each cue heard: its first sample after silence, and its pitch.
    struct Heard {
        std::size_t at;
        double hz;
    };
    std::vector<Heard> heard;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::fabs(guide[i]) < 1e-3f) continue;
        heard.push_back({i, pitch(guide, i, static_cast<std::size_t>(kRate / 20))});
        std::size_t last = i; // (to the end of this cue: 2000 frames of silence)
        while (i < n && i - last < 2000) {
            if (guide[i] != 0.0f) last = i;
            ++i;
        }
    }
    std::size_t songStart = 0; // the song's frame 0 in the recording: the stem's first frame
    while (songStart < n && right[songStart] == 0.0f)
        ++songStart;
    std::string list;
    for (const Heard& h : heard)
        list += " " + std::to_string(h.at) + ":" + std::to_string(std::lround(h.hz)) + "Hz";
    std::printf("the song's first frame at %zu; cues heard (recorded frame: pitch):%s; %d xruns\n", songStart,
                list.c_str(), rec.xruns.load());
    if (!expect(heard.size() == 5,
                "five cues heard: the four count words and Verse (" + std::to_string(heard.size()) + ")"))
        return 1;
    for (std::size_t k = 0; k < 4; ++k) {
        const auto want = static_cast<std::int64_t>(songStart) - kBar + static_cast<std::int64_t>(k) * kBeat;
        const std::int64_t off = static_cast<std::int64_t>(heard[k].at) - want;
        // (a cycle the server skipped leaves a silent period in the recording: whole periods only)
        expect(std::fabs(heard[k].hz - kCues[k].second) < 40.0 && (off == 0 || (rec.xruns > 0 && off % 256 == 0)),
               "'" + kCues[k].first + "' on count-in beat " + std::to_string(k + 1) + " (" + std::to_string(off) +
                   " frames off, " + std::to_string(std::lround(heard[k].hz)) + " Hz)");
    }
    const std::size_t v = heard[4].at;
    const double songFrame = static_cast<double>(left[v]) / static_cast<double>(right[v]) * kLength;
    expect(std::fabs(heard[4].hz - 700.0) < 40.0 && std::fabs(songFrame - static_cast<double>(kBar)) < 0.5,
           "'Verse' starts on the song frame of bar 2's line (" + std::to_string(songFrame) + ", " +
               std::to_string(std::lround(heard[4].hz)) + " Hz)");
    const std::size_t verseEnd = v + static_cast<std::size_t>(0.4 * kRate);
    const double endFrame = static_cast<double>(left[verseEnd]) / static_cast<double>(right[verseEnd]) * kLength;
    expect(endFrame < 2.0 * kBar,
           "and it is over before the marker's downbeat (it ends on song frame " + std::to_string(endFrame) + ")");
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
