#pragma once
// The control thread under live tempo and key steps and an A-B reload: the engine runs on an audio
// thread at a device's pace, the show ticks every 5 ms on a control thread (as ShowRunner does),
// presses come through the keys' router input, and a reader thread reads every published snapshot.
// The longest gap between two consecutive snapshots' CLOCK_MONOTONIC stamps is the longest the
// control thread was away (a tick publishes one). Shared by the test (tests/stream) and the
// benchmark (scripts/bench.sh ticks).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "TestSupport.h"
#include "stemdeck/control/Show.h"

namespace stemdeck::test {

struct TickFigures {
    double longestGapMs = 0.0;       ///< between two consecutive snapshots, from their stamps
    std::uint64_t snapshotsRead = 0; ///< consecutive pairs the reader saw
    std::vector<double> landingMs;   ///< each step: press to the first snapshot that plays it
    int steps = 0, landed = 0;
    double abLandingMs = -1.0; ///< b pressed to the loop running with A held in RAM (-1: never)
    std::uint64_t underruns = 0;
    std::string log;

    /// "longest gap … ms (N snapshots); press to landing mean … ms, worst … ms (k of n steps
    /// landed); A-B reload … ms; underruns …": the figures, one line.
    [[nodiscard]] std::string describe() const {
        double mean = 0.0, worst = 0.0;
        for (const double ms : landingMs) {
            mean += ms / static_cast<double>(landingMs.size());
            worst = std::max(worst, ms);
        }
        char text[320];
        std::snprintf(text, sizeof text,
                      "longest gap between control ticks %.1f ms (%llu snapshots); press to landing mean %.0f ms, "
                      "worst %.0f ms (%d of %d steps landed; a beat is 500 ms); A-B reload %.0f ms; underruns %llu",
                      longestGapMs, static_cast<unsigned long long>(snapshotsRead), mean, worst, landed, steps,
                      abLandingMs, static_cast<unsigned long long>(underruns));
        return text;
    }
};

/// A folder of `stems` sine stems, `seconds` long, 120 BPM 4/4.
inline void writeTickSong(const std::filesystem::path& dir, int stems, int seconds, bool stereo) {
    constexpr int kRate = 48000;
    std::vector<StemAudio> audio;
    std::vector<std::string> names;
    for (int i = 0; i < stems; ++i) {
        audio.push_back(sineStem(static_cast<std::int64_t>(seconds) * kRate, 110.0 * (i + 1), kRate, 0.1f, stereo));
        names.push_back("Stem" + std::to_string(i + 1));
    }
    writeStemFolder(dir, kRate, audio, names, "BPM: 120\n");
}

/// Plays the song in `dir` in real time and presses ten tempo and key steps (each once the one
/// before has landed), then the A-B loop over two bars (A not held in RAM: a reload).
inline TickFigures measureControlTicks(const std::filesystem::path& dir) {
    using Clock = std::chrono::steady_clock;
    using control::Action;
    constexpr int kRate = 48000, kBlock = 256;
    engine::Engine engine;
    engine.prepare(kRate, kBlock);
    std::ostringstream log;
    control::PlayerOptions o;
    o.song.sampleRate = kRate;
    control::Show show(engine, control::songsFromFolders({dir}), o, log);
    const auto keys = show.makeInput(control::Surface::keys);
    show.start();
    std::atomic<bool> done{false};
    // The audio thread: a block every 5.3 ms, as a device's callback.
    std::thread audio([&] {
        std::vector<float> l(kBlock), r(kBlock);
        const auto start = Clock::now();
        for (std::int64_t frames = 0; !done; frames += kBlock) {
            std::this_thread::sleep_until(start + std::chrono::duration<double>(static_cast<double>(frames) / kRate));
            engine.process(l.data(), r.data(), kBlock);
        }
    });
    // The control thread: the show's tick every 5 ms, as ShowRunner runs it.
    std::thread control([&] {
        auto next = Clock::now();
        while (!done) {
            next += std::chrono::milliseconds(5);
            next = std::max(next, Clock::now());
            std::this_thread::sleep_until(next);
            show.tick();
        }
    });
    TickFigures f;
    // The reader: every snapshot, as a remote's feed would read them.
    std::atomic<std::int64_t> longestNs{0};
    std::atomic<std::uint64_t> pairs{0};
    std::thread reader([&] {
        std::shared_ptr<const control::ShowState> last = show.state().latest();
        while (!done) {
            const std::shared_ptr<const control::ShowState> s = show.state().waitForVersion(last->version, 100);
            if (s->version == last->version + 1 && last->version > 0) {
                longestNs = std::max<std::int64_t>(longestNs.load(), s->clock.monotonicNs - last->clock.monotonicNs);
                pairs.fetch_add(1, std::memory_order_relaxed);
            }
            last = s;
        }
    });
    auto press = [&](Action a) {
        control::ActionCall c;
        c.action = a;
        (void)keys->send(c);
    };
    // Waits (up to 20 s) for a snapshot where `landed` holds; the ms from `from` to its stamp.
    auto waitFor = [&](Clock::time_point from, auto landed) -> double {
        const auto until = Clock::now() + std::chrono::seconds(20);
        std::shared_ptr<const control::ShowState> s = show.state().latest();
        while (Clock::now() < until) {
            if (landed(*s)) {
                const auto fromNs =
                    std::chrono::duration_cast<std::chrono::nanoseconds>(from.time_since_epoch()).count();
                return static_cast<double>(s->clock.monotonicNs - fromNs) / 1e6;
            }
            s = show.state().waitForVersion(s->version, 100);
        }
        return -1.0;
    };
    press(Action::play);
    (void)waitFor(Clock::now(), [](const control::ShowState& s) { return s.player.seconds > 1.0; });
    const Action steps[] = {Action::tempoDown, Action::transposeUp, Action::tempoDown, Action::transposeDown,
                            Action::tempoUp,   Action::transposeUp, Action::tempoUp,   Action::transposeDown,
                            Action::tempoDown, Action::tempoUp};
    double tempo = 1.0, semitones = 0.0;
    for (const Action a : steps) {
        tempo += a == Action::tempoDown ? -0.05 : a == Action::tempoUp ? 0.05 : 0.0;
        semitones += a == Action::transposeUp ? 1.0 : a == Action::transposeDown ? -1.0 : 0.0;
        const auto t0 = Clock::now();
        press(a);
        ++f.steps;
        const double ms = waitFor(t0, [&](const control::ShowState& s) {
            return std::fabs(s.clock.tempo - tempo) < 1e-6 && std::fabs(s.clock.transpose - semitones) < 1e-6;
        });
        if (ms >= 0.0) {
            ++f.landed;
            f.landingMs.push_back(ms);
        }
    }
    // The A-B loop: A on this bar, B at the end of the next; A is in no cue, so the song is loaded
    // once more with A held in RAM (the same kind of load as a step: it runs while b is awaited).
    press(Action::loopA);
    (void)waitFor(Clock::now(),
                  [](const control::ShowState& s) { return s.player.practiceLoop.rfind("A bar", 0) == 0; });
    std::this_thread::sleep_for(std::chrono::milliseconds(3000)); // into the middle of the next bar
    const auto b = Clock::now();
    press(Action::loopB);
    f.abLandingMs = waitFor(b, [](const control::ShowState& s) {
        return s.player.practiceLoop.rfind("A-B bar", 0) == 0 &&
               s.player.practiceLoop.find("on its way") == std::string::npos && s.player.vamp;
    });
    done = true;
    audio.join();
    control.join();
    reader.join();
    f.longestGapMs = static_cast<double>(longestNs.load()) / 1e6;
    f.snapshotsRead = pairs.load();
    f.underruns = show.player().underruns();
    f.log = log.str();
    return f;
}

} // namespace stemdeck::test
