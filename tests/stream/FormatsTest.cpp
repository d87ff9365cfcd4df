// Every format a producer may hand over, streamed through a render: lossless ones exactly (to
// their bit depth), lossy ones recognisably, and with a warning.
#include <catch2/catch.hpp>

#include <sndfile.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "../support/TestSupport.h"
#include "stemdeck/app/CheckReport.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/set/Check.h"

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

struct Format {
    const char* file;
    int format;
    double tolerance; // largest difference from the float original
    bool lossy;
};

} // namespace

TEST_CASE("WAV (16/24/32-bit, float, extensible), AIFF, FLAC, Ogg Vorbis, Opus and MP3 stream and play",
          "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 5; // past the head: the ring and the decoders are exercised
    const test::StemAudio src = test::sineStem(len, 441.0, rate, 0.4f, true);
    const Format formats[] = {
        {"01_pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.0 / 32768 + 1e-7, false},
        {"01_pcm24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1.0 / 8388608 + 1e-7, false},
        {"01_pcm32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1e-7, false},
        {"01_float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0.0, false},
        {"01_extensible.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 1.0 / 8388608 + 1e-7, false},
        {"01_aiff.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 1.0 / 8388608 + 1e-7, false},
        {"01_flac.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1.0 / 8388608 + 1e-7, false},
        {"01_vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.05, true},
        {"01_opus.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 0.05, true},
        {"01_mp3.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0.05, true},
    };
    for (const Format& f : formats) {
        DYNAMIC_SECTION(f.file) {
            test::TempDir dir;
            test::writeSoundFile(dir / f.file, f.format, rate, src);
            const auto out = test::renderFolder(dir.path(), "", {});
            REQUIRE(out.left.size() >= static_cast<std::size_t>(len));
            CHECK(out.report.underruns == 0);
            if (!f.lossy) {
                double worst = 0;
                for (std::size_t i = 0; i < static_cast<std::size_t>(len); ++i)
                    worst = std::max({worst, std::fabs(static_cast<double>(out.left[i] - src.left[i])),
                                      std::fabs(static_cast<double>(out.right[i] - src.right[i]))});
                CHECK(worst <= f.tolerance);
            } else {
                // Lossy codecs delay and colour the signal; the level must still be the sine's.
                CHECK(test::rms(out.left, static_cast<std::size_t>(rate), static_cast<std::size_t>(4 * rate)) ==
                      Approx(0.4 / std::sqrt(2.0)).epsilon(0.1));
            }
            const control::Song song = control::loadSong(dir.path());
            CHECK(song.warnings.size() == (f.lossy ? 1u : 0u));
            if (f.lossy) CHECK_THAT(song.warnings[0], Catch::Contains("lossy"));
        }
    }
}

namespace {
/// A WAVE_FORMAT_EXTENSIBLE file whose samples use `valid` bits of a 16- or 24-bit container, the
/// input the reference `flac` encoder turns into a FLAC of that bit depth.
void writeValidBitsWav(const fs::path& file, int container, int valid, int channels, int rate,
                       const std::vector<float>& mono) {
    const int bytes = container / 8;
    std::string data;
    for (const float x : mono) {
        const auto v = static_cast<std::int32_t>(std::lround(x * static_cast<float>((1 << (valid - 1)) - 1)))
                       << (container - valid);
        for (int c = 0; c < channels; ++c)
            for (int b = 0; b < bytes; ++b)
                data += static_cast<char>((static_cast<std::uint32_t>(v) >> (8 * b)) & 0xFF);
    }
    auto le = [](std::uint32_t v, int n) {
        std::string out;
        for (int i = 0; i < n; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xFF);
        return out;
    };
    const auto ch = static_cast<std::uint32_t>(channels), r = static_cast<std::uint32_t>(rate),
               align = ch * static_cast<std::uint32_t>(bytes);
    std::string fmt = le(0xFFFE, 2) + le(ch, 2) + le(r, 4) + le(r * align, 4) + le(align, 2) +
                      le(static_cast<std::uint32_t>(container), 2) + le(22, 2) +
                      le(static_cast<std::uint32_t>(valid), 2) + le(channels == 2 ? 3 : 4, 4) +
                      std::string("\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 16);
    const std::string body = "WAVEfmt " + le(static_cast<std::uint32_t>(fmt.size()), 4) + fmt + "data" +
                             le(static_cast<std::uint32_t>(data.size()), 4) + data;
    std::ofstream(file, std::ios::binary) << "RIFF" << le(static_cast<std::uint32_t>(body.size()), 4) << body;
}

/// What a shell command prints.
std::string commandOutput(const std::string& command) {
    std::string out;
    if (std::FILE* p = ::popen(command.c_str(), "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, p) != nullptr)
            out += buf;
        ::pclose(p);
    }
    return out;
}

/// What FFmpeg decodes a file to, as float (left channel).
std::vector<float> ffmpegDecode(const fs::path& file, const fs::path& raw) {
    REQUIRE(std::system(("ffmpeg -nostdin -v error -y -i '" + file.string() + "' -f f32le -af 'pan=mono|c0=c0' '" +
                         raw.string() + "'")
                            .c_str()) == 0);
    std::ifstream in(raw, std::ios::binary);
    std::vector<float> out(fs::file_size(raw) / sizeof(float));
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return out;
}
} // namespace

TEST_CASE("A FLAC without a sample count (the reference encoder streaming to a pipe): its length from its last "
          "frames, never a whole decode",
          "[render][stream]") {
    const int rate = 44100;
    const std::int64_t len = rate * 7 + 1234;
    const test::StemAudio src = test::sineStem(len, 500.0, rate, 0.5f, true);
    test::TempDir dir;
    const fs::path song = dir / "song";
    fs::create_directories(song);
    {
        std::ofstream raw(dir / "in.raw", std::ios::binary);
        for (std::size_t i = 0; i < src.left.size(); ++i)
            for (const float v : {src.left[i], src.right[i]}) {
                const auto q = static_cast<std::int16_t>(std::lround(v * 32767.0f));
                raw.write(reinterpret_cast<const char*>(&q), 2);
            }
    }
    // Raw samples on stdin, FLAC on stdout: the encoder cannot know the count, nor go back to write it.
    const fs::path flac = song / "01_Piped.flac";
    REQUIRE(std::system(("flac -s --force-raw-format --endian=little --sign=signed --channels=2 --bps=16 "
                         "--sample-rate=44100 - < '" +
                         (dir / "in.raw").string() + "' > '" + flac.string() + "' 2>/dev/null")
                            .c_str()) == 0);
    const std::string total = commandOutput("metaflac --show-total-samples '" + flac.string() + "'");
    REQUIRE(total == "0\n"); // STREAMINFO's count is unset
    const std::uint64_t counted = formats::lengthsCounted();
    CHECK(formats::probeStem(flac).frames == len);
    const auto out = test::renderFolder(song, "", {});
    CHECK(out.left.size() == static_cast<std::size_t>(len));
    CHECK(out.faults.empty());
    CHECK(std::fabs(out.left[static_cast<std::size_t>(len) - 3]) > 0.0f); // its last frames play
    CHECK(formats::lengthsCounted() == counted); // not one whole-file decode to learn the length
    SECTION("the same for a 20-bit FLAC, which FFmpeg decodes") {
        writeValidBitsWav(dir / "in20.wav", 24, 20, 2, rate, src.left);
        const fs::path odd = dir / "odd" / "01_Odd.flac";
        fs::create_directories(odd.parent_path());
        REQUIRE(std::system(("flac -s -f '" + (dir / "in20.wav").string() + "' -o '" + odd.string() + "'").c_str()) ==
                0);
        test::unsetFlacTotal(odd);
        const std::uint64_t before = formats::lengthsCounted();
        CHECK(formats::probeStem(odd).frames == len);
        const auto oddOut = test::renderFolder(odd.parent_path(), "", {});
        CHECK(oddOut.left.size() == static_cast<std::size_t>(len));
        CHECK(oddOut.faults.empty());
        CHECK(formats::lengthsCounted() == before);
    }
}

TEST_CASE("12- and 20-bit FLAC (libsndfile cannot decode them) play as FFmpeg decodes them", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t len = rate * 5;
    const test::StemAudio src = test::sineStem(len, 441.0, rate, 0.4f, false);
    for (const auto& [container, valid, channels] : {std::tuple{24, 20, 2}, std::tuple{16, 12, 2}}) {
        DYNAMIC_SECTION(valid << "-bit") {
            test::TempDir dir;
            const fs::path song = dir / "song";
            fs::create_directories(song);
            writeValidBitsWav(dir / "in.wav", container, valid, channels, rate, src.left);
            const fs::path flac = song / "01_Odd.flac";
            REQUIRE(std::system(
                        ("flac -s -f '" + (dir / "in.wav").string() + "' -o '" + flac.string() + "'").c_str()) == 0);
            const std::vector<float> reference = ffmpegDecode(flac, dir / "ref.raw");
            REQUIRE(reference.size() == static_cast<std::size_t>(len));
            const auto out = test::renderFolder(song, "", {});
            REQUIRE(out.left.size() >= static_cast<std::size_t>(len));
            CHECK(out.faults.empty());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < reference.size(); ++i)
                differ += out.left[i] != reference[i];
            CHECK(differ == 0);
            std::ofstream(song / "readme.txt") << "BPM: 120\n";
            const set::CheckReport r = set::checkSource(song);
            INFO(app::formatCheckReport(r));
            REQUIRE(r.songs.size() == 1);
            REQUIRE(r.songs[0].stems.size() == 1);
            CHECK(r.songs[0].stems[0].format == "FLAC PCM " + std::to_string(valid) + "-bit");
            CHECK(r.songs[0].stems[0].frames == len);
            CHECK(r.songs[0].canPlay());
            CHECK(r.songs[0].count(set::Severity::error) == 0);
        }
    }
}

TEST_CASE("One scanner for check and the GUI: peak, length and overview of a file, a FLAC without a "
          "length and a stem-file track",
          "[stream]") {
    const int rate = 48000;
    const std::int64_t len = 4 * rate; // two silent seconds, then two at half scale
    test::StemAudio src{std::vector<float>(static_cast<std::size_t>(len), 0.0f), {}};
    std::fill(src.left.begin() + len / 2, src.left.end(), 0.5f);
    test::TempDir dir;
    auto expectShape = [&](const formats::FileScan& scan, float tolerance) {
        REQUIRE(scan.overview.size() == 400);
        CHECK(scan.overview[0] <= tolerance);
        CHECK(scan.overview[190] <= tolerance);
        CHECK(std::fabs(scan.overview[210] - 0.5f) <= tolerance);
        CHECK(std::fabs(scan.overview[380] - 0.5f) <= tolerance); // (an AAC track's last frame decays)
        CHECK(std::fabs(scan.peak - 0.5f) <= 2 * tolerance);
    };
    formats::ScanOptions options;
    options.overviewPoints = 400;
    SECTION("a WAV: exact") {
        test::writeSoundFile(dir / "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, src);
        const std::optional<formats::FileScan> scan = formats::scanStem(dir / "a.wav", options);
        REQUIRE(scan);
        CHECK(scan->frames == len);
        CHECK(scan->errorAt == -1);
        CHECK(scan->overview[199] == 0.0f);
        CHECK(scan->overview[200] == 0.5f);
        expectShape(*scan, 0.0f);
    }
    SECTION("a FLAC without a length: scanned once, never counted first") {
        test::writeSoundFile(dir / "a.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, rate, src);
        test::unsetFlacTotal(dir / "a.flac");
        const std::uint64_t counted = formats::lengthsCounted();
        const std::optional<formats::FileScan> scan = formats::scanStem(dir / "a.flac", options);
        CHECK(formats::lengthsCounted() == counted);
        REQUIRE(scan);
        CHECK(scan->frames == len);
        expectShape(*scan, 0.0f);
    }
    SECTION("a track of a stem file, through FFmpeg") {
        test::writeStemMp4(dir / "a.stem.mp4", rate, {src, test::constantStem(len, 0.0f, false)});
        const std::optional<formats::FileScan> scan = formats::scanStem({dir / "a.stem.mp4", 1}, options);
        REQUIRE(scan);
        CHECK(std::llabs(scan->frames - len) <= 1024);
        expectShape(*scan, 0.05f); // AAC rings around the step
    }
    SECTION("a cut-off WAV: what decodes; a missing file: nothing; a cancelled scan: nothing") {
        test::writeSoundFile(dir / "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, src);
        fs::resize_file(dir / "a.wav", fs::file_size(dir / "a.wav") / 2);
        const std::optional<formats::FileScan> scan = formats::scanStem(dir / "a.wav", options);
        REQUIRE(scan);
        CHECK(std::llabs(scan->frames - len / 2) <= 64);
        CHECK(!formats::scanStem(dir / "missing.wav"));
        std::atomic<bool> cancel{true};
        options.cancel = &cancel;
        test::writeSoundFile(dir / "b.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, src);
        CHECK(!formats::scanStem(dir / "b.wav", options));
    }
}
