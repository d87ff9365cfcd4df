// A song's main output measured with libebur128 (EBU R128: integrated, range, true peak).
#include "stemdeck/control/Loudness.h"

#include <ebur128.h>

#include <cmath>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/engine/Engine.h"

namespace stemdeck::control {

struct LoudnessMeter::State {
    ebur128_state* st = nullptr;
};

LoudnessMeter::LoudnessMeter(int sampleRate) : state_(new State) {
    state_->st = ebur128_init(2, static_cast<unsigned long>(sampleRate),
                              EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
    if (state_->st == nullptr) {
        delete state_;
        throw Error("the loudness meter (libebur128) cannot start at " + std::to_string(sampleRate) + " Hz");
    }
}

LoudnessMeter::~LoudnessMeter() {
    ebur128_destroy(&state_->st);
    delete state_;
}

void LoudnessMeter::write(const float* left, const float* right, int n) {
    interleaved_.resize(static_cast<std::size_t>(n) * 2);
    for (int i = 0; i < n; ++i) {
        interleaved_[static_cast<std::size_t>(2 * i)] = left[i];
        interleaved_[static_cast<std::size_t>(2 * i + 1)] = right[i];
    }
    ebur128_add_frames_float(state_->st, interleaved_.data(), static_cast<std::size_t>(n));
}

set::LoudnessFigures LoudnessMeter::figures() const {
    set::LoudnessFigures f;
    double integrated = 0.0, range = 0.0, peakLeft = 0.0, peakRight = 0.0;
    ebur128_loudness_global(state_->st, &integrated);
    ebur128_loudness_range(state_->st, &range);
    ebur128_true_peak(state_->st, 0, &peakLeft);
    ebur128_true_peak(state_->st, 1, &peakRight);
    f.silent = !std::isfinite(integrated) || integrated < -70.0;
    f.integrated = f.silent ? -70.0 : integrated;
    f.range = std::isfinite(range) ? range : 0.0;
    const double peak = std::max(peakLeft, peakRight);
    f.truePeak = std::isfinite(peak) ? toDb(peak, -200.0) : 60.0; // (NaN samples: "over", never raised)
    return f;
}

set::LoudnessFigures measureMainOutput(const engine::SongView& view, int sampleRate) {
    engine::SongView song = view;
    song.countInBars = 0; // (bar 1 on: the count-in is the click's)
    LoudnessMeter meter(sampleRate);
    engine::Engine engine;
    RenderOptions options;
    options.blockFrames = 1024;
    (void)renderSong(engine, song, static_cast<double>(sampleRate), {}, meter, options);
    return meter.figures();
}

} // namespace stemdeck::control
