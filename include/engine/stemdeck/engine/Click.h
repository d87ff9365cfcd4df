#pragma once
// The click: a metronome generated from the song's tempo grid, for in-ear monitors and count-ins.
#include <cstdint>
#include <vector>

#include "stemdeck/engine/Timing.h"

namespace stemdeck::engine {

/// A short pitched tick on every beat, higher and louder on the downbeat of each bar. The sound
/// is computed once in prepare(); on the audio thread the click only copies from those tables, so
/// its beats land on exactly the frames gridFrame() gives for the song's beats.
class Click {
public:
    static constexpr double kAccentHz = 1600.0; ///< bar downbeat
    static constexpr double kBeatHz = 1000.0;   ///< other beats
    static constexpr float kAccentLevel = 0.5f; ///< peak, linear (−6 dBFS)
    static constexpr float kBeatLevel = 0.35f;  ///< peak, linear (about −9 dBFS)
    static constexpr double kSeconds = 0.040;   ///< length of one tick

    /// @thread control. Builds both ticks for this rate (allocates), the downbeat's peak at
    /// `accentPeak` (linear) and the other beats' in the same proportion as the defaults.
    void prepare(double sampleRate, float accentPeak = kAccentLevel);

    /// @thread audio. Silences a tick that is still sounding (song load, jump).
    void reset() noexcept { voicePos_ = voiceLen_ = 0; }

    /// @thread audio, non-blocking. Adds the click for song frames [position, position + n) to
    /// `out`, starting a tick on each beat before `until` (later beats stay silent; a tick that
    /// has started always finishes, so the last one is never cut off).
    void render(float* out, int n, std::int64_t position, const SongTiming& timing, std::int64_t until) noexcept;

private:
    double sampleRate_ = 48000.0;
    std::vector<float> accent_, beat_;
    const float* voice_ = nullptr;
    int voicePos_ = 0, voiceLen_ = 0;
};

} // namespace stemdeck::engine
