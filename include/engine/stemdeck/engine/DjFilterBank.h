#pragma once
// The one-knob DJ filters of all stems: centre bypass, left sweeps a low-pass down, right a
// high-pass up. One bank runs every stem's filter at once, in SIMD lanes.
#include <array>

#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Ramp.h"

namespace stemdeck::engine {

/// Stereo DJ filters for up to kMaxStems stems, on a topology-preserving (trapezoidal)
/// state-variable filter after Zavalishin, "The Art of VA Filter Design", and Simper's SVF. The
/// TPT structure stays stable and quiet under fast cutoff modulation, which a direct-form biquad
/// does not.
///
/// Each knob glides linearly (kFilterGlideSeconds); cutoff is exponential in the knob, so the glide
/// is in log-frequency. tan() is evaluated every kControlFrames frames (0.67 ms at 48 kHz) per
/// moving knob and the coefficients are interpolated per sample in between, so a sweep is smooth
/// without a tan() per sample. Near the centre the filtered signal is crossfaded with the dry one, so 0 is an exact
/// bypass and passing through the centre (where low-pass turns into high-pass) cannot click.
///
/// The recursion is serial in time, so the bank vectorises across stems instead: lane 2s is stem
/// s's left channel, lane 2s+1 its right, sixteen lanes stepping through the block together. Only
/// stems whose filter is engaged are moved into lanes; lanes of bypassed stems run with g = 0,
/// which leaves their (cleared) state untouched whatever their lanes hold.
class DjFilterBank {
public:
    static constexpr int kControlFrames = 32;
    static constexpr int kLanes = 2 * kMaxStems;
    static constexpr float kLowPassMaxHz = 20000.0f;  ///< low-pass cutoff just left of centre
    static constexpr float kLowPassMinHz = 60.0f;     ///< low-pass cutoff fully left
    static constexpr float kHighPassMinHz = 20.0f;    ///< high-pass cutoff just right of centre
    static constexpr float kHighPassMaxHz = 10000.0f; ///< high-pass cutoff fully right
    static constexpr float kResonanceQ = 1.4f;        ///< Q once the knob is past kFullResonanceAt
    static constexpr float kFullResonanceAt = 0.2f;
    static constexpr float kFullWetAt = 0.05f; ///< |knob| where the dry crossfade ends
    static constexpr int kTableSteps = 1024;   ///< coefficient table resolution per side of the knob

    /// @thread control. Sets the rate and resets every stem to bypass.
    void prepare(double sampleRate) noexcept;

    /// @thread audio. Moves stem s's knob (clamped to −1…+1); its filter glides there.
    void setKnob(int stem, float knob) noexcept;

    /// @thread audio. Jumps stem s's knob with no glide and clears its state (song load).
    void resetKnob(int stem, float knob) noexcept;

    /// @thread audio, non-blocking. Filters n frames of `stems` stems in place.
    void process(float* const* left, float* const* right, int stems, int n) noexcept;

    /// @thread audio. Advances every glide by n frames without audio (transport stopped).
    void skip(int n) noexcept;

    [[nodiscard]] float knob(int stem) const noexcept { return knobs_[static_cast<std::size_t>(stem)].current(); }
    [[nodiscard]] float targetKnob(int stem) const noexcept { return knobs_[static_cast<std::size_t>(stem)].target(); }

    /// @thread any. Cutoff for a knob value (for tests and displays); 0 at the centre.
    [[nodiscard]] static float cutoffHz(float knob) noexcept;

    /// @thread any. Q for a knob value.
    [[nodiscard]] static float resonanceQ(float knob) noexcept;

private:
    struct Coefficients {
        float g = 0.0f, k = 1.4142135f, wet = 0.0f;
        bool highPass = false;
    };
    [[nodiscard]] Coefficients coefficientsFor(float knob) const noexcept;
    void setLanes(int stem, const Coefficients& c) noexcept;
    void clearState(int stem) noexcept;
    [[nodiscard]] bool engaged(int stem) const noexcept;
    template <bool gliding>
    void runVectors(int vecs, float* lanes, int frames) noexcept;

    double sampleRate_ = 48000.0;
    // g = tan(pi fc / rate) and k = 1/Q against |knob|, for each side, filled in prepare(): a moving
    // knob then costs two table look-ups per chunk instead of pow(), tan() and a divide. The cutoff
    // is exponential in the knob, so linear interpolation between 1/1024 steps is within 4e-6.
    std::array<float, kTableSteps + 1> lowPassG_{}, highPassG_{}, tableK_{};
    std::array<Ramp, kMaxStems> knobs_;
    std::array<bool, kMaxStems> highPass_{};

    // audio thread only: per-lane state and coefficients at the end of the last processed frame,
    // and per-lane increments for the chunk being processed
    alignas(64) float ic1_[kLanes] = {};
    alignas(64) float ic2_[kLanes] = {};
    alignas(64) float g_[kLanes] = {};
    alignas(64) float k_[kLanes] = {};
    alignas(64) float wet_[kLanes] = {};
    alignas(64) float hp_[kLanes] = {};
    alignas(64) float dg_[kLanes] = {};
    alignas(64) float dk_[kLanes] = {};
    alignas(64) float dw_[kLanes] = {};
    alignas(64) float lanes_[kControlFrames * kLanes] = {}; // one chunk, lane-major (frame i, lane j at i*kLanes+j)
};

} // namespace stemdeck::engine
