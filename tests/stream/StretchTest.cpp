// Tempo and key through Rubber Band (formats::StretchedReader): the pitch a transposition gives,
// the length a tempo gives, and stems of different content staying aligned.
#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "../support/Goertzel.h"
#include "../support/TestSupport.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/StretchedReader.h"
#include "stemdeck/set/Check.h"
#include "stemdeck/set/SetFile.h"

using namespace stemdeck;
using namespace stemdeck::formats;

namespace {
constexpr int kRate = 48000;

std::vector<float> readAll(StretchedReader& r, std::vector<float>* right = nullptr) {
    std::vector<float> l(static_cast<std::size_t>(r.lengthFrames()) + 96000), rr(l.size());
    std::size_t done = 0;
    for (int got;
         done < l.size() && (got = r.read(l.data() + done, rr.data() + done,
                                          static_cast<int>(std::min<std::size_t>(4096, l.size() - done)))) > 0;)
        done += static_cast<std::size_t>(got);
    l.resize(done);
    rr.resize(done);
    if (right != nullptr) *right = rr;
    return l;
}

/// The frequency of a steady tone between two frames (within 60 Hz of `near`).
double frequency(const std::vector<float>& x, std::size_t from, std::size_t to, double near = 470.0) {
    return test::toneFrequency(x, from, to, kRate, near);
}
} // namespace

TEST_CASE("Transposed +2 semitones, a 440 Hz stem plays at 493.9 Hz, as long as before", "[stream][stretch]") {
    test::TempDir d;
    const auto tone = test::sineStem(4 * kRate, 440.0, kRate, 0.5f, false);
    writeWav(d / "tone.wav", kRate, tone.left, nullptr, SampleFormat::float32);
    for (const auto quality : {Stretch::Quality::live, Stretch::Quality::render}) {
        INFO((quality == Stretch::Quality::live ? "live" : "render"));
        StretchedReader r({d / "tone.wav", -1}, kRate, {1.0, 2.0, quality, true});
        const std::vector<float> out = readAll(r);
        CHECK(std::llabs(static_cast<long long>(out.size()) - 4 * kRate) <= 1024);
        const double hz = frequency(out, kRate, 3 * kRate);
        CHECK(hz == Approx(440.0 * std::pow(2.0, 2.0 / 12.0)).epsilon(0.003));
    }
}

TEST_CASE("At 80% tempo a stem lasts 1.25 times as long, its pitch unchanged", "[stream][stretch]") {
    test::TempDir d;
    const auto tone = test::sineStem(4 * kRate, 440.0, kRate, 0.5f, false);
    writeWav(d / "tone.wav", kRate, tone.left, nullptr, SampleFormat::float32);
    StretchedReader r({d / "tone.wav", -1}, kRate, {0.8, 0.0, Stretch::Quality::live, true});
    CHECK(r.lengthFrames() == 5 * kRate);
    const std::vector<float> out = readAll(r);
    CHECK(std::llabs(static_cast<long long>(out.size()) - 5 * kRate) <= 1024);
    CHECK(frequency(out, kRate, 4 * kRate) == Approx(440.0).epsilon(0.003));
}

