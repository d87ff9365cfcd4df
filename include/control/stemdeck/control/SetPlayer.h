#pragma once
// The control side of live playback: an ordered list of songs played through one Engine, with
// the player's controls (play/stop, songs, seeks, markers, vamp, scenes stored, tempo and key, the
// A-B loop) as methods; engine actions (mute, solo, gain, filter…) go to the engine through the
// router, not here.
// It never touches audio: it loads songs, sends commands and reads the engine's events, so the
// same player runs under a device callback or under a test's own process() loop.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stemdeck/common/Text.h"

#include "stemdeck/control/Action.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/PlayerStatus.h"
#include "stemdeck/control/PracticeLoop.h"
#include "stemdeck/control/SongChange.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/set/SetFile.h"

namespace stemdeck::control {

class SongLoader;

/// What happens when a song reaches its end: stop (the next song waits at its start), next (it
/// plays after its count-in) or runOn (its first frame follows with no gap, no count-in).
using AtEnd = set::SongEnd;

/// A stem given by number ("3") or name ("bass"), sent to a direct bus instead of the main mix.
struct StemRoute {
    std::string stem;
    int bus = 0; ///< 0-based direct bus
};

/// Defaults for songs that do not say otherwise (a set file's songs can).
struct PlayerOptions {
    AtEnd atEnd = AtEnd::stop;
    int countInBars = 0;
    engine::ClickMode click = engine::ClickMode::off;
    std::vector<StemRoute> routes;
    control::SongOptions song;       ///< rate (the device's), BPM override, shared disk thread
    std::vector<ScriptEvent> script; ///< timed actions, frames counted from the first song's bar 1
    std::filesystem::path setFile;   ///< where stored scenes are saved beside ("" without a set file)
    /// Tonight's running order over `songs` (the catalogue); nullopt: the songs in their order.
    std::optional<set::RunningOrder> order;
    /// Where each change to tonight's order is written ("" : nowhere but the journal).
    std::filesystem::path orderFile;
    /// How many of the songs are the set file's (the rest are folders added tonight); 0: all.
    std::size_t setSongs = 0;
    int startSong = -1; ///< 0-based song to start at (play --song N); -1: the order's first
    /// An OSC cue is due (the engine said so on its frame): sends it (the app's, over UDP; must
    /// not block). Unset: OSC cues are not sent.
    std::function<void(const set::OscCue&)> oscCue;
    /// Timecode is sent: each song's view gets its bar-1 timecode (set::songTimecode) at this rate
    /// (none where it has no valid start: from song 24 on without one).
    std::optional<TimecodeRate> timecode;
    /// The spoken guide's clips (GuideVoices::prepare, before the show); none: no guide.
    std::shared_ptr<const GuideVoices> guides;
};

/// @thread control, all of it.
class SetPlayer {
public:
    /// Nothing is loaded yet: start() does that, once the engine is prepared at the device rate.
    /// Songs with an error (from the set file) are named once and skipped.
    SetPlayer(engine::Engine& engine, std::vector<set::SetSong> songs, PlayerOptions options, std::ostream& log);
    ~SetPlayer();
    SetPlayer(const SetPlayer&) = delete;
    SetPlayer& operator=(const SetPlayer&) = delete;

    /// Loads the first song that can play into the (prepared, not yet running) engine and cues
    /// the one after it. Throws stemdeck::Error when no song of the set can be played.
    /// With `resume` (a crash's journal): its song instead, at the last bar line at or before its
    /// frame (preloaded, so it starts at once), every stem as it was, the reference and the vamp
    /// as they were; paused there, armed — or playing if `resume->playing` and `playOnResume`.
    void start(const std::optional<ShowPoint>& resume = std::nullopt, bool playOnResume = false);

    /// Where the show is now (for the journal).
    [[nodiscard]] ShowPoint showPoint() const;

