#include "stemdeck/engine/DjFilterBank.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stemdeck::engine {

namespace {

// Four floats: one SSE register on x86-64, one NEON register on ARM (a Raspberry Pi rack unit).
using Vec = float __attribute__((vector_size(16)));
constexpr int kVecLanes = 4;

inline Vec load(const float* p) noexcept {
    Vec v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, Vec v) noexcept {
    __builtin_memcpy(p, &v, sizeof v);
}

// One chunk of up to kControlFrames frames through `vecs` vectors of lanes. Lane-major scratch:
// frame i of lane j at x[i * kLanes + j]. The state recursion is the TPT SVF; the coefficients
// step by their per-lane increments every frame.
template <int vecs, bool gliding>
void runChunk(float* x, int n, float* ic1, float* ic2, float* g, float* k, float* wet, const float* hp, const float* dg,
              const float* dk, const float* dw) noexcept {
    Vec s1[vecs], s2[vecs], gv[vecs], kv[vecs], wv[vecs], hv[vecs], dgv[vecs], dkv[vecs], dwv[vecs];
    for (int v = 0; v < vecs; ++v) {
        s1[v] = load(ic1 + v * kVecLanes);
        s2[v] = load(ic2 + v * kVecLanes);
        gv[v] = load(g + v * kVecLanes);
        kv[v] = load(k + v * kVecLanes);
        wv[v] = load(wet + v * kVecLanes);
        hv[v] = load(hp + v * kVecLanes);
        dgv[v] = load(dg + v * kVecLanes);
        dkv[v] = load(dk + v * kVecLanes);
        dwv[v] = load(dw + v * kVecLanes);
    }
    Vec a1[vecs], a2[vecs], a3[vecs];
    for (int v = 0; v < vecs; ++v) { // knobs at rest: the coefficients hold for the whole chunk
        a1[v] = 1.0f / (1.0f + gv[v] * (gv[v] + kv[v]));
        a2[v] = gv[v] * a1[v];
        a3[v] = gv[v] * a2[v];
    }
    for (int i = 0; i < n; ++i) {
        float* frame = x + i * DjFilterBank::kLanes;
        for (int v = 0; v < vecs; ++v) {
            if constexpr (gliding) {
                gv[v] += dgv[v];
                kv[v] += dkv[v];
                wv[v] += dwv[v];
                a1[v] = 1.0f / (1.0f + gv[v] * (gv[v] + kv[v]));
                a2[v] = gv[v] * a1[v];
                a3[v] = gv[v] * a2[v];
            }
            const Vec in = load(frame + v * kVecLanes);
            const Vec v3 = in - s2[v];
            const Vec v1 = a1[v] * s1[v] + a2[v] * v3;
            const Vec v2 = s2[v] + a2[v] * s1[v] + a3[v] * v3;
            s1[v] = 2.0f * v1 - s1[v];
            s2[v] = 2.0f * v2 - s2[v];
            const Vec filtered = v2 + hv[v] * (in - kv[v] * v1 - 2.0f * v2); // low-pass, or high-pass
            store(frame + v * kVecLanes, wv[v] * filtered + (1.0f - wv[v]) * in);
        }
    }
    for (int v = 0; v < vecs; ++v) {
        store(ic1 + v * kVecLanes, s1[v]);
        store(ic2 + v * kVecLanes, s2[v]);
    }
}

} // namespace

void DjFilterBank::prepare(double sampleRate) noexcept {
    sampleRate_ = sampleRate;
    const auto g = [&](float knob) {
        const double fc = std::min(static_cast<double>(cutoffHz(knob)), 0.45 * sampleRate_);
        return static_cast<float>(std::tan(std::numbers::pi * fc / sampleRate_));
    };
    for (int i = 0; i <= kTableSteps; ++i) {
        const float amount = static_cast<float>(i) / kTableSteps;
        lowPassG_[static_cast<std::size_t>(i)] = g(-std::max(amount, 1e-6f));
        highPassG_[static_cast<std::size_t>(i)] = g(std::max(amount, 1e-6f));
        tableK_[static_cast<std::size_t>(i)] = 1.0f / resonanceQ(amount);
    }
    for (int s = 0; s < kMaxStems; ++s) {
        knobs_[static_cast<std::size_t>(s)].prepare(secondsToFrames(kFilterGlideSeconds, sampleRate), 0.0f);
        resetKnob(s, 0.0f);
    }
}

