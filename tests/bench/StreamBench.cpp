// Streaming benchmarks; each prints figures.
//   stemdeck_bench_stream memory PATH/TO/stemdeck   peak RSS rendering a 3- and a 60-minute 8-stem song
//   stemdeck_bench_stream load                      load-to-first-block time and song-change gap
//   stemdeck_bench_stream stress [MINUTES]          underruns over a real-time render at 64-frame
//                                                  blocks with a disk reader and two CPU hogs running
//   stemdeck_bench_stream stemfile [MINUTES]        decode throughput of a four-stem .stem.mp4 (FFmpeg)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/StemReader.h"

#include <sndfile.h>

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

const int kRate = 48000;

// Eight stereo 24-bit FLAC stems of `minutes`, written in chunks (never whole in RAM).
void writeSong(const fs::path& dir, double minutes) {
    fs::create_directories(dir);
    const auto frames = static_cast<std::int64_t>(minutes * 60.0 * kRate);
    std::vector<float> buf(65536 * 2);
    for (int s = 0; s < 8; ++s) {
        char name[32];
        std::snprintf(name, sizeof name, "%02d_Stem%d.flac", s + 1, s + 1);
        SF_INFO info{};
        info.samplerate = kRate;
        info.channels = 2;
        info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
        SNDFILE* f = sf_open((dir / name).c_str(), SFM_WRITE, &info);
        if (f == nullptr) std::exit(1);
        for (std::int64_t at = 0; at < frames; at += 65536) {
            const auto n = static_cast<int>(std::min<std::int64_t>(65536, frames - at));
            for (int i = 0; i < n; ++i) {
                const double t = static_cast<double>(at + i) / kRate;
                buf[static_cast<std::size_t>(2 * i)] =
                    static_cast<float>(0.1 * std::sin(2 * M_PI * 110.0 * (s + 1) * t));
                buf[static_cast<std::size_t>(2 * i + 1)] = buf[static_cast<std::size_t>(2 * i)];
            }
            sf_writef_float(f, buf.data(), n);
        }
        sf_close(f);
    }
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs a command, returns its peak resident set size in MB.
double peakRssMb(const std::vector<std::string>& argv) {
    const pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const int devnull = ::open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::printf("  (command failed: status %d)\n", status);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

pid_t spawn(const std::string& shell) {
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

int memory(const std::string& binary) {
    const fs::path dir = fs::temp_directory_path() / "stemdeck-bench-memory";
    std::printf("generating eight stereo 24-bit FLAC stems of 3 and of 60 minutes in %s ...\n", dir.c_str());
    const double t0 = now();
    writeSong(dir / "short", 3.0);
    writeSong(dir / "long", 60.0);
    std::printf("  (generated in %.0f s; %.0f MB on disk)\n", now() - t0, [&] {
        double bytes = 0;
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (e.is_regular_file()) bytes += static_cast<double>(e.file_size());
        return bytes / 1e6;
    }());
    const double tShort = now();
    const double rssShort = peakRssMb({binary, "render", (dir / "short").string(), "-o", (dir / "short.wav").string()});
    const double shortSeconds = now() - tShort;
    fs::remove(dir / "short.wav");
    const double tLong = now();
    const double rssLong = peakRssMb({binary, "render", (dir / "long").string(), "-o", "/dev/null"});
    const double longSeconds = now() - tLong;
    std::printf("peak RSS, render of  3-minute 8-stem song: %6.1f MB (%.1f s)\n", rssShort, shortSeconds);
    std::printf("peak RSS, render of 60-minute 8-stem song: %6.1f MB (%.1f s)\n", rssLong, longSeconds);
    std::printf("ratio 60 min / 3 min: %.3f (goal <= 1.05); largest %.1f MB (goal <= 64 MB)\n", rssLong / rssShort,
                std::max(rssShort, rssLong));
    fs::remove_all(dir);
    return 0;
}

int load() {
    const fs::path dir = fs::temp_directory_path() / "stemdeck-bench-load";
    writeSong(dir / "a", 2.0);
    writeSong(dir / "b", 1.0);
    // Cold-ish: a fresh process would also pay for the page cache; this measures our own work.
    double worst = 0, sum = 0;
    const int runs = 20;
    for (int r = 0; r < runs; ++r) {
        const double t0 = now();
        const control::Song song = control::loadSong(dir / "a");
        engine::Engine engine;
        engine.prepare(kRate, 128);
        engine.setSong(song.view());
        engine::CommandSender sender = engine.makeSender();
        sender.send(engine::Command{engine::Op::play});
        std::vector<float> l(128), rr(128);
        engine.process(l.data(), rr.data(), 128);
        const double ms = (now() - t0) * 1000.0;
        worst = std::max(worst, ms);
        sum += ms;
    }
    std::printf("load song (8 stems, heads decoded) to first audio block: mean %.1f ms, worst %.1f ms over %d runs "
                "(goal <= 100 ms)\n",
                sum / runs, worst, runs);
    control::SongOptions shared;
    shared.streamer = std::make_shared<stream::DiskStreamer>();
    const control::Song a = control::loadSong(dir / "a", shared), b = control::loadSong(dir / "b", shared);
    control::MemorySink sink;
    engine::Engine engine;
    const auto report = control::renderSongs(engine, {a.view(), b.view()}, kRate, {}, sink, {});
    std::printf("song change (run on): song B starts at frame %lld, song A is %lld frames: gap %lld samples (goal 0)\n",
                static_cast<long long>(report.songStarts.at(1)), static_cast<long long>(a.lengthFrames),
                static_cast<long long>(report.songStarts.at(1) - a.lengthFrames));
    fs::remove_all(dir);
    return 0;
}

int stress(double minutes) {
    const fs::path dir = fs::temp_directory_path() / "stemdeck-bench-stress";
    std::printf("generating eight stereo stems of %.1f min ...\n", minutes);
    writeSong(dir / "song", minutes);
    // A competing reader: 2 GB written once, then read flat out with direct I/O (past the page
    // cache) in a loop; and two processes spinning on the CPU.
    std::system(("dd if=/dev/urandom of=" + (dir / "big.bin").string() + " bs=1M count=2048 status=none").c_str());
    std::vector<pid_t> hogs = {
        spawn("while :; do dd if=" + (dir / "big.bin").string() + " of=/dev/null bs=1M iflag=direct status=none; done"),
        spawn("while :; do :; done"), spawn("while :; do :; done")};
    // Drop the page cache so our own stems come from the disk too (needs root; says if it could).
    const bool dropped = std::system("sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null") == 0;
    std::printf("page cache %s\n", dropped ? "dropped: the stems are read from disk"
                                           : "NOT dropped (not root): the stems may come from the page cache");
    std::printf("rendering %.1f min in real time at 64-frame blocks, not waiting for the disk, "
                "with a direct-I/O reader and two CPU hogs ...\n",
                minutes);
    const control::Song song = control::loadSong(dir / "song");
    control::RenderOptions o;
    o.blockFrames = 64;
    o.waitForDisk = false;
    o.realTimePace = true;
    class Null final : public control::RenderSink {
        void write(const float*, const float*, int) override {}
    } sink;
    engine::Engine engine;
    const auto report = control::renderSong(engine, song.view(), kRate, {}, sink, o);
    for (pid_t p : hogs)
        kill(-p, SIGKILL);
    for (pid_t p : hogs)
        waitpid(p, nullptr, 0);
    std::printf("underruns over %.1f min at 64-frame blocks under load: %llu (goal 0)\n",
                static_cast<double>(report.frames) / kRate / 60.0, static_cast<unsigned long long>(report.underruns));
    fs::remove_all(dir);
    return 0;
}

} // namespace

/// Decode throughput of a Native Instruments stem file: a master and four stereo AAC stems
/// (256 kb/s, 44.1 kHz, made with the ffmpeg tool), each track decoded start to end through
/// StemReader as the disk thread does, at the file's rate and resampled to 48 kHz.
int stemFile(double minutes) {
    const fs::path dir = fs::temp_directory_path() / ("stemdeck-bench-stemfile-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path file = dir / "bench.stem.mp4";
    const int secs = static_cast<int>(minutes * 60.0);
    std::string cmd = "ffmpeg -nostdin -v error -y";
    const char* tones[] = {"anoisesrc=c=pink:a=0.3", "sine=f=55", "sine=f=440", "anoisesrc=c=white:a=0.1",
                           "sine=f=1760"};
    for (const char* t : tones)
        cmd += " -f lavfi -i \"" + std::string(t) + ":d=" + std::to_string(secs) + ":r=44100\"";
    for (int i = 0; i < 5; ++i)
        cmd += " -map " + std::to_string(i) + ":a";
    cmd += " -ac 2 -c:a aac -b:a 256k -f mp4 '" + file.string() + "'";
    std::printf("making a %d-minute four-stem .stem.mp4 with ffmpeg...\n", secs / 60);
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) {
        std::printf("ffmpeg failed\n");
        return 1;
    }
    for (const int rate : {0, 48000}) {
        const auto t0 = std::chrono::steady_clock::now();
        std::int64_t frames = 0;
        std::vector<float> l(8192), r(8192);
        for (int track = 0; track < 5; ++track) {
            formats::StemReader reader({file, track}, rate);
            reader.start(0);
            for (int got = 0; (got = reader.read(l.data(), r.data(), 8192)) > 0;)
                frames += got;
        }
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("decode %s: 5 tracks x %d s in %.2f s on one core: the whole file (master + four stems) at %.0fx "
                    "real time; %.0fx per track\n",
                    rate == 0 ? "at 44.1 kHz       " : "resampled to 48 kHz", secs, wall, secs / wall,
                    5.0 * secs / wall);
        (void)frames;
    }
    fs::remove_all(dir);
    return 0;
}

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "memory" && argc > 2) return memory(argv[2]);
    if (mode == "load") return load();
    if (mode == "stress") return stress(argc > 2 ? std::atof(argv[2]) : 10.0);
    if (mode == "stemfile") return stemFile(argc > 2 ? std::atof(argv[2]) : 5.0);
    std::fprintf(
        stderr,
        "usage: stemdeck_bench_stream memory PATH/TO/stemdeck | load | stress [MINUTES] | stemfile [MINUTES]\n");
    return 2;
}
