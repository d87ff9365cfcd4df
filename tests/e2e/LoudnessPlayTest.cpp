// End to end through a real JACK server (dummy driver): a set whose loudness trims were accepted
// with `stemdeck check SET --accept-loudness` (the command line, as a user does it) is played with
// `stemdeck play`; the main output recorded by a separate JACK client carries the song at its
// accepted trim, the click (its own pair) does not move with it, and play says the trim before
// the show and as the song is announced. Without --loudness match the same set plays as delivered.
#include <jack/jack.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
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
constexpr float kAmplitude = 0.25f;

/// The recorded peak of channel `ch` over its last second (the sine's amplitude once playing).
float peakOfLastSecond(const Recorder& rec, int ch) {
    const auto n = static_cast<std::ptrdiff_t>(rec.frames.load());
    const auto& d = rec.data[static_cast<std::size_t>(ch)];
    float p = 0.0f;
    for (std::ptrdiff_t i = std::max<std::ptrdiff_t>(0, n - kRate); i < n; ++i)
        p = std::max(p, std::fabs(d[static_cast<std::size_t>(i)]));
    return p;
}

/// Plays the set for 3 s; the main output's and the click's peaks over the last second.
std::pair<float, float> playAndMeasure(const std::string& stemdeck, const fs::path& dir, const std::string& loudness,
                                       std::string& log) {
    Recorder rec;
    if (!expect(rec.open(3, static_cast<std::size_t>(20 * kRate)), "the recorder is up")) return {0.0f, 0.0f};
    const pid_t play =
        spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys", "--journal", "",
               "--at-end", "stop", "--click", "3", "--click-mode", "always", "--loudness", loudness},
              (dir / ("play-" + loudness + ".log")).string());
    expect(rec.connect({1, 2, 3}), "stemdeck's main pair and its click are recorded");
    const bool played = waitUntil(
        [&] {
            const auto n = static_cast<long>(rec.frames.load());
            return std::count_if(rec.data[0].begin(), rec.data[0].begin() + n, [](float x) { return x != 0.0f; }) >
                   2 * kRate;
        },
        30s);
    expect(played, "play plays the song (--loudness " + loudness + ")");
    const float main = peakOfLastSecond(rec, 0), click = peakOfLastSecond(rec, 2);
    kill(play, SIGTERM);
    expect(waitExit(play, 20s) == 0, "play ends cleanly");
    rec.close();
    log = readFile(dir / ("play-" + loudness + ".log"));
    return {main, click};
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    TempDir dir;
    writeStemFolder(dir / "song", kRate, {sineStem(30 * kRate, 997.0, kRate, kAmplitude, true)}, {"Sine"});
    std::ofstream(dir / "set.yaml") << "loudness: { match: -24 LUFS, max_trim: 12 dB }\nsongs:\n"
                                       "  - { folder: song, bpm: 120 }\n";
    // Accepted as a user accepts them: stemdeck's own command line.
    const int accepted = std::system(("'" + stemdeck + "' check '" + (dir / "set.yaml").string() +
                                      "' --accept-loudness > '" + (dir / "check.txt").string() + "' 2>&1")
                                         .c_str());
    const std::string check = readFile(dir / "check.txt");
    std::smatch m;
    const std::string stored = readFile(dir / "set.loudness.yaml");
    const bool hasTrim = std::regex_search(stored, m, std::regex("trim: (-?[0-9.]+)"));
    expect(accepted == 0 && hasTrim, "check --accept-loudness writes the trim beside the set");
    const double trim = hasTrim ? std::stod(m[1]) : 0.0;
    std::printf("accepted trim %.2f dB\n%s\n", trim, check.c_str());

    JackServer jack{"stemdeck-e2e-loudness-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    std::string logMatch, logOff;
    const auto [mainMatch, clickMatch] = playAndMeasure(stemdeck, dir.path(), "match", logMatch);
    const auto [mainOff, clickOff] = playAndMeasure(stemdeck, dir.path(), "off", logOff);
    std::printf("play log (match):\n%s\n", logMatch.c_str());
    const double expected = kAmplitude * std::pow(10.0, trim / 20.0);
    std::printf("main output peak: %.5f with the trim (expected %.5f), %.5f without; click %.5f / %.5f\n", mainMatch,
                expected, mainOff, clickMatch, clickOff);
    expect(std::fabs(trim) > 3.0, "the song's trim is a real change (" + std::to_string(trim) + " dB)");
    expect(std::fabs(mainMatch - expected) < 0.002, "with --loudness match the main output carries the song at its "
                                                    "accepted trim (peak " +
                                                        std::to_string(mainMatch) + ")");
    expect(std::fabs(mainOff - kAmplitude) < 0.002,
           "with --loudness off it plays as delivered (peak " + std::to_string(mainOff) + ")");
    expect(clickMatch > 0.1f && std::fabs(clickMatch - clickOff) < 1e-4f,
           "the click on its own output is the same either way");
    char trimText[32];
    std::snprintf(trimText, sizeof trimText, "%+.1f dB", trim);
    expect(logMatch.find("loudness: match, on the main output") != std::string::npos &&
               logMatch.find(std::string("song ") + trimText) != std::string::npos,
           "play says the trims before the show");
    expect(logMatch.find(std::string("loudness trim ") + trimText) != std::string::npos,
           "and the song's trim as it is announced");
    expect(logOff.find("loudness trim") == std::string::npos, "without match it says none");
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
