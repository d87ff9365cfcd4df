#include "stemdeck/stream/StemRing.h"

#include <algorithm>
#include <bit>

namespace stemdeck::stream {

StemRing::StemRing(int capacityFrames)
    : capacity_(static_cast<int>(std::bit_ceil(static_cast<unsigned>(std::max(capacityFrames, 64))))),
      mask_(capacity_ - 1), left_(static_cast<std::size_t>(capacity_)), right_(static_cast<std::size_t>(capacity_)) {}

void StemRing::request(std::int64_t frame) noexcept {
    readerGeneration_ = (readerGeneration_ + 1) & 0xFFFFFFu;
    readerConsumed_ = readerStart_ = frame;
    consumed_.store(pack(readerGeneration_, frame), std::memory_order_relaxed);
    // Release: the producer that sees this request sees every read of older data finished.
    request_.store(pack(readerGeneration_, frame), std::memory_order_release);
}

bool StemRing::has(std::int64_t frame, int n) const noexcept {
    const std::int64_t filled = filled_.load(std::memory_order_acquire);
    const std::int64_t req = request_.load(std::memory_order_relaxed);
    return generationOf(filled) == generationOf(req) && frame >= frameOf(req) && frame + n <= frameOf(filled);
}

int StemRing::read(std::int64_t frame, float* left, float* right, int n) noexcept {
    // Acquire: the samples below filled's frame were written before it was published.
    const std::int64_t filled = filled_.load(std::memory_order_acquire);
    int got = 0;
    // Below readerConsumed_ the producer may have skipped ahead (it catches up with a reader that
    // ran past it), so only frames at or above it are known to be this generation's.
    if (generationOf(filled) == readerGeneration_ && frame >= readerConsumed_)
        got = static_cast<int>(std::clamp<std::int64_t>(frameOf(filled) - frame, 0, n));
    for (int done = 0; done < got;) {
        const int slot = static_cast<int>((frame + done) & mask_);
        const int len = std::min(got - done, capacity_ - slot);
        std::copy_n(left_.data() + slot, len, left + done);
        std::copy_n(right_.data() + slot, len, right + done);
        done += len;
    }
    // Release: our reads of these slots happen before the producer may overwrite them.
    readerConsumed_ = std::max(readerConsumed_, frame + n);
    consumed_.store(pack(readerGeneration_, readerConsumed_), std::memory_order_release);
    return got;
}

StemRing::Work StemRing::work() noexcept {
    Work w;
    const std::int64_t req = request_.load(std::memory_order_acquire);
    if (generationOf(req) != writerGeneration_ ||
        generationOf(filled_.load(std::memory_order_relaxed)) != writerGeneration_) {
        writerGeneration_ = generationOf(req);
        writeFrame_ = frameOf(req);
        filled_.store(pack(writerGeneration_, writeFrame_), std::memory_order_release);
        w.restarted = true;
    }
    const std::int64_t cons = consumed_.load(std::memory_order_acquire);
    std::int64_t consumedFrame = frameOf(req);
    if (generationOf(cons) == writerGeneration_) consumedFrame = std::max(consumedFrame, frameOf(cons));
    if (consumedFrame > writeFrame_) { // the reader ran past us (slow disk): catch up where it is
        writeFrame_ = consumedFrame;
        filled_.store(pack(writerGeneration_, writeFrame_), std::memory_order_release);
        w.restarted = true;
    }
    w.generation = writerGeneration_;
    w.writeFrame = writeFrame_;
    w.space = static_cast<int>(std::max<std::int64_t>(0, consumedFrame + capacity_ - writeFrame_));
    return w;
}

void StemRing::write(const float* left, const float* right, int n) noexcept {
    for (int done = 0; done < n;) {
        const int slot = static_cast<int>((writeFrame_ + done) & mask_);
        const int len = std::min(n - done, capacity_ - slot);
        std::copy_n(left + done, len, left_.data() + slot);
        std::copy_n(right + done, len, right_.data() + slot);
        done += len;
    }
    writeFrame_ += n;
    // Release: the samples are in place before the consumer can see them as filled.
    filled_.store(pack(writerGeneration_, writeFrame_), std::memory_order_release);
}

} // namespace stemdeck::stream
