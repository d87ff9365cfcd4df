#include "stemdeck/engine/LtcFrames.h"

#include <algorithm>

namespace stemdeck::engine {

void LtcFrames::prepare(int maxSamples, int slots) {
    maxSamples_ = std::clamp(maxSamples, 1, kMaxSamples);
    slotCount_ = std::max(slots, 2 * kAhead);
    for (auto& ring : rings_) {
        ring = std::make_unique<Slot[]>(static_cast<std::size_t>(slotCount_));
        for (int i = 0; i < slotCount_; ++i)
            ring[static_cast<std::size_t>(i)].samples =
                std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(maxSamples_));
    }
}

LtcFrames::Slot& LtcFrames::slotOf(int window, std::int64_t frame) const noexcept {
    const std::int64_t i = ((frame % slotCount_) + slotCount_) % slotCount_;
    return rings_[static_cast<std::size_t>(window)][static_cast<std::size_t>(i)];
}

void LtcFrames::want(int window, std::int64_t frame, std::int64_t head, std::int64_t until,
                     double samplesPerFrame) noexcept {
    Window& w = windows_[static_cast<std::size_t>(window)];
    frame = std::max(frame, until - (slotCount_ - kAhead)); // (what the ring holds: from the end back)
    head = std::clamp(head, frame, until);
    if (w.frame.load(std::memory_order_relaxed) == frame && w.until.load(std::memory_order_relaxed) == until &&
        w.head.load(std::memory_order_relaxed) == head && w.samplesPerFrame.load(std::memory_order_relaxed) == samplesPerFrame)
        return;
    const std::uint64_t seq = w.seq.load(std::memory_order_relaxed);
    w.seq.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    w.samplesPerFrame.store(samplesPerFrame, std::memory_order_relaxed);
    w.frame.store(frame, std::memory_order_relaxed);
    w.head.store(head, std::memory_order_relaxed);
    w.until.store(until, std::memory_order_relaxed);
    w.seq.store(seq + 2, std::memory_order_release);
}

LtcFrames::Want LtcFrames::wanted(int window) const noexcept {
    const Window& w = windows_[static_cast<std::size_t>(window)];
    Want out;
    for (;;) { // (the encoder's side: it may try again; the audio thread never reads this)
        const std::uint64_t before = w.seq.load(std::memory_order_acquire);
        out.frame = w.frame.load(std::memory_order_relaxed);
        out.head = w.head.load(std::memory_order_relaxed);
        out.until = w.until.load(std::memory_order_relaxed);
        out.samplesPerFrame = w.samplesPerFrame.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((before & 1u) == 0 && w.seq.load(std::memory_order_relaxed) == before) {
            out.serial = before;
            return out;
        }
    }
}

bool LtcFrames::readRing(int window, std::int64_t frame, double samplesPerFrame, int from, int n, float gain,
                         float* out) noexcept {
    Slot& s = slotOf(window, frame);
    const std::uint32_t before = s.seq.load(std::memory_order_acquire);
    const int length = s.length.load(std::memory_order_relaxed);
    if ((before & 1u) != 0 || s.frame.load(std::memory_order_relaxed) != frame ||
        s.samplesPerFrame.load(std::memory_order_relaxed) != samplesPerFrame || length <= 0)
        return false;
    const float scale = gain / 127.0f;
    for (int i = 0; i < n; ++i) {
        const int at = std::min(from + i, length - 1);
        out[i] =
            (static_cast<float>(s.samples[static_cast<std::size_t>(at)].load(std::memory_order_relaxed)) - 128.0f) *
            scale;
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    return s.seq.load(std::memory_order_relaxed) == before; // not rewritten while read
}

bool LtcFrames::read(std::int64_t frame, double samplesPerFrame, int from, int n, float gain, float* out) noexcept {
    if (!prepared() || n <= 0) return false;
    for (int window = 0; window < kWindows; ++window)
        if (readRing(window, frame, samplesPerFrame, from, n, gain, out)) return true;
    std::fill_n(out, n, 0.0f);
    return false;
}

bool LtcFrames::has(int window, std::int64_t frame, double samplesPerFrame) const noexcept {
    if (!prepared()) return false;
    const Slot& s = slotOf(window, frame);
    return s.frame.load(std::memory_order_acquire) == frame &&
           s.samplesPerFrame.load(std::memory_order_relaxed) == samplesPerFrame;
}

void LtcFrames::write(int window, std::int64_t frame, double samplesPerFrame, const std::uint8_t* samples,
                      int length) noexcept {
    if (!prepared()) return;
    Slot& s = slotOf(window, frame);
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
