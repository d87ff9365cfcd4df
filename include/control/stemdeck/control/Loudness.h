#pragma once
// A song's main output measured as EBU R128 (ITU-R BS.1770-4) measures it, with libebur128: the
// song rendered offline through the engine as play plays it (its start state, its stems routed
// to outputs of their own left out, its own gain), from bar 1, no count-in.
#include <functional>

#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/engine/SongView.h"
#include "stemdeck/set/Loudness.h"

namespace stemdeck::control {

/// Integrated loudness, loudness range and true peak of what is written to it (stereo).
/// @thread the render thread.
class LoudnessMeter final : public RenderSink {
public:
    explicit LoudnessMeter(int sampleRate);
    ~LoudnessMeter() override;
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;
    void write(const float* left, const float* right, int n) override;
    /// The figures of everything written so far.
    [[nodiscard]] set::LoudnessFigures figures() const;

private:
    struct State; // (libebur128's, kept out of this header)
    State* state_ = nullptr;
    std::vector<float> interleaved_;
};

/// @thread control. Renders `view` (a loaded song's view with its set-file state applied) offline
/// at `sampleRate` and measures its main output. Throws stemdeck::Error when libebur128 cannot
/// start.
[[nodiscard]] set::LoudnessFigures measureMainOutput(const engine::SongView& view, int sampleRate);

} // namespace stemdeck::control
