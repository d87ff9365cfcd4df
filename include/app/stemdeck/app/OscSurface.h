#pragma once
// The OSC surface of a live show: play's (and the stage GUI's) --osc options, and the OSC server
// that serves them (remote/OscServer.h), opened with the show and closed with it. An OSC socket
// that cannot be opened yet (the network is not up at boot, the port is taken) does not stop the
// show: it is said, and tried again every few seconds.
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/OscServer.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

struct OscArgs {
    std::string native;                 ///< --osc [ADDRESS:]PORT ("": off)
    std::optional<std::string> ableSet; ///< --osc-ableset [ADDRESS] ("" = loopback)
    std::vector<std::string> allow;     ///< --osc-allow
    std::string token;                  ///< --osc-token (or STEMDECK_OSC_TOKEN)
    bool obeyLock = false;              ///< --osc-obeys-lock
    [[nodiscard]] bool any() const { return !native.empty() || ableSet.has_value(); }
};

/// @thread main. The --osc options (play's and the GUI's).
void addOscOptions(CLI::App& command, OscArgs& args);

/// @thread any. The server's options from the arguments; throws stemdeck::Error for a bad one
/// (also --osc-allow or --osc-obeys-lock with no OSC to apply them to).
[[nodiscard]] remote::OscOptions oscOptions(const OscArgs& args);

class OscSurface {
public:
    /// @thread control. Checks the options (throws stemdeck::Error, before the show starts).
    OscSurface(OscArgs args, std::ostream& log);
    ~OscSurface();
    /// @thread control. Opens the sockets and starts the OSC thread (or says why not, and tries
    /// again from poll()).
    /// `gate`: the show's remotes' one gate (shared with the web remote).
    void start(control::Router& router, const control::ShowStatePublisher& state, remote::OscServer::FrameClock clock,
               std::shared_ptr<remote::RemoteGate> gate);
    /// @thread control. Every tick: what the OSC thread said, into the log; a failed open tried again.
    void poll();
    /// @thread control.
    void stop();
    [[nodiscard]] remote::OscServer* server() noexcept { return server_.get(); }

private:
    void open();

    remote::OscOptions options_;
    std::ostream& log_;
    control::Router* router_ = nullptr;
    const control::ShowStatePublisher* state_ = nullptr;
    remote::OscServer::FrameClock clock_;
    std::shared_ptr<remote::RemoteGate> gate_;
    std::unique_ptr<remote::OscServer> server_;
    std::string lastProblem_;
    std::chrono::steady_clock::time_point retryAt_{};
};

} // namespace stemdeck::app
