#pragma once
// The one published show state: what play's screen, the stage GUI and every remote to come
// (OSC, the web remote, a backup rig) read. The control thread writes a whole new snapshot each
// tick and swaps a pointer to it in; any thread takes the latest pointer and keeps the snapshot as
// long as it likes (it is immutable, shared, freed by whoever lets go of it last). A reader never
// blocks the writer, and a reader that never reads again holds one old snapshot in memory and
// nothing else: the writer never waits for anybody.
//
// Two counters tell a reader what changed: `version` goes up with every snapshot (a position frame,
// a few hundred a second), `changes` only when something other than the position and the meters
// did (a change event: a mute, a song change, a scene). A remote sends change events at once and
// position frames at its own rate; each position frame carries the engine frame, the
// CLOCK_MONOTONIC time it was read at and the tempo, so a client can extrapolate between frames.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

/// A song of the set as the show plays it tonight.
struct ShowSong {
    /// 1-based, its place in the set file, then folders added tonight (its identity for cues,
    /// timecode and mappings; the number go_to_song and the order's actions take)
    int number = 0;
    std::string title;
    double lengthSeconds = -1; ///< -1: not known yet (known once the song has been loaded)
    bool broken = false;       ///< it could not be loaded: it is skipped
    bool skipped = false;      ///< cut tonight (listed, passed over)
    bool played = false;       ///< has played tonight
    bool added = false;        ///< a folder added tonight (not in the set file)
    bool operator==(const ShowSong&) const = default;
};

/// Where the show is, read at one moment: enough to extrapolate to any later one.
struct ShowClock {
    std::int64_t monotonicNs = 0; ///< CLOCK_MONOTONIC when this was read
    std::int64_t outputFrame = 0; ///< the engine's output frame (counts on while stopped)
    std::int64_t songFrame = 0;   ///< the play head, in the song's frames (negative in a count-in)
    double sampleRate = 0.0;
    double bpm = 120.0;     ///< as it plays (a rehearsal tempo included)
    double tempo = 1.0;     ///< the share of the song's own tempo it plays at
    double transpose = 0.0; ///< semitones
    bool rolling = false;
    double remainingSong = 0.0;     ///< seconds to the song's end
    double remainingSet = 0.0;      ///< seconds to the set's end (the songs known so far)
    bool remainingSetKnown = false; ///< every later song's length is known
};

/// The device's and the disk's health since the show started.
struct ShowHealth {
    std::uint64_t xruns = 0;     ///< the device's (the server's, under JACK)
    std::uint64_t underruns = 0; ///< stems that came back short (disk too slow, a file gone)
    std::uint64_t reopens = 0;   ///< the device lost and opened again
    std::uint64_t dropped = 0;   ///< engine commands lost to a full queue: never expected
    std::uint64_t refused = 0;   ///< presses the show lock refused
    bool devicePlaying = true;   ///< false while the device is gone (the song paused)
    std::string device;          ///< the device as it plays: "JACK server 'x', 48000 Hz, 128 frames [JACK]"
    bool operator==(const ShowHealth&) const = default;
};

/// The MIDI output (its clock and cues), as the faces show it.
struct ShowMidiOut {
    std::string said;       ///< "MIDI out: clock (Start on bar 1), cues → Helix"; "" when it is off
    bool clock = false;     ///< MIDI clock runs
    std::uint64_t sent = 0; ///< messages sent since the show started (not a change event)
    std::uint64_t lost = 0; ///< messages that did not fit a block's list (not a change event)
};

struct ShowTimecode {
    std::string said;            ///< "timecode: MTC + LTC on output 7 (-18 dBFS), 25 fps, …"; "" when it is off
    std::string now;             ///< the timecode at the play head ("03:00:12:05"); "" when this song sends none
    std::uint64_t ltcMissed = 0; ///< LTC frames not ready when played (a locate's first; not a change event)
};