    // Rehearsal controls: each sends commands; none blocks on the audio thread.
    void togglePlay();
    void play();
    void stop();
    void nextSong();
    void previousSong();
    void goToSong(int index); ///< 0-based
    void seekBars(int bars);  ///< from the current position, onto a bar line
    /// `resumePoint`: the next play from there counts in first (the song's count-in bars).
    void seekTo(std::int64_t songFrame, bool resumePoint = false);
    void cycleClick();          ///< off → count-in → always → off
    void nextMarker();          ///< jump to the song's next marker, on the next bar line
    void previousMarker();      ///< jump to the marker before the current one, on the next bar line
    void quit();                ///< stop with a fade; finished() once it has faded
    void toggleReference();     ///< A/B: the main mix ↔ the song's reference mix
    void toggleVamp();          ///< loop the current marker section until released (then play on)
    void goToMarker(int index); ///< 0-based marker of the current song, on the next bar line
    /// Rehearsal: the current song's tempo (a share of its own, or a BPM) and key (semitones), set
    /// while it plays or stands. The song goes on where it is, at the new tempo from the next beat
    /// line (stopped: at once), every stem still in sync, its grid, click, quantised actions and
    /// vamp with it. A big tempo change glides there in steps (kTempoGlideStep), each on a beat line. The song
    /// keeps them until changed again (moving away and back); they win over the set file and the
    /// command line. An impossible value is said in the log and nothing changes.
    void setTempo(const set::TempoSetting& tempo);
    void nudgeTempo(int steps); ///< ±kTempoNudge per step, from where it is going
    void setTranspose(double semitones);
    void nudgeTranspose(int steps); ///< a semitone per step
    /// Practice: the A–B loop, over any bars of the current song. setLoopA() puts A on the bar line
    /// at or before the play head (a new range: a running loop is let go); setLoopB() puts B on
    /// the bar line that ends the bar the play head is in, at least a bar after A, and loops A–B
    /// (pressed within half a beat after a bar line, on the downbeat after the passage, B is that
    /// line and the play head goes back to A at once).
    /// loopBars() loops bars `first` to `last` (1-based, both played), jumping there if the play
    /// head is elsewhere. A is held in RAM (the song is loaded again with A in its cues and
    /// switched to on a beat line, as a tempo step is), so every jump back is seamless; until it is
    /// there the loop waits. toggleVamp() lets the loop go (A stays set). The count-in, when on,
    /// runs before every pass after the first: the end fades out, the click counts the bars in,
    /// the stems fade in on A.
    void setLoopA();
    void setLoopB();
    void loopBars(int first, int last);
    void toggleLoopCountIn(); ///< off, or the song's count-in bars (at least one)
    /// Stores every stem's state now as scene `slot` (0-based) of the current song: in the engine
    /// at once, and, with a set file, in its stored-scenes file (atomically).
    void storeScene(int slot);
    /// Tap-to-time (SongLyrics.cpp): the current song's next lyric line is sung from the play head
    /// (song time at 100%); the lyrics file is saved at once (atomically) and shows the new time.
    void tapLyric();

    // Tonight's running order (SetPlayerOrder.cpp). Songs are named by their index in the catalogue
    // (the set's songs, then folders added tonight). Every edit applies at once to the songs not
    // yet playing (the cue after this song changes with it); the playing song is never cut.
    void playNext(int song);            ///< song plays after the current one
    void moveSong(int song, int place); ///< to place (0-based) tonight
    void addSong(int song, int place);  ///< into tonight's order (-1: at the end), to play (again)
    void skipSong(int song, bool on);   ///< cut or brought back
    void toggleSkip(int song);
    void markPlayed(int song, bool on);
    void togglePlayed(int song);
    /// A folder (or .stem.mp4) added to the catalogue tonight, at `place` tonight (-1: after the
    /// current song). Its index, or -1 (said in the log: not a stem folder).
    int addFolder(const std::filesystem::path& folder, int place = -1);
    [[nodiscard]] const set::RunningOrder& order() const noexcept { return order_; }
    /// The catalogue: the set's songs, then folders added tonight.
    [[nodiscard]] const std::vector<set::SetSong>& songs() const noexcept { return songs_; }
    /// How many of songs() are the set file's (the rest: folders added tonight).
    [[nodiscard]] std::size_t setSongs() const noexcept { return options_.setSongs; }

    /// Carries out a player action (Runs::player: songs, markers, scenes stored, tempo, loops).
    /// Engine actions never come here: every surface's router input sends them to the engine
    /// itself (Router::Input::send, the one place an action becomes an engine command); session
    /// actions are the Show's.
    void perform(const ActionCall& call);

    /// Reads the engine's events, follows song ends and changes, frees songs the engine has let go
    /// of and logs faults. Call every few ms.
    void poll();

    /// The engine output frame of song 1's bar 1, once it has started (an event script's zero).
    [[nodiscard]] std::optional<std::int64_t> scriptZero() const noexcept { return scriptZero_; }
    /// The disk (and stretch) threads: a seek, play or song change was sent.
    void wakeStreamers();
    /// A song's length in seconds at its tempo, once it has been loaded (nullopt before).
    [[nodiscard]] std::optional<double> songSeconds(int index) const;
    /// True once a song failed to load (it is skipped).
    [[nodiscard]] bool songBroken(int index) const;
    /// The song cued to follow the current one (0-based), or -1.
    [[nodiscard]] int cuedSong() const noexcept { return change_.cued(); }
    /// The current song's tempo and key as it plays now (unity: as recorded).
    [[nodiscard]] formats::Stretch playingStretch() const;

