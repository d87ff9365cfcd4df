// A/B against the reference mix through the real loader, streaming and renderer: a reference that
// is the exact sum of the stems must give the same render whichever way A/B is set, on every
// frame, including across the crossfades — which holds only if the two are sample-aligned.
#include <catch2/catch.hpp>

#include "../support/TestSupport.h"
#include "stemdeck/formats/AudioFile.h"

using namespace stemdeck;

TEST_CASE("A/B switches between the stems and the reference mix, sample-aligned", "[render][reference]") {
    const int rate = 48000;
    const std::int64_t len = 6 * rate; // past the 3 s head: the reference streams like a stem
    const test::StemAudio a = test::sineStem(len, 220.0, rate, 0.3f, true);
    const test::StemAudio b = test::sineStem(len, 331.0, rate, 0.2f, false);
    test::TempDir dir;
    test::writeStemFolder(dir / "song", rate, {a, b}, {"A", "B"});
    std::vector<float> sumL(static_cast<std::size_t>(len)), sumR(static_cast<std::size_t>(len));
    for (std::size_t i = 0; i < sumL.size(); ++i) {
        sumL[i] = a.left[i] + b.left[i];
        sumR[i] = a.right[i] + b.left[i];
    }
    formats::writeWav(dir / "song" / "00_MIX_REFERENCE.wav", rate, sumL, &sumR, formats::SampleFormat::float32);

    for (int block : {64, 333}) {
        INFO("block " << block);
        const auto out = test::renderFolder(dir / "song",
                                            "events:\n"
                                            "  - { time: 0.5, action: toggle_reference }\n"
                                            "  - { time: 3.5, action: stems }\n"
                                            "  - { time: 4.0, action: reference }\n",
                                            test::blockOptions(block));
        REQUIRE(out.left.size() == static_cast<std::size_t>(len));
        double worst = 0.0;
        for (std::size_t i = 0; i < out.left.size(); ++i)
            worst = std::max({worst, static_cast<double>(std::fabs(out.left[i] - sumL[i])),
                              static_cast<double>(std::fabs(out.right[i] - sumR[i]))});
        CHECK(worst < 1e-6);
        CHECK(out.report.underruns == 0);
    }

    SECTION("a reference one frame late is not aligned: the same check sees it") {
        std::vector<float> lateL(sumL.size()), lateR(sumR.size());
        std::copy(sumL.begin(), sumL.end() - 1, lateL.begin() + 1);
        std::copy(sumR.begin(), sumR.end() - 1, lateR.begin() + 1);
        formats::writeWav(dir / "song" / "00_MIX_REFERENCE.wav", rate, lateL, &lateR, formats::SampleFormat::float32);
        const auto out = test::renderFolder(dir / "song", "events:\n  - { time: 0.5, action: reference }\n",
                                            test::blockOptions(128));
        double worst = 0.0;
        for (std::size_t i = static_cast<std::size_t>(rate); i < out.left.size(); ++i)
            worst = std::max(worst, static_cast<double>(std::fabs(out.left[i] - sumL[i])));
        CHECK(worst > 0.01);
    }
}