/// Ableton Link, as the faces show it.
struct ShowLink {
    std::string said;            ///< "Ableton Link: stemdeck sets the tempo …"; "" when it is off
    int peers = 0;               ///< other apps in the session
    double tempo = 0.0;          ///< the session's, quarter notes a minute
    double phase = 0.0;          ///< beats into the session's bar (not a change event)
    double quantum = 4.0;        ///< the bar, in quarter notes
    bool waiting = false;        ///< a start waits for Link's bar
    std::uint64_t reasserts = 0; ///< a peer's tempo set back (not a change event)
    std::uint64_t bridges = 0;   ///< the session's phase put back on the play head (not a change event)
    double offsetMs = 0.0;       ///< the session's phase against the play head, last measured (not a change event)
};

/// One snapshot of the whole show.
struct ShowState {
    std::uint64_t version = 0;        ///< +1 every snapshot
    std::uint64_t changes = 0;        ///< +1 every snapshot in which more than the position and meters changed
    std::string setName;              ///< the set file's name ("" for folders)
    std::vector<ShowSong> songs;      ///< tonight's running order, in the order it plays (cut songs too)
    std::vector<ShowSong> notTonight; ///< the set's other songs, not in tonight's order (to add)
    int cuedSong = -1;                ///< 0-based index into songs of the song cued next, -1: none
    int currentPlace = -1;            ///< 0-based index into songs of the current song, -1: not tonight
    PlayerStatus player;              ///< the song, position, stems, scenes, markers, loop, tempo and key
    ShowClock clock;
    ShowHealth health;
    ShowMidiOut midiOut;
    ShowTimecode timecode;
    ShowLink link;
    bool locked = false;   ///< the show lock
    bool learning = false; ///< MIDI learn is waiting for a control or its action
    bool finished = false; ///< the set has played through, or the show was quit and has faded
};

/// @thread any. True when `a` and `b` differ in more than the position and the meters: the
/// snapshot is a change event.
[[nodiscard]] bool showChanged(const ShowState& a, const ShowState& b);

/// @thread any. The mix as a face shows it, one line, without the position and meters: "song 1
/// 'Intro': 1 Drums 0.0 dB; 2 Bass muted -6.0 dB filter +0.50; scene 2". Both faces write it to
/// their log at each change they show when STEMDECK_STATE_TRACE is set (the end-to-end test
/// compares play's and the GUI's for the same script).
[[nodiscard]] std::string describeMix(const ShowState& state);

/// Publishes snapshots from the control thread to any number of readers.
class ShowStatePublisher {
public:
    ShowStatePublisher();

    /// @thread control (the one writer). Publishes `next`, numbering it (version, changes), and
    /// wakes every thread in waitForVersion(). Never waits: should a reader be copying the pointer
    /// at that very moment, this snapshot is swapped in by the next publish instead (a tick later).
    void publish(ShowState next);

    /// @thread control (the writer). Makes sure the last snapshot made is the one readers get,
    /// waiting for a reader's pointer copy if need be (the show's final state).
    void flush();

    /// @thread any. The latest snapshot (never null: version 0 before the first). Waits only for
    /// another reader's pointer copy (a reference count's increment), never for the writer.
    [[nodiscard]] std::shared_ptr<const ShowState> latest() const;

    /// @thread any reader (blocks that reader only). Waits until a snapshot newer than `seen` is
    /// out or `timeoutMs` has passed; returns the latest either way.
    [[nodiscard]] std::shared_ptr<const ShowState> waitForVersion(std::uint64_t seen, int timeoutMs) const;

private:
    void swapIn(std::unique_lock<std::mutex>& lock); ///< newest_ becomes latest_ (unlocks)

    // The pointer to the latest snapshot, guarded by a mutex held only to copy it: readers lock it,
    // the writer only tries (never waits). Not std::atomic<std::shared_ptr>: ThreadSanitizer reports
    // libstdc++ 12's pointer swap inside it as a race with its load (tsan.show_state did).
    mutable std::mutex pointerMutex_;
    std::shared_ptr<const ShowState> latest_;
    std::shared_ptr<const ShowState> newest_; // the writer's own: the last snapshot made (published or not)
    std::atomic<std::uint64_t> version_{0};   // of latest_
    // Waiters sleep here. The writer notifies without taking the mutex (it never waits for a
    // reader); a wake-up lost in that race costs a waiter at most kWaitStepMs.
    mutable std::mutex waitMutex_;
    mutable std::condition_variable changed_;
    static constexpr int kWaitStepMs = 20;
};

} // namespace stemdeck::control
