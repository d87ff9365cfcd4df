// Native Instruments stem files (.stem.mp4), made with the ffmpeg tool in the test: five AAC
// tracks (the master, then four stems) from known sines. Checks the names and colours, that every
// track decodes to its own signal on the right samples (the AAC encoder's priming trimmed), that
// seeks land on the same samples as straight decoding, that the song renders and A/Bs against its
// master, and that files which are not stem files fail with a clear message.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "../support/TestSupport.h"
#include "stemdeck/app/CheckReport.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/NiMetadata.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/formats/NiStemFile.h"
#include "stemdeck/formats/StemReader.h"
#include "stemdeck/set/Check.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/set/StemFolder.h"

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 44100;
constexpr std::int64_t kLen = 3 * kRate;
const double kHz[] = {110.0, 220.0, 440.0, 880.0};

std::vector<test::StemAudio> sines() {
    std::vector<test::StemAudio> s;
    for (const double hz : kHz)
        s.push_back(test::sineStem(kLen, hz, kRate, 0.1f, true));
    return s;
}

std::vector<float> decodeTrack(const fs::path& file, int track, int rate = 0) {
    formats::StemReader reader({file, track}, rate);
    REQUIRE(reader.start(0));
    std::vector<float> l(static_cast<std::size_t>(reader.lengthFrames())), r(l.size());
    const int got = reader.read(l.data(), r.data(), static_cast<int>(l.size()));
    l.resize(static_cast<std::size_t>(got));
    return l;
}

/// RMS of (a shifted by `lag` − b) over the middle of the signal, in dB relative to b's RMS.
double residualDb(const std::vector<float>& a, const std::vector<float>& b, int lag) {
    double diff = 0.0, ref = 0.0;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 2048; i + 2048 < n; ++i) {
        const auto j = static_cast<std::ptrdiff_t>(i) + lag;
        const double d = a[static_cast<std::size_t>(j)] - b[i];
        diff += d * d;
        ref += static_cast<double>(b[i]) * b[i];
    }
    return 10.0 * std::log10(diff / ref);
}

std::vector<float> sumLeft(const std::vector<test::StemAudio>& stems) {
    std::vector<float> sum(stems.front().left.size(), 0.0f);
    for (const auto& s : stems)
        for (std::size_t i = 0; i < sum.size(); ++i)
            sum[i] += s.left[i];
    return sum;
}

void runFfmpeg(const std::string& args) {
    REQUIRE(std::system(("ffmpeg -nostdin -v error -y " + args).c_str()) == 0);
}

} // namespace

TEST_CASE("A stem file's tracks: names and colours from NI metadata, priming trimmed from the length",
          "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path file = dir / "Neon Drive.stem.mp4";
    test::writeStemMp4(file, kRate, sines(), {"Drums", "Bass", "Melody", "Vocals"});
    const formats::NiStemFileInfo info = formats::probeNiStemFile(file);
    CHECK(info.niMetadata);
    REQUIRE(info.stems.size() == 4);
    CHECK(info.master.name == "Master");
    CHECK(info.master.track == 0);
    CHECK(info.master.codec == "aac");
    CHECK(info.master.frames == kLen); // exactly: the 1024 priming samples are not counted
    const char* names[] = {"Drums", "Bass", "Melody", "Vocals"};
    const char* colours[] = {"#FF0000", "#00FF00", "#0000FF", "#FFFF00"};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(info.stems[i].name == names[i]);
        CHECK(info.stems[i].color == colours[i]);
        CHECK(info.stems[i].track == static_cast<int>(i) + 1);
        CHECK(info.stems[i].frames == kLen);
        CHECK(info.stems[i].sampleRate == kRate);
        CHECK(info.stems[i].channels == 2);
    }
    // As a song folder: the stems in track order, the master as the reference mix.
    const set::StemFolder folder = set::scanStemFolder(file);
    REQUIRE(folder.stems.size() == 4);
    CHECK(folder.stemFile);
    CHECK(folder.stems[2].name == "Melody");
    CHECK(folder.stems[2].track == 3);
    CHECK(folder.referenceTrack == 0);
    fs::create_directory(dir / "song");
    fs::copy_file(file, dir / "song" / "Neon Drive.stem.mp4");
    std::ofstream(dir / "song" / "readme.txt") << "BPM: 124\n";
    const set::StemFolder inFolder = set::scanStemFolder(dir / "song"); // a folder holding one is a song too
    CHECK(inFolder.stems.size() == 4);
    REQUIRE(inFolder.info.bpm);
    CHECK(*inFolder.info.bpm == 124.0);
}