namespace {
/// Impulse stems of one song, 5 minutes each: impulses every 0.5 s over silence, over a low tone
/// and (with `stems` 3) over a quiet high tone. Every stem goes through its own, identically
/// configured stretcher. Checks the impulses against the stretched grid and the stems against
/// each other over the whole 5 minutes.
void checkImpulseStems(double tempo, Stretch::Quality quality, int stems, int seconds = 300) {
    test::TempDir d;
    const int len = seconds * kRate;
    std::vector<float> a(static_cast<std::size_t>(len)), b(a.size()), c(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double t = static_cast<double>(i) / kRate;
        b[i] = 0.1f * static_cast<float>(std::sin(2.0 * M_PI * 110.0 * t));
        c[i] = 0.03f * static_cast<float>(std::sin(2.0 * M_PI * 1250.0 * t));
    }
    for (std::size_t at = kRate / 4; at < a.size(); at += kRate / 2)
        a[at] = b[at] = c[at] = 1.0f;
    writeWav(d / "a.wav", kRate, a, nullptr, SampleFormat::float32);
    writeWav(d / "b.wav", kRate, b, nullptr, SampleFormat::float32);
    writeWav(d / "c.wav", kRate, c, nullptr, SampleFormat::float32);
    {
        INFO("tempo " << tempo);
        std::vector<std::vector<float>> outs;
        for (const char* name : {"a.wav", "b.wav", "c.wav"}) {
            if (static_cast<int>(outs.size()) == stems) break;
            StretchedReader r({d / name, -1}, kRate, {tempo, 0.0, quality, true});
            outs.push_back(readAll(r));
            CHECK(static_cast<std::int64_t>(outs.back().size()) == r.lengthFrames());
        }
        int impulses = 0, same = 0, onGrid = 0;
        long worstSpread = 0, worstOff = 0;
        std::vector<long> firstMinute, middle, lastMinute;       // the largest lag of any stem, per impulse
        const int window = std::min(120, (2 * seconds - 1) / 3); // a minute (or a third of a short song)
        const auto x = [](const std::vector<float>& v, long i) {
            return static_cast<double>(v[static_cast<std::size_t>(i)]);
        };
        for (std::size_t at = kRate / 4; at + kRate / 4 < static_cast<std::size_t>(len); at += kRate / 2) {
            const auto expect = static_cast<long>(std::llround(static_cast<double>(at) / tempo));
            const std::vector<float>& clean = outs[0];
            // Where the clean stem's impulse is: its energy's centre, within ±5 ms.
            double sum = 0, weighted = 0;
            for (long i = expect - 240; i <= expect + 240; ++i) {
                sum += x(clean, i) * x(clean, i);
                weighted += x(clean, i) * x(clean, i) * static_cast<double>(i - expect);
            }
            const long off = std::lround(weighted / sum);
            // The others' lag against it: a smeared impulse over a tone has several peaks of about
            // the same height, so no single peak is a measure; the lag that lines the whole
            // impulse up with the clean stem's (cross-correlation over ±5 ms) is.
            long spread = 0;
            for (std::size_t k = 1; k < outs.size(); ++k) {
                long bestLag = 0;
                double best = -1e300;
                for (long lag = -480; lag <= 480; ++lag) {
                    double corr = 0;
                    for (long i = expect - 480; i <= expect + 480; ++i)
                        corr += x(clean, i) * x(outs[k], i + lag);
                    if (corr > best) {
                        best = corr;
                        bestLag = lag;
                    }
                }
                spread = std::max(spread, std::labs(bestLag));
            }
            ++impulses;
            (impulses <= window                    ? firstMinute
             : impulses > 2 * seconds - 1 - window ? lastMinute
                                                   : middle)
                .push_back(spread);
            same += spread == 0 ? 1 : 0;
            worstSpread = std::max(worstSpread, spread);
            worstOff = std::max(worstOff, std::labs(off));
            onGrid += std::labs(off) <= kRate / 200 ? 1 : 0;
        }
        INFO("worst lag between stems " << worstSpread << " frames, worst off the grid " << worstOff << " frames; "
                                        << same << " of " << impulses << " impulses at lag 0");
        CHECK(impulses == 2 * seconds - 1);
        CHECK(onGrid == impulses); // every impulse on the stretched grid within 5 ms, to the end
        // No drift between the stems: as many on the frame in the last minute as in the first.
        const auto atZero = [](const std::vector<long>& v) { return std::count(v.begin(), v.end(), 0L); };
        CHECK(std::llabs(static_cast<long long>(atZero(lastMinute) - atZero(firstMinute))) <= window / 10);
        if (tempo < 1.0 || quality == Stretch::Quality::render) {
            CHECK(same == impulses); // every stem's impulse on the same frame
        } else {
            // Faster, R3's short window renders a hit a little differently over different
            // material: most land on the same frame, the rest within 8 ms either way, and never
            // further as the song goes on (measured: 304 of 599 on the frame, the worst 7.3 ms).
            CHECK(same * 2 > impulses);
            CHECK(worstSpread <= 384);
        }
    }
}
} // namespace

