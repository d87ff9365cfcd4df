#pragma once
// One live performance: the set's songs on an audio device, the engine, the show (control::Show:
// the router every surface sends through, the set player, the published state), the keys, MIDI and
// the journal. The terminal `play` and the stage GUI are two faces of it; ShowRunner runs its
// lifecycle on the control thread (open, start, tick every few ms, close), and the faces read the
// published state and the messages.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "stemdeck/app/Journal.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/app/Key.h"
#include "stemdeck/app/Keys.h"
#include "stemdeck/app/OscSurface.h"
#include "stemdeck/app/WebSurface.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/control/LinkSession.h"
#include "stemdeck/control/LtcEncoder.h"
#include "stemdeck/control/Router.h"
#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/control/Show.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/MidiInput.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/common/Error.h"

namespace stemdeck::app {

/// The asked-for audio device cannot be used yet (not there, or it refused to open): worth waiting
/// for, unlike every other Error open() throws (a broken events file stays broken).
class DeviceUnavailable : public Error {
public:
    using Error::Error;
};

class LiveSession {
public:
    /// @thread main. Reads the set (or folders), merges the set file's settings under the command
    /// line's and checks the routing. Throws stemdeck::Error for bad input; notes go to `notes`.
    /// `keys`: someone can press keys (at-end defaults to stop rather than next).
    LiveSession(const PlayArgs& args, bool keys, std::ostream& notes);
    ~LiveSession();
    LiveSession(const LiveSession&) = delete;
    LiveSession& operator=(const LiveSession&) = delete;

    /// @thread control. Opens the device and loads the songs. False when the machine has no audio
    /// output device at all; throws DeviceUnavailable when the asked-for device cannot be used,
    /// Error for what no waiting mends. May be called again after false or DeviceUnavailable.
    bool open();
    /// True once open() has succeeded.
    [[nodiscard]] bool opened() const noexcept { return show_ != nullptr; }
    /// @thread control. Starts the callback, MIDI and playback.
    void start();
    /// @thread control. Every few ms: MIDI, the device watch, the show's tick (every surface's
    /// actions, the song flow, the published state), the journal, MIDI learn.
    void tick();
    /// @thread the GUI's (once open). An action from the GUI's mouse, through the GUI's router
    /// input (the show lock refuses it there). False when refused.
    bool send(const control::ActionCall& call);
    /// @thread any. A folder (or .stem.mp4) added to tonight's order after the song playing, on the
    /// control thread's next tick (SetPlayer::addFolder; said in the log).
    void addFolder(std::string folder);
    /// @thread control. A key pressed (terminal or window): to MIDI learn while it waits for its
    /// keys, to the unlock word while the show is locked, else decoded into an action and sent
    /// through the keys' router input.
    void key(const Key& key);
    /// @thread control. The show lock, on or off (--lock, lock: true).
    void setLocked(bool on);
    /// @thread any.
    [[nodiscard]] bool locked() const noexcept { return show_ && show_->locked(); }
    /// @thread control. Quit with a fade (q, Ctrl-C, closing the window).
    void quit();
    /// @thread control. Stops the device (after the fade, or at once).
    void close();

    /// @thread control, after close(). The shutdown action was performed: runs --shutdown-command
    /// (systemctl poweroff) and says how it went. Its exit status; 0 when there was nothing to run.
    int shutDown();
    [[nodiscard]] bool shutdownAsked() const noexcept { return show_ && show_->shutdownAsked(); }

