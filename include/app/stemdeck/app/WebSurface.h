#pragma once
// The web remote of a live show: play's (and the stage GUI's) --web options, the token file, and
// the web server (remote/WebServer.h), opened with the show and closed with it. A socket that
// cannot be opened yet (the network is not up at boot, the port is taken) does not stop the show:
// it is said, and tried again every few seconds.
#include <atomic>
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

/// @thread any. The join screen for a terminal `width` columns wide with `rows` rows to spare: the
/// address `index` (of `links`), its band view's QR code and its control view's side by side (the
/// band's alone where both do not fit); only a message where a whole code does not fit. The
/// control link is never written out as text.
[[nodiscard]] std::vector<std::string> joinScreen(const std::vector<JoinLink>& links, std::size_t index, int width,
                                                  int rows);

class WebSurface {
public:
    /// @thread control. Checks the options (throws stemdeck::Error, before the show starts).
    WebSurface(WebArgs args, std::ostream& log);
    ~WebSurface();
    /// @thread control. Reads the pages and tokens, opens the socket and starts the web thread (or
    /// says why not). `gate`: the show's remotes' one gate (shared with OSC).
    void start(control::Router& router, const control::ShowStatePublisher& state, remote::WebServer::FrameClock clock,
               std::shared_ptr<remote::RemoteGate> gate);
    /// @thread control. Every tick: what the web thread said, into the log; while a face shows the
    /// join codes, their links kept up to date (every 2 s).
    void poll();
    /// @thread control.
    void stop();
    /// @thread control, while it runs (null before it opened).
    [[nodiscard]] const remote::WebServer* server() const noexcept { return server_.get(); }
    /// @thread any (a face showing the join codes). Where phones join (empty until the socket is
    /// open), with the tokens in use; asking keeps them up to date for the next minute.
    [[nodiscard]] std::vector<JoinLink> links() const;

private:
    void refreshLinks();

    remote::WebOptions options_;
    std::ostream& log_;
    std::unique_ptr<remote::WebServer> server_;
    std::chrono::steady_clock::time_point linksAt_{};
    mutable std::atomic<std::int64_t> wantedUntil_{0}; // a face asked for the links: kept fresh until then
    mutable std::mutex linksMutex_; // links_: the control thread writes, a face reads
    std::vector<JoinLink> links_;
};

} // namespace stemdeck::app