TEST_CASE("At 80% tempo, impulse stems stay on the same frames and on the stretched grid for 5 minutes", "[stretch]") {
    checkImpulseStems(0.8, Stretch::Quality::live, 3);
}

TEST_CASE("At 113% tempo, impulse stems stay within 8 ms of each other and on the grid for 5 minutes", "[stretch]") {
    checkImpulseStems(1.13, Stretch::Quality::live, 3);
}

TEST_CASE("At 113% tempo, render's stretcher keeps impulse stems on the same frames", "[stretch]") {
    checkImpulseStems(1.13, Stretch::Quality::render, 2, 60); // (60 s: it costs three times the live one)
}

TEST_CASE("A start mid-stem gives what continuous playback gives there", "[stream][stretch]") {
    test::TempDir d;
    const auto tone = test::sineStem(6 * kRate, 330.0, kRate, 0.5f, false);
    writeWav(d / "tone.wav", kRate, tone.left, nullptr, SampleFormat::float32);
    StretchedReader whole({d / "tone.wav", -1}, kRate, {0.8, 0.0, Stretch::Quality::live, true});
    const std::vector<float> all = readAll(whole);
    StretchedReader jumped({d / "tone.wav", -1}, kRate, {0.8, 0.0, Stretch::Quality::live, true});
    REQUIRE(jumped.start(3 * kRate));
    std::vector<float> l(4096), r(4096);
    REQUIRE(jumped.read(l.data(), r.data(), 4096) == 4096);
    // The same tone at the same phase (a phase vocoder is not sample-identical after a restart).
    double diff = 0, level = 0;
    for (std::size_t i = 2048; i < 4096; ++i) {
        diff += std::pow(static_cast<double>(l[i] - all[3 * kRate + i]), 2);
        level += std::pow(static_cast<double>(all[3 * kRate + i]), 2);
    }
    CHECK(10.0 * std::log10(diff / level) < -20.0);
}

// ---------------------------------------------------------------------------------------------
// Whole songs: set file tempo and key → loader → stretch thread → rings → engine → render.

namespace {
set::SetSong planFor(const std::filesystem::path& dir, std::optional<set::TempoSetting> tempo,
                     std::optional<double> transpose) {
    set::SetSong plan;
    plan.source = dir;
    plan.tempo = tempo;
    plan.transpose = transpose;
    return plan;
}
} // namespace

TEST_CASE("A song at 80% lasts 1.25 times as long, on a 96 BPM grid, and a bar-quantised mute lands on the "
          "stretched bar line",
          "[stream][stretch]") {
    test::TempDir dir;
    const std::int64_t len = 8 * kRate;
    test::writeStemFolder(
        dir.path(), kRate,
        {test::sineStem(len, 440.0, kRate, 0.4f, true), test::sineStem(len, 220.0, kRate, 0.3f, false)},
        {"Keys", "Bass"}, "BPM: 120\n");
    const set::SetSong plan = planFor(dir.path(), set::TempoSetting{0.8, false}, std::nullopt);
    control::SongOptions options = control::optionsFor(plan, {});
    const control::Song song = control::loadSong(dir.path(), options);
    CHECK(song.stretch.tempo == 0.8);
    CHECK(song.lengthFrames == 10 * kRate);
    CHECK(song.timing.bpm == Approx(96.0));
    CHECK(song.ownBpm == 120.0);

    const auto plain = test::renderFolder(dir.path(), "", test::blockOptions(0), 0, &plan);
    CHECK(static_cast<std::int64_t>(plain.left.size()) == 10 * kRate); // to the frame
    CHECK(plain.report.underruns == 0);
    // Pitch unchanged, also past the head held in RAM (the stretch thread's frames).
    CHECK(frequency(plain.left, 5 * kRate, 9 * kRate, 440.0) == Approx(440.0).epsilon(0.003));
    // Where the ring takes over from the head, the stretcher run goes on: no seam.
    const auto head = static_cast<std::size_t>(3 * kRate);
    CHECK(test::maxStep(plain.right, head - 2000, head + 2000) < 0.05); // the two sines: at most 0.032

    // Bar 2 of the 96 BPM grid: 4 beats of 30 000 frames.
    const auto mutedRender =
        test::renderFolder(dir.path(), "events:\n  - { time: 1.3, action: mute, stem: 2, quantize: bar }\n",
                           test::blockOptions(0), 0, &plan);
    const std::size_t bar2 = 120000;
    std::size_t firstDiff = 0;
    while (firstDiff < plain.left.size() && mutedRender.left[firstDiff] == plain.left[firstDiff])
        ++firstDiff;
    CHECK(firstDiff == bar2); // sample-exact on the stretched bar line
}

