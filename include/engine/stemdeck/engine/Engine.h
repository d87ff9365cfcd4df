#pragma once
// The real-time mixing engine: stems in, stereo main bus out, commands and events at its edges.
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/engine/Click.h"
#include "stemdeck/engine/Command.h"
#include "stemdeck/engine/CommandSchedule.h"
#include "stemdeck/engine/Constants.h"
#include "stemdeck/engine/Event.h"
#include "stemdeck/engine/Guide.h"
#include "stemdeck/engine/LinkSync.h"
#include "stemdeck/engine/MidiOut.h"
#include "stemdeck/engine/ReferenceMix.h"
#include "stemdeck/engine/Retime.h"
#include "stemdeck/engine/SongSlot.h"
#include "stemdeck/engine/SongView.h"
#include "stemdeck/engine/StemChains.h"
#include "stemdeck/engine/StemSource.h"
#include "stemdeck/engine/TimecodeOut.h"
#include "stemdeck/engine/Timing.h"
#include "stemdeck/engine/Transport.h"
#include "stemdeck/engine/Vamp.h"

namespace stemdeck::engine {

/// Where one process() call writes. Every pointer holds n frames; null buses are not rendered.
struct OutputBuses {
    float* mainLeft = nullptr;
    float* mainRight = nullptr;
    float* click = nullptr; ///< mono click / count-in (a device sends it to both of its pair)
    float* ltc = nullptr;   ///< mono LTC (the timecode outputs' options.ltc)
    float* guide = nullptr; ///< mono guide cues (null: they go on the click bus, if there is one)
    /// Direct buses: a stem whose SongView::directBus is k plays here instead of the main mix.
    /// If bus k has no buffer the stem falls back to the main mix, so it is never lost.
    std::array<float*, kMaxDirectBuses> directLeft{}, directRight{};
};

/// A stem's state as the audio thread last published it (once per process() call).
inline constexpr std::uint8_t kPendingMute = 1, kPendingSolo = 2, kPendingOther = 4;

struct StemStatus {
    std::atomic<bool> muted{false};
    std::atomic<bool> soloed{false};
    std::atomic<float> gain{1.0f};
    std::atomic<float> filter{0.0f};
    std::atomic<float> peak{0.0f};           ///< linear peak of the last block, after gain and fades
    std::atomic<float> rms{0.0f};            ///< linear RMS of the last block
    std::atomic<std::uint32_t> underruns{0}; ///< reads that came back short, since song load
    /// Quantised commands for this stem waiting for their beat or bar: kPendingMute | kPendingSolo | kPendingOther.
    std::atomic<std::uint8_t> pending{0};

