#pragma once
// The timecode outputs' audio-thread half: the song's timeline as SMPTE timecode, bar 1 on the
// song's own start (SongView::timecode), placed frame-exactly from the block's segments like the
// MIDI clock. MTC goes into the MIDI output's block list (quarter frames, a full-frame message on
// every start, locate, stop and song change); LTC is copied from frames encoded off the audio
// thread (LtcFrames) onto the engine's LTC bus.
#include <atomic>
#include <cstdint>

#include "stemdeck/engine/LtcFrames.h"
#include "stemdeck/engine/MidiOut.h"
#include "stemdeck/common/Timecode.h"
#include "stemdeck/engine/SongView.h"

namespace stemdeck::engine {

/// The timecode outputs (set before the audio starts).
struct TimecodeOptions {
    bool mtc = false; ///< quarter frames and full-frame messages on the MIDI output
    bool ltc = false; ///< LTC audio on the engine's LTC bus
    TimecodeRate rate;
    TimecodeTempo tempo = TimecodeTempo::follow;
    float ltcGain = 0.125893f;   ///< LTC's peak level: −18 dBFS (0 dBu at EBU alignment)
    double prerollSeconds = 0.0; ///< timecode runs this long before bar 1 when play starts from the top
    [[nodiscard]] bool any() const noexcept { return mtc || ltc; }
};

class TimecodeOut {
public:
    /// @thread control, audio not running.
    void prepare(double sampleRate) noexcept { rate_ = sampleRate; }
    /// @thread control, audio not running. `ltc`: where the encoder puts LTC frames (options.ltc);
    /// `midi`: the MIDI output MTC is written into (options.mtc). Neither owned.
    void setOptions(const TimecodeOptions& options, LtcFrames* ltc, MidiOut* midi) noexcept;
    [[nodiscard]] const TimecodeOptions& options() const noexcept { return options_; }
    /// @thread any. The LtcFrames slots these options need (what a stopped play head wants ready,
    /// and the frames ahead).
    [[nodiscard]] static int ltcSlots(const TimecodeOptions& options) noexcept {
        // (at twice the tempo, `follow` runs twice the frames a second)
        return static_cast<int>((options.prerollSeconds + kLookBackSeconds + 2.0) * options.rate.perSecond() * 2.0) +
               3 * LtcFrames::kAhead;
    }

    // audio thread (songLoaded also on the control thread with the audio stopped)
    void songLoaded(const SongView& song) noexcept; ///< its timecode; a full frame at the next segment
    /// The same song on a new grid: song frame `from` of the old view is `to` of the new one.
    void retimed(const SongView& song, std::int64_t from, std::int64_t to) noexcept;
    /// @thread control (Engine::cueNextSong). `next` is cued: its first LTC frames are encoded
    /// now, so a run-on's bar 1 is there (touches only LtcFrames' second window).
    void cued(const SongView& next) noexcept;
    /// The transport moves over song frames [pos, pos + n) from output frame `now`; `ltc` (n
    /// frames, or nullptr) gets the LTC signal.
    void moving(std::int64_t now, std::int64_t pos, int n, float* ltc) noexcept;
    /// The transport does not move (stopped, or waiting at a seek target) at song frame `pos`.
    void still(std::int64_t now, std::int64_t pos) noexcept;
    /// Play starts, a jump or a seek lands, or the transport stops, at `pos`: a full frame, and
    /// quarter frames start again on the next even frame (piece 0 first).
    void located(std::int64_t now, std::int64_t pos) noexcept;

    // read-outs, any thread
    static constexpr std::int64_t kNone = LtcFrames::kNone;
    /// The timecode frame (counted from 00:00:00:00, not wrapped) at the play head; kNone: none.
    [[nodiscard]] std::int64_t frameNow() const noexcept { return frameNow_.load(std::memory_order_relaxed); }
    /// True while the song's timecode is sent (false: no timecode for this song, or held by the
    /// tempo option `stop`).
    [[nodiscard]] bool active() const noexcept { return active_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t quarterFrames() const noexcept { return quarters_.load(std::memory_order_relaxed); }
    /// LTC frames the audio thread wanted and the encoder had not ready (a locate's first).
    [[nodiscard]] std::uint64_t ltcMisses() const noexcept { return ltcMisses_.load(std::memory_order_relaxed); }

private:
    /// A song's timecode on its frames: bar 1's timecode frame `start` at song frame `origin`, `spf`
    /// song frames a timecode frame (the tempo option applied).
    struct Timeline {
        bool on = false; // this song sends timecode
        std::int64_t start = 0;
        double origin = 0.0;
        double spf = 1920.0;
        [[nodiscard]] std::int64_t frameStart(std::int64_t relative) const noexcept;
        [[nodiscard]] std::int64_t relativeFrame(std::int64_t pos) const noexcept; // tc frames from bar 1
    };
    [[nodiscard]] Timeline timelineOf(const SongView& song) const noexcept;
    void setSong(const SongView& song) noexcept;
    [[nodiscard]] std::int64_t relativeFrame(std::int64_t pos) const noexcept { return tl_.relativeFrame(pos); }
    [[nodiscard]] std::int64_t frameStart(std::int64_t relative) const noexcept { return tl_.frameStart(relative); }
    [[nodiscard]] std::int64_t quarterStart(std::int64_t quarter) const noexcept;
    void fullFrame(std::int64_t now, std::int64_t pos) noexcept;
    void quarterFrames(std::int64_t now, std::int64_t pos, int n) noexcept;
    void ltcSignal(std::int64_t pos, int n, float* out) noexcept;
    /// LTC frames of timeline `t` wanted in `window` for a play from `pos`: from a count-in's and
    /// pre-roll's start before it on, those from `pos` first.
    void wantFrom(int window, const Timeline& t, std::int64_t pos) const noexcept;
    /// Stopped, the LTC frames this far before the play head (beyond the pre-roll) are kept ready:
    /// a count-in of 4 bars at 80 BPM.
    static constexpr double kLookBackSeconds = 12.0;

    TimecodeOptions options_;
    LtcFrames* ltc_ = nullptr;
    MidiOut* midi_ = nullptr;
    double rate_ = 48000.0;
    Timeline tl_; // the current song's
    // LTC's line: the level of its last sample, the sign frames are copied with, where the next
    // block continues, the last frame counted as missed.
    float lastLevel_ = 0.0f;
    float polarity_ = 1.0f;
    std::int64_t nextPos_ = kNone;
    std::int64_t lastMissed_ = kNone;
    std::atomic<std::uint64_t> ltcMisses_{0};
    bool fullDue_ = false; // a full frame at the next segment (a song change)
    bool synced_ = false;  // quarter frames are running (piece 0 was sent since the last full frame)
    std::atomic<std::int64_t> frameNow_{kNone};
    std::atomic<bool> active_{false};
    std::atomic<std::uint64_t> quarters_{0};
};

} // namespace stemdeck::engine
