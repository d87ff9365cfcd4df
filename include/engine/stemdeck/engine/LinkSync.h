#pragma once
// Ableton Link, the engine's part (audio thread): stemdeck's audio clock bridged into a Link
// session. Each block maps the device's frames to Link's host time (a least-squares line through
// the callbacks' clock readings, as Link's own JACK example does, plus the output latency), so the
// beat on Link's timeline of any frame is known for the moment it is heard.
//
// A stem player cannot move its audio to follow another peer's phase, so stemdeck leads the beat:
// with peers a start waits for Link's next bar (the phase of the play head's start), and while it
// plays the session's phase is kept on the play head — put back (Link's forceBeatAtTime, its way
// to bridge an external clock) whenever they part by more than kBridgeMs, as after a jump, a
// loop or a run-on. By default stemdeck also says its song's tempo again when a peer changes it
// (LinkTempo::keep); with LinkTempo::follow the control side follows the session's tempo through
// the live tempo path instead, and the phase is bridged once the tempos agree.
//
// The audio thread only reads Link (captureAudioSessionState: no lock, no system call but the
// clock). What it wants changed — a tempo from a frame, a beat on a frame, playing or not — it
// posts, stamped with Link's host time of that frame, into a lock-free mailbox; the control side
// (control::LinkSession) commits them (Link's commit wakes its own thread: not for this one).
// A host time is absolute, so a change committed a few milliseconds later lands exactly.
#include <array>
#include <atomic>
#include <cstdint>
#include <utility>

#include "stemdeck/engine/Timing.h"

namespace ableton {
class Link;
}

namespace stemdeck::engine {

/// Who sets the tempo in a Link session.
enum class LinkTempo : std::uint8_t {
    keep,   ///< stemdeck: its song's tempo, said again when a peer changes it (the default)
    follow, ///< the session: a peer's tempo is followed (rehearsal: the songs are stretched)
};

struct LinkOptions {
    LinkTempo tempo = LinkTempo::keep;
    bool startStop = false; ///< say starts and stops to the session (the control side follows its)
};

/// The play head in Link's terms.
struct LinkBeat {
    double beat = 0.0;    ///< quarter notes from bar 1's downbeat (negative in a count-in)
    double tempo = 120.0; ///< quarter notes a minute
    double quantum = 4.0; ///< a bar in quarter notes (6/8: 3)
};

/// @thread any. Song frame → LinkBeat on the song's grid (its beat unit turned into quarters).
[[nodiscard]] LinkBeat linkBeat(const SongTiming& timing, double sampleRate, std::int64_t songFrame) noexcept;

/// What the audio thread asks the session to do, for the control side to commit.
struct LinkRequest {
    static constexpr std::uint8_t kTempo = 1, kBeat = 2, kPlaying = 4;
    std::uint8_t kinds = 0;
    double bpm = 0.0;  ///< tempo: from `micros` on
    double beat = 0.0; ///< beat: this beat (its phase) on `micros`
    double quantum = 4.0;
    bool isPlaying = false;  ///< playing
    std::int64_t micros = 0; ///< Link's host time (µs) of the frame it is for
};

class LinkSync {
public:
    /// The play head and the session's phase may part by this much before the phase is put back.
    static constexpr double kBridgeMs = 1.0;
    /// A tempo a peer set is said again at most this often (two peers that both keep their tempo
    /// would otherwise trade messages every block).
    static constexpr double kReassertSeconds = 0.25;
    /// After a request, the session is not judged again for this long (its commit to come back).
    static constexpr double kSettleSeconds = 0.5;
    static constexpr std::int64_t kUnknown = -1;
    /// framesToPhase: the session was read for another bar length (a song change in this block):
    /// ask again next block.
    static constexpr std::int64_t kNextBlock = std::int64_t{1} << 40;
    /// A held start whose bar passed this little ago (the line and the session read again each
    /// block move it by a frame or two) starts now; the phase is put right after that if need be.
    static constexpr double kLateStartMs = 0.5;
    static constexpr std::size_t kFilterPoints = 512; // Link's HostTimeFilter's

    /// @thread control, audio not running. `link` null: off. Not owned.
    void setLink(ableton::Link* link, const LinkOptions& options) noexcept;
    void prepare(double sampleRate) noexcept;
    [[nodiscard]] bool on() const noexcept { return link_ != nullptr; }
    [[nodiscard]] const LinkOptions& options() const noexcept { return options_; }
    /// @thread any. Frames from a frame's process() to its sound at the output (JACK's playback
    /// latency of stemdeck's ports; the ALSA device's).
    void setOutputLatency(std::int64_t frames) noexcept { latency_.store(frames, std::memory_order_relaxed); }

