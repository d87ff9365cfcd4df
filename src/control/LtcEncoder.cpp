#include "stemdeck/control/LtcEncoder.h"

#include <ltc.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <algorithm>

#include "stemdeck/common/Thread.h"

namespace stemdeck::control {

namespace {
// As Ardour does: the parity bit's place follows the TV standard (bit 59 at 25 fps, else 27).
LTC_TV_STANDARD standardOf(TimecodeRate rate) {
    switch (rate.fps) {
    case TimecodeFps::fps25: return LTC_TV_625_50;
    case TimecodeFps::fps2997df:
    case TimecodeFps::fps30: return LTC_TV_525_60;
    case TimecodeFps::fps24:
    case TimecodeFps::fps23976: return LTC_TV_FILM_24;
    }
    return LTC_TV_625_50;
}
} // namespace

struct LtcEncoder::Codec {
    LTCEncoder* encoder = nullptr;
    ~Codec() {
        if (encoder != nullptr) ltc_encoder_free(encoder);
    }
};

LtcEncoder::LtcEncoder(engine::LtcFrames& frames, double sampleRate, TimecodeRate rate)
    : frames_(frames), sampleRate_(sampleRate), rate_(rate), codec_(std::make_unique<Codec>()) {
    codecSpf_ = sampleRate / rate.perSecond();
    codec_->encoder = ltc_encoder_create(sampleRate, rate.perSecond(), standardOf(rate), 0);
    // Room for a frame at the slowest speed (libltc's reinit refuses a frame longer than its buffer).
    ltc_encoder_set_buffersize(codec_->encoder, sampleRate, rate.perSecond() * kSlowest);
    ltc_encoder_set_volume(codec_->encoder, 0.0); // full scale: the engine scales to the level asked for
}

LtcEncoder::~LtcEncoder() {
    quit_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
}

int LtcEncoder::maxSamples(double sampleRate, TimecodeRate rate) {
    return static_cast<int>(std::ceil(sampleRate / rate.perSecond() / kSlowest)) + 2;
}

void LtcEncoder::start() {
    thread_ = std::thread([this] {
        setThreadName("stemdeck-ltc");
        while (!quit_.load(std::memory_order_relaxed)) {
            fill();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
}

void LtcEncoder::fill() {
    while (fillPass()) { // again at once whenever the play head's want changed under it
    }
}

bool LtcEncoder::fillPass() {
    // The play head's window first (from the head on, then the frames before it: a count-in's); the
    // song cued next once that is ready.
    for (const int window : {engine::LtcFrames::kPlayHead, engine::LtcFrames::kCuedNext}) {
        const engine::LtcFrames::Want w = frames_.wanted(window);
        auto& done = done_[static_cast<std::size_t>(window)];
        if (w.frame == engine::LtcFrames::kNone || w.samplesPerFrame <= 0.0 || done == w.serial + 1) continue;
        const std::int64_t until = std::min(w.until, w.frame + frames_.slots() - engine::LtcFrames::kAhead);
        for (const auto& [from, to] : {std::pair{w.head, until}, std::pair{w.frame, w.head}})
            for (std::int64_t k = from; k < to; ++k) {
                if (frames_.has(window, k, w.samplesPerFrame)) continue;
                if (!encode(window, k, w.samplesPerFrame)) return false; // (slower than LTC is made for)
                if (frames_.wanted(engine::LtcFrames::kPlayHead).serial !=
                    (window == engine::LtcFrames::kPlayHead ? w.serial : playHeadSerial_))
                    return true; // the play head moved (a locate): its frames first
            }
        done = w.serial + 1; // (nothing to look at until this window changes)
        if (window == engine::LtcFrames::kPlayHead) playHeadSerial_ = w.serial;
    }
    return false;
}

bool LtcEncoder::encode(int window, std::int64_t frame, double samplesPerFrame) {
    LTCEncoder* e = codec_->encoder;
    if (samplesPerFrame != codecSpf_) { // another speed: libltc's bit clock follows it
        if (samplesPerFrame > sampleRate_ / (rate_.perSecond() * kSlowest) + 1.0 ||
            ltc_encoder_reinit(e, sampleRate_, sampleRate_ / samplesPerFrame, standardOf(rate_), 0) != 0) {
            codecSpf_ = 0.0; // slower than LTC is made for here: none (the engine plays silence)
            return false;
        }
        codecSpf_ = samplesPerFrame;
        ltc_encoder_set_volume(e, 0.0);
    }
    const TimecodeLabel l = timecodeLabel(rate_, frame);
    SMPTETimecode t{};
    std::memcpy(t.timezone, "+0000", 6);
    t.hours = static_cast<unsigned char>(l.hours);
    t.mins = static_cast<unsigned char>(l.minutes);
    t.secs = static_cast<unsigned char>(l.seconds);
    t.frame = static_cast<unsigned char>(l.frames);
    LTCFrame f;
    ltc_frame_reset(&f);
    f.dfbit = rate_.drop() ? 1 : 0;                  // (libltc sets it only for 29.97 itself, not stretched)
    ltc_time_to_frame(&f, &t, standardOf(rate_), 0); // fields, then the parity bit over them
    ltc_encoder_set_frame(e, &f);
    ltc_encoder_encode_frame(e);
    ltcsnd_sample_t* samples = nullptr;
    const int length = ltc_encoder_get_bufferptr(e, &samples, 1);
    frames_.write(window, frame, samplesPerFrame, samples, length);
    encoded_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

} // namespace stemdeck::control
