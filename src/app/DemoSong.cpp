#include "stemdeck/app/DemoSong.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <numbers>
#include <vector>

#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::app {

namespace fs = std::filesystem;

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
const char* const kStemFiles[] = {"01_Drums.wav", "02_Bass.wav", "03_Chords.wav",
                                  "04_Lead.wav",  "05_FX.wav",   "06_Vox.wav"};

double midiHz(double note) {
    return 440.0 * std::pow(2.0, (note - 69.0) / 12.0);
}

struct Noise { // xorshift32: the same demo on every machine
    std::uint32_t state = 0x9E3779B9u;
    float next() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return static_cast<float>(state) / 2147483648.0f - 1.0f;
    }
};

struct Stereo {
    std::vector<float> l, r;
    explicit Stereo(std::size_t n) : l(n, 0.0f), r(n, 0.0f) {}
    void add(std::size_t i, double v, double pan = 0.0) { // equal-power pan, -1 … +1
        if (i >= l.size()) return;
        const double a = (pan + 1.0) * std::numbers::pi / 4.0;
        l[i] += static_cast<float>(v * std::cos(a) * std::numbers::sqrt2);
        r[i] += static_cast<float>(v * std::sin(a) * std::numbers::sqrt2);
    }
};

// A resonant state-variable filter for the synth voices (not the engine's: no smoothing needed).
struct Svf {
    double ic1 = 0, ic2 = 0;
    double lp = 0, bp = 0, hp = 0;
    void run(double x, double hz, double q, double rate) {
        const double g = std::tan(std::numbers::pi * std::min(hz, 0.45 * rate) / rate), k = 1.0 / q;
        const double a1 = 1.0 / (1.0 + g * (g + k)), a2 = g * a1, a3 = g * a2;
        const double v3 = x - ic2, v1 = a1 * ic1 + a2 * v3, v2 = ic2 + a2 * ic1 + a3 * v3;
        ic1 = 2 * v1 - ic1;
        ic2 = 2 * v2 - ic2;
        lp = v2;
        bp = v1;
        hp = x - k * v1 - v2;
    }
};

struct Song {
    int rate;
    double beat; // frames per beat
    std::size_t frames;
    std::size_t at(double beats) const { return static_cast<std::size_t>(std::llround(beats * beat)); }
};

// Chord per bar (A minor: Am F C G), as MIDI notes, and the bass root.
constexpr std::array<std::array<int, 3>, 4> kChords = {{{57, 60, 64}, {53, 57, 60}, {55, 60, 64}, {55, 59, 62}}};
constexpr std::array<int, 4> kRoots = {33, 29, 36, 31};

bool inBars(int bar, int from, int to) {
    return bar >= from && bar <= to;
} // 1-based, inclusive

void drums(const Song& s, Stereo& out) {
    Noise noise;
    const auto hit = [&](double startBeat, auto&& voice, double seconds) {
        const std::size_t start = s.at(startBeat), len = static_cast<std::size_t>(seconds * s.rate);
        for (std::size_t i = 0; i < len; ++i)
            voice(start + i, static_cast<double>(i) / s.rate);
    };
    for (int bar = 1; bar <= kDemoBars; ++bar) {
        const bool breakdown = inBars(bar, 17, 24);
        for (int b = 0; b < 4; ++b) {
            const double beat = (bar - 1) * 4.0 + b;
            if (!breakdown) {
                hit(
                    beat,
                    [&](std::size_t i, double t) {
                        const double phase = kTwoPi * (50.0 * t + 100.0 * 0.03 * (1.0 - std::exp(-t / 0.03)));
                        out.add(i, 0.9 * std::sin(phase) * std::exp(-t / 0.28));
                    },
                    0.6);
                if (bar >= 5)
                    hit(
                        beat + 0.5,
                        [&](std::size_t i, double t) { out.add(i, 0.16 * noise.next() * std::exp(-t / 0.03), 0.3); },
                        0.12);
                if (bar >= 9 && (b == 1 || b == 3))
                    hit(
                        beat,
                        [&](std::size_t i, double t) {
                            out.add(i, (0.35 * noise.next() + 0.3 * std::sin(kTwoPi * 185.0 * t)) * std::exp(-t / 0.12),
                                    -0.1);
                        },
                        0.4);
            }
        }
        if (bar == 24) // snare roll into the drop, rising in density and level
            for (int k = 0; k < 16; ++k)
                hit((bar - 1) * 4.0 + k * 0.25,
                    [&, k](std::size_t i, double t) {
                        out.add(i,
                                (0.1 + 0.02 * k) * (noise.next() + std::sin(kTwoPi * 200.0 * t)) * std::exp(-t / 0.08));
                    },
                    0.2);
    }
}