    /// @thread control (offline runs and tests, which drive the engine faster than real time).
    /// Waits until every stem of the current song can supply `frames` from the play head; false
    /// after `timeoutSeconds`.
    bool waitForDisk(int frames, double timeoutSeconds) const;
    /// @thread control. Whether every stem of the current song (and its reference) can give
    /// `frames` from song frame `frame` now, from RAM (its head, a cue) or its ring: a jump there
    /// would not wait for the disk.
    [[nodiscard]] bool readableNow(std::int64_t frame, int frames) const;
    /// @thread control (offline runs and tests). Waits until a song load under way on the loader
    /// thread (a tempo or key step, the A-B loop's reload) has finished, so the next poll() takes
    /// it; false after `timeoutSeconds`.
    bool waitForLoads(double timeoutSeconds) const;

    /// True once the last song has ended (or stop was asked for and the fade has finished).
    [[nodiscard]] bool finished() const noexcept { return finished_; }
    [[nodiscard]] PlayerStatus status() const;
    /// @thread any. How the disk thread's priority went (DiskStreamer::Priority).
    [[nodiscard]] stream::DiskStreamer::Priority diskPriority() const noexcept {
        return options_.song.streamer->priority();
    }
    [[nodiscard]] std::uint64_t underruns() const noexcept { return underruns_; }
    [[nodiscard]] int currentSong() const noexcept { return change_.current(); }
    [[nodiscard]] bool quitting() const noexcept { return quitting_; }

private:
    struct Loaded {
        control::Song song;
        engine::SongView view;
        /// Song frames (on its timeline) a loop can jump back to without the disk: each is held in
        /// RAM from a crossfade before it (the top, the markers, a reload's A and vamp start).
        std::vector<std::int64_t> held;
    };
    Loaded* load(int index); ///< nullptr if the song cannot play (logged once)
    void cueFollowing();     ///< cues the song after the current one for the song-end behaviour
    /// A crash's song, loaded at the tempo and key it played at, its resume bar line (and the A-B
    /// loop's A) held in RAM: that bar line's frame, or nullopt (it cannot load: from the top).
    std::optional<std::int64_t> loadForResume(const ShowPoint& resume);
    void resumeAt(const ShowPoint& p, std::int64_t barFrame, bool playIt);
    void loopSectionAt(std::int64_t frame); ///< vamp: the marker section holding `frame`
    void changeTo(int index, bool playIt);
    void withdraw();
    void announce();                         ///< logs the current song
    void sendOscCue(const engine::Event& e); ///< an OSC cue the engine says is due, to PlayerOptions::oscCue
    void freeUnused();
    engine::Command command(engine::Op a, int stem = -1, float value = 0.0f) const;

