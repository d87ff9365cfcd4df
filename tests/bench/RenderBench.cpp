// Offline render throughput against `sox -m` on the same eight five-minute stereo 24-bit stems,
// in the same run. stemdeck applies gains and filters on every stem; sox only sums.
//   stemdeck_bench_render [minutes] [workdir]      (default 5 minutes, a temp folder)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/formats/AudioFile.h"

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

class FileSink final : public control::RenderSink {
public:
    explicit FileSink(formats::WavWriter& w) : w_(w) {}
    void write(const float* l, const float* r, int n) override { w_.write(l, r, n); }

private:
    formats::WavWriter& w_;
};

} // namespace

int main(int argc, char** argv) {
    const double minutes = argc > 1 ? std::atof(argv[1]) : 5.0;
    const fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / "stemdeck-bench-render";
    const int rate = 48000;
    const auto frames = static_cast<std::size_t>(minutes * 60.0 * rate);
    fs::create_directories(dir / "song");
    std::printf("generating 8 stereo 24-bit stems of %.1f min in %s ...\n", minutes, dir.c_str());
    std::vector<std::string> files;
    for (int s = 0; s < 8; ++s) {
        std::vector<float> l(frames), r(frames);
        std::uint32_t x = 77u + static_cast<std::uint32_t>(s);
        for (std::size_t i = 0; i < frames; ++i) {
            x = x * 1664525u + 1013904223u;
            const double noise = static_cast<double>(x >> 8) / 16777216.0 - 0.5;
            l[i] = static_cast<float>(0.1 * std::sin(0.0005 * static_cast<double>(i) * (s + 1)) + 0.02 * noise);
            r[i] = l[i] * 0.8f;
        }
        char name[32];
        std::snprintf(name, sizeof name, "%02d_Stem%d.wav", s + 1, s + 1);
        const fs::path f = dir / "song" / name;
        formats::writeWav(f, rate, l, &r, formats::SampleFormat::pcm24);
        files.push_back(f.string());
    }
    std::ofstream(dir / "song" / "readme.txt") << "BPM: 120\n";

    // Gains and filters on every stem, moved every second: the work sox does not do.
    std::string events = "events:\n";
    for (int t = 0; t < static_cast<int>(minutes * 60.0); ++t)
        for (int s = 1; s <= 8; ++s) {
            events += "  - { time: " + std::to_string(t) + ", action: filter, stem: " + std::to_string(s) +
                      ", value: " + std::to_string(std::sin(t * 0.3 + s) * 0.8) + " }\n";
            events += "  - { time: " + std::to_string(t) + ", action: gain, stem: " + std::to_string(s) +
                      ", value: " + std::to_string(-(t + s) % 12) + "dB }\n";
        }

    // stemdeck: load (decode), render through the engine, write 24-bit.
    const auto t0 = std::chrono::steady_clock::now();
    const control::Song song = control::loadSong(dir / "song");
    const double loadSeconds = seconds(t0);
    const auto script = control::parseEventScript(events, "bench", {song.stemNames, static_cast<double>(rate), true});
    {
        formats::WavWriter writer(dir / "stemdeck.wav", rate, 2, formats::SampleFormat::pcm24);
        FileSink sink(writer);
        engine::Engine engine;
        control::renderSong(engine, song.view(), rate, script, sink, {});
        writer.commit();
    }
    const double ours = seconds(t0);

    std::string cmd = "sox -m";
    for (const auto& f : files)
        cmd += " -v 1 '" + f + "'";
    cmd += " -b 24 '" + (dir / "sox.wav").string() + "'";
    const auto t1 = std::chrono::steady_clock::now();
    const int rc = std::system(cmd.c_str());
    const double sox = seconds(t1);

    std::printf("stemdeck render (decode + 8 stems with gains and filters + 24-bit write): %.2f s\n", ours);
    std::printf("  decode %.2f s, engine render + 24-bit write %.2f s\n", loadSeconds, ours - loadSeconds);
    if (rc != 0) {
        std::printf("sox -m failed (exit %d): is sox installed?\n", rc);
        return 1;
    }
    std::printf("sox -m (sum only, same files, 24-bit write):                            %.2f s\n", sox);
    std::printf("ratio sox / stemdeck: %.2fx (goal: >= 3x)\n", sox / ours);
    if (argc <= 2) fs::remove_all(dir); // a folder given on the command line is kept for inspection
    return 0;
}