TEST_CASE("Each track decodes to its own signal on the right samples", "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path file = dir / "x.stem.mp4";
    const auto stems = sines();
    test::writeStemMp4(file, kRate, stems, {"A", "B", "C", "D"});
    for (int t = 1; t <= 4; ++t) {
        INFO("stem track " << t << " (" << kHz[t - 1] << " Hz)");
        const auto decoded = decodeTrack(file, t);
        REQUIRE(decoded.size() == static_cast<std::size_t>(kLen));
        const std::vector<float>& truth = stems[static_cast<std::size_t>(t - 1)].left;
        const double aligned = residualDb(decoded, truth, 0);
        CHECK(aligned < -30.0); // AAC at 320 kb/s on a sine: coding noise far below the signal
        // One sample early or late is far worse: the alignment is exact, not approximate.
        CHECK(residualDb(decoded, truth, 1) > aligned + 6.0);
        CHECK(residualDb(decoded, truth, -1) > aligned + 6.0);
    }
    const auto master = decodeTrack(file, 0);
    const auto sum = sumLeft(stems);
    CHECK(residualDb(master, sum, 0) < -30.0);
    CHECK(residualDb(master, sum, 1) > residualDb(master, sum, 0) + 6.0);
}

TEST_CASE("A seek into a stem-file track gives the samples straight decoding gives", "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path file = dir / "x.stem.mp4";
    test::writeStemMp4(file, kRate, sines());
    for (const int rate : {0, 48000}) { // at the file's rate, and resampled like any other stem
        INFO("output rate " << rate);
        const auto straight = decodeTrack(file, 2, rate);
        formats::StemReader reader({file, 2}, rate);
        for (const std::int64_t at : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1023}, std::int64_t{1024},
                                      std::int64_t{50001}, std::int64_t{100000}}) {
            INFO("seek to " << at);
            REQUIRE(reader.start(at));
            std::vector<float> l(4096), r(4096);
            REQUIRE(reader.read(l.data(), r.data(), 4096) == 4096);
            float worst = 0.0f;
            for (std::size_t i = 0; i < 4096; ++i)
                worst = std::max(worst, std::fabs(l[i] - straight[static_cast<std::size_t>(at) + i]));
            CHECK(worst < 1e-5f);
        }
    }
}

TEST_CASE("A stem-file song renders its stems, resampled, aligned with its master for A/B", "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path file = dir / "x.stem.mp4";
    const auto stems = sines();
    test::writeStemMp4(file, kRate, stems, {"Drums", "Bass", "Melody", "Vocals"});
    control::SongOptions options;
    options.sampleRate = 48000;
    const control::Song song = control::loadSong(file, options);
    CHECK(song.stemNames == std::vector<std::string>{"Drums", "Bass", "Melody", "Vocals"});
    CHECK(song.folder.stems[1].color == "#00FF00"); // the stage GUI paints the strip in it
    CHECK(song.sampleRate == 48000);
    CHECK(song.lengthFrames == kLen * 48000 / kRate);
    CHECK(song.reference != nullptr);
    CHECK(song.warnings.empty()); // AAC is what a stem file is: no "lossy" warning
    const auto stemsOnly = test::renderFolder(file, "", test::blockOptions(0), 48000);
    const auto master =
        test::renderFolder(file, "events:\n  - { time: 0, action: reference }\n", test::blockOptions(0), 48000);
    REQUIRE(stemsOnly.left.size() == master.left.size());
    REQUIRE(stemsOnly.left.size() >= static_cast<std::size_t>(song.lengthFrames));
    // The master and the stems' sum line up on the same output frames after resampling.
    const double aligned = residualDb(master.left, stemsOnly.left, 0);
    CHECK(aligned < -30.0);
    CHECK(residualDb(master.left, stemsOnly.left, 1) > aligned + 6.0);
    CHECK(stemsOnly.report.underruns == 0);
    // Muting a stem takes out its tone: Drums (110 Hz) muted leaves the other three.
    const auto muted = test::renderFolder(file, "events:\n  - { time: 0, action: mute, stem: Drums }\n",
                                          test::blockOptions(256), 48000);
    std::vector<float> rest(muted.left.size(), 0.0f);
    for (std::size_t i = 0; i < rest.size(); ++i)
        for (int k = 1; k < 4; ++k)
            rest[i] += 0.1f * static_cast<float>(std::sin(2.0 * M_PI * kHz[k] * static_cast<double>(i) / 48000.0));
    CHECK(residualDb(muted.left, rest, 0) < -30.0);
}