    engine::Engine& engine_;
    [[nodiscard]] AtEnd atEndOf(int index) const;
    void jumpToMarker(int index);
    void wantStretch(double tempo, double semitones); ///< the current song's target tempo and key
    void stepRetime();                                ///< the next step towards the target, if none is on its way
    /// At the target tempo and key (from stepRetime(): one load at a time): the song loaded once more
    /// as it plays, to hold the A-B loop's A in RAM (Why::holdA); after PracticeLoop::kMaxReloads
    /// tries the loop runs from the disk.
    void holdLoopA();
    /// A tempo or key step, or the song once more to hold the loop's A in RAM, asked of the loader
    /// thread: its position and grids are fixed now, the rest once it has loaded.
    struct RetimeLoad {
        enum class Why : std::uint8_t { step, holdA };
        int song = -1;
        const void* base = nullptr; ///< the load it retimes (the song left and loaded again: stale)
        formats::Stretch step;
        Why why = Why::step;
        int attempt = 0; ///< loaded again with a longer lead (at most twice)
        engine::SongTiming from, to;
        bool rolling = false;     ///< as it was asked for
        std::int64_t askedAt = 0; ///< the play head when it was asked for (old grid)
        std::int64_t headAt = 0;
        double headSeconds = 0.0;
        std::vector<std::int64_t> held; ///< frames it holds in RAM beyond the head (a vamp's start, A)
    };
    void requestRetime(const formats::Stretch& step, RetimeLoad::Why why, int attempt = 0);
    void takeRetimeLoad(); ///< a finished load: given to the engine for the first beat line in its head
    /// The play head moved otherwise than by playing while `r` loaded (for `loadSeconds`).
    [[nodiscard]] bool headMoved(const RetimeLoad& r, double loadSeconds, int rate) const;
    /// The beat line (old grid) where `r` takes over, or nullopt: too late for its head in RAM.
    [[nodiscard]] std::optional<std::int64_t> landingLine(const RetimeLoad& r, int rate) const;
    /// `song` (the load of `r`) given to the engine as the current song `cur` retimed, on `line`.
    void switchRetime(const RetimeLoad& r, control::Song song, const Loaded& cur, std::int64_t line);
    /// Retimes of `song` that kept failing to land (dropped, or the play head kept jumping): a step's
    /// target goes (said, with `why`); a loop waiting for its A loops from the disk.
    void giveUpRetime(int song, std::string_view why);
    void retimeApplied(std::int64_t songFrame);             ///< the engine switched on this frame of the new grid
    [[nodiscard]] bool heldInRam(std::int64_t frame) const; ///< a loop can jump to it seamlessly
    void startLoop();  ///< A and B set: loop now if A is in RAM, else once a reload holds it
    void engageLoop(); ///< A-B set and A in RAM: loop it
    void sendLoop();   ///< the engine's loop over A-B with the count-in as it is now
    [[nodiscard]] PracticeLoop::Grid grid() const; ///< the current song's grid, as the engine plays it
    /// The current song's tempo and key (the last step sent or the one playing) and its target.
    [[nodiscard]] formats::Stretch stretchNow() const;
    [[nodiscard]] std::string sceneList() const; ///< "its scenes are 1 Breakdown, 2 Full"
    std::vector<set::SetSong> songs_;
    PlayerOptions options_;
    set::RunningOrder order_;
    int firstSong_ = -1; ///< the song the show started with (the events script's zero is its bar 1)
    bool orderSaveTold_ = false;
    void orderChanged(); ///< saved beside the set; the following song cued again
    /// `place` for `song` (0-based, as asked), or right after the song playing when it would be at or before it.
    [[nodiscard]] int placeAhead(int song, int place) const;
    [[nodiscard]] bool leftStart(int song) const;       ///< the song plays, or has played from its start on
    [[nodiscard]] std::string songName(int song) const; ///< "song 3 'Blue'"
    std::ostream& log_;
    engine::CommandSender sender_;
    std::map<int, std::unique_ptr<Loaded>> loaded_;
    /// Each song's cues as loaded, kept after the song is freed: an OSC cue due on a song's last
    /// frame is reported after the song that follows it took over (a few KB a song at most).
    std::map<int, std::shared_ptr<const control::SongCues>> cuesBySong_;
    std::vector<bool> broken_; ///< songs that failed to load (not tried again)
    SongChange change_;        ///< which song is playing, cued, on its way
    bool finished_ = false;
    bool quitting_ = false;
    std::uint64_t underruns_ = 0;
    std::optional<std::int64_t> scriptZero_; ///< engine output frame of song 1's bar 1
    // Tempo and key set live. A retime is one step: the current song loaded again at the step's
    // tempo and key (its head held where the step lands), given to the engine, switched to there.
    std::map<int, formats::Stretch> liveStretch_; ///< per song: its target (wins at every load)
    std::unique_ptr<Loaded> retimeNext_;          ///< given to the engine, until applied or dropped
    std::unique_ptr<Loaded> retimeOld_;           ///< retimed away from, until its crossfade is over
    int retimeSong_ = -1;
    int retimeDrops_ = 0;                  ///< dropped in a row (given up after a few)
    double prepSeconds_ = 1.0;             ///< how long the last retime's load took (the next one's lead)
    std::optional<RetimeLoad> retimeLoad_; ///< on the loader thread now
    int retimeMoves_ = 0;                  ///< loads in a row the play head jumped away from
    PracticeLoop loop_;                    ///< the A-B practice loop, on the current song's timeline
    // Tap-to-time: the line after the last one tapped, in that song, from that time (a tap after
    // the play head went back starts from the line there).
    int tapSong_ = -1;
    std::size_t tapNext_ = 0;
    double tapAt_ = 0.0;
    // Last, so it goes first: its thread is stopped (a load under way finished) before the songs,
    // streamers and options a load uses.
    std::unique_ptr<SongLoader> loader_;
};

/// A tempo nudge (tempo_up, tempo_down): 5 points of the song's own tempo.
inline constexpr double kTempoNudge = 0.05;
/// A tempo change glides: at most this much of the song's own tempo per step, a step a beat.
inline constexpr double kTempoGlideStep = 0.05;

using stemdeck::clockText; // "1:23.4" (stemdeck/common/Text.h)

/// @thread any. Songs for the player from plain stem folders (no set file).
[[nodiscard]] std::vector<set::SetSong> songsFromFolders(const std::vector<std::filesystem::path>& folders);

} // namespace stemdeck::control
