#pragma once
// A stem held whole in memory: for audio made in the program (tests, benchmarks). Stems from
// files stream (StreamedStem).
#include <filesystem>
#include <memory>
#include <vector>

#include "stemdeck/engine/StemSource.h"

namespace stemdeck::stream {

/// Stem audio in RAM, planar float. Reads are a bounds check and two copies: wait-free.
class MemoryStemSource final : public engine::StemSource {
public:
    /// @thread control. Takes ownership of the samples; right is empty for a mono stem.
    MemoryStemSource(std::vector<float> left, std::vector<float> right);

    [[nodiscard]] int channels() const noexcept override { return right_.empty() ? 1 : 2; }
    [[nodiscard]] std::int64_t lengthFrames() const noexcept override {
        return static_cast<std::int64_t>(left_.size());
    }
    engine::ReadStatus read(std::int64_t frame, float* left, float* right, int n) noexcept override;

private:
    std::vector<float> left_, right_;
};

} // namespace stemdeck::stream
