// Engine cost per block: eight stereo stems, filters and gain ramps always moving.
// Prints mean, p99, p99.9 and max in microseconds and as a share of the block's deadline.
//   stemdeck_bench_engine [blocks]      (default 200000 per block size)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "stemdeck/engine/Engine.h"

using namespace stemdeck::engine;

namespace {

// A stem that loops ten seconds of material forever, so the bench can run any number of blocks
// without gigabytes of RAM. Its read is a copy, like a real source's.
class LoopingStem final : public StemSource {
public:
    explicit LoopingStem(int seed) : left_(480000), right_(480000) {
        std::uint32_t s = 0x12345u + static_cast<std::uint32_t>(seed);
        for (std::size_t i = 0; i < left_.size(); ++i) {
            s = s * 1664525u + 1013904223u;
            const float noise = static_cast<float>(s >> 8) / 16777216.0f - 0.5f;
            left_[i] = 0.2f * std::sin(static_cast<float>(i) * 0.01f * static_cast<float>(seed + 1)) + 0.05f * noise;
            right_[i] = 0.9f * left_[i];
        }
    }
    int channels() const noexcept override { return 2; }
    std::int64_t lengthFrames() const noexcept override { return INT64_MAX / 2; }
    ReadStatus read(std::int64_t frame, float* l, float* r, int n) noexcept override {
        const auto size = static_cast<std::int64_t>(left_.size());
        for (int done = 0; done < n;) {
            const auto at = static_cast<std::size_t>((frame + done) % size);
            const int len = static_cast<int>(std::min<std::int64_t>(n - done, size - static_cast<std::int64_t>(at)));
            std::copy_n(left_.data() + at, len, l + done);
            std::copy_n(right_.data() + at, len, r + done);
            done += len;
        }
        return ReadStatus::complete;
    }

private:
    std::vector<float> left_, right_;
};

void run(int block, long blocks, int movingStems) {
    const double rate = 48000.0;
    std::vector<LoopingStem> stems;
    stems.reserve(8);
    for (int i = 0; i < 8; ++i)
        stems.emplace_back(i);
    Engine engine;
    engine.prepare(rate, block);
    SongView song;
    for (int i = 0; i < 8; ++i)
        song.stems[static_cast<std::size_t>(i)] = &stems[static_cast<std::size_t>(i)];
    song.stemCount = 8;
    song.lengthFrames = INT64_MAX / 2;
    engine.setSong(song);
    CommandSender sender = engine.makeSender();
    sender.send(Command{Op::play});

    std::vector<float> l(static_cast<std::size_t>(block)), r(static_cast<std::size_t>(block));
    std::vector<double> us(static_cast<std::size_t>(blocks));
    // Every stem's filter sweeps and its gain moves continuously: a new target every 10 ms, so
    // ramps and glides never settle (the worst case, not the common one).
    const long retarget = std::max(1L, static_cast<long>(0.010 * rate) / block);
    Event e;
    for (long b = 0; b < blocks; ++b) {
        if (movingStems > 0 && b % retarget == 0) {
            for (int s = 0; s < movingStems; ++s) {
                const double phase = static_cast<double>(b) * 0.002 + s;
                sender.send(Command{Op::filter, Quantize::none, static_cast<std::int8_t>(s),
                                    static_cast<float>(0.9 * std::sin(phase))});
                sender.send(Command{Op::gain, Quantize::none, static_cast<std::int8_t>(s),
                                    static_cast<float>(0.6 + 0.4 * std::cos(phase * 1.3))});
            }
        }
        const auto t0 = std::chrono::steady_clock::now();
        engine.process(l.data(), r.data(), block);
        const auto t1 = std::chrono::steady_clock::now();
        us[static_cast<std::size_t>(b)] = std::chrono::duration<double, std::micro>(t1 - t0).count();
        while (engine.nextEvent(e)) {
        }
    }
    double sum = 0;
    for (double v : us)
        sum += v;
    std::sort(us.begin(), us.end());
    const auto pct = [&](double p) {
        return us[std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())))];
    };
    const double deadline = block / rate * 1e6;
    const double mean = sum / static_cast<double>(blocks);
    std::printf(
        "%-5s %5d frames | %7ld blocks | mean %7.2f us (%5.2f%%) | p99 %7.2f us (%5.2f%%) | p99.9 %7.2f us (%5.2f%%) | "
        "max %8.2f us (%6.2f%%) | deadline %.0f us\n",
        movingStems == 8   ? "all"
        : movingStems == 0 ? "rest"
                           : "hands",
        block, blocks, mean, 100 * mean / deadline, pct(0.99), 100 * pct(0.99) / deadline, pct(0.999),
        100 * pct(0.999) / deadline, us.back(), 100 * us.back() / deadline, deadline);
}

} // namespace

int main(int argc, char** argv) {
    const long blocks = argc > 1 ? std::atol(argv[1]) : 200000;
    std::printf(
        "stemdeck engine bench: 8 stereo stems at 48 kHz, per block\n"
        "  all:   every stem's filter and gain get a new target every 10 ms, so they never settle (worst case)\n"
        "  hands: two stems' filters and gains moving like that, six untouched (a performer's two hands)\n"
        "  rest:  filters bypassed, gains steady (a song playing untouched)\n");
    for (int moving : {8, 2, 0})
        for (int block : {64, 128, 256})
            run(block, blocks, moving);
    return 0;
}
