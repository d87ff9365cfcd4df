#include "stemdeck/engine/LtcFrames.h"

#include <algorithm>

namespace stemdeck::engine {

void LtcFrames::prepare(int maxSamples, int slots) {
    maxSamples_ = std::clamp(maxSamples, 1, kMaxSamples);
    slotCount_ = std::max(slots, 2 * kAhead);
    slots_ = std::make_unique<Slot[]>(static_cast<std::size_t>(slotCount_));
    for (int i = 0; i < slotCount_; ++i)
        slots_[static_cast<std::size_t>(i)].samples =
            std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(maxSamples_));
}

LtcFrames::Slot& LtcFrames::slotOf(std::int64_t frame) const noexcept {
    const std::int64_t i = ((frame % slotCount_) + slotCount_) % slotCount_;
    return slots_[static_cast<std::size_t>(i)];
}

void LtcFrames::want(std::int64_t frame, std::int64_t until, double samplesPerFrame) noexcept {
    until = std::min(until, frame + slotCount_ - kAhead);
    if (wantFrame_.load(std::memory_order_relaxed) == frame && wantUntil_.load(std::memory_order_relaxed) == until &&
        wantSpf_.load(std::memory_order_relaxed) == samplesPerFrame)
        return;
    wantSpf_.store(samplesPerFrame, std::memory_order_relaxed);
    wantFrame_.store(frame, std::memory_order_relaxed);
    wantUntil_.store(until, std::memory_order_relaxed);
    wantSerial_.fetch_add(1, std::memory_order_release);
}

LtcFrames::Want LtcFrames::wanted() const noexcept {
    Want w;
    w.serial = wantSerial_.load(std::memory_order_acquire);
    w.frame = wantFrame_.load(std::memory_order_relaxed);
    w.until = wantUntil_.load(std::memory_order_relaxed);
    w.samplesPerFrame = wantSpf_.load(std::memory_order_relaxed);
    return w;
}

bool LtcFrames::read(std::int64_t frame, double samplesPerFrame, int from, int n, float gain, float* out) noexcept {
    if (slots_ == nullptr || n <= 0) return false;
    Slot& s = slotOf(frame);
    const std::uint32_t before = s.seq.load(std::memory_order_acquire);
    const int length = s.length.load(std::memory_order_relaxed);
    bool ok = (before & 1u) == 0 && s.frame.load(std::memory_order_relaxed) == frame &&
              s.samplesPerFrame.load(std::memory_order_relaxed) == samplesPerFrame && length > 0;
    if (ok) {
        const float scale = gain / 127.0f;
        for (int i = 0; i < n; ++i) {
            const int at = std::min(from + i, length - 1);
            out[i] =
                (static_cast<float>(s.samples[static_cast<std::size_t>(at)].load(std::memory_order_relaxed)) - 128.0f) *
                scale;
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        ok = s.seq.load(std::memory_order_relaxed) == before; // not rewritten while read
    }
    if (!ok) {
        std::fill_n(out, n, 0.0f);
        misses_.fetch_add(1, std::memory_order_relaxed);
    }
    return ok;
}

bool LtcFrames::has(std::int64_t frame, double samplesPerFrame) const noexcept {
    if (slots_ == nullptr) return false;
    const Slot& s = slotOf(frame);
    return s.frame.load(std::memory_order_acquire) == frame &&
           s.samplesPerFrame.load(std::memory_order_relaxed) == samplesPerFrame;
}

void LtcFrames::write(std::int64_t frame, double samplesPerFrame, const std::uint8_t* samples, int length) noexcept {
    if (slots_ == nullptr) return;
    Slot& s = slotOf(frame);
    const std::uint32_t seq = s.seq.load(std::memory_order_relaxed);
    s.seq.store(seq + 1, std::memory_order_relaxed); // odd: being written
    std::atomic_thread_fence(std::memory_order_release);
    length = std::clamp(length, 0, maxSamples_);
    for (int i = 0; i < length; ++i)
        s.samples[static_cast<std::size_t>(i)].store(samples[i], std::memory_order_relaxed);
    s.length.store(length, std::memory_order_relaxed);
    s.samplesPerFrame.store(samplesPerFrame, std::memory_order_relaxed);
    s.frame.store(frame, std::memory_order_relaxed);
    s.seq.store(seq + 2, std::memory_order_release);
}

} // namespace stemdeck::engine
