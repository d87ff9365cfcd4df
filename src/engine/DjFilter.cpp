#include "stemdeck/engine/DjFilter.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

void DjFilter::prepare(double sampleRate) noexcept {
    sampleRate_ = sampleRate;
    knob_.prepare(secondsToFrames(kFilterGlideSeconds, sampleRate), 0.0f);
    resetKnob(0.0f);
}

void DjFilter::setKnob(float knob) noexcept { knob_.setTarget(std::clamp(knob, -1.0f, 1.0f)); }

void DjFilter::resetKnob(float knob) noexcept {
    knob_.reset(std::clamp(knob, -1.0f, 1.0f));
    resetState();
    updateCoefficients(knob_.current());
}

float DjFilter::cutoffHz(float knob) noexcept {
    if (knob < 0.0f) return kLowPassMaxHz * std::pow(kLowPassMinHz / kLowPassMaxHz, -knob);
    if (knob > 0.0f) return kHighPassMinHz * std::pow(kHighPassMaxHz / kHighPassMinHz, knob);
    return 0.0f;
}

float DjFilter::resonanceQ(float knob) noexcept {
    const float amount = std::min(1.0f, std::fabs(knob) / kFullResonanceAt);
    return std::numbers::sqrt2_v<float> / 2.0f + amount * (kResonanceQ - std::numbers::sqrt2_v<float> / 2.0f);
}

DjFilter::Coefficients DjFilter::coefficientsFor(float knob) const noexcept {
    Coefficients c;
    c.highPass = knob > 0.0f;
    c.wet = std::min(1.0f, std::fabs(knob) / kFullWetAt);
    if (c.wet == 0.0f) return c;
    const double fc = std::min(static_cast<double>(cutoffHz(knob)), 0.45 * sampleRate_);
    c.g = static_cast<float>(std::tan(std::numbers::pi * fc / sampleRate_));
    c.k = 1.0f / resonanceQ(knob);
    return c;
}

void DjFilter::updateCoefficients(float knob) noexcept {
    const Coefficients c = coefficientsFor(knob);
    if (c.highPass != highPass_) resetState();
    highPass_ = c.highPass;
    g_ = c.g;
    k_ = c.k;
    wet_ = c.wet;
    a1_ = 1.0f / (1.0f + g_ * (g_ + k_));
    a2_ = g_ * a1_;
    a3_ = g_ * a2_;
}

void DjFilter::resetState() noexcept { ic1_[0] = ic1_[1] = ic2_[0] = ic2_[1] = 0.0f; }

void DjFilter::skip(int n) noexcept {
    knob_.skip(n);
    updateCoefficients(knob_.current());
}

void DjFilter::processSteady(float* left, float* right, int n) noexcept {
    float* io[2] = {left, right};
    const float dry = 1.0f - wet_;
    for (int ch = 0; ch < 2; ++ch) {
        float* x = io[ch];
        float s1 = ic1_[ch], s2 = ic2_[ch];
        for (int i = 0; i < n; ++i) {
            const float in = x[i];
            const float v3 = in - s2;
            const float v1 = a1_ * s1 + a2_ * v3;
            const float v2 = s2 + a2_ * s1 + a3_ * v3;
            s1 = 2.0f * v1 - s1;
            s2 = 2.0f * v2 - s2;
            const float filtered = highPass_ ? in - k_ * v1 - v2 : v2;
            x[i] = wet_ * filtered + dry * in;
        }
        ic1_[ch] = s1;
        ic2_[ch] = s2;
    }
}

void DjFilter::processGliding(float* left, float* right, int n, const Coefficients& to) noexcept {
    if (to.highPass != highPass_) {
        // Crossing the centre: the wet share is near zero here and both filters are nearly
        // transparent at their centre cutoffs, so starting the other mode fresh is inaudible.
        resetState();
        highPass_ = to.highPass;
        g_ = to.g;
        k_ = to.k;
    }
    // Interpolate per sample towards the chunk's end values: tan() stays at control rate, but the
    // filter sees a smooth glide (stepping the coefficients every chunk is audible as roughness).
    const float inv = 1.0f / static_cast<float>(n);
    const float dg = (to.g - g_) * inv, dk = (to.k - k_) * inv, dw = (to.wet - wet_) * inv;
    float g = g_, k = k_, wet = wet_;
    for (int i = 0; i < n; ++i) {
        g += dg;
        k += dk;
        wet += dw;
        const float a1 = 1.0f / (1.0f + g * (g + k)), a2 = g * a1, a3 = g * a2;
        float* x[2] = {left + i, right + i};
        for (int ch = 0; ch < 2; ++ch) {
            const float in = *x[ch];
            const float v3 = in - ic2_[ch];
            const float v1 = a1 * ic1_[ch] + a2 * v3;
            const float v2 = ic2_[ch] + a2 * ic1_[ch] + a3 * v3;
            ic1_[ch] = 2.0f * v1 - ic1_[ch];
            ic2_[ch] = 2.0f * v2 - ic2_[ch];
            const float filtered = highPass_ ? in - k * v1 - v2 : v2;
            *x[ch] = wet * filtered + (1.0f - wet) * in;
        }
    }
    updateCoefficients(knob_.current()); // land exactly on the chunk's end values
}

void DjFilter::process(float* left, float* right, int n) noexcept {
    for (int start = 0; start < n; start += kControlFrames) {
        if (!knob_.isRamping()) { // at rest for the rest of the block
            if (wet_ != 0.0f) processSteady(left + start, right + start, n - start);
            return;
        }
        const int len = std::min(kControlFrames, n - start);
        knob_.skip(len);
        const Coefficients to = coefficientsFor(knob_.current());
        if (wet_ == 0.0f && to.wet == 0.0f) updateCoefficients(knob_.current());
        else processGliding(left + start, right + start, len, to);
    }
}

} // namespace stemdeck::engine