TEST_CASE("Without NI metadata, stems are named from track titles, then numbered", "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path file = dir / "plain.stem.mp4";
    test::writeStemMp4(file, kRate, {sines()[0], sines()[1], sines()[2]}, {}, nullptr,
                       "-c:a aac -b:a 192k -metadata:s:a:2 handler_name=Bass");
    const auto info = formats::probeNiStemFile(file);
    CHECK_FALSE(info.niMetadata);
    REQUIRE(info.stems.size() == 3);
    CHECK(info.stems[0].name == "Stem 1");
    CHECK(info.stems[1].name == "Bass");
    CHECK(info.stems[2].name == "Stem 3");
}

TEST_CASE("Damaged NI metadata costs only the names it cannot give, never the song", "[stream][stemfile]") {
    test::TempDir dir;
    const fs::path clean = dir / "clean.stem.mp4";
    test::writeStemMp4(clean, kRate, {sines()[0], sines()[1], sines()[2]});
    struct Case {
        const char* json;
        const char* problem;
        std::vector<std::string> names;
    };
    const std::vector<Case> cases = {
        {R"({"stems":[7]})", "stem 1 is '7', not an object", {"Stem 1", "Stem 2", "Stem 3"}},
        {R"({"stems":7})", "\"stems\" is '7', not a list", {"Stem 1", "Stem 2", "Stem 3"}},
        {R"([1,2])", "is a list, not an object", {"Stem 1", "Stem 2", "Stem 3"}},
        {R"({"stems":[{"name":"Kick"},)", "not valid JSON", {"Stem 1", "Stem 2", "Stem 3"}},
        {R"({"version":1})", "no \"stems\" list", {"Stem 1", "Stem 2", "Stem 3"}},
        {R"({"stems":[{"name":"Kick"},[1],{"name":{"a":1}}]})", "stem 2 is a list", {"Kick", "Stem 2", "Stem 3"}},
        {R"({"stems":[{"name":"Kick"},{"name":"Bass"}]})",
         "it names 2 stems, the file holds 3",
         {"Kick", "Bass", "Stem 3"}},
    };
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const Case& c = cases[k];
        CAPTURE(c.json);
        const fs::path f = dir / ("odd" + std::to_string(k) + ".stem.mp4");
        fs::copy_file(clean, f);
        test::addNiStemBox(f, c.json);
        formats::NiStemFileInfo info;
        REQUIRE_NOTHROW(info = formats::probeNiStemFile(f));
        CHECK(info.niMetadata);
        CHECK_THAT(info.metadataProblem, Catch::Contains(c.problem));
        REQUIRE(info.stems.size() == 3);
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(info.stems[i].name == c.names[i]);
        const set::CheckReport report = set::checkSource(f, {});
        REQUIRE(report.songs.size() == 1);
        CHECK(report.songs[0].canPlay());
        bool named = false;
        for (const auto& finding : report.songs[0].findings)
            named =
                named || (finding.severity == set::Severity::warning &&
                          finding.what.find("NI stem metadata (moov/udta/stem) is unreadable: ") != std::string::npos &&
                          finding.what.find(c.problem) != std::string::npos);
        CHECK(named);
        const auto out = test::renderFolder(f, "", test::blockOptions(256));
        CHECK(out.left.size() >= static_cast<std::size_t>(kLen));
    }
}

