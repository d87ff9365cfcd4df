#pragma once
// Musical time: BPM, time signature and downbeat turned into frames, and back.
#include <cstdint>

#include "stemdeck/engine/Command.h"

namespace stemdeck::engine {

/// A song's tempo grid. Beats are counted in the time signature's unit (a quarter in 4/4, an
/// eighth in 6/8) and the downbeat of bar 1 is at downbeatFrame (0 by the stem convention).
struct SongTiming {
    double bpm = 120.0;
    int beatsPerBar = 4;
    int beatUnit = 4;
    std::int64_t downbeatFrame = 0;
};

/// A position in bars and beats, both 1-based; `fraction` is how far into the beat (0 ≤ f < 1).
struct BarBeat {
    std::int64_t bar = 1;
    int beat = 1;
    double fraction = 0.0;
    bool operator==(const BarBeat&) const = default;
};

/// @thread any. Frames per beat at this rate (not rounded: 44.1 kHz at 128 BPM is 20671.875).
[[nodiscard]] double framesPerBeat(const SongTiming& timing, double sampleRate) noexcept;

/// @thread any, non-blocking. First frame of grid line k (beat or bar k counted from the downbeat),
/// rounded to the nearest frame so that rounding never accumulates along a song.
[[nodiscard]] std::int64_t gridFrame(const SongTiming& timing, double sampleRate, Quantize grid,
                                     std::int64_t k) noexcept;

/// @thread any, non-blocking. The first frame ≥ songFrame that starts a beat or bar; songFrame
/// itself for Quantize::none.
[[nodiscard]] std::int64_t nextGridFrame(const SongTiming& timing, double sampleRate, Quantize grid,
                                         std::int64_t songFrame) noexcept;

/// @thread any, non-blocking. Bar and beat of a song frame.
[[nodiscard]] BarBeat toBarBeat(const SongTiming& timing, double sampleRate, std::int64_t songFrame) noexcept;

/// @thread any, non-blocking. Where `frame` of a song on grid `from` is once the song plays on grid
/// `to` (the same song at another tempo: stretched, output frame F is its own frame F · tempo): the
/// same musical time. A beat line maps exactly onto the same beat line of the new grid.
[[nodiscard]] std::int64_t retimedFrame(const SongTiming& from, const SongTiming& to, double sampleRate,
                                        std::int64_t frame) noexcept;

} // namespace stemdeck::engine
