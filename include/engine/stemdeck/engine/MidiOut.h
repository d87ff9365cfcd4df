#pragma once
// The MIDI output's audio-thread half: MIDI clock (24 ticks a quarter note) and a song's cues, each
// placed on its exact output frame from the block's own timeline (segments split by seeks, song
// changes and retimes), written into a per-block list the device lays into its MIDI port (JACK)
// and `render --midi-out` writes to a Standard MIDI File.
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "stemdeck/engine/Timing.h"

namespace stemdeck::engine {

/// One message the MIDI output sends at a place in a song, made off the audio thread.
struct MidiCue {
    enum class At : std::uint8_t {
        current, ///< the song becomes the current one (loaded to play next or run on into; not when preloaded)
        start,   ///< play starts from the top (the count-in's first frame)
        beat,    ///< a beat line: `beat` beats (the time signature's unit) after bar 1's downbeat
        end,     ///< the song reaches its end
    };
    /// What a jump or seek sends again when it lands past the cue: the last program change
    /// (with its bank) of a channel, the last value of a channel's controller.
    enum class Chase : std::uint8_t { none, program, control };
    At at = At::beat;
    std::int64_t beat = 0;
    bool everyPass = false; ///< on a vamp's or A-B loop's repeats too (else once per pass through the song)
    Chase chase = Chase::none;
    std::uint8_t channel = 0;           ///< 0-15: the chase's key
    std::uint8_t control = 0;           ///< Chase::control: the controller number
    std::uint32_t offset = 0, size = 0; ///< its bytes in MidiCues::bytes (none: an OSC cue)
    std::int32_t osc = -1;              ///< an OSC message of the control side's list: reported as an event
    std::int64_t noteOffFrames = 0;     ///< a note: its note-off this many frames after it (0: none)
};

/// A song's cues: MidiCues::cues sorted by when (current, start, beats in order, end).
struct MidiCues {
    std::vector<MidiCue> cues;
    std::vector<std::uint8_t> bytes;
};

/// How the clock runs (set before the audio starts).
struct MidiClockOptions {
    bool on = false;             ///< F8 ticks while playing
    bool transport = true;       ///< Start FA, Continue FB, Stop FC, Song Position F2 (off: clock only, for modelers)
    bool whileStopped = false;   ///< ticks go on while stopped, at the last tempo played
    bool startAtCountIn = false; ///< FA at the count-in's first tick (default: on bar 1's)
};

/// One message of a block: its frame in the block, its bytes in the block's pool (size 0 and
/// osc ≥ 0: an OSC cue, for the control side).
struct MidiEvent {
    std::int32_t offset = 0;
    std::uint32_t start = 0;
    std::uint16_t size = 0;
    std::int32_t osc = -1;
    std::int32_t song = -1; ///< an OSC cue's song (SongView::id)
};

/// The MIDI output of the engine. @thread audio, but prepare() and setOptions().
class MidiOut {
public:
    static constexpr std::size_t kMaxEvents = 1024;      ///< per block
    static constexpr std::size_t kPoolBytes = 32 * 1024; ///< per block
    static constexpr int kMaxNotesHeld = 64;
    static constexpr std::uint8_t kClock = 0xF8, kStart = 0xFA, kContinue = 0xFB, kStop = 0xFC, kPosition = 0xF2;
    static constexpr std::int64_t kMaxPosition = 16383; ///< Song Position Pointer's 14 bits, in sixteenths

    /// @thread control, audio not running. Allocates the block's list and pool.
    void prepare(double sampleRate);
    /// @thread control, audio not running. On: the output is used (clock and/or cues).
    void setOptions(bool enabled, const MidiClockOptions& clock) noexcept;
    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

    // audio thread, called by the engine in a block's order
    /// A block of n frames from output frame `blockStart`: what the last one carried over (its
    /// messages due on its end frame, this block's first) comes first.
    void beginBlock(std::int64_t blockStart, int n) noexcept;
    void endBlock() noexcept; ///< sorts the block by frame (stable: FA before its F8)
    /// The transport moves over song frames [pos, pos + n) from output frame `now`.
    void moving(std::int64_t now, std::int64_t pos, int n, const SongTiming& timing, double rate,
                const MidiCues* cues) noexcept;
    /// The transport does not move for n frames from `now` (`stopped`, or waiting at a seek
    /// target: then the clock does not run on), its play head at song frame `pos`.
    void still(std::int64_t now, int n, std::int64_t pos, bool stopped) noexcept;
    /// Play starts at song frame `pos` (`fromTop`: the song's top or a count-in before it).
    void started(std::int64_t now, std::int64_t pos, bool fromTop, const SongTiming& timing, double rate,
                 const MidiCues* cues) noexcept;
    /// The play head landed on `pos` by a jump or a seek (playing or stopped): Stop, Song Position,
    /// the chase; Continue waits for the first sixteenth played.
    void located(std::int64_t now, std::int64_t pos, const SongTiming& timing, double rate,
                 const MidiCues* cues) noexcept;
    void stopped(std::int64_t now) noexcept;                     ///< Stop
    void ended(std::int64_t now, const MidiCues* cues) noexcept; ///< end cues, Stop
    void songLoaded(const SongTiming& timing, const MidiCues* cues,
                    std::int32_t song) noexcept;               ///< `current` cues at the next segment
    void wrapped(std::int64_t from, std::int64_t to) noexcept; ///< a loop went back from `from` to `to`
    /// The song goes on at another tempo (a retime): what is kept in song frames moves with it.
    void retimed(const SongTiming& from, const SongTiming& to, double rate) noexcept;
    void chaseRequested() noexcept { chaseAsked_ = true; } ///< a new listener: send the state again
    /// Another part's message (MTC: TimecodeOut) at output frame `now` of this block or later.
    void send(std::int64_t now, const std::uint8_t* data, std::size_t size) noexcept { put(now, data, size); }

