// `stemdeck check`: a clean folder, a folder with every kind of defect, and a set with a bad song.
#include <catch2/catch.hpp>
#include <sndfile.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "../support/TestSupport.h"
#include "stemdeck/app/CheckReport.h"
#include "stemdeck/app/Preflight.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/midi/Mapping.h"
#include "stemdeck/set/Check.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/common/Text.h"

using namespace stemdeck;
using namespace stemdeck::set;
using namespace stemdeck::control;
using namespace stemdeck::app;
namespace fs = std::filesystem;

namespace {
/// A stereo sine (the same on both sides) of peak `level`, in any libsndfile format.
void writeFile(const fs::path& p, int format, int rate, std::int64_t frames, float level) {
    test::StemAudio a;
    for (std::int64_t i = 0; i < frames; ++i)
        a.left.push_back(level * static_cast<float>(std::sin(0.05 * static_cast<double>(i))));
    test::writeSoundFile(p, format, rate, a);
}

const Finding* find(const SongReport& s, const std::string& fileEnd, const std::string& text) {
    for (const Finding& f : s.findings)
        if (f.file.ends_with(fileEnd) && f.what.find(text) != std::string::npos) return &f;
    return nullptr;
}

constexpr int kWav24 = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
} // namespace

TEST_CASE("check: a clean folder is ready", "[unit][check]") {
    test::TempDir d;
    const fs::path song = d / "clean";
    fs::create_directories(song);
    writeFile(song / "01_Drums.wav", kWav24, 48000, 48000, 0.5f);
    writeFile(song / "02_Bass.wav", kWav24, 48000, 48000, 0.25f);
    writeFile(song / "00_MIX_REFERENCE.wav", kWav24, 48000, 48000, 0.7f);
    std::ofstream(song / "readme.txt") << "BPM: 124\nKey: F# minor\nSample rate: 48 kHz\n";
    const CheckReport r = checkSource(song);
    REQUIRE(r.songs.size() == 1);
    const SongReport& s = r.songs[0];
    INFO(formatCheckReport(r));
    CHECK(s.findings.empty());
    CHECK(r.canPlay());
    CHECK(s.bpm == 124.0);
    CHECK(s.key == "F# minor");
    REQUIRE(s.stems.size() == 2);
    CHECK(s.stems[0].frames == 48000);
    CHECK(s.stems[0].bitDepth == 24);
    CHECK(*s.stems[0].peak == Approx(0.5f).margin(1e-4));
    REQUIRE(s.reference);
    CHECK(formatCheckReport(r).find("ready") != std::string::npos);
    CHECK(checkReportJson(r).find("\"can_play\":true") != std::string::npos);
}

