#pragma once
// The vamp: a section of the song repeated until released, its end crossfaded into the frames
// just before its start so the jump has no seam and the loop's period stays exactly its length.
#include <cstdint>
#include <vector>

#include "stemdeck/engine/StemSource.h"

namespace stemdeck::engine {

class Vamp {
public:
    /// @thread control, audio not running. Allocates the crossfade's buffer.
    void prepare(double sampleRate, int segmentFrames);

    /// @thread audio. Off (a song load).
    void reset() noexcept { on_ = false; }

    /// @thread audio. Loops [start, start + length), clamped to the song. False (and nothing
    /// changes) when that is too short to loop: shorter than two crossfades.
    bool engage(std::int64_t start, std::int64_t length, std::int64_t songLength) noexcept;
    /// @thread audio. The play head runs on past the loop's end.
    void release() noexcept { on_ = false; }

    [[nodiscard]] bool on() const noexcept { return on_; }
    [[nodiscard]] std::int64_t start() const noexcept { return start_; }
    [[nodiscard]] std::int64_t end() const noexcept { return end_; }

    /// @thread audio. Frames from `pos` to the crossfade's start or the loop's end, whichever
    /// comes first, so no segment straddles either; very many when there is no edge ahead.
    [[nodiscard]] int framesToEdge(std::int64_t pos, bool playing) const noexcept;

    /// @thread audio. True when the play head has reached the loop's end: jump to start().
    [[nodiscard]] bool atEnd(std::int64_t pos, bool playing) const noexcept { return on_ && playing && pos == end_; }

    /// @thread audio. Reads `src` at `pos`; in the last frames of the loop, blends in the frames
    /// just before its start, so at the loop's end the audio already is the start's.
    ReadStatus read(StemSource& src, std::int64_t pos, bool playing, float* left, float* right, int n) noexcept;

private:
    bool on_ = false;
    std::int64_t start_ = 0, end_ = 0;
    int xfade_ = 0;                 // frames of the crossfade before end_
    int segmentFrames_ = 0;         // the buffer's length per side
    std::vector<float> startAudio_; // one stem's frames from before the loop start, for the crossfade
};

} // namespace stemdeck::engine
