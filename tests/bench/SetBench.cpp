// Set loading on large but valid sets, which must load in time linear in their size: a YAML
// alias that puts a 20,000-name list into every song's start state (131 KB of YAML), and 10,000
// distinct song folders (each compared with the others for repeats). Prints the times; before
// set loading was made linear they took 50 s and 44 s here.
//   stemdeck_bench_sets [SONG_FOLDERS] [NAMES]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "stemdeck/set/SetFile.h"

namespace fs = std::filesystem;
using namespace stemdeck;

namespace {
double secondsFor(const std::string& yaml, const fs::path& file, std::size_t& songs) {
    const auto t0 = std::chrono::steady_clock::now();
    const set::SetFile set = set::parseSetFile(yaml, file);
    songs = set.songs.size();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
} // namespace

int main(int argc, char** argv) {
    const int folders = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int names = argc > 2 ? std::atoi(argv[2]) : 20000;
    const fs::path dir = fs::temp_directory_path() / ("stemdeck-bench-sets-" + std::to_string(::getpid()));
    fs::create_directories(dir / "songs");
    std::string many = "songs:\n";
    for (int i = 0; i < folders; ++i) {
        fs::create_directory(dir / "songs" / std::to_string(i));
        many += "  - songs/" + std::to_string(i) + "\n";
    }
    std::string alias = "songs:\n  - folder: songs/0\n    start: { mute: &names [";
    for (int i = 0; i < names; ++i)
        alias += (i ? ", n" : "n") + std::to_string(i);
    alias += "] }\n";
    for (int i = 1; i < 20 && i < folders; ++i)
        alias += "  - { folder: songs/" + std::to_string(i) + ", start: { mute: *names } }\n";
    std::size_t songs = 0;
    const double a = secondsFor(alias, dir / "alias.yaml", songs);
    std::printf("set with a %d-name list aliased into %zu songs' start (%zu KB): loaded in %.3f s\n", names, songs,
                alias.size() / 1024, a);
    const double m = secondsFor(many, dir / "many.yaml", songs);
    std::printf("set of %zu distinct song folders (%zu KB): loaded in %.3f s\n", songs, many.size() / 1024, m);
    fs::remove_all(dir);
    return 0;
}
