#pragma once
// The show: the one road every surface takes and the one state every front end reads.
//
//   keys, GUI, MIDI, script, (OSC, web, peer)  ──Router::Input──►  engine commands (at once, on the
//                                                                 surface's own thread)
//                                              └─► player and session actions ─► Show::tick() (control thread)
//   Show::tick() ─► SetPlayer (songs, markers, tempo, loops) ─► ShowStatePublisher ─► every front end
//
// A surface is one file that takes makeInput(Surface::…) and sends ActionCalls; it reads state()
// for its feedback. The show owns the router, the set player and the event script's feed; the
// program around it (play, the stage GUI) owns the device and MIDI and calls tick() from its
// control thread every few milliseconds.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ScriptFeed.h"
#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/control/ShowState.h"

namespace stemdeck::control {

/// What only the program around the show can do: MIDI learn lives above control.
struct ShowHooks {
    std::function<void()> learn;    ///< the learn action
    std::function<void()> shutdown; ///< the shutdown action, said once (the show quits too)
};

struct ShowOptions {
    std::string setName; ///< the set file's name, for the state ("" for folders)
    std::string midiOut; ///< the MIDI output as said ("MIDI out: clock … → Helix"), "" when off
    bool midiClock = false;
    std::string timecode; ///< the timecode outputs as said ("timecode: MTC, 25 fps, …"), "" when off
    std::string link;     ///< Ableton Link as said (LinkSession::describe), "" when off
};

/// @thread control, all of it but makeInput's inputs (each used by its own thread) and state().
class Show {
public:
    /// The engine must be prepared (the router's queue and the player's sender come from it).
    Show(engine::Engine& engine, std::vector<set::SetSong> songs, PlayerOptions options, std::ostream& log,
         ShowOptions showOptions = {}, ShowHooks hooks = {});
    ~Show();
    Show(const Show&) = delete;
    Show& operator=(const Show&) = delete;

    /// @thread control (allocates). A surface's way in: one per surface and sending thread.
    [[nodiscard]] std::unique_ptr<Router::Input> makeInput(Surface surface);

    /// Loads the first song (or the journal's, with `resume`): SetPlayer::start. Publishes the
    /// first state.
    void start(const std::optional<ShowPoint>& resume = std::nullopt, bool playOnResume = false);

    /// Every few ms: the player and session actions that arrived from every surface, the player's
    /// song flow, the event script's next actions, and a new published state.
    void tick();

    /// As the show ends (the device closed): the engine's last events and the final state, published
    /// for certain. Actions still queued are not performed.
    void finish();

    /// The show lock on or off (said in the log when it changes).
    void setLocked(bool on);
    [[nodiscard]] bool locked() const noexcept { return router_.locked(); }
    /// Keys typed while locked that never became actions (told about with the refused presses).
    void addRefusedKeys(std::uint64_t n) noexcept { refusedKeys_ += n; }

    /// Quit with a fade; finished() once it has faded.
    void quit();
    [[nodiscard]] bool quitting() const noexcept { return quitting_ || player_.quitting(); }
    [[nodiscard]] bool finished() const noexcept { return player_.finished(); }
    [[nodiscard]] bool shutdownAsked() const noexcept { return shutdownAsked_; }

    /// The device and its health, as the program around the show sees them (published with the
    /// state), and whether MIDI learn is on.
    void setDevice(std::string description, std::uint64_t xruns, std::uint64_t reopens, bool playing);
    /// @thread control. MIDI output messages the device's port lost (beside the engine's own).
    void setMidiLost(std::uint64_t lost) noexcept { midiDeviceLost_ = lost; }
    void setLearning(bool on) noexcept { learning_ = on; }

    /// @thread any. The published state (never blocks, never waits for the control thread).
    [[nodiscard]] const ShowStatePublisher& state() const noexcept { return state_; }

    [[nodiscard]] SetPlayer& player() noexcept { return player_; }
    [[nodiscard]] const SetPlayer& player() const noexcept { return player_; }
    [[nodiscard]] Router& router() noexcept { return router_; }

private:
    std::uint64_t midiDeviceLost_ = 0;
    void perform(const Routed& routed); ///< lock, unlock, learn, quit, shutdown; the rest to the player
    void drain();
    void tellRefused();
    void publish(bool final = false);

    engine::Engine& engine_;
    std::ostream& log_;
    ShowOptions showOptions_;
    ShowHooks hooks_;
    Router router_;
    SetPlayer player_;
    std::optional<ScriptFeed> script_;
    std::vector<double> lengths_; ///< seconds per song of the catalogue, -1 until it has been loaded once
    ShowStatePublisher state_;
    ShowHealth device_;
    bool lockSaid_ = false;
    std::uint64_t refusedKeys_ = 0, refusedSaid_ = 0;
    std::int64_t lockToldNs_ = 0;
    bool quitting_ = false;
    bool shutdownAsked_ = false;
    bool learning_ = false;
};

} // namespace stemdeck::control