TEST_CASE("The MP4 box walker takes any sizes a file can declare", "[stream][stemfile]") {
    // A box: 32-bit size, type, body; or (large) size 1, type, 64-bit size, body.
    auto box = [](std::uint64_t size, const std::string& type, const std::string& body, bool large = false) {
        auto be = [](std::uint64_t v, int bytes) {
            std::string out;
            for (int i = bytes - 1; i >= 0; --i)
                out += static_cast<char>((v >> (8 * i)) & 0xFF);
            return out;
        };
        return large ? be(1, 4) + type + be(size, 8) + body : be(size, 4) + type + body;
    };
    const std::string json = R"({"stems":[{"name":"Kick"}]})";
    const std::string stem = box(8 + json.size(), "stem", json);
    const std::string udta = box(8 + stem.size(), "udta", stem);
    auto find = [](const std::string& bytes) {
        std::istringstream in(bytes);
        return formats::findMp4Box(in, static_cast<std::int64_t>(bytes.size()), {"moov", "udta", "stem"});
    };
    CHECK(find(box(8 + udta.size(), "moov", udta)) == json);
    CHECK(find(box(16 + udta.size(), "moov", udta, true)) == json); // a 64-bit size
    CHECK(find(box(0, "moov", udta)) == json);                      // 0: to the end of the file
    // Sizes no file can have: past INT64_MAX, near 2^64, smaller than the header, past the end.
    for (const std::uint64_t size : {std::uint64_t{0x7FFFFFFFFFFFFFF0}, std::uint64_t{0xFFFFFFFFFFFFFFFF},
                                     std::uint64_t{0x8000000000000000}, std::uint64_t{9}, std::uint64_t{5000}}) {
        CAPTURE(size);
        CHECK_FALSE(find(box(size, "moov", udta, true)).has_value());
        CHECK_FALSE(find(box(8, "free", "") + box(size, "moov", udta, true)).has_value());
    }
    CHECK_FALSE(find(box(3, "moov", udta)).has_value());
    CHECK_FALSE(find("").has_value());
    CHECK_FALSE(find(std::string(7, '\0')).has_value());
}