float DjFilterBank::cutoffHz(float knob) noexcept {
    if (knob < 0.0f) return kLowPassMaxHz * std::pow(kLowPassMinHz / kLowPassMaxHz, -knob);
    if (knob > 0.0f) return kHighPassMinHz * std::pow(kHighPassMaxHz / kHighPassMinHz, knob);
    return 0.0f;
}

float DjFilterBank::resonanceQ(float knob) noexcept {
    constexpr float butterworth = std::numbers::sqrt2_v<float> / 2.0f;
    const float amount = std::min(1.0f, std::fabs(knob) / kFullResonanceAt);
    return butterworth + amount * (kResonanceQ - butterworth);
}

DjFilterBank::Coefficients DjFilterBank::coefficientsFor(float knob) const noexcept {
    Coefficients c;
    c.highPass = knob > 0.0f;
    c.wet = std::min(1.0f, std::fabs(knob) / kFullWetAt);
    if (c.wet == 0.0f) return c;
    const float at = std::fabs(knob) * kTableSteps;
    const auto i = std::min(static_cast<int>(at), kTableSteps - 1);
    const float frac = at - static_cast<float>(i);
    const auto& gs = c.highPass ? highPassG_ : lowPassG_;
    const auto lerp = [&](const std::array<float, kTableSteps + 1>& t) {
        return t[static_cast<std::size_t>(i)] +
               frac * (t[static_cast<std::size_t>(i) + 1] - t[static_cast<std::size_t>(i)]);
    };
    c.g = lerp(gs);
    c.k = lerp(tableK_);
    return c;
}

void DjFilterBank::clearState(int stem) noexcept {
    for (int lane = 2 * stem; lane < 2 * stem + 2; ++lane)
        ic1_[lane] = ic2_[lane] = 0.0f;
}

void DjFilterBank::setLanes(int stem, const Coefficients& c) noexcept {
    highPass_[static_cast<std::size_t>(stem)] = c.highPass;
    for (int lane = 2 * stem; lane < 2 * stem + 2; ++lane) {
        g_[lane] = c.g;
        k_[lane] = c.k;
        wet_[lane] = c.wet;
        hp_[lane] = c.highPass ? 1.0f : 0.0f;
        dg_[lane] = dk_[lane] = dw_[lane] = 0.0f;
    }
}

void DjFilterBank::setKnob(int stem, float knob) noexcept {
    knobs_[static_cast<std::size_t>(stem)].setTarget(std::clamp(knob, -1.0f, 1.0f));
}

void DjFilterBank::resetKnob(int stem, float knob) noexcept {
    Ramp& r = knobs_[static_cast<std::size_t>(stem)];
    r.reset(std::clamp(knob, -1.0f, 1.0f));
    clearState(stem);
    setLanes(stem, coefficientsFor(r.current()));
}

void DjFilterBank::skip(int n) noexcept {
    for (int s = 0; s < kMaxStems; ++s) {
        Ramp& r = knobs_[static_cast<std::size_t>(s)];
        if (!r.isRamping()) continue;
        r.skip(n);
        const Coefficients c = coefficientsFor(r.current());
        if (c.highPass != highPass_[static_cast<std::size_t>(s)] || c.wet == 0.0f) clearState(s);
        setLanes(s, c);
    }
}

bool DjFilterBank::engaged(int stem) const noexcept {
    return knobs_[static_cast<std::size_t>(stem)].isRamping() || wet_[2 * stem] != 0.0f;
}