TEST_CASE("A song transposed +2 semitones plays 440 Hz at 493.9 Hz, as long as before", "[stream][stretch]") {
    test::TempDir dir;
    const std::int64_t len = 6 * kRate;
    test::writeStemFolder(dir.path(), kRate, {test::sineStem(len, 440.0, kRate, 0.4f, false)}, {"Vox"}, "BPM: 120\n");
    const set::SetSong plan = planFor(dir.path(), std::nullopt, 2.0);
    const auto out = test::renderFolder(dir.path(), "", test::blockOptions(128), 0, &plan);
    CHECK(static_cast<std::int64_t>(out.left.size()) == len);
    CHECK(frequency(out.left, kRate, 2 * kRate, 494.0) == Approx(493.883).epsilon(0.003));
    CHECK(frequency(out.left, 4 * kRate, 5 * kRate, 494.0) == Approx(493.883).epsilon(0.003)); // stretch thread
}

TEST_CASE("A seek into a stretched song fades from RAM into the stretch thread's frames without a click",
          "[stream][stretch]") {
    test::TempDir dir;
    const std::int64_t len = 12 * kRate;
    test::writeStemFolder(dir.path(), kRate, {test::sineStem(len, 330.0, kRate, 0.5f, true)}, {"Keys"}, "BPM: 120\n");
    const set::SetSong plan = planFor(dir.path(), set::TempoSetting{0.8, false}, 0.0);
    // At 1 s, jump to 6 s: frames from 6 s come from RAM (a cue), then from the ring, restarted there.
    const auto out = test::renderFolder(dir.path(), "events:\n  - { time: 1.0, action: seek, value: 6.0 }\n",
                                        test::blockOptions(0), 0, &plan);
    CHECK(out.report.underruns == 0);
    // The cue region ends 3 s after the target; its last 1024 frames fade into the ring's.
    const auto regionEnd = static_cast<std::size_t>(kRate + 3 * kRate);
    REQUIRE(out.left.size() > regionEnd + kRate);
    CHECK(test::maxSlopeRatio(out.left, regionEnd - 4000, regionEnd + 4000, 330.0, kRate) < 1.5);
    CHECK(test::rms(out.left, regionEnd - 2000, regionEnd + 2000) == Approx(0.5 / std::sqrt(2.0)).epsilon(0.1));
}

TEST_CASE("At unity tempo and key a song is not stretched: bit-identical to the files", "[stream][stretch]") {
    test::TempDir dir;
    const std::int64_t len = 5 * kRate;
    const std::vector<test::StemAudio> stems = {test::sineStem(len, 440.0, kRate, 0.4f, true),
                                                test::constantStem(len, 0.25f, false)};
    test::writeStemFolder(dir.path(), kRate, stems, {"Keys", "Bass"}, "BPM: 120\n");
    const set::SetSong plan = planFor(dir.path(), set::TempoSetting{120.0, true}, 0.0); // 120 BPM: its own
    const auto out = test::renderFolder(dir.path(), "", test::blockOptions(0), 0, &plan);
    CHECK(out.left.size() == static_cast<std::size_t>(len));
    CHECK(test::mismatchesAgainstSum(out, stems) == 0);
}

