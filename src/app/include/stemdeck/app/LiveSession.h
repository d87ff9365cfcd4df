#pragma once
// One live performance: the set's songs on an audio device, the engine, the song flow, the keys
// and MIDI. The terminal `play` and the stage GUI are two faces of it: each calls tick() every
// few milliseconds from its own loop and shows status() and the messages.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "stemdeck/app/Journal.h"
#include "stemdeck/app/Keys.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/control/Router.h"
#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/MidiInput.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/Error.h"

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

    /// @thread main. Opens the device and loads the songs. False when the machine has no audio
    /// output device at all; throws DeviceUnavailable when the asked-for device cannot be used,
    /// Error for what no waiting mends. May be called again after false or DeviceUnavailable.
    bool open();
    /// True once open() has succeeded.
    [[nodiscard]] bool opened() const noexcept { return player_ != nullptr; }
    /// @thread main. Starts the callback, MIDI and playback.
    void start();
    /// @thread main. Every few ms: MIDI, song flow, device watch, MIDI learn.
    void tick();
    /// @thread main. An action from the keyboard or the GUI's mouse, through the router (the
    /// show lock refuses it there). False when refused.
    bool send(const control::ActionCall& call, control::Surface from = control::Surface::gui);
    /// @thread main. Raw typed bytes: to MIDI learn while it waits for its keys, to the unlock
    /// word while the show is locked, else decoded as keys.
    void typed(const std::string& bytes);
    /// @thread main. The show lock, on or off (the lock and unlock actions, --lock, lock: true).
    void setLocked(bool on);
    [[nodiscard]] bool locked() const noexcept { return router_ && router_->locked(); }
    /// @thread main. Quit with a fade (q, Ctrl-C, closing the window).
    void quit();
    /// @thread main. Stops the device (after the fade, or at once).
    void close();

    /// @thread main, after close(). The shutdown action was performed: runs --shutdown-command
    /// (systemctl poweroff) and says how it went. Its exit status; 0 when there was nothing to run.
    int shutDown();
    [[nodiscard]] bool shutdownAsked() const noexcept { return shutdownAsked_; }

    /// @thread main. Messages since the last call, one per line.
    [[nodiscard]] std::vector<std::string> takeMessages();
    [[nodiscard]] control::PlayerStatus status();
    [[nodiscard]] bool finished() const;
    [[nodiscard]] bool quitting() const;
    /// True once quit was asked for more than a second ago (the fade never finished: leave anyway).
    [[nodiscard]] bool quitOverdue() const;
    [[nodiscard]] bool learning() const;
    [[nodiscard]] std::string summary() const; ///< "finished in song 2 at 37 s; underruns 0, …"
    [[nodiscard]] const std::vector<std::string>& busLabels() const noexcept { return busLabels_; }
    [[nodiscard]] const std::vector<set::SetSong>& songs() const noexcept { return songs_; }
    [[nodiscard]] int firstSong() const noexcept { return args_.firstSong; }
    [[nodiscard]] std::string deviceDescription() const;
    /// "main out 1-2, click out 3-4": where the mixes go.
    [[nodiscard]] std::string routingDescription() const;
    [[nodiscard]] int xruns() const;
    [[nodiscard]] bool devicePlaying() const noexcept { return devicePlaying_; }
    [[nodiscard]] engine::Engine& engine() noexcept { return *engine_; }
    [[nodiscard]] control::SetPlayer& player() noexcept { return *player_; }
    [[nodiscard]] std::optional<std::string> setName() const;
    [[nodiscard]] int sampleRate() const;
    [[nodiscard]] bool keys() const noexcept { return keys_; }

private:
    void startLearn();
    void performSession(const control::Routed& routed); ///< lock, unlock, learn, quit; the rest to the player
    void drainRouter();                                 ///< performs what the router's queue holds
    [[nodiscard]] ShowState showState() const;
    void recordJournal(); ///< the show state into the journal (at most a few times a second)

    PlayArgs args_;
    bool keys_;
    std::vector<set::SetSong> songs_;
    std::optional<set::SetFile> setFile_;
    audio::DeviceOptions device_;
    control::PlayerOptions options_;
    std::vector<std::string> busLabels_;
    std::ostringstream log_; // the player's, device's and MIDI's messages
    std::unique_ptr<audio::DeviceSession> session_;
    std::unique_ptr<engine::Engine> engine_;
    std::unique_ptr<control::SetPlayer> player_;
    std::unique_ptr<control::Router> router_;
    std::unique_ptr<control::Router::Input> keysIn_, guiIn_;
    app::UnlockWord unlockWord_;
    std::uint64_t refusedSaid_ = 0; // locked-out presses already told about
    std::uint64_t refusedKeys_ = 0; // typed bytes the lock swallowed
    std::chrono::steady_clock::time_point lockToldAt_{};
    bool lockSaid_ = false;
    std::unique_ptr<midi::MidiInput> midi_;
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
    bool resumed_ = false;
    bool shutdownAsked_ = false; // the shutdown action: power off once closed     // started where the journal said:
                                 // play() is the player's (or a press's)
};

} // namespace stemdeck::app
