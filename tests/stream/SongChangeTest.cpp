// Run-on between songs: the frame after song A's last frame is song B's first.
#include <catch2/catch.hpp>

#include <random>

#include "../support/TestSupport.h"

using namespace stemdeck;

TEST_CASE("A run-on song change has a gap of zero samples at every block size", "[render][stream]") {
    const int rate = 48000;
    const std::int64_t lenA = rate * 6 + 123; // streamed past its head; ends mid-block
    const std::int64_t lenB = rate * 4;
    test::TempDir dirA, dirB;
    // A: clicks through the song and on its very last frame. B: clicks from its very first frame.
    std::vector<std::int64_t> a = {0, 1000, rate * 5, lenA - 2, lenA - 1}, b = {0, 1, 777, rate * 3, lenB - 1};
    const auto stemA = test::impulseStem(lenA, a, 0.5f, true), stemB = test::impulseStem(lenB, b, 0.25f, true);
    test::writeStemFolder(dirA.path(), rate, {stemA, test::constantStem(lenA - rate, 0.125f, false)},
                          {"Clicks", "Pad"});
    test::writeStemFolder(dirB.path(), rate, {stemB}, {"Clicks"});

    for (int block : {64, 128, 1024, 333, 0}) {
        DYNAMIC_SECTION("block " << block) {
            auto streamer = std::make_shared<stream::DiskStreamer>();
            control::SongOptions options;
            options.streamer = streamer;
            const control::Song songA = control::loadSong(dirA.path(), options);
            const control::Song songB = control::loadSong(dirB.path(), options);
            control::RenderOptions o;
            if (block > 0)
                o.blockFrames = block;
            else {
                std::mt19937 rng(5);
                for (int i = 0; i < 41; ++i)
                    o.blockPattern.push_back(static_cast<int>(rng() % 700) + 1);
            }
            control::MemorySink sink;
            engine::Engine engine;
            const auto report = control::renderSongs(engine, {songA.view(), songB.view()}, rate, {}, sink, o);
            REQUIRE(sink.left_.size() == static_cast<std::size_t>(lenA + lenB));
            REQUIRE(report.songStarts.size() == 2);
            CHECK(report.songStarts[1] == lenA);
            CHECK(report.underruns == 0);
            const auto A = static_cast<std::size_t>(lenA);
            CHECK(sink.left_[A - 1] == 0.5f); // A's last frame
            CHECK(sink.left_[A] == 0.25f);    // B's first frame, the very next sample
            CHECK(sink.right_[A] == -0.25f);
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < sink.left_.size(); ++i) {
                float l;
                if (i < A)
                    l = stemA.left[i] + (i < static_cast<std::size_t>(lenA - rate) ? 0.125f : 0.0f);
                else
                    l = stemB.left[i - A];
                if (sink.left_[i] != l) ++wrong;
            }
            CHECK(wrong == 0);
        }
    }
}