    /// @thread control. Messages since the last call, one per line.
    [[nodiscard]] std::vector<std::string> takeMessages();
    /// @thread any, once open. The published show state (what every face shows).
    [[nodiscard]] const control::ShowStatePublisher& state() const { return show_->state(); }
    [[nodiscard]] bool finished() const;
    [[nodiscard]] bool quitting() const;
    /// True once quit was asked for more than a second ago (the fade never finished: leave anyway).
    [[nodiscard]] bool quitOverdue() const;
    [[nodiscard]] bool learning() const;
    [[nodiscard]] std::string summary() const; ///< "finished in song 2 at 37 s; underruns 0, …"
    [[nodiscard]] const std::vector<std::string>& busLabels() const noexcept { return busLabels_; }
    [[nodiscard]] const std::vector<set::SetSong>& songs() const noexcept { return songs_; }
    [[nodiscard]] std::string deviceDescription() const;
    /// "main out 1-2, click out 3-4": where the mixes go.
    [[nodiscard]] std::string routingDescription() const;
    [[nodiscard]] int xruns() const;
    [[nodiscard]] bool devicePlaying() const noexcept { return devicePlaying_; }
    [[nodiscard]] engine::Engine& engine() noexcept { return *engine_; }
    [[nodiscard]] control::Show& show() noexcept { return *show_; }
    [[nodiscard]] std::optional<std::string> setName() const;
    [[nodiscard]] int sampleRate() const;
    [[nodiscard]] bool keys() const noexcept { return keys_; }
    /// The OSC server, while it runs (null without --osc, or before its socket opened).
    [[nodiscard]] remote::OscServer* osc() noexcept { return osc_ ? osc_->server() : nullptr; }
    /// @thread any. The show was started with --web.
    [[nodiscard]] bool webOn() const noexcept { return web_ != nullptr; }
    /// @thread any. The spoken guide is set up (its cues made): its toggle means something.
    [[nodiscard]] bool guidesReady() const noexcept { return guidesReady_.load(std::memory_order_relaxed); }
    /// @thread any. Where phones join the web remote (empty without --web or before it opened).
    [[nodiscard]] std::vector<JoinLink> joinLinks() const { return web_ ? web_->links() : std::vector<JoinLink>{}; }

private:
    /// With --resume: where the journal says the show was (nullopt: from the top, said why), and
    /// tonight's order as it was (into options_, its added folders into songs_).
    std::optional<control::ShowPoint> findResumePoint();
    /// Folders added tonight (an order file's, the journal's), after the set's songs: into added_.
    void addSongs(const std::vector<std::filesystem::path>& folders);
    void takeSetFile(std::ostream& notes); ///< a set file: its songs, and its audio where the command line is silent
    void takeFolders();                    ///< stem folders (or .stem.mp4 files), a song each
    void planOutputs(std::ostream& notes); ///< device options, outputs, click and song-end from the arguments
    void startTimecode(int rate);          ///< MTC and LTC into the engine, LTC's encoder thread
    void startLearn();
    void learnKey(const Key& key); ///< MIDI learn's menu: an action key, a stem digit, Esc
    [[nodiscard]] JournalEntry journalEntry() const;
    void recordJournal(); ///< the show state into the journal (at most a few times a second)

    PlayArgs args_;
    bool keys_;
    std::vector<set::SetSong> songs_;
    std::vector<set::SetSong> added_;         // folders added tonight before the show opened (control thread only)
    std::optional<set::OrderFile> orderFile_; // play --order's, read at once
    std::optional<set::SetFile> setFile_;
    audio::DeviceOptions device_;
    control::PlayerOptions options_;
    std::vector<std::string> busLabels_;
    std::ostringstream log_; // the player's, device's and MIDI's messages
    // (before the device: the engine reads the LTC frames until the device has stopped)
    std::unique_ptr<engine::LtcFrames> ltcFrames_; // timecode on: LTC frames, encoded ahead of the play head
    // Ableton Link (null: off): before the device, so the audio has stopped reading it when it goes.
    std::unique_ptr<control::LinkSession> link_;
    std::shared_ptr<const control::GuideVoices> guides_; // the spoken guide's clips (made once, before the show)
    std::atomic<bool> guidesReady_{false};
    std::unique_ptr<audio::DeviceSession> session_;
    std::unique_ptr<engine::Engine> engine_;
    std::unique_ptr<control::Show> show_;
    std::unique_ptr<control::Router::Input> keysIn_; // the control thread's (keys are decoded there)
    std::mutex foldersMutex_;                        // guards folders_ (the GUI thread adds, the control thread takes)
    std::vector<std::string> folders_;               // folders to add tonight, for the next tick
    std::unique_ptr<control::Router::Input> linkIn_; // Link's (a peer's start, stop, tempo), on the control thread
    std::unique_ptr<control::Router::Input> guiIn_;  // the GUI thread's (its mouse)
    app::UnlockWord unlockWord_;
    std::unique_ptr<midi::MidiInput> midi_;
    std::unique_ptr<OscSurface> osc_; // --osc, --osc-ableset (null: off)
    std::unique_ptr<OscCueSender> oscCues_; // the songs' OSC cues (no socket until the first)
    std::unique_ptr<control::LtcEncoder> ltcEncoder_; // LTC frames encoded by its thread (null: no LTC)
    std::unique_ptr<WebSurface> web_; // --web (null: off)
    app::KeyDecoder decoder_;
    midi::LearnChoice learnChoice_;
    bool diskPriorityTold_ = false; // the disk thread's priority was looked at (and said if normal)
    bool learnAnnounced_ = false;
    bool devicePlaying_ = true;
    std::int64_t pausedFrame_ = 0; // the song frame where the device went
    bool closed_ = false;
    std::chrono::steady_clock::time_point quitAt_ = std::chrono::steady_clock::time_point::max();
    std::string showId_;                  // the journal's name for this set (absolute paths)
    std::vector<std::string> allSources_; // every song's folder, before --song drops the first ones
    std::unique_ptr<Journal> journal_;
    bool journalTold_ = false; // a failed journal write was said
    bool resumed_ = false;     // started where the journal said: play() is the player's (or a press's)
};

} // namespace stemdeck::app
