// Rubber Band on stemdeck's workload, before it goes on the disk thread (issue: tempo and key):
// eight stereo stems through eight identically configured real-time stretchers, on one thread as
// the disk thread would run them, at 80% tempo, +2 semitones (formants preserved) and both, with
// the R2 engine (OptionEngineFaster) and R3 (OptionEngineFiner, standard and short window).
// Prints the real-time factor (seconds of audio out per second of one core), the worst chunk,
// the stretchers' latency and the peak RSS of each configuration (each runs in a child process),
// then each engine's pitch accuracy: the frequency of a sine (100, 440, 1000 Hz) after the
// change, found by a fine Goertzel scan of 2 s of its output.
//   stemdeck_bench_stretch [SECONDS]   (default 30 s of input per stem)
#include <rubberband/RubberBandStretcher.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "../support/Goertzel.h"

namespace {

using RubberBand::RubberBandStretcher;

/// The process's resident memory now, in MB (/proc/self/statm).
double residentMb() {
    long pages = 0, resident = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
constexpr int kRate = 48000;
constexpr int kStems = 8;
constexpr int kChunk = 1024; // input frames per process() call

struct Config {
    const char* name;
    RubberBandStretcher::Options engine;
    double timeRatio;  // output length / input length: 1.25 is 80% tempo
    double pitchScale; // 2^(2/12) is +2 semitones
};

/// A stem that sounds like music to a phase vocoder: a chord with a tremolo, a decaying pluck
/// every beat and a little noise; each stem its own notes.
std::vector<float> stemSignal(int stem, int frames, int channel) {
    std::vector<float> x(static_cast<std::size_t>(frames));
    std::uint32_t seed = 12345u + 77u * static_cast<std::uint32_t>(stem) + static_cast<std::uint32_t>(channel);
    const double base = 55.0 * std::pow(2.0, stem / 4.0);
    for (int i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / kRate;
        double v = 0.0;
        for (int h = 1; h <= 4; ++h)
            v += std::sin(2.0 * M_PI * base * h * (1.0 + 0.25 * (h % 3)) * t) / h;
        v *= 0.5 + 0.5 * std::sin(2.0 * M_PI * 3.0 * t);
        const double beat = std::fmod(t, 0.5);
        v += std::exp(-beat * 30.0) * std::sin(2.0 * M_PI * base * 8.0 * t);
        seed = seed * 1664525u + 1013904223u;
        v += 0.02 * (static_cast<double>(seed >> 8) / 8388608.0 - 1.0);
        x[static_cast<std::size_t>(i)] = static_cast<float>(0.2 * v);
    }
    return x;
}

void run(const Config& c, int seconds) {
    const int frames = seconds * kRate;
    std::vector<std::vector<float>> in(kStems * 2);
    for (int s = 0; s < kStems; ++s)
        for (int ch = 0; ch < 2; ++ch)
            in[static_cast<std::size_t>(s * 2 + ch)] = stemSignal(s, frames, ch);
    const double inputMb = residentMb(); // the test's own input, held in memory: not the stretchers'
    const RubberBandStretcher::Options options = RubberBandStretcher::OptionProcessRealTime | c.engine |
                                                 RubberBandStretcher::OptionChannelsTogether |
                                                 (c.pitchScale != 1.0 ? RubberBandStretcher::OptionFormantPreserved
                                                                      : RubberBandStretcher::OptionFormantShifted) |
                                                 RubberBandStretcher::OptionPitchHighConsistency;
    std::vector<std::unique_ptr<RubberBandStretcher>> st;
    for (int s = 0; s < kStems; ++s) {
        st.push_back(std::make_unique<RubberBandStretcher>(kRate, 2, options, c.timeRatio, c.pitchScale));
        st.back()->setMaxProcessSize(kChunk);
    }
    std::vector<float> outL(65536), outR(65536);
    std::int64_t produced = 0; // per stem (stem 0's count)
    double worstMs = 0.0;      // the longest chunk (all eight stems), against its output's duration
    double worstShare = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (int at = 0; at < frames; at += kChunk) {
        const int n = std::min(kChunk, frames - at);
        const bool last = at + n >= frames;
        const auto t0 = std::chrono::steady_clock::now();
        std::int64_t chunkOut = 0;
        for (int s = 0; s < kStems; ++s) {
            const float* chans[2] = {in[static_cast<std::size_t>(s * 2)].data() + at,
                                     in[static_cast<std::size_t>(s * 2 + 1)].data() + at};
            st[static_cast<std::size_t>(s)]->process(chans, static_cast<std::size_t>(n), last);
            for (int avail; (avail = st[static_cast<std::size_t>(s)]->available()) > 0;) {
                float* outs[2] = {outL.data(), outR.data()};
                const auto got = st[static_cast<std::size_t>(s)]->retrieve(
                    outs, static_cast<std::size_t>(std::min<int>(avail, static_cast<int>(outL.size()))));
                if (s == 0) {
                    produced += static_cast<std::int64_t>(got);
                    chunkOut += static_cast<std::int64_t>(got);
                }
            }
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        worstMs = std::max(worstMs, ms);
        const double due = 1000.0 * static_cast<double>(n) * c.timeRatio / kRate; // the output this chunk stands for
        worstShare = std::max(worstShare, ms / due);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double outSeconds = static_cast<double>(produced) / kRate;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%-32s %5.2fx real time (%5.1f%% of a core)  worst chunk %6.1f ms (%4.1fx its audio)  "
                "latency %4zu frames  out %.2f s  peak RSS %5.1f MB over the input's %5.1f MB\n",
                c.name, outSeconds / wall, 100.0 * wall / outSeconds, worstMs, worstShare, st[0]->getStartDelay(),
                outSeconds, static_cast<double>(ru.ru_maxrss) / 1024.0 - inputMb, inputMb);
    std::fflush(stdout);
}

/// A 4 s sine through one real-time stretcher; the frequency of its output's seconds 1 to 3.
double stretchedTone(RubberBandStretcher::Options engine, double timeRatio, double pitchScale, double hz) {
    std::vector<float> in(static_cast<std::size_t>(4 * kRate)), out, buf(8192);
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = 0.5f * static_cast<float>(std::sin(2.0 * M_PI * hz * static_cast<double>(i) / kRate));
    RubberBandStretcher st(kRate, 1, RubberBandStretcher::OptionProcessRealTime | engine, timeRatio, pitchScale);
    for (std::size_t at = 0; at < in.size(); at += kChunk) {
        const float* chan = in.data() + at;
        const std::size_t n = std::min<std::size_t>(kChunk, in.size() - at);
        st.process(&chan, n, at + n >= in.size());
        for (int avail; (avail = st.available()) > 0;) {
            float* b = buf.data();
            const std::size_t got = st.retrieve(&b, std::min<std::size_t>(static_cast<std::size_t>(avail), buf.size()));
            out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
        }
    }
    return stemdeck::test::toneFrequency(out, kRate, 3 * kRate, kRate, hz * pitchScale, 30.0);
}

} // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    const double up2 = std::pow(2.0, 2.0 / 12.0);
    const auto faster = RubberBandStretcher::OptionEngineFaster;
    const auto finer = RubberBandStretcher::OptionEngineFiner;
    const auto finerShort = RubberBandStretcher::OptionEngineFiner | RubberBandStretcher::OptionWindowShort;
    const Config configs[] = {
        {"R2 (faster), 80% tempo", faster, 1.25, 1.0},
        {"R2 (faster), +2 semitones", faster, 1.0, up2},
        {"R2 (faster), 80% and +2 st", faster, 1.25, up2},
        {"R3 (finer), 80% tempo", finer, 1.25, 1.0},
        {"R3 (finer), +2 semitones", finer, 1.0, up2},
        {"R3 (finer), 80% and +2 st", finer, 1.25, up2},
        {"R3 short window, 80% and +2 st", finerShort, 1.25, up2},
    };
    std::printf("Rubber Band %s: %d stereo stems, %d s of input each at %d Hz, %d-frame chunks, one thread "
                "(as the disk thread); real-time factor = seconds of audio out (per stem) per second of wall time "
                "for all %d\n",
                RUBBERBAND_VERSION, kStems, seconds, kRate, kChunk, kStems);
    std::fflush(stdout); // not again in each child
    for (const Config& c : configs) {
        const pid_t pid = fork(); // each in a process of its own: its own peak RSS
        if (pid == 0) {
            run(c, seconds);
            _exit(0);
        }
        waitpid(pid, nullptr, 0);
    }
    std::printf("\nPitch accuracy (a sine, 2 s of output measured): Hz out, and its error in cents\n");
    const struct {
        const char* name;
        RubberBandStretcher::Options engine;
    } engines[] = {{"R2 (faster)", faster},
                   {"R2, long window", faster | RubberBandStretcher::OptionWindowLong},
                   {"R3 (finer)", finer},
                   {"R3 short window", finerShort}};
    for (const auto& e : engines) {
        std::printf("%-18s", e.name);
        for (const auto& [hz, ratio, pitch] : {std::tuple{100.0, 1.25, 1.0}, std::tuple{440.0, 1.25, 1.0},
                                               std::tuple{1000.0, 1.25, 1.0}, std::tuple{440.0, 1.0, up2}}) {
            const double got = stretchedTone(e.engine, ratio, pitch, hz), want = hz * pitch;
            std::printf("  %4.0f Hz %s: %8.2f (%+6.1f c)", hz, pitch == 1.0 ? "at 80%" : "+2 st ", got,
                        1200.0 * std::log2(got / want));
        }
        std::printf("\n");
    }
    return 0;
}
