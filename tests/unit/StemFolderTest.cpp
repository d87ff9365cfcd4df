#include <catch2/catch.hpp>

#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/StemFolder.h"

#include <sndfile.h>

using namespace stemdeck;
using namespace stemdeck::set;
using namespace stemdeck::control;
namespace fs = std::filesystem;

namespace {
void touchWav(const fs::path& p, int rate = 48000, int channels = 2, std::int64_t frames = 100) {
    std::vector<float> l(static_cast<std::size_t>(frames), 0.1f), r = l;
    formats::writeWav(p, rate, l, channels == 2 ? &r : nullptr, formats::SampleFormat::pcm24);
}
std::string errorOf(const fs::path& dir, const SongOptions& o = {}) {
    try {
        (void)loadSong(dir, o);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
} // namespace

TEST_CASE("Stem names drop the number prefix and extension", "[unit]") {
    CHECK(stemNameFromFile("03_Lead Synth.wav") == "Lead Synth");
    CHECK(stemNameFromFile("01_Drums.WAV") == "Drums");
    CHECK(stemNameFromFile("12 - Vox Double.flac") == "Vox Double");
    CHECK(stemNameFromFile("Bass.aiff") == "Bass");
    CHECK(stemNameFromFile("04.wav") == "04");
    CHECK(isReferenceMixName("00_MIX_REFERENCE.wav"));
    CHECK(isReferenceMixName("00_mix_reference.FLAC"));
    CHECK_FALSE(isReferenceMixName("00_MIX_REFERENCE.txt"));
}

TEST_CASE("A stem folder lists stems in numbered order, reference and readme apart", "[unit]") {
    test::TempDir dir;
    for (const char* f : {"03_Keys.wav", "01_Drums.wav", "02_bass.flac", "00_MIX_REFERENCE.wav", "10_FX.wav"})
        touchWav(dir / f);
    std::ofstream(dir / "notes.txt") << "nothing";
    std::ofstream(dir / "README.txt") << "Tempo = 128\nKey: F# minor\n";
    std::ofstream(dir / "cover.jpg") << "not audio, ignored";
    std::ofstream(dir / "._01_Drums.wav") << "macOS resource fork, ignored";
    const StemFolder folder = scanStemFolder(dir.path());
    REQUIRE(folder.stems.size() == 4);
    CHECK(folder.stems[0].name == "Drums");
    CHECK(folder.stems[1].name == "bass");
    CHECK(folder.stems[2].name == "Keys");
    CHECK(folder.stems[3].name == "FX");
    REQUIRE(folder.reference);
    CHECK(folder.reference->filename() == "00_MIX_REFERENCE.wav");
    REQUIRE(folder.readme);
    CHECK(folder.readme->filename() == "README.txt");
    CHECK(*folder.info.bpm == 128.0);
    CHECK(*folder.info.key == "F# minor");
}

TEST_CASE("More than eight stems is an error naming the files", "[unit]") {
    test::TempDir dir;
    for (int i = 1; i <= 9; ++i)
        touchWav(dir / ("0" + std::to_string(i) + "_S" + std::to_string(i) + ".wav"));
    CHECK_THROWS_WITH(scanStemFolder(dir.path()), Catch::Contains("9 stems, but a song can have at most 8") &&
                                                      Catch::Contains("09_S9.wav") && Catch::Contains("01_S1.wav"));
}

TEST_CASE("Missing or empty folders say so", "[unit]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(scanStemFolder(dir / "nope"), Catch::Contains("nope: no such folder"));
    CHECK_THROWS_WITH(scanStemFolder(dir.path()), Catch::Contains("no stems found"));
}

TEST_CASE("Readme values in the common spellings", "[unit]") {
    auto info = parseReadme("Song: Night Drive\nBPM: 128\nKey: F# minor\nSample rate: 44.1 kHz\nTuning: A=432 Hz\n");
    CHECK(*info.title == "Night Drive");
    CHECK(*info.bpm == 128.0);
    CHECK(*info.key == "F# minor");
    CHECK(*info.sampleRate == 44100.0);
    CHECK(*info.tuningHz == 432.0);
    CHECK(*parseReadme("recorded at 97.5 bpm in the big room").bpm == 97.5);
    CHECK(*parseReadme("Tempo = 140").bpm == 140.0);
    CHECK(*parseReadme("tempo: 90\n").bpm == 90.0);
    CHECK(*parseReadme("KEY: Bb major").key == "Bb major");
    CHECK(*parseReadme("Samplerate 48000").sampleRate == 48000.0);
    auto sig = parseReadme("Time signature: 6/8");
    CHECK(*sig.beatsPerBar == 6);
    CHECK(*sig.beatUnit == 8);
    CHECK_FALSE(parseReadme("Mixed by Sam. Bounce at -6 dB.").bpm);
    CHECK(*parseReadme("BPM: 128,5").bpm == 128.5); // a decimal comma
}

TEST_CASE("Readme values that do not fit are ignored, never thrown (found by fuzzing)", "[unit]") {
    const std::string huge(400, '9');
    const auto info = parseReadme("BPM: " + huge + "\nTime signature: " + huge + "/4\nSample rate: " + huge + " Hz\n");
    CHECK_FALSE(info.bpm);
    CHECK_FALSE(info.beatsPerBar);
    CHECK_FALSE(info.sampleRate);
    const std::string longLine(100000, 'x');
    CHECK(*parseReadme(longLine + "\nBPM: 100\n").bpm == 100.0); // a huge line does not exhaust the stack
}

TEST_CASE("Loading a song checks rates and files", "[unit]") {
    test::TempDir dir;
    touchWav(dir / "01_Drums.wav", 48000);
    touchWav(dir / "02_Bass.wav", 44100);
    { // mixed rates play (resampled to the first stem's), with a warning naming both
        const Song mixed = loadSong(dir.path());
        CHECK(mixed.sampleRate == 48000);
        REQUIRE(mixed.warnings.size() == 1);
        CHECK_THAT(mixed.warnings[0],
                   Catch::Contains("02_Bass.wav: sample rate 44100 Hz, but 01_Drums.wav is 48000 Hz; "
                                   "resampled to 48000 Hz"));
    }

    test::TempDir ok;
    touchWav(ok / "01_Drums.wav", 44100, 1, 300);
    touchWav(ok / "02_Bass.wav", 44100, 2, 200);
    std::ofstream(ok / "readme.txt") << "BPM: 100\n";
    { // another rate than the stems': resampled, the length scaled to it
        SongOptions o;
        o.sampleRate = 48000;
        const Song at48 = loadSong(ok.path(), o);
        CHECK(at48.sampleRate == 48000);
        CHECK(at48.lengthFrames == 300 * 48000 / 44100);
        CHECK(at48.warnings.empty());
    }
    const Song song = loadSong(ok.path());
    CHECK(song.lengthFrames == 300);
    CHECK(song.sampleRate == 44100);
    CHECK(song.timing.bpm == 100.0);
    CHECK(song.bpmKnown);
    CHECK(song.sources[0]->channels() == 1);
    CHECK(*song.findStem("bass") == 1);
    CHECK(*song.findStem("1") == 0);
    CHECK_FALSE(song.findStem("3"));
    SongOptions at140;
    at140.bpm = 140.0;
    at140.beatsPerBar = 3;
    CHECK(loadSong(ok.path(), at140).timing.bpm == 140.0);

    test::TempDir bad;
    touchWav(bad / "01_Drums.wav");
    std::ofstream(bad / "02_Bass.wav") << "this is not a wav file";
    CHECK_THAT(errorOf(bad.path()), Catch::Contains("02_Bass.wav: cannot read as audio"));
    { // on stage the song plays: the broken stem keeps its number and stays silent
        SongOptions stage;
        stage.keepBrokenStems = true;
        const Song onStage = loadSong(bad.path(), stage);
        REQUIRE(onStage.sources.size() == 2);
        CHECK(onStage.sources[1] == nullptr);
        CHECK(onStage.stemNames[1] == "Bass");
        REQUIRE(onStage.warnings.size() == 1);
        CHECK_THAT(onStage.warnings[0], Catch::Contains("02_Bass.wav: cannot read as audio") &&
                                            Catch::Contains("stays silent; the other stems play"));
        const engine::SongView v = onStage.view();
        REQUIRE(v.stemCount == 2);
        std::vector<float> l(64, 1.0f), r(64, 1.0f);
        CHECK(v.stems[1]->read(0, l.data(), r.data(), 64) == engine::ReadStatus::complete);
        CHECK(l == std::vector<float>(64, 0.0f));
    }

    test::TempDir wide;
    {
        std::vector<float> interleaved(400, 0.0f);
        SF_INFO info{};
        info.samplerate = 48000;
        info.channels = 4;
        info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        SNDFILE* f = sf_open((wide / "01_Quad.wav").c_str(), SFM_WRITE, &info);
        REQUIRE(f != nullptr);
        sf_writef_float(f, interleaved.data(), 100);
        sf_close(f);
    }
    CHECK_THAT(errorOf(wide.path()), Catch::Contains("01_Quad.wav: 4 channels; a stem must be mono or stereo"));
}
