#pragma once
// Ableton Link, the control side: the session itself (Link's own threads do the network), what the
// engine's part (engine::LinkSync) posts committed with its host times, and the session's start,
// stop and — with LinkTempo::follow — tempo turned into actions on Link's own router input, as any
// surface sends them (a peer's start waits for Link's bar in the engine, as a press does).
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/engine/LinkSync.h"

namespace ableton {
class Link;
}

namespace stemdeck::control {

/// @thread any. The status line's: "Link 2 peers 120.0 BPM, beat 3 of 4" (", waiting for the Link
/// bar"; "Link: no peers" alone).
[[nodiscard]] std::string linkStatus(const ShowLink& link);

class LinkSession {
public:
    /// @thread control, the audio not running. Joins Link (its threads start: discovery on every
    /// network interface) at `tempo` (quarter notes a minute: the first song's), and gives the
    /// engine its part. The engine must outlive this, and its audio must have stopped before this
    /// goes (declare the session before the device).
    LinkSession(engine::Engine& engine, const engine::LinkOptions& options, double tempo, std::ostream& log);
    ~LinkSession();
    LinkSession(const LinkSession&) = delete;
    LinkSession& operator=(const LinkSession&) = delete;

    /// @thread control, every tick: commits what the engine asked for; with startStop, a peer's
    /// start or stop becomes play or stop on `input`; with follow, the session's tempo becomes
    /// the song's (`state`: the show as last published: the song, its tempo and time signature).
    void tick(Router::Input& input, const ShowState& state);

    /// "Ableton Link: stemdeck sets the tempo …" for the log and the faces.
    [[nodiscard]] static std::string describe(const engine::LinkOptions& options);

    /// @thread control. Leaving the show: what is waiting committed (the last stop), then no more.
    void flush() { commitRequests(); }

private:
    void commitRequests();
    void followStartStop(Router::Input& input, const ShowState& state);
    void followTempo(Router::Input& input, const ShowState& state);

    engine::Engine& engine_;
    engine::LinkOptions options_;
    std::ostream& log_;
    std::unique_ptr<ableton::Link> link_;
    bool saidPlaying_ = false; // what stemdeck last told the session, and for when
    std::chrono::microseconds saidAt_{-1};
    bool seenPlaying_ = false; // the session's start/stop state as last seen, and its time
    std::chrono::microseconds seenAt_{-1};
    std::chrono::microseconds peersSince_{0}; // when the session last gained its first peer
    std::size_t peers_ = 0;
    double asked_ = 0.0; // follow: the tempo (the song's BPM) last asked for
    int askedSong_ = -1;
    bool refused_ = false; // follow: a session tempo stemdeck cannot play at, said
};

} // namespace stemdeck::control
