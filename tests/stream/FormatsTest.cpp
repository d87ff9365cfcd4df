// Every format a producer may hand over, streamed through a render: lossless ones exactly (to
// their bit depth), lossy ones recognisably, and with a warning.
#include <catch2/catch.hpp>

#include <sndfile.h>

#include "../support/TestSupport.h"
#include "stemdeck/set/Song.h"

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
            const set::Song song = set::loadSong(dir.path());
            CHECK(song.warnings.size() == (f.lossy ? 1u : 0u));
            if (f.lossy) CHECK_THAT(song.warnings[0], Catch::Contains("lossy"));
        }
    }
}
