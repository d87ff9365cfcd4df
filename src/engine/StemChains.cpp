#include "stemdeck/engine/StemChains.h"

#include "stemdeck/engine/Engine.h"

namespace stemdeck::engine {

void StemChains::prepare(double sampleRate, int segmentFrames) {
    const auto segment = static_cast<std::size_t>(segmentFrames);
    audio_.assign(segment * 2 * kMaxStems, 0.0f);
    for (std::size_t s = 0; s < kMaxStems; ++s) {
        left_[s] = audio_.data() + (2 * s) * segment;
        right_[s] = audio_.data() + (2 * s + 1) * segment;
    }
    filters_.prepare(sampleRate);
    for (auto& c : channels_)
        c.prepare(sampleRate);
}

void StemChains::reset(const SongView& song) noexcept {
    anySoloed_ = false;
    for (const StemMix& m : song.start)
        anySoloed_ = anySoloed_ || m.soloed;
    for (int i = 0; i < kMaxStems; ++i) {
        const StemMix& m = song.start[static_cast<std::size_t>(i)];
        channels_[static_cast<std::size_t>(i)].reset(m.gain, m.muted, m.soloed, anySoloed_);
        filters_.resetKnob(i, m.filter);
    }
}

void StemChains::updateSolo(int stems) noexcept {
    anySoloed_ = false;
    for (int i = 0; i < stems; ++i)
        anySoloed_ = anySoloed_ || channels_[static_cast<std::size_t>(i)].soloed();
    for (int i = 0; i < stems; ++i)
        channels_[static_cast<std::size_t>(i)].updateAudible(anySoloed_);
}

void StemChains::skip(int stems, int n) noexcept {
    filters_.skip(n);
    for (int i = 0; i < stems; ++i)
        channels_[static_cast<std::size_t>(i)].skip(n);
}

std::uint32_t StemChains::mix(const SongView& song, const OutputBuses& out, int offset, float* mainLeft,
                              float* mainRight, int n) noexcept {
    const int stems = song.stemCount;
    filters_.process(left_.data(), right_.data(), stems, n);
    std::uint32_t directUsed = 0;
    for (int i = 0; i < stems; ++i) {
        const auto si = static_cast<std::size_t>(i);
        float* busLeft = mainLeft;
        float* busRight = mainRight;
        if (const int k = song.directBus[si]; k >= 0 && k < kMaxDirectBuses) {
            const auto sk = static_cast<std::size_t>(k);
            if (out.directLeft[sk] != nullptr && out.directRight[sk] != nullptr) {
                busLeft = out.directLeft[sk] + offset;
                busRight = out.directRight[sk] + offset;
                directUsed |= 1u << k;
            }
        }
        channels_[si].processInto(left_[si], right_[si], busLeft, busRight, n);
    }
    return directUsed;
}

} // namespace stemdeck::engine