void bass(const Song& s, Stereo& out) {
    Svf f;
    double phase = 0.0;
    for (std::size_t i = 0; i < s.frames; ++i) {
        const double beats = static_cast<double>(i) / s.beat;
        const int bar = static_cast<int>(beats / 4.0) + 1;
        double v = 0.0;
        if (bar <= kDemoBars && (inBars(bar, 5, 16) || inBars(bar, 25, 32))) {
            const double eighth = std::fmod(beats * 2.0, 1.0);
            const double hz = midiHz(kRoots[static_cast<std::size_t>((bar - 1) % 4)] + 12);
            phase = std::fmod(phase + hz / s.rate, 1.0);
            const double saw = 2.0 * phase - 1.0;
            const double pump = 1.0 - 0.8 * std::exp(-std::fmod(beats, 1.0) / 0.08); // ducks under the kick
            v = saw * pump * (eighth < 0.85 ? 1.0 : 0.0) * 0.5;
        }
        f.run(v, 300.0 + 500.0 * (inBars(static_cast<int>(beats / 4.0) + 1, 25, 32) ? 1.0 : 0.0), 1.2, s.rate);
        out.add(i, f.lp);
    }
}

void chords(const Song& s, Stereo& out) {
    std::array<double, 6> phase{};
    Svf fl, fr;
    for (std::size_t i = 0; i < s.frames; ++i) {
        const double beats = static_cast<double>(i) / s.beat;
        const int bar = static_cast<int>(beats / 4.0) + 1;
        double l = 0.0, r = 0.0;
        if (bar <= kDemoBars) {
            const auto& chord = kChords[static_cast<std::size_t>((bar - 1) % 4)];
            const double inBar = std::fmod(beats, 4.0);
            const double env = std::min(1.0, inBar / 0.5) * (inBar > 3.7 ? (4.0 - inBar) / 0.3 : 1.0);
            for (std::size_t n = 0; n < 3; ++n)
                for (std::size_t d = 0; d < 2; ++d) { // two detuned saws per note, one each side
                    const double hz = midiHz(chord[n]) * (d == 0 ? 0.997 : 1.003);
                    double& p = phase[n * 2 + d];
                    p = std::fmod(p + hz / s.rate, 1.0);
                    (d == 0 ? l : r) += (2.0 * p - 1.0) * env * 0.11;
                }
        }
        const double open = inBars(bar, 17, 24) ? 900.0 + 1800.0 * std::fmod(beats, 32.0) / 32.0 : 1600.0;
        fl.run(l, open, 0.9, s.rate);
        fr.run(r, open, 0.9, s.rate);
        out.l[i] += static_cast<float>(fl.lp);
        out.r[i] += static_cast<float>(fr.lp);
    }
}

