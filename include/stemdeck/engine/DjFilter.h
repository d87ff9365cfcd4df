#pragma once
// The one-knob DJ filter: centre bypass, left sweeps a low-pass down, right a high-pass up.
#include "stemdeck/engine/Ramp.h"

namespace stemdeck::engine {

/// Stereo DJ filter on a topology-preserving (trapezoidal) state-variable filter, after
/// Zavalishin, "The Art of VA Filter Design", and Simper's SVF. The TPT structure stays stable and
/// quiet under fast cutoff modulation, which a direct-form biquad does not.
///
/// The knob glides linearly (kFilterGlideSeconds); cutoff is exponential in the knob, so the glide
/// is in log-frequency. tan() is evaluated every kControlFrames frames (0.33 ms at 48 kHz) and the
/// coefficients are interpolated per sample in between, so a sweep is smooth without a tan() per
/// sample. A knob at rest runs a constant-coefficient loop; at the centre, nothing at all.
/// Near the centre the filtered signal is crossfaded with the dry one, so 0 is a true bypass and
/// passing through the centre (where low-pass turns into high-pass) cannot click.
class DjFilter {
public:
    static constexpr int kControlFrames = 16;
    static constexpr float kLowPassMaxHz = 20000.0f; ///< low-pass cutoff just left of centre
    static constexpr float kLowPassMinHz = 60.0f;    ///< low-pass cutoff fully left
    static constexpr float kHighPassMinHz = 20.0f;   ///< high-pass cutoff just right of centre
    static constexpr float kHighPassMaxHz = 10000.0f;///< high-pass cutoff fully right
    static constexpr float kResonanceQ = 1.4f;       ///< Q once the knob is past kFullResonanceAt
    static constexpr float kFullResonanceAt = 0.2f;
    static constexpr float kFullWetAt = 0.05f;       ///< |knob| where the dry crossfade ends

    /// @thread control. Sets the rate and resets to bypass.
    void prepare(double sampleRate) noexcept;

    /// @thread audio. Moves the knob (clamped to −1…+1); the filter glides there.
    void setKnob(float knob) noexcept;

    /// @thread audio. Jumps to a knob value with no glide (song load).
    void resetKnob(float knob) noexcept;

    /// @thread audio, non-blocking. Filters n frames in place.
    void process(float* left, float* right, int n) noexcept;

    /// @thread audio. Advances the glide by n frames without audio (transport stopped).
    void skip(int n) noexcept;

    [[nodiscard]] float knob() const noexcept { return knob_.current(); }
    [[nodiscard]] float targetKnob() const noexcept { return knob_.target(); }

    /// @thread any. Cutoff for a knob value (for tests and displays); 0 at the centre.
    [[nodiscard]] static float cutoffHz(float knob) noexcept;

    /// @thread any. Q for a knob value.
    [[nodiscard]] static float resonanceQ(float knob) noexcept;

private:
    struct Coefficients {
        float g = 0.0f, k = 1.4142f, wet = 0.0f;
        bool highPass = false;
    };
    [[nodiscard]] Coefficients coefficientsFor(float knob) const noexcept;
    void updateCoefficients(float knob) noexcept;
    void resetState() noexcept;
    void processSteady(float* left, float* right, int n) noexcept;
    void processGliding(float* left, float* right, int n, const Coefficients& to) noexcept;

    double sampleRate_ = 48000.0;
    Ramp knob_;
    // audio thread only: the coefficients in force at the end of the last processed sample
    float g_ = 0.0f, k_ = 1.4142f, a1_ = 1.0f, a2_ = 0.0f, a3_ = 0.0f, wet_ = 0.0f;
    bool highPass_ = false;
    float ic1_[2] = {0.0f, 0.0f};
    float ic2_[2] = {0.0f, 0.0f};
};

} // namespace stemdeck::engine
