// Songs levelled across a set: the trims toward a target (ceiling, cap, own gain, an anchor), the
// set file's loudness: and gain:, the meter on EBU Tech 3341's first case, what a song's main
// output leaves out (stems muted at the start, stems on outputs of their own), the accepted trims
// and their fingerprints.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/app/Loudness.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/control/Loudness.h"
#include "stemdeck/set/SetFile.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;

namespace {

set::LoudnessFigures figures(double lufs, double peak) {
    set::LoudnessFigures f;
    f.integrated = lufs;
    f.truePeak = peak;
    return f;
}

std::vector<set::SetSong> songs(int n) {
    std::vector<set::SetSong> s(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        s[static_cast<std::size_t>(i)].source = "/show/song" + std::to_string(i + 1);
    return s;
}

} // namespace

TEST_CASE("Trims go toward the set's median, capped, held under the true-peak ceiling, never over a song's own "
          "gain",
          "[loudness]") {
    set::SetLoudness l;
    l.match = true;
    std::vector<set::SetSong> s = songs(5);
    s[4].gainDb = -2.0;
    // -10 (loud), -16, -18 (the median), -20 with peaks at -2 dBTP (1 dB of room), -30 (quiet).
    const std::vector<std::optional<set::LoudnessFigures>> m = {figures(-10, -0.5), figures(-16, -3), figures(-18, -4),
                                                                figures(-20, -2), figures(-30, -10)};
    // (song 5 has its own gain: it counts in the median, it is not trimmed)
    const set::LoudnessPlan p = set::planLoudness(m, s, l);
    REQUIRE(p.error.empty());
    CHECK(p.target == Approx(-18.0));
    CHECK(p.trims[0].db == Approx(-6.0)); // wanted -8: capped at 6 dB
    CHECK(p.trims[0].limit == set::TrimLimit::cap);
    CHECK(p.trims[0].wanted == Approx(-8.0));
    CHECK(p.trims[1].db == Approx(-2.0));
    CHECK(p.trims[1].limit == set::TrimLimit::none);
    CHECK(p.trims[2].db == Approx(0.0));
    CHECK(p.trims[3].db == Approx(1.0)); // wanted +2: held at -1 dBTP
    CHECK(p.trims[3].limit == set::TrimLimit::ceiling);
    CHECK(p.trims[4].db == 0.0);
    CHECK(p.trims[4].limit == set::TrimLimit::ownGain);
    CHECK(p.spread == Approx(20.0));
    CHECK(p.spreadAfter == Approx(14.0)); // -16 … -30 (song 5 as it is)
    CHECK(set::describeTrim(p.trims[3], l).find("held at its true-peak ceiling, -1.0 dBTP") != std::string::npos);
    CHECK(set::describeTrim(p.trims[0], l).find("capped at 6.0 dB") != std::string::npos);

    SECTION("a song already above the ceiling is not raised, and may still be lowered") {
        const set::LoudnessPlan q =
            set::planLoudness({figures(-20, 0.5), figures(-10, 0.2), figures(-15, -5)}, songs(3), l);
        CHECK(q.target == Approx(-15.0));
        CHECK(q.trims[0].db == 0.0);
        CHECK(q.trims[0].limit == set::TrimLimit::ceiling);
        CHECK(q.trims[1].db == Approx(-5.0));
    }
    SECTION("an absolute target and an anchor song") {
        l.target = set::LoudnessTarget::absolute;
        l.lufs = -14.0;
        l.maxTrim = 24.0;
        l.ceiling = 0.0;
        const set::LoudnessPlan a = set::planLoudness(m, s, l);
        CHECK(a.target == -14.0);
        CHECK(a.trims[1].db == Approx(2.0));
        l.target = set::LoudnessTarget::song;
        l.anchor = "SONG2"; // (its folder's name, any case)
        const set::LoudnessPlan b = set::planLoudness(m, s, l);
        CHECK(b.target == Approx(-16.0));
        CHECK(b.targetText == "'SONG2', -16.0 LUFS");
        l.anchor = "Encore";
        const set::LoudnessPlan c = set::planLoudness(m, s, l);
        CHECK(c.error.find("names the song 'Encore', which the set does not have") != std::string::npos);
    }
    SECTION("silent and unmeasured songs get no trim and do not count") {
        set::LoudnessFigures quiet;
        quiet.silent = true;
        const set::LoudnessPlan q = set::planLoudness({quiet, std::nullopt, figures(-12, -3)}, songs(3), l);
        CHECK(q.target == Approx(-12.0));
        CHECK(q.trims[0].limit == set::TrimLimit::unmeasured);
        CHECK(q.trims[1].limit == set::TrimLimit::unmeasured);
    }
}

TEST_CASE("The set file's loudness: and a song's gain: are read, and what is wrong with them is said", "[loudness]") {
    const fs::path f = "/show/set.yaml";
    const set::SetFile a = set::parseSetFile("loudness: match\nsongs:\n  - { folder: /tmp, gain: -3 dB }\n", f);
    CHECK(a.loudness.present);
    CHECK(a.loudness.match);
    CHECK(a.loudness.target == set::LoudnessTarget::median);
    REQUIRE(a.songs[0].gainDb);
    CHECK(*a.songs[0].gainDb == Approx(-3.0));
    const set::SetFile b = set::parseSetFile(
        "loudness: { match: -14 LUFS, ceiling: -2 dBTP, max_trim: 4 dB }\nsongs:\n  - { folder: /tmp }\n", f);
    CHECK(b.loudness.match);
    CHECK(b.loudness.target == set::LoudnessTarget::absolute);
    CHECK(b.loudness.lufs == -14.0);
    CHECK(b.loudness.ceiling == -2.0);
    CHECK(b.loudness.maxTrim == 4.0);
    const set::SetFile c = set::parseSetFile("loudness: { match: Neon Drive }\nsongs:\n  - { folder: /tmp }\n", f);
    CHECK(c.loudness.target == set::LoudnessTarget::song);
    CHECK(c.loudness.anchor == "Neon Drive");
    const set::SetFile d = set::parseSetFile("loudness: off\nsongs:\n  - { folder: /tmp }\n", f);
    CHECK(d.loudness.present);
    CHECK_FALSE(d.loudness.match);
    CHECK_THROWS_WITH(set::parseSetFile("loudness: { ceiling: +2 dBTP }\nsongs:\n  - { folder: /tmp }\n", f),
                      Catch::Contains("/show/set.yaml:1:22: ceiling is the true peak no trim goes past"));
    CHECK_THROWS_WITH(set::parseSetFile("loudness: { match: -3 LUFS }\nsongs:\n  - { folder: /tmp }\n", f),
                      Catch::Contains("from -40 to -5 LUFS"));
    CHECK_THROWS_WITH(set::parseSetFile("loudness: { level: 3 }\nsongs:\n  - { folder: /tmp }\n", f),
                      Catch::Contains("unknown key 'level'"));
    const set::SetFile e = set::parseSetFile("songs:\n  - { folder: /tmp, gain: loud }\n", f);
    CHECK(e.songs[0].error.find("gain 'loud' is not a song's level") != std::string::npos);
}

TEST_CASE("The meter reads EBU Tech 3341's first case: a stereo 1 kHz sine at -23 dBFS is -23.0 LUFS", "[loudness]") {
    const int rate = 48000;
    control::LoudnessMeter meter(rate);
    std::vector<float> s(static_cast<std::size_t>(rate) * 20);
    const double amplitude = std::pow(10.0, -23.0 / 20.0);
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * 1000.0 * static_cast<double>(i) / rate));
    for (std::size_t at = 0; at < s.size(); at += 1000)
        meter.write(s.data() + at, s.data() + at, static_cast<int>(std::min<std::size_t>(1000, s.size() - at)));
    const set::LoudnessFigures f = meter.figures();
    CHECK_FALSE(f.silent);
    CHECK(f.integrated == Approx(-23.0).margin(0.1));
    CHECK(f.range == Approx(0.0).margin(0.1));
    CHECK(f.truePeak == Approx(-23.0).margin(0.2));
    control::LoudnessMeter silence(rate);
    std::vector<float> zero(48000, 0.0f);
    silence.write(zero.data(), zero.data(), 48000);
    CHECK(silence.figures().silent);
}