    /// @thread any. The mixer state as last published (each field its own atomic: a read may mix
    /// two blocks' values, never a torn one).
    [[nodiscard]] StemMix mix() const noexcept {
        return {muted.load(std::memory_order_relaxed), soloed.load(std::memory_order_relaxed),
                gain.load(std::memory_order_relaxed), filter.load(std::memory_order_relaxed)};
    }
    /// @thread audio. Publishes the mixer state.
    void store(const StemMix& m) noexcept {
        muted.store(m.muted, std::memory_order_relaxed);
        soloed.store(m.soloed, std::memory_order_relaxed);
        gain.store(m.gain, std::memory_order_relaxed);
        filter.store(m.filter, std::memory_order_relaxed);
    }
};
static_assert(std::atomic<float>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

using CommandQueue = moodycamel::ConcurrentQueue<Command>;
using EventQueue = moodycamel::ConcurrentQueue<Event>;

/// One producer's handle on the engine's command queue. Each thread that sends commands (MIDI
/// callback, UI, script player) owns its own sender; sending never blocks and never allocates.
class CommandSender {
public:
    CommandSender(CommandQueue& queue, std::atomic<std::uint64_t>& dropped);

    /// @thread the sender's owner, non-blocking. False (and counted) when the queue is full.
    bool send(const Command& command) noexcept;

private:
    CommandQueue* queue_;
    moodycamel::ProducerToken token_;
    std::atomic<std::uint64_t>* dropped_;
};

/// The engine. process() runs on the audio thread and is real-time safe; everything else is
/// control-thread set-up or lock-free read-outs.
class Engine {
public:
    Engine();
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// @thread control, audio not running. Allocates everything process() will need.
    void prepare(double sampleRate, int maxBlockFrames);

    /// @thread control, audio not running. Loads a song, stopped at frame 0, every stem at unity,
    /// unmuted, unsoloed, filter bypassed. Stems beyond kMaxStems are ignored.
    void setSong(const SongView& song) noexcept;

    /// @thread control. Cues the song that follows the current one. With runOn, the moment the
    /// current song ends the next plays from its first frame in the same block: a gap of zero
    /// samples (its stems start from their preloaded heads). The view must stay valid until the
    /// songChanged event, after which the previous song's view and sources may be freed. nullptr
    /// un-cues (only safe while no song end is near; normally a cue is replaced by the next one).
    void cueNextSong(const SongView* next, bool runOn) noexcept;

    /// @thread control. Takes the cue back: returns the view that was cued and not yet taken by
    /// the audio thread (it may be freed now), or nullptr when nothing was cued or the audio
    /// thread already took it (a songChanged event for it is on its way).
    const SongView* withdrawCue() noexcept;

    /// @thread control. Gives the engine the current song again at another tempo or key (the same
    /// stems stretched otherwise, on a grid of the new tempo; the same id): an Op::retime command
    /// then switches to it when the play head reaches its target frame, a beat line of the old grid
    /// that lands on the same beat line of the new one (retimedFrame). Stopped, it switches at once.
    /// The stems' states, the scenes, A/B, the click and a vamp (mapped to the new grid) carry over,
    /// and quantised commands still waiting land on the new grid's line. While playing, every stem
    /// crossfades from the old view's audio to the new one's over kRetimeCrossfadeSeconds; the
    /// songRetimed event after it says the old view may be freed. A retime that cannot be done (the
    /// play head jumped, stopped or passed the target; the song changed; the new view has no audio
    /// at the target) is dropped with a commandDropped event for Op::retime: `next` may be freed.
    void retimeSong(const SongView* next) noexcept { retime_.cue(next); }

    /// @thread control, audio not running. The click's loudest tick (the bar's downbeat), linear
    /// peak (default −6 dBFS); the other beats keep their place 3 dB below it.
    void setClickLevel(float peak) {
        clickPeak_ = peak;
        click_.prepare(sampleRate_, peak);
    }

    /// @thread control, audio not running. Turns the MIDI output on (cues, and the clock as asked):
    /// after each process() its messages for that block are in midiOut().
    void setMidiOut(bool enabled, const MidiClockOptions& clock) noexcept { midi_.setOptions(enabled, clock); }
    /// @thread audio, after process(): the block's MIDI messages (and the counters, from any thread).
    [[nodiscard]] const MidiOut& midiOut() const noexcept { return midi_; }
    /// @thread any, non-blocking. Someone new listens to the MIDI output: the song's `current`
    /// program changes and controllers, and those a chase would send here, go out again.
    void requestMidiChase() noexcept { midiChase_.store(true, std::memory_order_relaxed); }

    /// @thread control, audio not running. The timecode outputs: MTC into the MIDI output (turn
    /// that on too), LTC from `ltc`'s frames (not owned; an LtcEncoder fills them) onto the LTC
    /// bus, and the pre-roll before bar 1.
    void setTimecode(const TimecodeOptions& options, LtcFrames* ltc) noexcept {
        timecode_.setOptions(options, ltc, &midi_);
    }
    /// @thread any: the timecode's read-outs (frameNow, active).
    [[nodiscard]] const TimecodeOut& timecode() const noexcept { return timecode_; }

    /// @thread control, audio not running. Ableton Link (`link` null: off; not owned): a start
    /// waits for the session's bar when it has peers, the session's phase is kept on the play head,
    /// the song's tempo said (LinkSync). The control side commits what link() posts.
    void setLink(ableton::Link* link, const LinkOptions& options) noexcept { link_.setLink(link, options); }
    /// @thread any: Link's read-outs and output latency; the control side takes its requests.
    [[nodiscard]] LinkSync& link() noexcept { return link_; }
    [[nodiscard]] const LinkSync& link() const noexcept { return link_; }

    /// @thread control. Creates a producer handle (allocates; make one per sending thread up front).
    [[nodiscard]] CommandSender makeSender();

    /// @thread control, non-blocking. Takes the next event from the audio thread, if any.
    bool nextEvent(Event& event) noexcept;

    /// @thread audio, non-blocking, no allocation, no locks, no I/O. Renders n frames into every
    /// bus the caller gives, applying every command due inside the block on its exact frame.
    void process(const OutputBuses& out, int n) noexcept;

    /// @thread audio. The main mix only (stems routed to direct buses are mixed in).
    void process(float* left, float* right, int n) noexcept {
        OutputBuses out;
        out.mainLeft = left;
        out.mainRight = right;
        process(out, n);
    }

    // shared (atomic) read-outs, any thread
    [[nodiscard]] double sampleRate() const noexcept { return sampleRate_; }
    [[nodiscard]] const SongTiming& timing() const noexcept { return song_.timing; }
    [[nodiscard]] std::int64_t songLength() const noexcept { return song_.lengthFrames; }
    [[nodiscard]] int stemCount() const noexcept { return song_.stemCount; }
    [[nodiscard]] std::int64_t songFrame() const noexcept { return songFrame_.load(std::memory_order_relaxed); }
    /// The song frame the stems are read from next: the play head, or in a count-in (a loop's
    /// between passes, a resume's) the frame the stems come in on.
    [[nodiscard]] std::int64_t readFrame() const noexcept { return readFrame_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t outputFrame() const noexcept { return outputFrame_.load(std::memory_order_relaxed); }
    [[nodiscard]] bool rolling() const noexcept { return rolling_.load(std::memory_order_relaxed); }
    [[nodiscard]] ClickMode clickMode() const noexcept { return clickMode_.load(std::memory_order_relaxed); }
    /// True while the spoken guide cues are on (Op::guides).
    [[nodiscard]] bool guidesOn() const noexcept { return guidesOn_.load(std::memory_order_relaxed); }
    /// True while a loop (vamp) is engaged.
    [[nodiscard]] bool looping() const noexcept { return looping_.load(std::memory_order_relaxed); }
    /// The song frame a vamp's loop starts on (-1: no loop).
    [[nodiscard]] std::int64_t loopStart() const noexcept { return loopStart_.load(std::memory_order_relaxed); }
    /// True while the main mix is (or is fading to) the reference mix.
    [[nodiscard]] bool referenceOn() const noexcept { return referenceOn_.load(std::memory_order_relaxed); }
    /// The slot of the scene recalled last in this song, or -1 (none yet, or a panic since).
    [[nodiscard]] int lastScene() const noexcept { return lastScene_.load(std::memory_order_relaxed); }
    /// The slot of a scene recall waiting for its beat or bar, or -1.
    [[nodiscard]] int pendingScene() const noexcept { return pendingScene_.load(std::memory_order_relaxed); }
    [[nodiscard]] const StemStatus& stem(int index) const noexcept { return stems_[static_cast<std::size_t>(index)]; }
    [[nodiscard]] float mainPeak() const noexcept { return mainPeak_.load(std::memory_order_relaxed); }
    [[nodiscard]] float mainRms() const noexcept { return mainRms_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t droppedCommands() const noexcept { return dropped_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t lostEvents() const noexcept { return lostEvents_.load(std::memory_order_relaxed); }

private:
    // audio thread only
    void drainCommands(std::int64_t blockStart) noexcept;
    void schedule(const CommandSchedule::Entry& entry) noexcept; // into the schedule, or counted as dropped
    void applyDue(std::int64_t now) noexcept;
    void apply(const Command& c, std::int64_t now) noexcept;
    [[nodiscard]] bool applyToStem(const Command& c) noexcept; // mute, solo, gain, filter; true: a solo changed
    [[nodiscard]] bool selectReference(Op op) noexcept;        // false: no reference to switch to
    [[nodiscard]] bool recallScene(int slot) noexcept;         // false: no such scene
    [[nodiscard]] bool defineScene(const Command& c) noexcept; // false: no such slot
    void panic() noexcept;
    void armRetime(const Command& c, std::int64_t now) noexcept; // an Op::retime arrives
    void retimeNow(std::int64_t now) noexcept;                   // the play head is at the target
    void dropRetime(std::int64_t now) noexcept;
    [[nodiscard]] bool loadCued(bool thenPlay, std::int64_t now) noexcept; // false: nothing cued
    void renderSegment(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept;
    void clearBuses(const OutputBuses& out, int offset, int n) noexcept;
    void waitAtTarget(int n) noexcept; // silent at a seek target until every stem has it
    void renderPlaying(const OutputBuses& out, int offset, int n, std::int64_t now) noexcept;
    void fadeBuses(const OutputBuses& out, int offset, int n, std::uint32_t directUsed) noexcept;
    void afterAdvance(TransportChange change, std::int64_t at) noexcept;
    void beginPlay(std::int64_t now) noexcept; // startPlaying, or held for Link's bar
    void startPlaying(std::int64_t now) noexcept;
    [[nodiscard]] std::int64_t countInStart(std::int64_t at) const noexcept; // where startPlaying's count-in begins
    [[nodiscard]] std::int64_t preRollStart(std::int64_t at, std::int64_t from) const noexcept; // and its pre-roll
    [[nodiscard]] LinkBeat beatAt(std::int64_t songFrame) const noexcept { return linkBeat(song_.timing, sampleRate_, songFrame); }
    [[nodiscard]] int holdForLink(std::int64_t now) noexcept; // a held start: frames to wait, or starts now
    void finishSongChange(std::int64_t at) noexcept; // the loadCued that waited for the fade
    void preRollTimecode(std::int64_t at) noexcept;  // startPlaying's timecode pre-roll
    void endPreRoll() noexcept;                      // a jump, seek, loop or song change ends it
    void mixReference(float* left, float* right, std::int64_t pos, int n) noexcept; // A/B crossfade
    void readStem(int index, std::int64_t songFrame, int n, std::int64_t now) noexcept;
    [[nodiscard]] bool playing() const noexcept { return transport_.state() == TransportState::playing; }
    void seekSources() noexcept;                         // to the play head (a jump: ends a count-in)
    void seekSourcesTo(std::int64_t songFrame) noexcept; // where they will be read next
    [[nodiscard]] bool sourcesReady() const noexcept;
    void loadSong(const SongView& song) noexcept; // setSong's body, also used on the audio thread
    /// Every stem to the given state on this frame (a scene recall, a panic), with the usual ramps.
    void applyState(const StemMixes& stems) noexcept;
    void publish(float* left, float* right, int n) noexcept;
    void emit(EventType type, std::int64_t frame, std::int8_t stem = -1, std::uint8_t action = 0) noexcept;
    void emitCue(std::int64_t frame, std::int32_t cue, std::int32_t song) noexcept; // an OSC cue is due

    double sampleRate_ = 48000.0;
    SongView song_;
    StemChains chains_; // every stem's filter, gain, fades and meter
    Transport transport_;
    Click click_;
    Guide guide_; // the spoken guide cues
    float clickPeak_ = Click::kAccentLevel;
    ClickMode activeClick_ = ClickMode::off;  // audio thread copy of clickMode_
    std::vector<float> fadeGains_;            // the transport fade for one segment, shared by every bus
    ReferenceMix reference_;                  // A/B against the reference mix
    Vamp vamp_;                               // the section looping until released
    const SongView* loadAfterStop_ = nullptr; // a loadCued that waits for the stop fade
    bool playAfterLoad_ = false;
    int segmentFrames_ = 0;
    CommandSchedule schedule_; // commands waiting for their frame, beat or bar
    std::array<Command, 64> drained_{};
    std::int64_t outFrame_ = 0;
    std::uint32_t underrunMask_ = 0; // stems that reported an underrun this block
    std::int64_t waitedFrames_ = 0;  // silent frames spent waiting at a seek target
    // A count-in before a mid-song start (a resume): the stems and the reference read silence
    // before this frame, which their sources are cued at (0 otherwise: before bar 1 they are
    // silent anyway). Any jump, stop or song change ends it.
    std::int64_t silentBefore_ = 0;
    std::int64_t countInPoint_ = -1; // a resume point (seek value 1): play from there counts in
    // A timecode pre-roll longer than the count-in: the click is silent before this frame.
    static constexpr std::int64_t kNoClickBound = std::numeric_limits<std::int64_t>::min();
    std::int64_t clickFrom_ = kNoClickBound;
    bool midiStartPending_ = false; // in a pre-roll: the MIDI output starts at clickFrom_ (the count-in)
    /// Frames of the n from `pos` that come before silentBefore_ (silence, nothing read).
    [[nodiscard]] int silentFrames(std::int64_t pos, int n) const noexcept;

    std::unique_ptr<CommandQueue> commands_;
    std::unique_ptr<EventQueue> events_;
    std::unique_ptr<moodycamel::ProducerToken> eventToken_;

    // shared (atomic): written by the audio thread once per block, read anywhere (relaxed: each
    // is an independent display value; nothing is inferred from the order of two of them)
    std::array<StemStatus, kMaxStems> stems_;
    std::atomic<std::int64_t> songFrame_{0};
    std::atomic<std::int64_t> readFrame_{0};
    std::atomic<std::int64_t> outputFrame_{0};
    std::atomic<bool> rolling_{false};
    std::atomic<ClickMode> clickMode_{ClickMode::off};
    std::atomic<bool> guidesOn_{true};
    std::atomic<bool> referenceOn_{false};
    std::atomic<bool> looping_{false};
    std::atomic<std::int64_t> loopStart_{-1};
    std::atomic<int> lastScene_{-1};
    std::atomic<int> pendingScene_{-1};
    std::atomic<float> mainPeak_{0.0f};
    std::atomic<float> mainRms_{0.0f};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> lostEvents_{0};
    MidiOut midi_; // MIDI clock and cues for this block
    TimecodeOut timecode_; // MTC (into midi_) and LTC
    LinkSync link_;        // Ableton Link
    bool linkHold_ = false; // a start waits for Link's bar
    std::atomic<bool> midiChase_{false};
    SongSlot next_; // the cued next song: set by the control thread, taken by the audio thread
    Retime retime_; // the current song at a new tempo or key: cued, armed, crossfading
};

} // namespace stemdeck::engine
