// RAM cues that touch one another (markers a bar or two apart, the A-B loop's A beside a resume
// point) make a chain of regions longer than the ring. A seek into the chain must start the ring
// where the chain ends: started at the first region's end, the ring fills its 2.7 s and stops
// (frames read from RAM are not taken from it), and the play head runs off the chain's end into
// frames the ring never brought.
#include <catch2/catch.hpp>

#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/Song.h"

using namespace stemdeck;

namespace {
/// Frames from 1 s to 14 s that were not there within 2 s or came back short (and, unstretched,
/// not the file's), after a seek to 1 s in a song whose RAM chain runs from 0 to 10.5 s.
int gapsThroughChain(bool stretched, std::int64_t& firstGap) {
    constexpr int kRate = 48000;
    test::TempDir dir;
    const std::int64_t len = 30 * kRate;
    const test::StemAudio ramp = test::rampStem(len, 0.1f);
    test::writeStemFolder(dir.path(), kRate, {ramp}, {"Ramp"}, "BPM: 120\n");
    control::SongOptions o;
    o.sampleRate = kRate;
    if (stretched) o.tempo = set::TempoSetting{0.8, false};
    control::Song song = control::loadSong(dir.path(), o);
    // The head holds [0, 3 s); cues at 2.5 s, 5 s and 7.5 s chain on from it to 10.5 s.
    for (const int s : {5, 10, 15})
        song.addCue(s * kRate / 2);
    stream::StreamedStem& stem = *song.sources[0];
    stem.seek(kRate); // into the head: 9.5 s of RAM ahead, more than the ring's 2.7 s
    std::vector<float> l(256), r(256);
    int gaps = 0;
    for (std::int64_t f = kRate; f < 14 * kRate; f += 256) {
        // As a device would, with the disk thread keeping up: a frame not there within 2 s is a gap.
        const bool ready = stem.waitUntilReadable(f, 256, 2.0);
        const bool complete = stem.read(f, l.data(), r.data(), 256) == engine::ReadStatus::complete;
        const bool right = stretched || l[0] == ramp.left[static_cast<std::size_t>(f)];
        if ((!ready || !complete || !right) && gaps++ == 0) firstGap = f;
    }
    return gaps;
}
} // namespace

TEST_CASE("A seek into a chain of RAM cues longer than the ring plays through the chain's end without a gap",
          "[stream]") {
    std::int64_t firstGap = -1;
    CHECK(gapsThroughChain(false, firstGap) == 0);
    INFO("first gap at frame " << firstGap);
    CHECK(firstGap == -1);
    // Stretched, the ring plays through the regions after the first (one stretcher run): no gap either.
    CHECK(gapsThroughChain(true, firstGap) == 0);
    CHECK(firstGap == -1);
}