TEST_CASE("Files that are not stem files fail with a clear message, and nothing crashes", "[stream][stemfile]") {
    test::TempDir dir;
    auto message = [](const fs::path& f) -> std::string {
        try {
            (void)formats::probeNiStemFile(f);
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    };
    SECTION("a plain MP4 with one audio track") {
        const fs::path f = dir / "single.stem.mp4";
        runFfmpeg("-f lavfi -i sine=f=440:d=1 -c:a aac -f mp4 '" + f.string() + "'");
        CHECK_THAT(message(f), Catch::Contains("single.stem.mp4") && Catch::Contains("one audio track"));
        CHECK_THROWS_WITH(control::loadSong(f, {}), Catch::Contains("one audio track"));
    }
    SECTION("a video") {
        const fs::path f = dir / "video.stem.mp4";
        runFfmpeg("-f lavfi -i testsrc=d=1:s=64x48 -c:v mpeg4 -f mp4 '" + f.string() + "'");
        CHECK_THAT(message(f), Catch::Contains("no audio tracks"));
    }
    SECTION("a file cut short, and one that is not an MP4 at all") {
        const fs::path good = dir / "good.stem.mp4";
        test::writeStemMp4(good, kRate, sines());
        const fs::path cut = dir / "cut.stem.mp4";
        fs::copy_file(good, cut);
        fs::resize_file(cut, fs::file_size(good) / 2); // the moov box (at the end) is gone
        CHECK_THAT(message(cut), Catch::Contains("cut.stem.mp4") && Catch::Contains("complete"));
        const fs::path junk = dir / "junk.stem.mp4";
        std::ofstream(junk) << std::string(5000, 'x');
        CHECK_THAT(message(junk), Catch::Contains("junk.stem.mp4") && Catch::Contains("cannot open"));
    }
    SECTION("a codec FFmpeg does not know") {
        const fs::path f = dir / "odd.stem.mp4";
        test::writeStemMp4(f, kRate, sines());
        std::string bytes;
        {
            std::ifstream in(f, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        for (const std::string box : {"mp4a", "esds"}) // the sample entry and its decoder configuration
            for (std::size_t at = bytes.find(box); at != std::string::npos; at = bytes.find(box, at))
                bytes.replace(at, 4, "zzzz");
        std::ofstream(f, std::ios::binary | std::ios::trunc) << bytes;
        CHECK_THAT(message(f), Catch::Contains("cannot be decoded") && Catch::Contains("convert"));
    }
}

TEST_CASE("check reports a stem file's tracks and whether the stems sum to the master", "[stream][stemfile]") {
    test::TempDir dir;
    const auto stems = sines();
    test::writeStemMp4(dir / "match.stem.mp4", kRate, stems, {"Drums", "Bass", "Melody", "Vocals"});
    const set::CheckReport ok = set::checkSource(dir / "match.stem.mp4", {});
    REQUIRE(ok.songs.size() == 1);
    const set::SongReport& s = ok.songs[0];
    CHECK(s.canPlay());
    REQUIRE(s.stems.size() == 4);
    CHECK(s.stems[1].name == "Bass");
    CHECK(s.stems[1].frames == kLen);
    CHECK(s.stems[1].sampleRate == kRate);
    REQUIRE(s.reference);
    CHECK(s.reference->frames == kLen);
    REQUIRE(s.stemSumResidualDb);
    CHECK(*s.stemSumResidualDb < -30.0);
    for (const auto& f : s.findings)
        CHECK(f.what.find("do not sum") == std::string::npos);
    CHECK(app::formatCheckReport(ok).find("they match") != std::string::npos);

    // A master with its own processing (here: 6 dB louder than the stems' sum) does not match.
    test::StemAudio loud;
    for (std::size_t i = 0; i < static_cast<std::size_t>(kLen); ++i) {
        float v = 0.0f;
        for (const auto& st : stems)
            v += st.left[i];
        loud.left.push_back(2.0f * v);
    }
    loud.right = loud.left;
    test::writeStemMp4(dir / "mastered.stem.mp4", kRate, stems, {"Drums", "Bass", "Melody", "Vocals"}, &loud);
    const set::CheckReport differs = set::checkSource(dir / "mastered.stem.mp4", {});
    const set::SongReport& m = differs.songs.at(0);
    CHECK(m.canPlay()); // a warning: it plays
    REQUIRE(m.stemSumResidualDb);
    CHECK(*m.stemSumResidualDb == Approx(-6.0).margin(0.5)); // the difference is half the master: -6 dB
    CHECK(std::any_of(m.findings.begin(), m.findings.end(), [](const set::Finding& f) {
        return f.what.find("do not sum to the master") != std::string::npos;
    }));
}

TEST_CASE("A stem file's tracks meet the rules a folder's stems do: bit depth, clipping, headroom",
          "[stream][stemfile]") {
    test::TempDir dir;
    const std::vector<test::StemAudio> stems = {
        test::sineStem(kLen, 110.0, kRate, 1.5f, true), // clips (to full scale in the encoder)
        test::sineStem(kLen, 220.0, kRate, 0.8f, true), // -1.9 dBFS: little headroom
        test::sineStem(kLen, 440.0, kRate, 0.1f, true), test::sineStem(kLen, 880.0, kRate, 0.1f, true)};
    const fs::path alac24 = dir / "alac24.stem.mp4", alac16 = dir / "alac16.stem.mp4";
    test::writeStemMp4(alac24, kRate, stems, {"Drums", "Bass", "Melody", "Vocals"}, &stems[3],
                       "-c:a alac -sample_fmt s32p");
    test::writeStemMp4(alac16, kRate, {stems[2], stems[3]}, {"Melody", "Vocals"}, nullptr,
                       "-c:a alac -sample_fmt s16p");
    const formats::NiStemFileInfo info = formats::probeNiStemFile(alac24);
    REQUIRE(info.stems.size() == 4);
    CHECK(info.stems[0].bitDepth == 24);
    CHECK(formats::trackAudioInfo(info.stems[0]).bitDepth == 24);
    CHECK_FALSE(formats::trackAudioInfo(info.stems[0]).lossy);

    const set::CheckReport r24 = set::checkSource(alac24, {});
    INFO(app::formatCheckReport(r24));
    REQUIRE(r24.songs.size() == 1);
    auto has = [](const set::SongReport& s, const std::string& text) {
        for (const auto& f : s.findings)
            if (f.what.find(text) != std::string::npos) return true;
        return false;
    };
    CHECK(r24.songs[0].stems[0].bitDepth == 24);
    CHECK(has(r24.songs[0], "Drums: clips: peak"));
    CHECK(has(r24.songs[0], "Bass: peak -1.9 dBFS: less than 3 dB of headroom"));
    CHECK_FALSE(has(r24.songs[0], "Melody: peak"));
    CHECK_FALSE(has(r24.songs[0], "-bit ("));
    const set::CheckReport r16 = set::checkSource(alac16, {});
    INFO(app::formatCheckReport(r16));
    CHECK(has(r16.songs[0], "Melody: 16-bit (MP4 ALAC (track 1)): low resolution"));
    CHECK(has(r16.songs[0], "Vocals: 16-bit"));
}

TEST_CASE("AAC tracks that declare no priming (no edit list) play on the samples of a lossless copy",
          "[stream][stemfile]") {
    test::TempDir dir;
    // Broadband stems (a chirp-like sum of sines) so that a lag shows as a large residual.
    std::vector<test::StemAudio> stems;
    for (int k = 0; k < 2; ++k) {
        test::StemAudio a;
        for (std::int64_t i = 0; i < kLen; ++i) {
            const double t = static_cast<double>(i) / kRate;
            a.left.push_back(static_cast<float>(0.1 * std::sin(2 * M_PI * (150.0 + 90.0 * k) * t) +
                                                0.1 * std::sin(2 * M_PI * (1234.0 + 321.0 * k) * t * (1.0 + 0.2 * t))));
        }
        a.right = a.left;
        stems.push_back(std::move(a));
    }
    const fs::path alac = dir / "lossless.stem.mp4";
    test::writeStemMp4(alac, kRate, stems, {"A", "B"}, nullptr, "-c:a alac");
    const std::vector<float> reference = decodeTrack(alac, 1);
    auto lagOf = [&](const std::vector<float>& x) {
        int best = 0;
        double bestDb = 0.0;
        for (int lag = -2000; lag <= 2000; lag += 8) // coarse, then fine around the best
            if (const double db = residualDb(x, reference, lag); db < bestDb) bestDb = db, best = lag;
        for (int lag = best - 8; lag <= best + 8; ++lag)
            if (const double db = residualDb(x, reference, lag); db < bestDb) bestDb = db, best = lag;
        return best;
    };
    CHECK(lagOf(reference) == 0);
    // A seek lands on the same samples as straight decoding.
    auto seekMatches = [](const fs::path& aac, const std::vector<float>& decoded) {
        formats::StemReader reader({aac, 1}, 0);
        REQUIRE(reader.start(kRate));
        std::vector<float> l(4096), r(4096);
        REQUIRE(reader.read(l.data(), r.data(), 4096) == 4096);
        for (std::size_t i = 0; i < 4096; i += 97)
            CHECK(l[i] == Approx(decoded[static_cast<std::size_t>(kRate) + i]).margin(1e-6));
    };
    // FFmpeg's 1024 frames of priming plus 1088 frames of silence before the audio make Apple's 2112.
    auto late = [&] {
        std::vector<test::StemAudio> out = stems;
        for (auto& a : out) {
            a.left.insert(a.left.begin(), 1088, 0.0f);
            a.right.insert(a.right.begin(), 1088, 0.0f);
        }
        return out;
    };
    SECTION("FFmpeg's encoder (1024 frames of priming), with and without an edit list") {
        for (const std::string editList : {"1", "0"}) {
            CAPTURE(editList);
            const fs::path aac = dir / ("aac" + editList + ".stem.mp4");
            test::writeStemMp4(aac, kRate, stems, {"A", "B"}, nullptr, "-c:a aac -b:a 320k -use_editlist " + editList);
            const std::vector<float> decoded = decodeTrack(aac, 1);
            CHECK(lagOf(decoded) == 0);
            CHECK(residualDb(decoded, reference, 0) < -30.0);
            CHECK(std::llabs(static_cast<long long>(formats::probeNiStemFile(aac).stems[0].frames) - kLen) <= 1024);
            seekMatches(aac, decoded);
        }
    }
    SECTION("An encoder that says nothing about itself: Apple's 2112 frames") {
        // FFmpeg's 1024 frames of priming plus 1088 frames of silence before the audio make the
        // 2112 of Apple's encoder (NI's Stem Creator); bitexact leaves the "Lavf" encoder tag out.
        const fs::path aac = dir / "apple.stem.mp4";
        test::writeStemMp4(aac, kRate, late(), {"A", "B"}, nullptr,
                           "-c:a aac -b:a 320k -use_editlist 0 -fflags +bitexact -flags:a +bitexact");
        CHECK(lagOf(decodeTrack(aac, 1)) == 0);
        // Assumed, and check says so (once for the file).
        CHECK(formats::probeNiStemFile(aac).stems[0].primingAssumed);
        const set::CheckReport r = set::checkSource(aac);
        int said = 0;
        for (const set::Finding& f : r.songs.at(0).findings)
            said += f.what.find("Apple's 2112 frames (44 ms at 48 kHz) are assumed") != std::string::npos ? 1 : 0;
        CHECK(said == 1);
    }
    SECTION("An edit list that declares Apple's 2112 frames: trimmed once, not a frame's remainder more") {
        // The same late audio with FFmpeg's edit list, its media time (1024) made 2112, as Apple's
        // encoder writes it. 2112 is two frames and 64 samples: libavcodec's own skip left the
        // frame it cut at its old pts, and stemdeck trimmed those 64 samples again (64 early).
        const fs::path aac = dir / "applelist.stem.mp4";
        test::writeStemMp4(aac, kRate, late(), {"A", "B"}, nullptr, "-c:a aac -b:a 320k -use_editlist 1");
        std::string bytes;
        {
            std::ifstream in(aac, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), {});
        }
        int patched = 0; // elst, version 0: size, "elst", version+flags, count, duration, media time, rate
        for (std::size_t at = bytes.find("elst"); at != std::string::npos; at = bytes.find("elst", at + 4)) {
            REQUIRE(bytes[at + 4] == 0); // version 0: 32-bit fields
            const std::size_t media = at + 4 + 4 + 4 + 4;
            auto u32 = [&](std::size_t i) {
                return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 24 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 16 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2])) << 8 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 3]));
            };
            REQUIRE(u32(media) == 1024);
            bytes[media + 2] = static_cast<char>(2112 >> 8);
            bytes[media + 3] = static_cast<char>(2112 & 0xff);
            REQUIRE(u32(media) == 2112);
            ++patched;
        }
        REQUIRE(patched == 3); // the master and both stems
        std::ofstream(aac, std::ios::binary | std::ios::trunc) << bytes;
        const std::vector<float> decoded = decodeTrack(aac, 1);
        CHECK(lagOf(decoded) == 0);
        CHECK_FALSE(formats::probeNiStemFile(aac).stems[0].primingAssumed);
        seekMatches(aac, decoded);
    }
}

TEST_CASE("A set lists a stem file with file:", "[stream][stemfile]") {
    test::TempDir dir;
    test::writeStemMp4(dir / "one.stem.mp4", kRate, sines(), {"Drums", "Bass", "Melody", "Vocals"});
    fs::create_directory(dir / "folder");
    std::ofstream(dir / "set.yaml") << "name: DJ set\nsongs:\n"
                                       "  - { file: one.stem.mp4, bpm: 124 }\n"
                                       "  - { file: folder }\n";
    const set::SetFile set = set::loadSetFile(dir / "set.yaml");
    REQUIRE(set.songs.size() == 2);
    CHECK(set.songs[0].error.empty());
    CHECK(control::loadSong(set.songs[0].source, control::optionsFor(set.songs[0], {})).stemNames.size() == 4);
    CHECK_THAT(set.songs[1].error,
               Catch::Contains("set.yaml:4") && Catch::Contains("file: names a Native Instruments"));
}
