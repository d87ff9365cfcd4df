#pragma once
// LTC encoded off the audio thread: libltc turns each timecode frame wanted (engine::LtcFrames:
// from the play head on, and the first of the song cued next) into audio, at the speed it plays (a song
// stretched to 80 % with the timecode following it: longer frames), and hands it over through the
// lock-free slots. Live, its own thread ("stemdeck-ltc") looks every 2 ms; a render calls fill()
// before each block, so the file is the same run to run.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "stemdeck/engine/LtcFrames.h"
#include "stemdeck/common/Timecode.h"

namespace stemdeck::control {

class LtcEncoder {
public:
    /// @thread control. `frames` must be prepared and outlive the encoder.
    LtcEncoder(engine::LtcFrames& frames, double sampleRate, TimecodeRate rate);
    ~LtcEncoder(); ///< stops its thread
    LtcEncoder(const LtcEncoder&) = delete;
    LtcEncoder& operator=(const LtcEncoder&) = delete;

    /// @thread control. Starts the thread that keeps the wanted frames encoded.
    void start();
    /// @thread the encoder's (or, with no thread started, the render's). Encodes what is wanted and
    /// not yet there: kAhead frames from the play head.
    void fill();
    [[nodiscard]] std::uint64_t encoded() const noexcept { return encoded_.load(std::memory_order_relaxed); }

    /// @thread any. The LTC frames' largest length at this rate and timecode rate, at the slowest
    /// speed a rehearsal stretches to (50 %): what LtcFrames::prepare needs.
    [[nodiscard]] static int maxSamples(double sampleRate, TimecodeRate rate);

    /// The slowest speed LTC is encoded at (a song stretched to half its tempo).
    static constexpr double kSlowest = 0.5;

private:
    bool encode(int window, std::int64_t frame, double samplesPerFrame); // false: too slow for LTC
    bool fillPass(); // true: interrupted by a new want of the play head's

    struct Codec;
    engine::LtcFrames& frames_;
    double sampleRate_;
    TimecodeRate rate_;
    std::unique_ptr<Codec> codec_;
    double codecSpf_ = 0.0; // the speed libltc is set up for (samples a frame)
    std::array<std::uint64_t, engine::LtcFrames::kWindows> done_{}; // per window: its serial + 1 once filled
    std::uint64_t playHeadSerial_ = 0;
    std::atomic<std::uint64_t> encoded_{0};
    std::atomic<bool> quit_{false};
    std::thread thread_;
};

} // namespace stemdeck::control