// Lead: a square-ish pentatonic hook with a ping-pong echo, in the build and the drop.
void lead(const Song& s, Stereo& out) {
    constexpr std::array<int, 16> kHook = {69, 72, 76, 74, 72, 69, 67, 69, 76, 79, 76, 74, 72, 74, 72, 69};
    Svf f;
    double phase = 0.0;
    const auto echo = static_cast<std::size_t>(0.75 * s.beat);
    std::vector<float> dry(s.frames, 0.0f);
    for (std::size_t i = 0; i < s.frames; ++i) {
        const double beats = static_cast<double>(i) / s.beat;
        const int bar = static_cast<int>(beats / 4.0) + 1;
        if (!(inBars(bar, 9, 16) || inBars(bar, 25, 32))) continue;
        const auto step = static_cast<std::size_t>(beats * 2.0);
        const double inStep = beats * 2.0 - static_cast<double>(step);
        const double hz =
            midiHz(kHook[step % kHook.size()] + 0.1 * std::sin(kTwoPi * 5.0 * static_cast<double>(i) / s.rate));
        phase = std::fmod(phase + hz / s.rate, 1.0);
        const double square = phase < 0.5 ? 1.0 : -1.0;
        const double env = std::exp(-inStep * 2.5) * std::min(1.0, inStep * 40.0);
        f.run(square * env, 2500.0, 0.8, s.rate);
        dry[i] = static_cast<float>(f.lp * (bar >= 25 ? 0.28 : 0.2));
    }
    for (std::size_t i = 0; i < s.frames; ++i) {
        const double e1 = i >= echo ? dry[i - echo] * 0.35 : 0.0;
        const double e2 = i >= 2 * echo ? dry[i - 2 * echo] * 0.18 : 0.0;
        out.l[i] += static_cast<float>(dry[i] + e1);
        out.r[i] += static_cast<float>(dry[i] + e2);
    }
}

// FX: a noise riser through a sweeping band-pass over the four bars before the drop, an impact
// on the drop, and a short sweep into the build.
void fx(const Song& s, Stereo& out) {
    Noise noise;
    Svf f;
    const std::size_t riseFrom = s.at(20 * 4.0), drop = s.at(24 * 4.0), sweepFrom = s.at(7 * 4.0);
    for (std::size_t i = 0; i < s.frames; ++i) {
        double v = 0.0;
        if (i >= riseFrom && i < drop) {
            const double x = static_cast<double>(i - riseFrom) / static_cast<double>(drop - riseFrom);
            f.run(noise.next(), 200.0 * std::pow(40.0, x), 4.0, s.rate);
            v = f.bp * 0.5 * x;
        } else if (i >= sweepFrom && i < s.at(8 * 4.0)) {
            const double x = static_cast<double>(i - sweepFrom) / (s.beat * 4.0);
            f.run(noise.next(), 500.0 * std::pow(16.0, x), 3.0, s.rate);
            v = f.bp * 0.25 * x;
        }
        if (i >= drop) {
            const double t = static_cast<double>(i - drop) / s.rate;
            v += (0.5 * std::sin(kTwoPi * 45.0 * t) + 0.15 * noise.next()) * std::exp(-t / 0.7);
        }
        out.add(i, v, std::sin(static_cast<double>(i) / s.rate * 0.8) * 0.5);
    }
}

// Vox: a sung line from a sawtooth through three formant band-passes, moving between "ah" and
// "oh" on each note, with vibrato that grows as the note is held.
void vox(const Song& s, Stereo& out) {
    constexpr std::array<std::array<int, 2>, 4> kLine = {{{76, 72}, {72, 69}, {67, 72}, {71, 74}}};
    constexpr std::array<std::array<double, 3>, 2> kVowels = {{{800, 1150, 2900}, {450, 800, 2830}}};
    std::array<Svf, 3> formants;
    double phase = 0.0;
    for (std::size_t i = 0; i < s.frames; ++i) {
        const double beats = static_cast<double>(i) / s.beat;
        const int bar = static_cast<int>(beats / 4.0) + 1;
        double v = 0.0;
        if (inBars(bar, 9, 32)) {
            const auto half = static_cast<std::size_t>(std::fmod(beats, 4.0) / 2.0);
            const double inNote = std::fmod(beats, 2.0) / 2.0;
            const double t = inNote * 2.0 * s.beat / s.rate;
            const double hz = midiHz(kLine[static_cast<std::size_t>((bar - 1) % 4)][half] +
                                     0.25 * std::min(1.0, t / 0.4) * std::sin(kTwoPi * 5.5 * t));
            phase = std::fmod(phase + hz / s.rate, 1.0);
            const double env = std::min(1.0, inNote * 12.0) * std::min(1.0, (1.0 - inNote) * 8.0);
            const double src = (2.0 * phase - 1.0) * env;
            const auto& vowel = kVowels[half];
            for (std::size_t k = 0; k < 3; ++k) {
                formants[k].run(src, vowel[k], 8.0, s.rate);
                v += formants[k].bp * (k == 0 ? 0.5 : k == 1 ? 0.35 : 0.15);
            }
            v *= 0.6;
        }
        out.add(i, v, -0.15);
    }
}

} // namespace