TEST_CASE("Tempo and transpose: the set file's words, and what is refused", "[stretch]") {
    CHECK(set::parseTempo("80%") == set::TempoSetting{0.8, false});
    CHECK(set::parseTempo("112 BPM") == set::TempoSetting{112.0, true});
    CHECK(set::parseTempo("112bpm") == set::TempoSetting{112.0, true});
    CHECK_FALSE(set::parseTempo("80"));
    CHECK_FALSE(set::parseTempo("-80%"));
    CHECK_FALSE(set::parseTempo("fast"));
    CHECK(*set::parseTranspose("-2") == -2.0);
    CHECK(*set::parseTranspose("+1.5 st") == 1.5);
    CHECK(*set::parseTranspose("+30c") == Approx(0.3));
    CHECK_FALSE(set::parseTranspose("2 octaves"));
    CHECK_FALSE(set::parseTranspose("inf"));
    CHECK(set::transposeProblem(13.0).find("octave") != std::string::npos);
    CHECK(set::tempoRatio({112.0, true}, 140.0, true) == Approx(0.8));
    CHECK_THROWS_WITH(set::tempoRatio({112.0, true}, 120.0, false), Catch::Contains("needs the song's own BPM"));
    CHECK_THROWS_WITH(set::tempoRatio({300.0, true}, 120.0, true), Catch::Contains("50% to 200%"));

    test::TempDir dir;
    for (const char* f : {"a", "b", "c", "d"})
        std::filesystem::create_directories(dir / f);
    const auto set = set::parseSetFile("songs:\n  - { folder: a, tempo: 80%, transpose: -2 }\n"
                                       "  - { folder: b, tempo: 110 BPM }\n"
                                       "  - { folder: c, tempo: 30% }\n"
                                       "  - { folder: d, transpose: up }\n",
                                       dir / "show.yaml");
    REQUIRE(set.songs.size() == 4);
    CHECK(set.songs[0].tempo == set::TempoSetting{0.8, false});
    CHECK(*set.songs[0].transpose == -2.0);
    CHECK(set.songs[1].tempo == set::TempoSetting{110.0, true});
    CHECK_THAT(set.songs[2].error, Catch::Contains("show.yaml:4:") && Catch::Contains("50% to 200%"));
    CHECK_THAT(set.songs[3].error, Catch::Contains("show.yaml:5:") && Catch::Contains("transpose: -2"));

    // `check` refuses what play and render would: a target BPM out of reach, or with no BPM known.
    test::writeStemFolder(dir / "known", kRate, {test::constantStem(kRate, 0.1f, false)}, {"Keys"}, "BPM: 120\n");
    test::writeStemFolder(dir / "unknown", kRate, {test::constantStem(kRate, 0.1f, false)}, {"Keys"});
    std::ofstream(dir / "check.yaml")
        << "songs:\n  - { folder: known, tempo: 300 BPM }\n"
           "  - { folder: unknown, tempo: 100 BPM }\n  - { folder: known, bpm: 100, tempo: 80 BPM }\n";
    const set::CheckReport report = set::checkSource(dir / "check.yaml");
    REQUIRE(report.songs.size() == 3);
    const auto says = [&](std::size_t song, const std::string& what) {
        for (const auto& f : report.songs[song].findings)
            if (f.severity == set::Severity::error && f.what.find(what) != std::string::npos) return true;
        return false;
    };
    CHECK(says(0, "tempo 300 BPM is 250% of the song's 120 BPM"));
    CHECK(says(1, "needs the song's own BPM"));
    CHECK_FALSE(says(2, "tempo"));
}
