#pragma once
// Every stem's chain, from its frames to its bus: DJ filter (DjFilterBank, all stems at once),
// then gain, mute / solo fade and meter (Channel), onto the main mix or the stem's direct bus.
// Another per-stem effect is one more step here.
#include <array>
#include <cstdint>
#include <vector>

#include "stemdeck/engine/Channel.h"
#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/DjFilterBank.h"

namespace stemdeck::engine {

struct OutputBuses;
struct SongView;

class StemChains {
public:
    /// @thread control, audio not running. Allocates every stem's buffer for one segment.
    void prepare(double sampleRate, int segmentFrames);

    /// @thread audio. A song's start state on every stem, with no ramps.
    void reset(const SongView& song) noexcept;

    /// Where stem i's frames for this segment are read to, before the chain runs on them.
    [[nodiscard]] float* left(int i) noexcept { return left_[static_cast<std::size_t>(i)]; }
    [[nodiscard]] float* right(int i) noexcept { return right_[static_cast<std::size_t>(i)]; }

    [[nodiscard]] Channel& channel(int i) noexcept { return channels_[static_cast<std::size_t>(i)]; }
    [[nodiscard]] const Channel& channel(int i) const noexcept { return channels_[static_cast<std::size_t>(i)]; }
    [[nodiscard]] DjFilterBank& filters() noexcept { return filters_; }
    [[nodiscard]] const DjFilterBank& filters() const noexcept { return filters_; }

    /// @thread audio. After a solo changed: which of the first `stems` are heard.
    void updateSolo(int stems) noexcept;
    /// @thread audio. After stem i's mute changed.
    void updateAudible(int i) noexcept { channel(i).updateAudible(anySoloed_); }

    /// @thread audio. Nothing plays: every ramp and fade moves on n frames.
    void skip(int stems, int n) noexcept;

    /// @thread audio. Runs the chain of each of the song's stems over the n frames read to left(i)
    /// and right(i) and adds it to its bus: the main pair (`mainLeft`, `mainRight`) or its direct
    /// bus in `out` at `offset`, when it has one with buffers. Returns the direct buses written
    /// (bit k: bus k).
    std::uint32_t mix(const SongView& song, const OutputBuses& out, int offset, float* mainLeft, float* mainRight,
                      int n) noexcept;

private:
    std::array<Channel, kMaxStems> channels_;
    DjFilterBank filters_;
    bool anySoloed_ = false;
    std::vector<float> audio_; // every stem's left and right for one segment
    std::array<float*, kMaxStems> left_{}, right_{};
};

} // namespace stemdeck::engine