void writeDemoSong(const fs::path& dir, int sampleRate) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create the demo folder (" + ec.message() + ")");
    Song s{sampleRate, sampleRate * 60.0 / kDemoBpm, 0};
    s.frames = static_cast<std::size_t>((kDemoBars * 4.0 * s.beat) + 2.0 * sampleRate); // 2 s tail
    std::vector<Stereo> stems(std::size(kStemFiles), Stereo(s.frames));
    drums(s, stems[0]);
    bass(s, stems[1]);
    chords(s, stems[2]);
    lead(s, stems[3]);
    fx(s, stems[4]);
    vox(s, stems[5]);

    // The reference mix is the exact sum. Scale everything so it peaks at -1 dBFS: the stems keep
    // their balance and, each peaking lower, their headroom.
    Stereo mix(s.frames);
    for (const auto& st : stems)
        for (std::size_t i = 0; i < s.frames; ++i) {
            mix.l[i] += st.l[i];
            mix.r[i] += st.r[i];
        }
    float peak = 0.0f;
    for (std::size_t i = 0; i < s.frames; ++i)
        peak = std::max({peak, std::fabs(mix.l[i]), std::fabs(mix.r[i])});
    const float scale = peak > 0.0f ? 0.891f / peak : 1.0f;
    const auto write = [&](const fs::path& file, Stereo& st) {
        for (std::size_t i = 0; i < s.frames; ++i) {
            st.l[i] *= scale;
            st.r[i] *= scale;
        }
        formats::writeWav(file, sampleRate, st.l, &st.r, formats::SampleFormat::pcm24);
    };
    for (std::size_t k = 0; k < stems.size(); ++k)
        write(dir / kStemFiles[k], stems[k]);
    write(dir / "00_MIX_REFERENCE.wav", mix);

    const fs::path readme = dir / "readme.txt";
    std::ofstream out(readme);
    out << "Title: stemdeck demo\n"
           "Artist: stemdeck (synthesised by `stemdeck demo`)\n"
           "BPM: 120\n"
           "Key: A minor\n"
           "Time signature: 4/4\n"
           "Sample rate: "
        << sampleRate
        << " Hz, 24-bit\n"
           "Tuning: A=440 Hz\n"
           "\n"
           "Structure: bars 1-8 intro (drums, bass from bar 5), 9-16 build (chords, lead, vox),\n"
           "17-24 breakdown (no drums or bass; FX riser from bar 21, snare roll in bar 24),\n"
           "25-32 drop (everything, impact on bar 25), then a 2 s tail.\n"
           "All stems start at bar 1 and share one length. 00_MIX_REFERENCE.wav is their sum.\n";
    if (!out) throw Error(readme.string() + ": cannot write the demo readme");
}

bool demoSongPresent(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir / "readme.txt", ec) || !fs::exists(dir / "00_MIX_REFERENCE.wav", ec)) return false;
    for (const char* f : kStemFiles)
        if (!fs::exists(dir / f, ec)) return false;
    return true;
}

} // namespace stemdeck::app
