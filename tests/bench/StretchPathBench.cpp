// Tempo and key as stemdeck runs them live: eight stereo stems of one song loaded through the real
// loader (control::loadSong) at a tempo and key, stretched on the "stemdeck-tempo" thread into
// the rings, and read back by a consumer in 128-frame blocks as the audio thread would, as fast
// as the stretch thread can fill the rings. Prints the stretch thread's real-time factor (song
// seconds produced per second of its own CPU time, and per second of wall time), how long loading
// took (the heads in RAM are stretched while the song loads), and the peak RSS (each in a child
// process of its own).
//   stemdeck_bench_stretch_path [SECONDS]   (default 60 s of input per stem)
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <unistd.h>
#include <filesystem>
#include <string>
#include <vector>

#include "stemdeck/control/Song.h"
#include "stemdeck/formats/AudioFile.h"

namespace fs = std::filesystem;
using namespace stemdeck;

namespace {
constexpr int kRate = 48000;
constexpr int kStems = 8;
constexpr int kBlock = 128;

double processCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double peakRssMb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// Eight stereo stems of a song: each a chord of partials with a pulse every beat (120 BPM) and
/// a little noise, so the stretcher has both tones and transients to work on.
void writeSong(const fs::path& dir, int seconds) {
    fs::create_directories(dir);
    const auto frames = static_cast<std::size_t>(seconds) * kRate;
    std::uint32_t seed = 7;
    for (int s = 0; s < kStems; ++s) {
        std::vector<float> l(frames), r(frames);
        const double base = 55.0 * (s + 1);
        for (std::size_t i = 0; i < frames; ++i) {
            const double t = static_cast<double>(i) / kRate;
            const double beat = std::fmod(t, 0.5);
            seed = seed * 1664525u + 1013904223u;
            const double noise = (static_cast<double>(seed >> 8) / 8388608.0 - 1.0) * 0.01;
            const double v = 0.05 * (std::sin(2 * M_PI * base * t) + 0.5 * std::sin(2 * M_PI * base * 1.5 * t)) +
                             0.2 * std::exp(-beat * 40.0) * std::sin(2 * M_PI * 2000.0 * t) + noise;
            l[i] = static_cast<float>(v);
            r[i] = static_cast<float>(0.9 * v);
        }
        char name[32];
        std::snprintf(name, sizeof name, "%02d_Stem%d.wav", s + 1, s + 1);
        formats::writeWav(dir / name, kRate, l, &r, formats::SampleFormat::float32);
    }
    std::FILE* f = std::fopen((dir / "readme.txt").c_str(), "w");
    std::fputs("BPM: 120\n", f);
    std::fclose(f);
}

void measure(const fs::path& dir, const char* what, std::optional<set::TempoSetting> tempo, std::optional<double> key,
         formats::Stretch::Quality quality) {
    control::SongOptions o;
    o.tempo = tempo;
    o.transpose = key;
    o.stretchQuality = quality;
    const auto loadStart = std::chrono::steady_clock::now();
    const double cpu0 = processCpuSeconds();
    control::Song song = control::loadSong(dir, o);
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
    const double cpuLoaded = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    std::vector<float> l(kBlock), r(kBlock);
    std::int64_t partial = 0;
    for (std::int64_t f = 0; f < song.lengthFrames; f += kBlock) {
        for (const auto& s : song.sources) {
            if (!s->waitUntilReadable(f, kBlock, 10.0)) ++partial;
            if (s->read(f, l.data(), r.data(), kBlock) != engine::ReadStatus::complete) ++partial;
        }
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = processCpuSeconds() - cpuLoaded;
    const double audio = static_cast<double>(song.lengthFrames) / kRate;
    std::printf("%-34s %7.2fx %7.2fx %8.0f%% %7.2f s %8.2f s %8.0f MB %6lld\n", what, audio / cpu, audio / wall,
                100.0 * cpu / audio, loadSeconds, cpuLoaded - cpu0, peakRssMb(), static_cast<long long>(partial));
}
/// A live change's step as SetPlayer::prepareRetime does it: the song loaded again with its head
/// (a beat and a second) where the step lands, mid-song; the same for the A-B loop's reload at
/// the song's own tempo, with A among its cues. The load is the time the control thread spends
/// before the step can be given to the engine: the lead a step needs.
void measureStep(const fs::path& dir, const char* what, double tempo, double key, bool withCue) {
    control::SongOptions o;
    o.tempo = set::TempoSetting{tempo, false};
    o.transpose = key;
    o.headAt = 20 * kRate;
    o.headSeconds = 60.0 / (120.0 * tempo) + 1.0;
    double worst = 0.0, sum = 0.0;
    constexpr int kTimes = 5;
    for (int i = 0; i < kTimes; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        control::Song song = control::loadSong(dir, o);
        if (withCue) song.addCue(8 * kRate);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        worst = std::max(worst, s);
        sum += s;
    }
    std::printf("%-44s %8.3f s %8.3f s\n", what, sum / kTimes, worst);
}

/// Each configuration in a child process of its own, so its peak RSS is its own.
void run(const fs::path& dir, const char* what, std::optional<set::TempoSetting> tempo, std::optional<double> key,
         formats::Stretch::Quality quality) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        measure(dir, what, tempo, key, quality);
        std::fflush(stdout);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
}
} // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::max(4, std::atoi(argv[1])) : 60;
    const fs::path dir = fs::temp_directory_path() / ("stemdeck-tempo-path-" + std::to_string(::getpid()));
    writeSong(dir, seconds);
    std::printf("eight stereo stems, %d s at 48 kHz each, through loadSong and the rings, read in %d-frame blocks\n",
                seconds, kBlock);
    std::printf("%-34s %8s %8s %9s %9s %10s %11s %6s\n", "song", "RT/CPU", "RT/wall", "CPU share", "load", "load CPU",
                "peak RSS", "short");
    const auto live = formats::Stretch::Quality::live, render = formats::Stretch::Quality::render;
    run(dir, "unity (no stretcher: disk thread)", std::nullopt, std::nullopt, live);
    run(dir, "live R3 short, 80%", set::TempoSetting{0.8, false}, std::nullopt, live);
    run(dir, "live R3 short, +2 st", std::nullopt, 2.0, live);
    run(dir, "live R3 short, 80% and +2 st", set::TempoSetting{0.8, false}, 2.0, live);
    run(dir, "render R3 standard, 80% and +2 st", set::TempoSetting{0.8, false}, 2.0, render);
    std::printf("RT/CPU: song seconds per second of the process's CPU (the stretch thread's work, all but the "
                "reads); CPU share = its inverse, of one core. short: blocks not ready within 10 s.\n");
    std::printf("\nA live step's load on the control thread (eight stereo stems, head at 0:20; 5 loads)\n");
    std::printf("%-44s %10s %10s\n", "step", "mean", "worst");
    measureStep(dir, "reload at its own tempo, A cued (A-B loop)", 1.0, 0.0, true);
    measureStep(dir, "tempo step to 95%", 0.95, 0.0, false);
    measureStep(dir, "tempo step to 80%", 0.8, 0.0, false);
    measureStep(dir, "key step to -2 st (at 80%)", 0.8, -2.0, false);
    fs::remove_all(dir);
    return 0;
}
