#pragma once
// The web remote: HTTP and WebSocket (Boost.Beast, in WebServer.cpp alone) on one thread of ours,
// stemdeck-web, that owns its sockets. It serves the pages from memory (WebFiles.h), sends every
// page the show state at each change and its position five times a second, and hands a page's
// actions to the router through the remotes' gate (RemoteGate.h), as MIDI's go. It never touches
// the audio thread or waits on the control thread: it reads the published show state.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/OscServer.h"
#include "stemdeck/remote/RemoteGate.h"
#include "stemdeck/remote/WebFiles.h"

namespace stemdeck::remote {

struct WebOptions {
    Endpoint at{"127.0.0.1", 0};      ///< --web: where it listens (loopback unless told)
    std::filesystem::path pages;      ///< the folder the pages are read from (share/stemdeck/web)
    std::filesystem::path tokenFile;  ///< the control and band tokens (made if missing, reread when changed)
    bool openBand = false;            ///< --web-open-band: the band view needs no token
    bool obeyLock = false;            ///< the show lock shuts the web remote too
    GateBudgets budgets;              ///< every page together
    int maxPages = 64, maxPagesPerHost = 16;  ///< WebSocket pages at once (from one address; IPv6: its /64)
    int maxLoads = 32, maxLoadsPerHost = 8;   ///< connections still loading pages (no token asked yet)
    double perClient = 30.0, perClientBurst = 60.0; ///< messages a second from one page (a fader drag sends 15)
    double requestsPerHost = 50.0, requestsBurst = 100.0; ///< HTTP requests a second from one address
    std::size_t maxQueued = 256 * 1024; ///< bytes waiting for one page before it is dropped
    int stallSeconds = 10;              ///< a page whose socket takes nothing for this long is dropped
    int headerSeconds = 10;             ///< a request's headers must arrive within this (slow-loris)
    int keepAliveSeconds = 5;           ///< an idle page-load connection is closed after this
    int retrySeconds = 5;               ///< a socket that would not open is tried again after this
};

class WebServer {
public:
    using FrameClock = std::function<std::int64_t()>;

    /// @thread control. Reads the pages and the tokens (throws stemdeck::Error when they are not
    /// there or cannot be made) and opens the socket. A socket that will not open (a port in use,
    /// the network not up yet at boot) is not an error: describe() says why, and the web thread
    /// tries again every retrySeconds. `gate`: the show's remotes' one gate (shared with OSC);
    /// null: one of its own, with the options' budgets.
    WebServer(control::Router& router, const control::ShowStatePublisher& state, WebOptions options,
              FrameClock clock, std::shared_ptr<RemoteGate> gate = nullptr);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    /// @thread control. Starts the web thread.
    void start();
    /// @thread control. Stops it, closing every page's connection.
    void stop();

    /// @thread control. What the web thread said since the last call, one line each.
    [[nodiscard]] std::vector<std::string> takeNotes();
    /// @thread control. "web remote: http://127.0.0.1:8080/ (band view /band, control /control)",
    /// or why it cannot listen yet.
    [[nodiscard]] std::string describe() const;
    /// @thread any. The port it listens on; 0 while it cannot.
    [[nodiscard]] int port() const noexcept;
    [[nodiscard]] const WebOptions& options() const noexcept;
    /// @thread any. The tokens in use (reread when the token file changes).
    [[nodiscard]] WebTokens tokens() const;

    struct Counts {
        std::uint64_t connections = 0, requests = 0, messages = 0, applied = 0, refused = 0, dropped = 0;
        std::uint64_t framesSent = 0, bytesSent = 0;
        int clients = 0; ///< WebSocket pages connected now
    };
    /// @thread any.
    [[nodiscard]] Counts counts() const noexcept;

    struct Impl; ///< (WebServer.cpp: Beast's types stay there; its sessions refer to it)

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace stemdeck::remote
