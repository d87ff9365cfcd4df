#include "stemdeck/stream/MemoryStemSource.h"

#include <algorithm>

namespace stemdeck::stream {

MemoryStemSource::MemoryStemSource(std::vector<float> left, std::vector<float> right)
    : left_(std::move(left)), right_(std::move(right)) {}

engine::ReadStatus MemoryStemSource::read(std::int64_t frame, float* left, float* right, int n) noexcept {
    const auto length = static_cast<std::int64_t>(left_.size());
    const std::int64_t from = std::clamp<std::int64_t>(frame, 0, length);
    const std::int64_t to = std::clamp<std::int64_t>(frame + n, 0, length);
    // frames before the start are silence; past the end, `from` is the end and no frames are copied
    const auto lead = static_cast<int>(std::clamp<std::int64_t>(from - frame, 0, n));
    const auto count = static_cast<int>(std::max<std::int64_t>(0, to - from));
    std::fill_n(left, lead, 0.0f);
    std::fill_n(right, lead, 0.0f);
    const float* srcR = right_.empty() ? left_.data() : right_.data(); // mono plays centred
    std::copy_n(left_.data() + from, count, left + lead);
    std::copy_n(srcR + from, count, right + lead);
    std::fill(left + lead + count, left + n, 0.0f);
    std::fill(right + lead + count, right + n, 0.0f);
    return engine::ReadStatus::complete;
}

} // namespace stemdeck::stream