    // read-outs: the last block's messages (audio thread, after Engine::process), counters (any)
    [[nodiscard]] const MidiEvent* events() const noexcept { return events_.data(); }
    [[nodiscard]] std::size_t eventCount() const noexcept { return count_; }
    [[nodiscard]] const std::uint8_t* bytes() const noexcept { return pool_.data(); }
    /// Messages due on the block's end frame (a song's end, a stop or a jump there), which the
    /// next block sends first; `carriedBytes()` holds their bytes. Read them only when no next
    /// block comes (a render's last).
    [[nodiscard]] const MidiEvent* carried() const noexcept { return carry_.data(); }
    [[nodiscard]] std::size_t carriedCount() const noexcept { return carryCount_; }
    [[nodiscard]] const std::uint8_t* carriedBytes() const noexcept { return carryPool_.data(); }
    [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_relaxed); }

private:
    void put(std::int64_t now, const std::uint8_t* data, std::size_t size) noexcept;
    void putByte(std::int64_t now, std::uint8_t byte) noexcept { put(now, &byte, 1); }
    void putOsc(std::int64_t now, std::int32_t osc) noexcept;
    void fire(std::int64_t now, const MidiCues& cues, const MidiCue& cue) noexcept;
    void fireAt(std::int64_t now, const MidiCues* cues, MidiCue::At at) noexcept;
    void chase(std::int64_t now, const MidiCues* cues, std::int64_t pos, const SongTiming& timing,
               double rate) noexcept;
    void notesOff(std::int64_t from, std::int64_t to) noexcept;  // held notes whose off falls in [from, to)
    void freeTicks(std::int64_t from, std::int64_t to) noexcept; // the clock while stopped
    void songPosition(std::int64_t now, std::int64_t pos, const SongTiming& timing, double rate) noexcept;
    [[nodiscard]] std::int64_t tickFrame(const SongTiming& timing, double rate, std::int64_t k) const noexcept;

    bool enabled_ = false;
    MidiClockOptions clock_;
    double rate_ = 48000.0;
    std::vector<MidiEvent> events_;
    std::vector<std::uint8_t> pool_;
    std::size_t count_ = 0, used_ = 0;
    std::vector<MidiEvent> carry_; // due on or after the block's end: the next block's (offset from its start)
    std::vector<std::uint8_t> carryPool_;
    std::size_t carryCount_ = 0, carryUsed_ = 0;
    std::int64_t blockStart_ = 0, blockEnd_ = 0;
    bool running_ = false;           ///< a receiver following Start/Continue is playing
    std::int64_t continueTick_ = -1; ///< Continue waits for this tick (a sixteenth) to be played; -1 none
    bool startNext_ = false;         ///< startAtCountIn: Start on the next tick played
    bool currentDue_ = false;        ///< the song's `current` cues go out at the next segment
    bool chaseAsked_ = false;
    const MidiCues* lastCues_ = nullptr;
    std::int32_t song_ = -1;
    // The part of the song a loop has played once already: cues there fire again only if everyPass.
    std::int64_t repeatFrom_ = 0, repeatTo_ = -1;
    double framesPerTick_ = 0.0; ///< the last tempo played, for the clock while stopped
    std::int64_t lastTick_ = -1; ///< output frame of the last F8
    struct Held {
        std::int64_t off = 0; ///< output frame of its note-off
        std::uint8_t status = 0, note = 0;
    };
    std::array<Held, kMaxNotesHeld> held_{};
    int heldCount_ = 0;
    SongTiming lastTiming_;    ///< the current song's grid (for a chase asked for while stopped)
    bool freeRunning_ = false; ///< the clock runs on while stopped, from nextFree_
    double nextFree_ = 0.0;
    std::array<std::int32_t, 16> lastProgram_{};       ///< the chase: per channel, the cue to send again
    std::array<std::int32_t, 16 * 128> lastControl_{}; ///< per channel and controller
    std::atomic<std::uint64_t> dropped_{0}, sent_{0};
};

} // namespace stemdeck::engine
