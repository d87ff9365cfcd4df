#pragma once
// A retime, the engine's part: the current song at a new tempo or key, cued by the control thread,
// armed for a song frame (a beat line) by its Op::retime, and, once the engine has switched to it,
// the crossfade from the old view's audio to the new one's. The switch itself (the song, the vamp,
// the transport and the schedule moved onto the new grid) is the engine's (Engine::retimeNow).
#include <cstdint>
#include <vector>

#include "stemdeck/engine/SongSlot.h"
#include "stemdeck/engine/SongView.h"
#include "stemdeck/engine/StemSource.h"

namespace stemdeck::engine {

class Retime {
public:
    /// @thread control, audio not running. Allocates the crossfade's buffer.
    void prepare(int segmentFrames);
    /// @thread control, audio not running. Nothing cued, armed or fading.
    void clear() noexcept {
        slot_.clear();
        at_ = -1;
        fade_ = 0;
    }

    /// @thread control. The song at its new tempo or key, for the Op::retime that follows.
    void cue(const SongView* next) noexcept { slot_.cue(next, false); }
    /// @thread audio. Takes what is cued (nullptr: nothing).
    const SongView* take() noexcept { return slot_.take(); }

    /// @thread audio. Armed for song frame `at`; `same`: the new view's audio is the old one's (a
    /// reload as it plays), nothing to crossfade.
    void arm(std::int64_t at, bool same) noexcept {
        at_ = at;
        same_ = same;
    }
    /// @thread audio. Not armed any more (switched, or dropped: what was cued is let go).
    void disarm() noexcept { at_ = -1; }
    [[nodiscard]] bool armed() const noexcept { return at_ >= 0; }
    /// The song frame the armed retime switches on (-1: none armed).
    [[nodiscard]] std::int64_t at() const noexcept { return at_; }
    /// Armed, or its crossfade still running: one retime at a time.
    [[nodiscard]] bool busy() const noexcept { return at_ >= 0 || fade_ > 0; }
    /// @thread audio. The armed retime's audio is the old one's (and forgets it: asked once).
    [[nodiscard]] bool takeSame() noexcept {
        const bool same = same_;
        same_ = false;
        return same;
    }

    /// @thread audio. Switched while playing: `outgoing` (the view retimed away from; its song frame
    /// is the new one's + `shift`) fades out over `frames` from the new view's frame `start`.
    void crossfade(const SongView& outgoing, std::int64_t shift, std::int64_t start, int frames) noexcept {
        outgoing_ = outgoing;
        shift_ = shift;
        start_ = start;
        fade_ = frames;
    }
    [[nodiscard]] bool fading() const noexcept { return fade_ > 0; }
    /// @thread audio. True once the crossfade is over at play head `pos` (its frames played, or the
    /// play head jumped out of it, or `stopped`): the old view is read no more from then on.
    [[nodiscard]] bool fadeOver(std::int64_t pos, bool jumpedOrStopped) const noexcept {
        const std::int64_t into = pos - start_;
        return fade_ > 0 && (jumpedOrStopped || into < 0 || into >= fade_);
    }
    void endFade() noexcept { fade_ = 0; }
    /// The view retimed away from (read during the crossfade).
    [[nodiscard]] const SongView& outgoing() const noexcept { return outgoing_; }

    /// @thread audio. In the crossfade's frames: the old view's `old` (a stem or the reference) read
    /// at `pos` (the new view's song frame) and faded out under the new audio in left/right, equal
    /// power. Outside them: nothing.
    void blend(StemSource& old, std::int64_t pos, float* left, float* right, int n) noexcept;

private:
    SongSlot slot_;          // the current song at a new tempo or key, waiting for its Op::retime
    std::int64_t at_ = -1;   // song frame where the armed retime switches (-1: none armed)
    bool same_ = false;      // the armed retime's audio is the same as now's: no crossfade
    SongView outgoing_;      // the view retimed away from, read during the crossfade
    std::int64_t shift_ = 0; // its song frame = the new view's + this
    std::int64_t start_ = 0; // new view's song frame where the crossfade began
    int fade_ = 0;           // frames of the crossfade (0: none running)
    int segmentFrames_ = 0;
    std::vector<float> audio_; // one stem's old audio for a segment, left then right
};

} // namespace stemdeck::engine