TEST_CASE("A song's main output leaves out its stems muted at the start and those on outputs of their own",
          "[loudness]") {
    TempDir dir;
    const std::int64_t n = 48000 * 8;
    // Two equal sines on different notes: their powers add, so one of them alone is 3 dB down.
    writeStemFolder(dir / "song", 48000,
                    {sineStem(n, 440.0, 48000.0, 0.25f, true), sineStem(n, 660.0, 48000.0, 0.25f, true)},
                    {"Keys", "Pad"});
    auto measure = [&](const std::string& extra) {
        std::ofstream(dir / "set.yaml") << "loudness: match\n" << extra << "songs:\n  - folder: song\n";
        return app::measureSetLoudness(set::loadSetFile(dir / "set.yaml"));
    };
    const app::LoudnessReport both = measure("");
    REQUIRE(both.songs[0].figures);
    const double all = both.songs[0].figures->integrated;
    std::ofstream(dir / "set.yaml") << "songs:\n  - { folder: song, start: { mute: [Pad] } }\n";
    const app::LoudnessReport m = app::measureSetLoudness(set::loadSetFile(dir / "set.yaml"));
    REQUIRE(m.songs[0].figures);
    CHECK(m.songs[0].figures->integrated == Approx(all - 3.0).margin(0.2));
    const app::LoudnessReport routed = measure("audio: { stem_outputs: { Pad: 3 } }\n");
    REQUIRE(routed.songs[0].figures);
    CHECK(routed.songs[0].figures->integrated == Approx(all - 3.0).margin(0.2));
    std::ofstream(dir / "set.yaml") << "songs:\n  - { folder: song, gain: -6 dB }\n";
    const app::LoudnessReport g = app::measureSetLoudness(set::loadSetFile(dir / "set.yaml"));
    REQUIRE(g.songs[0].figures);
    CHECK(g.songs[0].figures->integrated == Approx(all - 6.0).margin(0.05)); // (its own gain is on the main output)
}