    // audio thread
    /// Before beginBlock, from a device that knows when its cycle began (JACK: jack_get_cycle_times,
    /// its own filter of the driver's clock): that time on Link's clock (CLOCK_MONOTONIC_RAW on
    /// Linux) and µs a frame. Used for this block instead of the callbacks' readings, which a
    /// loaded machine wakes late by milliseconds.
    void deviceTime(std::int64_t cycleMicros, double microsPerFrame) noexcept {
        deviceMicros_ = cycleMicros;
        devicePerFrame_ = microsPerFrame;
        deviceTimed_ = true;
    }
    /// A block's start: the host-time line gets this block's reading, the session state is read;
    /// `head`: the play head (its song's tempo is said before anything has played). With keep, a
    /// tempo a peer set is said back here.
    void beginBlock(std::int64_t deviceFrame, const LinkBeat& head) noexcept;
    /// A start waits for Link's bar: Link is on, the session has peers, the time line is known.
    [[nodiscard]] bool holdsStart() const noexcept;
    /// Frames from device frame `now` until Link's phase is that of `at` (0: now), kNextBlock, or
    /// kUnknown (no time line yet: do not wait).
    [[nodiscard]] std::int64_t framesToPhase(std::int64_t now, const LinkBeat& at) const noexcept;
    void holding(bool on) noexcept { holding_.store(on, std::memory_order_relaxed); }
    /// Started (or ran on into the next song) on device frame `now`, on `at`: its tempo lands
    /// there (keep; and alone with follow: the session is stemdeck's), the session's phase is put
    /// on it (alone, or with peers when they part by more than kBridgeMs: a run-on, a start after
    /// a wait for the disk), and with startStop the session plays.
    void started(std::int64_t now, const LinkBeat& at) noexcept;
    /// Playing on `now` at `at`: a peer's tempo is said back (keep), the phase bridged.
    void playing(std::int64_t now, const LinkBeat& at) noexcept;
    /// The tempo changed on `now` (a live tempo step landed): the session's too (keep).
    void retimed(std::int64_t now, const LinkBeat& at) noexcept;
    /// Stopped on `now`: with startStop, the session stops.
    void stopped(std::int64_t now) noexcept;

    // control thread
    /// The next request the audio thread posted, oldest first; false when there is none.
    bool takeRequest(LinkRequest& out) noexcept;

    // read-outs, any thread
    [[nodiscard]] int peers() const noexcept { return peers_.load(std::memory_order_relaxed); }
    [[nodiscard]] bool waitingForBar() const noexcept { return holding_.load(std::memory_order_relaxed); }
    [[nodiscard]] double sessionTempo() const noexcept { return sessionTempo_.load(std::memory_order_relaxed); }
    /// The session's phase (beats into the bar) at the last block's output.
    [[nodiscard]] double phase() const noexcept { return phase_.load(std::memory_order_relaxed); }
    [[nodiscard]] double quantum() const noexcept { return quantum_.load(std::memory_order_relaxed); }
    /// The tempo stemdeck says (keep): its song's, or the last it played at.
    [[nodiscard]] double saidTempo() const noexcept { return saidTempoOut_.load(std::memory_order_relaxed); }
    /// Times a peer's tempo was said back, and the session's phase put back on the play head.
    [[nodiscard]] std::uint64_t reasserts() const noexcept { return reasserts_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t bridges() const noexcept { return bridges_.load(std::memory_order_relaxed); }
    /// The session's phase against the play head when last measured while playing (ms; + ahead).
    [[nodiscard]] double offsetMs() const noexcept { return offsetMs_.load(std::memory_order_relaxed); }
    /// Requests lost to a full mailbox (never expected).
    [[nodiscard]] std::uint64_t lost() const noexcept { return lost_.load(std::memory_order_relaxed); }

private:
    [[nodiscard]] std::int64_t hostMicros(std::int64_t deviceFrame) const noexcept; // heard then
    void readLine(std::int64_t deviceFrame, std::int64_t now) noexcept;             // the callbacks' readings
    void sessionAt(std::int64_t deviceFrame, const LinkBeat& head, std::int64_t now) noexcept;
    [[nodiscard]] double linkBeatAt(std::int64_t micros) const noexcept; // the session's, this block
    [[nodiscard]] double phaseErrorBeats(double linkBeat, const LinkBeat& at) const noexcept;
    void post(const LinkRequest& r) noexcept;
    void bridge(std::int64_t now, const LinkBeat& at, bool always) noexcept;

    ableton::Link* link_ = nullptr;
    LinkOptions options_;
    double sampleRate_ = 48000.0;
    std::atomic<std::int64_t> latency_{0};

    // the host-time line: (device frame, µs) readings relative to the first
    std::array<std::pair<double, double>, kFilterPoints> line_{};
    std::size_t points_ = 0, next_ = 0;
    std::int64_t frame0_ = 0, micros0_ = 0;
    bool deviceTimed_ = false; // deviceTime() for this block
    std::int64_t deviceMicros_ = 0;
    double devicePerFrame_ = 0.0;
    int offLine_ = 0;                      // readings in a row off the line (left out of it)
    bool trusted_ = false;                 // a line of many readings, none off it just now
    double slope_ = 0.0, intercept_ = 0.0; // µs = intercept + slope · (frame − frame0)

    // the session as read at the block's start
    bool known_ = false;
    double tempoNow_ = 0.0;
    std::size_t peersNow_ = 0;
    double quantumNow_ = 4.0;
    double blockBeat_ = 0.0; // Link's beat (quantum 4) at the block's host time, and that time
    std::int64_t blockMicros_ = 0;
    double said_ = 0.0;           // the tempo stemdeck says (keep); 0: none yet
    std::int64_t quietUntil_ = 0; // µs: the session is not judged before (a request settling)
    std::int64_t reassertAfter_ = 0;

    // the mailbox: single producer (audio), single consumer (control)
    static constexpr std::size_t kMailbox = 32;
    std::array<LinkRequest, kMailbox> mailbox_{};
    std::atomic<std::size_t> head_{0}, tail_{0};

    std::atomic<bool> holding_{false};
    std::atomic<int> peers_{0};
    std::atomic<double> sessionTempo_{0.0}, phase_{0.0}, quantum_{4.0}, saidTempoOut_{0.0}, offsetMs_{0.0};
    std::atomic<std::uint64_t> reasserts_{0}, bridges_{0}, lost_{0};
};

} // namespace stemdeck::engine