template <bool gliding>
void DjFilterBank::runVectors(int vecs, float* x, int len) noexcept {
    switch (vecs) {
    case 1: runChunk<1, gliding>(x, len, ic1_, ic2_, g_, k_, wet_, hp_, dg_, dk_, dw_); break;
    case 2: runChunk<2, gliding>(x, len, ic1_, ic2_, g_, k_, wet_, hp_, dg_, dk_, dw_); break;
    case 3: runChunk<3, gliding>(x, len, ic1_, ic2_, g_, k_, wet_, hp_, dg_, dk_, dw_); break;
    default: runChunk<4, gliding>(x, len, ic1_, ic2_, g_, k_, wet_, hp_, dg_, dk_, dw_); break;
    }
}

void DjFilterBank::process(float* const* left, float* const* right, int stems, int n) noexcept {
    // Which stems need filtering this block; a filter at rest in the centre is an exact bypass.
    std::array<bool, kMaxStems> on{};
    int last = -1;
    for (int s = 0; s < stems; ++s)
        if ((on[static_cast<std::size_t>(s)] = engaged(s))) last = s;
    if (last < 0) return;
    const int vecs = (2 * (last + 1) + kVecLanes - 1) / kVecLanes; // stereo stems: two lanes each
    float* x = lanes_;
    for (int start = 0; start < n; start += kControlFrames) {
        const int len = std::min(kControlFrames, n - start);
        // Per moving knob: one tan() for the chunk's end, and increments that get there per frame.
        std::array<Coefficients, kMaxStems> ends{};
        std::array<bool, kMaxStems> moving{};
        for (int s = 0; s <= last; ++s) {
            Ramp& r = knobs_[static_cast<std::size_t>(s)];
            if (!r.isRamping()) continue;
            moving[static_cast<std::size_t>(s)] = true;
            r.skip(len);
            const Coefficients to = coefficientsFor(r.current());
            ends[static_cast<std::size_t>(s)] = to;
            if (to.highPass != highPass_[static_cast<std::size_t>(s)]) {
                // Crossing the centre: the wet share is near zero here and both filters are nearly
                // transparent at their centre cutoffs, so starting the other mode fresh is inaudible.
                clearState(s);
                Coefficients fresh = to;
                fresh.wet = wet_[2 * s];
                setLanes(s, fresh);
            }
            const float inv = 1.0f / static_cast<float>(len);
            for (int lane = 2 * s; lane < 2 * s + 2; ++lane) {
                dg_[lane] = (to.g - g_[lane]) * inv;
                dk_[lane] = (to.k - k_[lane]) * inv;
                dw_[lane] = (to.wet - wet_[lane]) * inv;
            }
        }
        // Into lane-major order, through the filters, and back.
        for (int s = 0; s <= last; ++s) {
            if (!on[static_cast<std::size_t>(s)]) continue;
            for (int i = 0; i < len; ++i) {
                x[i * kLanes + 2 * s] = left[s][start + i];
                x[i * kLanes + 2 * s + 1] = right[s][start + i];
            }
        }
        const bool gliding = std::find(moving.begin(), moving.end(), true) != moving.end();
        if (gliding)
            runVectors<true>(vecs, x, len);
        else
            runVectors<false>(vecs, x, len);
        for (int s = 0; s <= last; ++s) {
            if (!on[static_cast<std::size_t>(s)]) continue;
            for (int i = 0; i < len; ++i) {
                left[s][start + i] = x[i * kLanes + 2 * s];
                right[s][start + i] = x[i * kLanes + 2 * s + 1];
            }
        }
        // Land exactly on the chunk's end values (no drift from summing increments); a filter that
        // has reached the centre drops its state so it starts clean next time.
        for (int s = 0; s <= last; ++s) {
            if (!moving[static_cast<std::size_t>(s)]) continue;
            const Coefficients& to = ends[static_cast<std::size_t>(s)];
            if (to.wet == 0.0f) clearState(s);
            setLanes(s, to);
        }
    }
}

} // namespace stemdeck::engine