TEST_CASE("Accepted trims are applied while a song's fingerprint holds, and not after its stems change", "[loudness]") {
    TempDir dir;
    const std::int64_t n = 48000 * 6;
    writeStemFolder(dir / "a", 48000, {sineStem(n, 440.0, 48000.0, 0.5f, true)}, {"Loud"});
    writeStemFolder(dir / "b", 48000, {sineStem(n, 440.0, 48000.0, 0.1f, true)}, {"Quiet"});
    writeStemFolder(dir / "c", 48000, {sineStem(n, 440.0, 48000.0, 0.2f, true)}, {"Middle"});
    std::ofstream(dir / "set.yaml") << "loudness: { match: median, max_trim: 24 dB }\nsongs:\n  - a\n  - b\n  - c\n";
    set::SetFile s = set::loadSetFile(dir / "set.yaml");
    std::vector<std::string> w = set::applyAcceptedTrims(s);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("no trims were accepted for this set") != std::string::npos);
    CHECK_FALSE(s.songs[0].trimDb);

    app::LoudnessReport r = app::measureSetLoudness(s);
    CHECK_FALSE(r.accepted());
    CHECK(app::formatLoudness(r).find("NOT ACCEPTED") != std::string::npos);
    app::acceptLoudness(r);
    r = app::measureSetLoudness(s);
    CHECK(r.accepted());
    CHECK(r.songs[0].reused);
    CHECK(app::formatLoudness(r).find("Accepted (set.loudness.yaml)") != std::string::npos);
    w = set::applyAcceptedTrims(s);
    CHECK(w.empty());
    REQUIRE(s.songs[0].trimDb);
    REQUIRE(s.songs[1].trimDb);
    CHECK(*s.songs[0].trimDb == Approx(20.0 * std::log10(0.2 / 0.5)).margin(0.05));
    CHECK(*s.songs[1].trimDb == Approx(20.0 * std::log10(0.2 / 0.1)).margin(0.05));

    // Song a's stems change: measured again, its trim not applied until accepted again.
    fs::remove(dir / "a" / "01_Loud.wav");
    writeStemFolder(dir / "a", 48000, {sineStem(n, 440.0, 48000.0, 0.4f, true)}, {"Loud"});
    fs::last_write_time(dir / "a" / "01_Loud.wav", fs::file_time_type::clock::now() + std::chrono::seconds(5));
    w = set::applyAcceptedTrims(s);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("song 1 'a' (its stems or settings changed since the trims were accepted)") != std::string::npos);
    CHECK_FALSE(s.songs[0].trimDb);
    CHECK(s.songs[1].trimDb);
    r = app::measureSetLoudness(s);
    CHECK_FALSE(r.songs[0].reused);
    CHECK_FALSE(r.accepted());
    CHECK(app::formatLoudness(r).find("CHANGED since accepted") != std::string::npos);

    // A broken file: said, and every song untrimmed.
    std::ofstream(dir / "set.loudness.yaml") << "songs: [ { song: a } ]\n";
    w = set::applyAcceptedTrims(s);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("set.loudness.yaml:1:") != std::string::npos);
    CHECK(w[0].find("every song plays untrimmed") != std::string::npos);
}

TEST_CASE("A song's name in the accepted file is the same whether the set was given by a relative or an absolute "
          "path",
          "[loudness]") {
    const fs::path here = fs::current_path();
    CHECK(set::loudnessSongName(here / "songs" / "x", "set.yaml") == "songs/x");
    CHECK(set::loudnessSongName("songs/x", here / "set.yaml") == "songs/x");
    CHECK(set::loudnessSongName("/elsewhere/x", here / "set.yaml").find("elsewhere/x") != std::string::npos);
}

TEST_CASE("A song's gain: is in dB from -40 to +12, a bare number too", "[loudness]") {
    const fs::path f = "/show/set.yaml";
    auto gain = [&](const std::string& g) {
        return set::parseSetFile("songs:\n  - { folder: /tmp, gain: " + g + " }\n", f).songs[0];
    };
    REQUIRE(gain("-40 dB").gainDb);
    CHECK(*gain("-40 dB").gainDb == -40.0);
    CHECK(*gain("3").gainDb == 3.0);
    CHECK(*gain("+12dB").gainDb == 12.0);
    CHECK(gain("-41 dB").error.find("from -40 to +12") != std::string::npos);
    CHECK(*gain("0.5").gainDb == 0.5); // (dB, never a factor)
}
