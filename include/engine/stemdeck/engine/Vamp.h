#pragma once
// The vamp: a section of the song repeated until released, its end crossfaded into the frames
// just before its start so the jump has no seam and the loop's period stays exactly its length.
// A practice loop may have a count-in before each pass instead: its end fades out, the click
// counts in (the engine runs the count-in bars with the stems silent), its start fades in.
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

    /// @thread audio. Loops [start, start + length), clamped to the song, with `countInBars` bars
    /// of count-in before each pass after the first (0: none, a seamless loop). False (and nothing
    /// changes) when that is too short to loop: shorter than two crossfades.
    bool engage(std::int64_t start, std::int64_t length, std::int64_t songLength, int countInBars = 0) noexcept;
    /// @thread audio. The play head runs on past the loop's end.
    void release() noexcept {
        on_ = false;
        fadeIn_ = false;
    }

    [[nodiscard]] bool on() const noexcept { return on_; }
    [[nodiscard]] std::int64_t start() const noexcept { return start_; }
    [[nodiscard]] std::int64_t end() const noexcept { return end_; }
    [[nodiscard]] int countInBars() const noexcept { return countInBars_; }

    /// @thread audio. A pass begins after its count-in: its first frames fade in.
    void countedIn() noexcept { fadeIn_ = true; }
    /// @thread audio. The play head moved on to `pos`: a pass's fade-in is over once past it.
    void advanced(std::int64_t pos) noexcept {
        if (pos >= start_ + xfade_) fadeIn_ = false;
    }
    /// @thread audio. The play head jumped (a seek): no fade-in waits at the start.
    void jumped() noexcept { fadeIn_ = false; }

    /// @thread audio. Frames from `pos` to the crossfade's start or the loop's end, whichever
    /// comes first, so no segment straddles either; very many when there is no edge ahead.
    [[nodiscard]] int framesToEdge(std::int64_t pos, bool playing) const noexcept;

    /// @thread audio. True when the play head has reached the loop's end: jump to start().
    [[nodiscard]] bool atEnd(std::int64_t pos, bool playing) const noexcept { return on_ && playing && pos == end_; }

    /// @thread audio. Reads `src` at `pos`; in the last frames of the loop, blends in the frames
    /// just before its start, so at the loop's end the audio already is the start's. With a
    /// count-in, the last frames fade out instead, and a pass's first frames fade in.
    ReadStatus read(StemSource& src, std::int64_t pos, bool playing, float* left, float* right, int n) noexcept;

private:
    bool on_ = false;
    bool fadeIn_ = false; // a pass after a count-in: fading in from start_
    int countInBars_ = 0;
    std::int64_t start_ = 0, end_ = 0;
    int xfade_ = 0;                 // frames of the crossfade before end_
    int segmentFrames_ = 0;         // the buffer's length per side
    std::vector<float> startAudio_; // one stem's frames from before the loop start, for the crossfade
};

} // namespace stemdeck::engine
