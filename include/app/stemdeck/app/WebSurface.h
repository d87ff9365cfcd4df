#pragma once
// The web remote of a live show: play's (and the stage GUI's) --web options, the token file, and
// the web server (remote/WebServer.h), opened with the show and closed with it. A socket that
// cannot be opened yet (the network is not up at boot, the port is taken) does not stop the show:
// it is said, and tried again every few seconds.
#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/WebServer.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

struct WebArgs {
    std::string at;        ///< --web [ADDRESS:]PORT ("": off)
    bool openBand = false; ///< --web-open-band
    bool obeyLock = false; ///< --web-obeys-lock
    [[nodiscard]] bool any() const { return !at.empty(); }
};

/// @thread main. The --web options (play's and the GUI's).
void addWebOptions(CLI::App& command, WebArgs& args);

/// @thread any. $XDG_STATE_HOME/stemdeck/web-tokens, else ~/.local/state/stemdeck/web-tokens:
/// beside the journal, so that a crash resume keeps every phone joined.
[[nodiscard]] std::filesystem::path defaultWebTokenFile();

/// @thread any. The server's options from the arguments; throws stemdeck::Error for a bad one.
[[nodiscard]] remote::WebOptions webOptions(const WebArgs& args);

/// One address a phone can reach the remote at, with its two links.
struct JoinLink {
    std::string address; ///< "192.168.1.20" (or "127.0.0.1": this machine only)
    std::string interface; ///< "wlan0"
    std::string band;    ///< http://…/band#token=BAND (no token with --web-open-band)
    std::string control; ///< http://…/control#token=CONTROL
};

/// @thread any. The links of a running web remote: its own address, or, listening on every
/// network (0.0.0.0), one per address of this machine's networks that are up.
[[nodiscard]] std::vector<JoinLink> joinLinks(const remote::WebServer& server);

/// @thread any. `text` as a QR code (libqrencode, error correction M): its modules, row by row,
/// true for dark, with the 4-module quiet zone around it; empty when it does not fit one.
[[nodiscard]] std::vector<std::vector<bool>> qrModules(const std::string& text);
/// @thread any. A QR code for a terminal: two rows of modules per line in half blocks (▀ ▄ █),
/// dark on light whatever the terminal's colours (it sets them).
[[nodiscard]] std::vector<std::string> qrLines(const std::string& text);

/// @thread any. The join screen for a terminal `width` columns wide: per address, the band
/// view's QR code and the control view's, side by side where they fit, with their links.
[[nodiscard]] std::vector<std::string> joinScreen(const std::vector<JoinLink>& links, int width);

class WebSurface {
public:
    /// @thread control. Checks the options (throws stemdeck::Error, before the show starts).
    WebSurface(WebArgs args, std::ostream& log);
    ~WebSurface();
    /// @thread control. Opens the socket and starts the web thread (or says why not, and tries
    /// again from poll()).
    void start(control::Router& router, const control::ShowStatePublisher& state, remote::WebServer::FrameClock clock);
    /// @thread control. Every tick: what the web thread said, into the log; a failed open tried again.
    void poll();
    /// @thread control.
    void stop();
    /// @thread control, while it runs (null before it opened).
    [[nodiscard]] const remote::WebServer* server() const noexcept { return server_.get(); }
    /// @thread any. Where phones join (empty until the socket is open), with the tokens in use.
    [[nodiscard]] std::vector<JoinLink> links() const;

private:
    void open();
    void refreshLinks();

    remote::WebOptions options_;
    std::ostream& log_;
    control::Router* router_ = nullptr;
    const control::ShowStatePublisher* state_ = nullptr;
    remote::WebServer::FrameClock clock_;
    std::unique_ptr<remote::WebServer> server_;
    std::string lastProblem_;
    std::chrono::steady_clock::time_point retryAt_{}, linksAt_{};
    mutable std::mutex linksMutex_; // links_: the control thread writes, a face reads
    std::vector<JoinLink> links_;
};

} // namespace stemdeck::app