TEST_CASE("check: every kind of defect is found, with a severity and a fix", "[unit][check]") {
    test::TempDir d;
    const fs::path song = d / "defects";
    fs::create_directories(song);
    writeFile(song / "01_Drums.wav", kWav24, 48000, 96000, 0.5f);
    writeFile(song / "02_Short.wav", kWav24, 48000, 90000, 0.5f);                             // 6000 frames short
    writeFile(song / "03_Rate.wav", kWav24, 44100, 88200, 0.5f);                              // another rate
    writeFile(song / "04_Sixteen.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 96000, 0.5f); // 16-bit
    writeFile(song / "05_Hot.wav", kWav24, 48000, 96000, 0.9f);                               // -0.9 dBFS
    writeFile(song / "06_Clip.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 96000, 1.3f);     // past 0 dBFS
    writeFile(song / "07_Lossy.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 48000, 96000, 0.3f);
    std::ofstream(song / "08_Broken.wav") << "this is not audio";
    writeFile(song / "09_Ninth.wav", kWav24, 48000, 96000, 0.1f);
    writeFile(song / "00_MIX_REFERENCE.wav", kWav24, 48000, 95000, 0.5f); // reference too short
    std::ofstream(song / "readme.txt") << "Tempo = 128\nSample rate: 44.1 kHz\n";

    const CheckReport r = checkSource(song);
    const SongReport& s = r.songs.at(0);
    INFO(formatCheckReport(r));
    CHECK_FALSE(r.canPlay());
    const auto has = [&](const std::string& file, const std::string& text, Severity sev) {
        const Finding* f = find(s, file, text);
        INFO(file << ": " << text);
        REQUIRE(f != nullptr);
        CHECK(f->severity == sev);
        CHECK_FALSE(f->fix.empty());
    };
    has("defects", "9 stems; a song plays at most eight", Severity::error);
    has("08_Broken.wav", "cannot read as audio", Severity::error);
    has("02_Short.wav", "shorter than the longest stem by 6000 frames (0.125 s)", Severity::warning);
    has("03_Rate.wav", "sample rate 44100 Hz, but 01_Drums.wav is 48000 Hz", Severity::warning);
    has("04_Sixteen.wav", "16-bit", Severity::warning);
    has("05_Hot.wav", "less than 3 dB of headroom", Severity::warning);
    has("06_Clip.wav", "clips: peak +2.3 dBFS", Severity::warning);
    has("07_Lossy.ogg", "lossy", Severity::warning);
    has("00_MIX_REFERENCE.wav", "the reference mix is 95000 frames long, the stems 96000", Severity::warning);
    has("readme.txt", "the readme says 44100 Hz, the stems are 48000 Hz", Severity::warning);
    CHECK(find(s, "01_Drums.wav", "") == nullptr); // the good stem has nothing against it
    CHECK(s.bpm == 128.0);
    const std::string json = checkReportJson(r);
    CHECK(json.find("\"can_play\":false") != std::string::npos);
    CHECK(json.find("\"severity\":\"error\"") != std::string::npos);
    CHECK(formatCheckReport(r).find("CANNOT PLAY") != std::string::npos);
}

TEST_CASE("check: a set with a bad song reports it and checks the others", "[unit][check]") {
    test::TempDir d;
    fs::create_directories(d / "a");
    writeFile(d / "a" / "01_A.wav", kWav24, 48000, 4800, 0.5f);
    std::ofstream(d / "set.yaml") << "name: Test set\nsongs:\n  - a\n  - nowhere\n";
    const CheckReport r = checkSource(d / "set.yaml");
    INFO(formatCheckReport(r));
    CHECK(r.setName == "Test set");
    REQUIRE(r.songs.size() == 2);
    CHECK(r.songs[0].canPlay());
    CHECK(r.songs[0].count(Severity::warning) == 1); // no readme
    CHECK_FALSE(r.songs[1].canPlay());
    CHECK(r.songs[1].findings.at(0).what.find("set.yaml:4:5: 'nowhere' does not exist") != std::string::npos);
    CHECK(formatCheckReport(r).find("1 of 2 songs can play") != std::string::npos);

    std::ofstream(d / "bad.yaml") << "songs: [a\n";
    const CheckReport bad = checkSource(d / "bad.yaml");
    REQUIRE(bad.songs.size() == 1);
    CHECK(bad.songs[0].findings.at(0).what.find("not valid YAML") != std::string::npos);
}

TEST_CASE("The preflight: check in the background, errors first, one line each, for the stage screen",
          "[unit][check]") {
    test::TempDir d;
    fs::create_directories(d / "a");
    writeFile(d / "a" / "01_A.wav", kWav24, 48000, 4800, 0.5f);
    std::ofstream(d / "set.yaml") << "name: Test set\nsongs:\n  - a\n  - nowhere\n";
    const CheckReport r = checkSource(d / "set.yaml");
    CHECK(checkSummary(r) ==
          "check: 2 songs, 1 error, 1 warning: 1 of 2 songs can play; fix the errors before the show");
    const std::vector<std::string> lines = problemLines(r);
    REQUIRE(lines.size() == 2);
    // The error (song 2) before the warning (song 1); the set file's path is said once.
    CHECK(lines[0].rfind("error: song 2 'nowhere': " + (d / "set.yaml").string() + ":4:5: 'nowhere' does not exist",
                         0) == 0);
    CHECK(lines[0].find(" - fix: ") != std::string::npos);
    CHECK(lines[1].rfind("warning: song 1 'a': ", 0) == 0);

    Preflight preflight({d / "set.yaml"});
    std::optional<Preflight::Result> result;
    for (int i = 0; i < 1000 && !result; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        result = preflight.result();
    }
    REQUIRE(result);
    CHECK(result->summary == checkSummary(r));
    CHECK(result->problems == lines);
    CHECK(result->errors == 1);
    CHECK(result->warnings == 1);
    // Folders (no set file) are checked one by one, as one report.
    Preflight folders({d / "a", d / "a"});
    result.reset();
    for (int i = 0; i < 1000 && !result; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        result = folders.result();
    }
    REQUIRE(result);
    CHECK(result->summary == "check: 2 songs, 0 errors, 2 warnings: the set can play");
    // Dropped before it is done: its thread stops at the next file (the destructor joins).
    { Preflight dropped({d / "set.yaml"}); }
}

namespace {
/// Why `render` refuses the song (a stem it cannot open), or the first fault the loaded song
/// reports (a stem that does not hold what it declares: render warns of it and plays what there
/// is); "" when it renders clean.
/// Whether render refuses a song (loaded as `stemdeck render` loads it).
bool renderRefuses(const fs::path& song) {
    try {
        SongOptions offline;
        offline.offline = true;
        offline.keepBrokenStems = true;
        (void)loadSong(song, offline);
        return false;
    } catch (const Error&) {
        return true;
    }
}

/// What render says of a song (it loads it as play does: render is play offline): the load's
/// warnings and faults, one per line, or its error when it cannot load.
std::string renderWords(const fs::path& song) {
    try {
        SongOptions offline;
        offline.offline = true;
        offline.keepBrokenStems = true; // as `stemdeck render` loads
        Song loaded = loadSong(song, offline);
        std::string words;
        for (const std::string& w : loaded.warnings)
            words += w + "\n";
        for (const std::string& f : loaded.takeFaults())
            words += f + "\n";
        return words;
    } catch (const Error& e) {
        return e.what();
    }
}
/// A song of three stems whose middle one is broken in its own way.
struct BrokenStem {
    std::string name, expect;                  ///< the song's folder name; words check and render use for it
    std::function<void(const fs::path&)> make; ///< makes 02_Bass.wav
};

/// The fixture's song folder in `dir`: 01_Drums.wav, the broken 02_Bass.wav, 03_Keys.wav and a readme.
fs::path brokenSong(const fs::path& dir, const BrokenStem& fx) {
    const fs::path song = dir / fx.name;
    fs::create_directories(song);
    writeFile(song / "01_Drums.wav", kWav24, 48000, 48000, 0.5f);
    fx.make(song / "02_Bass.wav");
    writeFile(song / "03_Keys.wav", kWav24, 48000, 48000, 0.25f);
    std::ofstream(song / "readme.txt") << "BPM: 120\n";
    return song;
}
} // namespace

TEST_CASE("check, render and play agree on stems that vanish, renumber or have absurd headers", "[unit][check]") {
    // Each fixture is a song of three stems whose middle one is broken in its own way: check calls
    // it an error naming what is wrong, render refuses the song with the same words, and play keeps
    // the stem's number (silent) so stem 3 is still stem 3 for mappings and scripts.
    test::TempDir d;
    const std::vector<BrokenStem> fixtures = {
        {"folder", "is a folder, not an audio file", [](const fs::path& p) { fs::create_directories(p); }},
        {"dangling", "which does not exist", [](const fs::path& p) { fs::create_symlink("gone.wav", p); }},
        {"loop", "symbolic link loop", [](const fs::path& p) { fs::create_symlink(p.filename(), p); }},
        {"rate-1hz", "sample rate 1 Hz is outside", [](const fs::path& p) { writeFile(p, kWav24, 1, 4, 0.5f); }},
        {"rate-2khz", "sample rate 2000 Hz is outside",
         [](const fs::path& p) { writeFile(p, kWav24, 2000, 2000, 0.5f); }},
        {"three-channels", "3 channels; a stem must be mono or stereo",
         [](const fs::path& p) {
             SF_INFO info{};
             info.samplerate = 48000;
             info.channels = 3;
             info.format = kWav24;
             SNDFILE* f = sf_open(p.c_str(), SFM_WRITE, &info);
             std::vector<float> frames(3 * 4800, 0.25f);
             sf_writef_float(f, frames.data(), 4800);
             sf_close(f);
         }},
    };
    for (const BrokenStem& fx : fixtures) {
        DYNAMIC_SECTION(fx.name) {
            const fs::path song = brokenSong(d.path(), fx);

            const CheckReport r = checkSource(song);
            INFO(formatCheckReport(r));
            REQUIRE(r.songs.size() == 1);
            const Finding* f = find(r.songs[0], "02_Bass.wav", fx.expect);
            REQUIRE(f != nullptr);
            CHECK(f->severity == Severity::error); // a delivery defect (exit 1)…
            CHECK(f->songPlays);                   // …the song plays through, as play and render play it
            CHECK(r.canPlay());
            REQUIRE(r.songs[0].stems.size() == 3);
            CHECK(r.songs[0].stems[2].name == "Keys");

            const std::string said = renderWords(song); // render plays it as play does, in the same words
            CHECK(said.find("02_Bass.wav") != std::string::npos);
            CHECK(said.find(fx.expect) != std::string::npos);
            CHECK(said.find("stays silent; the other stems play") != std::string::npos);

            SongOptions live; // play: the show goes on, numbers kept
            live.keepBrokenStems = true;
            const Song played = loadSong(song, live);
            REQUIRE(played.stemNames.size() == 3);
            CHECK(played.sources[1] == nullptr);
            CHECK(played.stemNames[2] == "Keys");
            CHECK(played.sources[2] != nullptr);
            bool named = false;
            for (const std::string& w : played.warnings)
                named = named || (w.find("02_Bass.wav") != std::string::npos && w.find(fx.expect) != std::string::npos);
            CHECK(named);
        }
    }
}

TEST_CASE(
    "check, render and play name at once what is not a regular file (a pipe, a socket, a device) and play around it",
    "[unit][check]") {
    // A named pipe opened for reading waits for a writer: before the rule book refused it, check
    // and render hung on 03_x.wav for ever. Each verb runs on a thread given 10 s; one that hangs
    // fails the test, and the pipe is then opened for writing (and closed) so it lets go.
    test::TempDir d;
    const std::vector<BrokenStem> fixtures = {
        {"fifo", "is a named pipe (FIFO), not an audio file",
         [](const fs::path& p) { REQUIRE(::mkfifo(p.c_str(), 0644) == 0); }},
        {"link-to-fifo", "is a named pipe (FIFO), not an audio file",
         [](const fs::path& p) {
             REQUIRE(::mkfifo((p.parent_path() / "pipe").c_str(), 0644) == 0);
             fs::create_symlink("pipe", p);
         }},
        {"socket", "is a socket, not an audio file",
         [](const fs::path& p) {
             const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
             sockaddr_un addr{};
             addr.sun_family = AF_UNIX;
             const std::string path = p.string();
             REQUIRE(path.size() < sizeof addr.sun_path);
             std::copy(path.begin(), path.end(), addr.sun_path);
             REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
             ::close(fd);
         }},
        {"link-to-device", "is a device, not an audio file",
         [](const fs::path& p) { fs::create_symlink("/dev/zero", p); }},
    };
    for (const BrokenStem& fx : fixtures) {
        DYNAMIC_SECTION(fx.name) {
            const fs::path song = brokenSong(d.path(), fx);
            // Runs `verb` with a 10 s limit; a hang fails, and the pipe (if any) is opened to end it.
            const auto within10s = [&](const char* what, auto verb) {
                auto done = std::async(std::launch::async, verb);
                if (done.wait_for(std::chrono::seconds(10)) == std::future_status::ready) return done.get();
                FAIL_CHECK(what << " hangs on " << fx.name);
                for (const fs::path& pipe : {song / "02_Bass.wav", song / "pipe"})
                    if (const int fd = ::open(pipe.c_str(), O_WRONLY | O_NONBLOCK); fd >= 0) ::close(fd);
                return done.get();
            };
            const CheckReport r = within10s("check", [&] { return checkSource(song); });
            INFO(formatCheckReport(r));
            REQUIRE(r.songs.size() == 1);
            const Finding* f = find(r.songs[0], "02_Bass.wav", fx.expect);
            REQUIRE(f != nullptr);
            CHECK(f->severity == Severity::error);
            CHECK(r.songs[0].stems[2].name == "Keys");

            CHECK(f->songPlays);
            const std::string said = within10s("render", [&] { return renderWords(song); });
            CHECK(said.find("02_Bass.wav") != std::string::npos);
            CHECK(said.find(fx.expect) != std::string::npos);
            CHECK(said.find("stays silent; the other stems play") != std::string::npos);

            SongOptions live; // play: the show goes on, numbers kept
            live.keepBrokenStems = true;
            const Song played = within10s("play", [&] { return loadSong(song, live); });
            REQUIRE(played.stemNames.size() == 3);
            CHECK(played.sources[1] == nullptr);
            CHECK(played.sources[2] != nullptr);
        }
    }
}

TEST_CASE("check: a Broadcast Wave (.bwf) is a stem", "[unit][check]") {
    test::TempDir d;
    const fs::path song = d / "bwf";
    fs::create_directories(song);
    writeFile(song / "01_Boom.bwf", kWav24, 48000, 48000, 0.5f);
    std::ofstream(song / "readme.txt") << "BPM: 120\n";
    const CheckReport r = checkSource(song);
    INFO(formatCheckReport(r));
    REQUIRE(r.songs.size() == 1);
    REQUIRE(r.songs[0].stems.size() == 1);
    CHECK(r.songs[0].stems[0].name == "Boom");
    CHECK(r.canPlay());
    CHECK(loadSong(song, {}).stemNames == std::vector<std::string>{"Boom"});
}

TEST_CASE("check and render apply one tempo rule to the readme", "[unit][check]") {
    // Each readme: check's verdict (error or not) equals whether render refuses the song.
    const std::vector<std::pair<std::string, bool>> readmes = {{"BPM: 120\n", true},
                                                               {"BPM: 0\n", false},
                                                               {"BPM: 1000\n", false},
                                                               {"BPM: 1e308\n", false},
                                                               {"BPM: 0.0001\n", false},
                                                               {"BPM: 999\n", true},
                                                               {"Tempo = 1\n", true},
                                                               {"BPM: 120\nTime signature: 0/0\n", false},
                                                               {"BPM: 120\nTime signature: 999/4\n", false},
                                                               {"BPM: 120\nTime signature: 7/8\n", true},
                                                               {"BPM: 120\nTime signature: 3/5\n", false}};
    test::TempDir d;
    int k = 0;
    for (const auto& [text, plays] : readmes) {
        const fs::path song = d / ("song" + std::to_string(++k));
        fs::create_directories(song);
        writeFile(song / "01_Drums.wav", kWav24, 48000, 4800, 0.5f);
        std::ofstream(song / "readme.txt") << text;
        const CheckReport r = checkSource(song);
        INFO(text << formatCheckReport(r));
        CHECK(r.canPlay() == plays);
        CHECK(renderRefuses(song) != plays);
    }
}

namespace {
void resize(const fs::path& p, std::uintmax_t bytes) {
    fs::resize_file(p, bytes);
}
constexpr int kFlac16 = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
} // namespace

TEST_CASE("The length of a stem is what decodes: check and render agree on cut-off and empty files", "[unit][check]") {
    test::TempDir d;
    auto song = [&](const std::string& name, const std::function<void(const fs::path&)>& makeBass) {
        const fs::path dir = d / name;
        fs::create_directories(dir);
        writeFile(dir / "01_Drums.wav", kWav24, 48000, 480000, 0.5f);
        makeBass(dir / "02_Bass.flac");
        std::ofstream(dir / "readme.txt") << "BPM: 120\n";
        return dir;
    };
    SECTION("a FLAC that leaves its sample count unset is as long as it decodes") {
        const fs::path dir = song("nocount", [](const fs::path& p) {
            writeFile(p, kFlac16, 48000, 480000, 0.5f);
            test::unsetFlacTotal(p);
        });
        const CheckReport r = checkSource(dir);
        INFO(formatCheckReport(r));
        CHECK(r.canPlay());
        REQUIRE(r.songs[0].stems.size() == 2);
        CHECK(r.songs[0].stems[1].frames == 480000);
        CHECK(find(r.songs[0], "02_Bass.flac", "shorter") == nullptr);
        const std::uint64_t counted = formats::lengthsCounted();
        Song loaded = loadSong(dir, {});
        CHECK(loaded.lengthFrames == 480000); // not 9223372036854775807, not 0
        // No whole-file decode to learn the length: it comes from the last frames' headers
        // (flacLengthFromTail), once; the decoders opened for streaming and for each cue take the
        // probe's length (before: one whole decode per load, and at first one per decoder, 5 here).
        loaded.addCue(96000);
        loaded.addCue(240000);
        loaded.addCue(400000);
        CHECK(formats::lengthsCounted() - counted == 0);
        // Asking the device for the song's rate reads the header alone.
        const formats::AudioFileInfo header = formats::probeStem(dir / "02_Bass.flac", formats::ProbeDepth::header);
        CHECK(header.sampleRate == 48000);
        CHECK(header.frames == -1);
        CHECK(formats::lengthsCounted() - counted == 0);
        const test::Rendered out = test::renderFolder(dir, "", {});
        CHECK(out.left.size() == 480000);
        CHECK(out.faults.empty());
    }
    // Render is play offline: the cut-off bass plays what there is (its first second), then silence,
    // to the song's whole length. Drums and bass are the same sine, so the mix's peak halves at the cut.
    auto playsWhatThereIs = [](const test::Rendered& out) {
        REQUIRE(out.left.size() == 480000);
        auto peak = [&](std::size_t from, std::size_t to) {
            float p = 0.0f;
            for (std::size_t i = from; i < to; ++i)
                p = std::max(p, std::abs(out.left[i]));
            return p;
        };
        const float both = peak(0, 40000), drumsAlone = peak(200000, 480000);
        INFO("peak with the bass " << both << ", after the cut " << drumsAlone);
        CHECK(drumsAlone > 0.1f);
        CHECK(both > 1.9f * drumsAlone);
        CHECK(both < 2.1f * drumsAlone);
    };
    SECTION("a FLAC cut off after a second is an error naming both lengths; the song plays, in render too") {
        const fs::path dir = song("cut", [](const fs::path& p) {
            writeFile(p, kFlac16, 48000, 480000, 0.5f);
            resize(p, fs::file_size(p) / 10);
        });
        const CheckReport r = checkSource(dir);
        INFO(formatCheckReport(r));
        const Finding* f = find(r.songs[0], "02_Bass.flac", "declares 0:10.0, holds 0:0");
        REQUIRE(f != nullptr);
        CHECK(f->what.find("the file is cut off") != std::string::npos);
        CHECK(f->severity == Severity::error);
        CHECK(f->songPlays);
        CHECK(r.songs[0].canPlay()); // an error, but never "cannot play" for a song that plays
        CHECK(r.canPlay());
        CHECK(formatCheckReport(r).find("PLAYS, WITH ERRORS") != std::string::npos);
        const test::Rendered out = test::renderFolder(dir, "", {}); // the faults render warns of
        REQUIRE_FALSE(out.faults.empty());
        CHECK(out.faults[0].find("the file is cut off") != std::string::npos);
        playsWhatThereIs(out);
    }
    SECTION("a WAV and an AIFF cut off after a second: the same, though libsndfile reads them as short") {
        for (const auto& [name, format] :
             {std::pair{"02_Bass.wav", kWav24}, std::pair{"02_Bass.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24}}) {
            const fs::path dir = song(std::string("cut-") + name, [&](const fs::path& p) {
                const fs::path file = p.parent_path() / name;
                writeFile(file, format, 48000, 480000, 0.5f);
                resize(file, fs::file_size(file) / 10);
            });
            const CheckReport r = checkSource(dir);
            INFO(formatCheckReport(r));
            const Finding* f = find(r.songs[0], name, "declares 0:10.0, holds 0:0");
            REQUIRE(f != nullptr);
            CHECK(f->what.find("the file is cut off") != std::string::npos);
            CHECK(f->severity == Severity::error);
            CHECK(f->songPlays);
            CHECK(r.songs[0].canPlay());
            const test::Rendered out = test::renderFolder(dir, "", {});
            REQUIRE_FALSE(out.faults.empty());
            CHECK(out.faults[0].find("the file is cut off") != std::string::npos);
            playsWhatThereIs(out);
        }
    }
    SECTION("a header-only FLAC and a WAV with an empty data chunk hold no audio") {
        for (const std::string name : {"headeronly", "emptywav"}) {
            const fs::path dir = song(name, [&](const fs::path& p) {
                if (name == "headeronly") {
                    writeFile(p, kFlac16, 48000, 480000, 0.5f);
                    resize(p, 42 + 4 + 34 > fs::file_size(p) ? fs::file_size(p) : 42);
                } else {
                    const std::vector<float> none;
                    formats::writeWav(p.parent_path() / "02_Bass.wav", 48000, none, nullptr,
                                      formats::SampleFormat::pcm24);
                }
            });
            const CheckReport r = checkSource(dir);
            INFO(name << "\n" << formatCheckReport(r));
            // An error the song plays through: the drums play, the empty bass stays silent, in
            // play and render alike (render says so in play's words).
            CHECK(r.count(Severity::error) > 0);
            CHECK(r.canPlay());
            CHECK_FALSE(renderRefuses(dir));
            const std::string said = renderWords(dir);
            CHECK(said.find("02_Bass") != std::string::npos);
            INFO("render: " << said);
            CHECK((said.find("stays silent; the other stems play") != std::string::npos ||
                   said.find("holds 0:00.0: the file is cut off") != std::string::npos));
        }
    }
}

TEST_CASE("check: a set's controller mapping must exist and parse, as play requires", "[unit][check]") {
    test::TempDir d;
    fs::create_directories(d / "a");
    writeFile(d / "a" / "01_A.wav", kWav24, 48000, 4800, 0.5f);
    std::ofstream(d / "a" / "readme.txt") << "BPM: 120\n";
    const ControllerCheck parse = mappingCheck(); // check's and the preflight's
    std::ofstream(d / "broken.yaml") << "bindings:\n  - { note: 36, action: toggle_mutte, stem: 1 }\n";
    fs::copy_file(fs::path(STEMDECK_SOURCE_DIR) / "controllers" / "korg-nanokontrol2.yaml", d / "good.yaml");
    // By name: the user's mapping of that name, else the shipped one (here: the source tree's).
    setenv("XDG_CONFIG_HOME", (d / "config").c_str(), 1);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"good.yaml", ""},
        {"missing.yaml", "does not exist"},
        {"broken.yaml", "toggle_mutte"},
        {"akai-apc-mini-mk2", ""},
        {"akai-apc-mini-mk3", "no controller mapping named 'akai-apc-mini-mk3'"}};
    for (const auto& [mapping, problem] : cases) {
        std::ofstream(d / "set.yaml") << "controller: " << mapping << "\nsongs:\n  - a\n";
        const CheckReport r = checkSource(d / "set.yaml", {}, parse);
        INFO(mapping << "\n" << formatCheckReport(r));
        CHECK(r.canPlay() == problem.empty());
        if (!problem.empty()) {
            REQUIRE(r.setFindings.size() == 1);
            CHECK(r.setFindings[0].what.find(problem) != std::string::npos);
            CHECK(r.setFindings[0].severity == Severity::error);
            CHECK(formatCheckReport(r).find("The set cannot play as delivered") != std::string::npos);
            CHECK(checkReportJson(r).find("\"set_findings\":[{\"severity\":\"error\"") != std::string::npos);
        }
    }
    // The shipped names are listed to choose from; the user's own mapping of a name comes first.
    std::ofstream(d / "set.yaml") << "controller: akai-apc-mini-mk3\nsongs:\n  - a\n";
    CHECK_THAT(checkSource(d / "set.yaml", {}, parse).setFindings.at(0).what, Catch::Contains("akai-apc-mini-mk2, "));
    CHECK(loadSetFile(d / "set.yaml").controllerName == "akai-apc-mini-mk3");
    fs::create_directories(d / "config" / "stemdeck" / "controllers");
    std::ofstream(d / "config" / "stemdeck" / "controllers" / "akai-apc-mini-mk3.yaml")
        << "bindings:\n  - { note: 36, action: toggle_mutte, stem: 1 }\n";
    CHECK_THAT(checkSource(d / "set.yaml", {}, parse).setFindings.at(0).what, Catch::Contains("toggle_mutte"));
    unsetenv("XDG_CONFIG_HOME");
}

TEST_CASE("check names telephone and ADPCM codecs (made by ffmpeg) and warns of them", "[unit][check]") {
    test::TempDir d;
    struct Case {
        const char* codec;
        const char* format;
        const char* warning;
    };
    const Case cases[] = {
        {"pcm_alaw", "WAV A-law 8-bit", "8-bit (WAV A-law 8-bit): low resolution"},
        {"pcm_mulaw", "WAV mu-law 8-bit", "8-bit (WAV mu-law 8-bit): low resolution"},
        {"adpcm_ima_wav", "WAV IMA ADPCM", "lossy (WAV IMA ADPCM)"},
        {"adpcm_ms", "WAV MS ADPCM", "lossy (WAV MS ADPCM)"},
        {"libgsm_ms", "WAV GSM 6.10", "lossy (WAV GSM 6.10)"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.codec);
        const fs::path song = d / c.codec;
        fs::create_directories(song);
        std::ofstream(song / "readme.txt") << "BPM: 120\n";
        REQUIRE(std::system(("ffmpeg -nostdin -v error -y -f lavfi -i sine=f=440:d=1 -ar 8000 -c:a " +
                             std::string(c.codec) + " '" + (song / "01_Phone.wav").string() + "'")
                                .c_str()) == 0);
        const CheckReport r = checkSource(song);
        INFO(formatCheckReport(r));
        REQUIRE(r.songs.size() == 1);
        REQUIRE(r.songs[0].stems.size() == 1);
        CHECK(r.songs[0].stems[0].format == c.format);
        const Finding* f = find(r.songs[0], "01_Phone.wav", c.warning);
        REQUIRE(f != nullptr);
        CHECK(f->severity == Severity::warning);
        CHECK(r.canPlay());
    }
}

TEST_CASE("Text from file names: valid UTF-8 always, one line in a table", "[unit][check]") {
    CHECK(validUtf8("Caf\xC3\xA9 \xE2\x99\xAA \xF0\x9F\x8E\xB8") == "Caf\xC3\xA9 \xE2\x99\xAA \xF0\x9F\x8E\xB8");
    CHECK(validUtf8("caf\xE9") == "caf\xEF\xBF\xBD");                                             // Latin-1
    CHECK(validUtf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                                   // overlong
    CHECK(validUtf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                   // a surrogate
    CHECK(validUtf8("\xF4\x90\x80\x80x") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx"); // past U+10FFFF
    CHECK(validUtf8("ab\xE2\x99") == "ab\xEF\xBF\xBD\xEF\xBF\xBD");                               // cut short
    CHECK(oneLine("Dr\nums\t1\x7F") == "Dr?ums?1?");
}

TEST_CASE("check --json is valid UTF-8 and the table one line a stem, whatever the file names hold", "[unit][check]") {
    test::TempDir d;
    const fs::path song = d / "caf\xE9"; // a Latin-1 folder name from another machine
    fs::create_directories(song);
    writeFile(song / "01_Dr\nums.wav", kWav24, 48000, 48000, 0.5f); // a newline in a file name
    writeFile(song / "02_Bass.wav", kWav24, 48000, 48000, 0.5f);
    std::ofstream(song / "readme.txt") << "BPM: 120\n";
    const CheckReport r = checkSource(song);
    REQUIRE(r.songs.size() == 1);
    REQUIRE(r.songs[0].stems.size() == 2);
    const std::string json = checkReportJson(r);
    CHECK(validUtf8(json) == json);
    CHECK(json.find("caf\xEF\xBF\xBD") != std::string::npos);
    CHECK(json.find("Dr\\nums") != std::string::npos);
    const std::string table = formatCheckReport(r);
    CHECK(validUtf8(table) == table);
    CHECK(table.find("  1   Dr?ums ") != std::string::npos);
    CHECK(table.find("\nums") == std::string::npos);
}

TEST_CASE("check: a set made for timecode lists each song's start and refuses LTC in a mix",
          "[unit][check][timecode]") {
    test::TempDir d;
    fs::create_directories(d / "a");
    fs::create_directories(d / "b");
    writeFile(d / "a" / "01_A.wav", kWav24, 48000, 4800, 0.5f);
    writeFile(d / "b" / "01_B.wav", kWav24, 48000, 4800, 0.5f);
    std::ofstream(d / "set.yaml") << "audio: { main: 1, click: 3, ltc: 5 }\ntimecode: { mtc: true }\nsongs:\n  - a\n"
                                     "  - { folder: b, timecode: '07:30:00:00' }\n";
    const CheckReport ok = checkSource(d / "set.yaml");
    INFO(formatCheckReport(ok));
    CHECK(ok.setFindings.empty());
    REQUIRE(ok.songs.size() == 2);
    CHECK(ok.songs[0].timecode == "01:00:00:00");
    CHECK(ok.songs[1].timecode == "07:30:00:00");
    CHECK(formatCheckReport(ok).find("timecode: bar 1 at 07:30:00:00") != std::string::npos);
    CHECK(checkReportJson(ok).find("01:00:00:00") != std::string::npos);
    // LTC on the click's right side, MTC at 23.976: both refused, the set cannot play as written.
    std::ofstream(d / "bad.yaml") << "audio: { main: 1, click: 3, ltc: 4 }\ntimecode: { mtc: true, fps: 23.976 }\n"
                                     "songs:\n  - a\n";
    const CheckReport bad = checkSource(d / "bad.yaml");
    INFO(formatCheckReport(bad));
    REQUIRE(bad.setFindings.size() == 2);
    CHECK(bad.setFindings[0].what.find("MTC has no 23.976 rate") == 0);
    CHECK(bad.setFindings[1].what == "LTC's output 4 is also click's (outputs 3-4): LTC in a mix is a loud buzz");
    CHECK(bad.setFindings[1].file == (d / "bad.yaml").string() + ":1");
    CHECK_FALSE(bad.canPlay());
}
