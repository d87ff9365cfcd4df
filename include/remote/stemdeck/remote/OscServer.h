#pragma once
// The OSC surface: one thread (stemdeck-osc) that owns its UDP sockets, takes messages, checks
// who sent them, hands the actions to the router through its own input (Surface::remote) and
// sends subscribers the show state as it changes, with a heartbeat. It never touches the audio
// thread or waits on the control thread: it reads the published show state (ShowState.h).
//
// liblo decodes and encodes every message (Osc.h); stemdeck owns the sockets because liblo 0.31's
// server binds every interface (it cannot listen on loopback only), queues timetagged bundles for
// later (a memory a sender can fill) and answers "method enumeration" requests on its own (a
// reflection nobody asked for).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/RemoteGate.h"

namespace stemdeck::remote {

/// Where a socket listens.
struct Endpoint {
    std::string address = "127.0.0.1";
    int port = 0; ///< 0: a free port, said in the log
};

/// "9000", "192.168.1.10:9000", "0.0.0.0:9000", "[::1]:9000"; or why not.
[[nodiscard]] std::optional<Endpoint> parseEndpoint(const std::string& text, int defaultPort, std::string& error);

struct OscOptions {
    std::optional<Endpoint> native;  ///< --osc: stemdeck's own addresses
    std::optional<Endpoint> ableSet; ///< --osc-ableset: AbleSet's, for Companion (port 39051)
    std::vector<std::string> allow;  ///< senders that may control from the network: addresses or networks
    std::string token;               ///< a message with token=THIS may control from anywhere (native only)
    bool obeyLock = false;           ///< the show lock shuts the remotes too
    double perSecond = 500.0;        ///< messages a second from one host, at most …
    double burst = 100.0;            ///< … in bursts of at most this many
    GateBudgets budgets;             ///< every host together (RemoteGate.h)
    int maxSubscribers = 16;                                ///< per profile
};

/// @thread any. What is wrong with who may send (a network address with nobody allowed, an
/// allow-list entry that is not an address), or "".
[[nodiscard]] std::string accessProblem(const OscOptions& options);

class OscServer {
public:
    using FrameClock = std::function<std::int64_t()>;

    /// @thread control. Opens the sockets. Throws stemdeck::Error when one cannot be opened (a port
    /// in use, an address not on this machine) or when a network address is given with nobody
    /// allowed (no --osc-allow, no --osc-token). `gate`: the show's remotes' one gate (shared with
    /// the web remote); null: one of its own, with the options' budgets.
    OscServer(control::Router& router, const control::ShowStatePublisher& state, OscOptions options, FrameClock clock,
              std::shared_ptr<RemoteGate> gate = nullptr);
    ~OscServer();
    OscServer(const OscServer&) = delete;
    OscServer& operator=(const OscServer&) = delete;

    /// @thread control. Starts the OSC thread.
    void start();
    /// @thread control. Stops it (within a poll, 10 ms).
    void stop();

    /// @thread control. What the OSC thread said since the last call (a refusal's first time, a
    /// new subscriber, counts of refusals), one line each.
    [[nodiscard]] std::vector<std::string> takeNotes();
    /// "OSC: stemdeck's addresses on 127.0.0.1:9000; AbleSet's (Companion) on 127.0.0.1:39051"
    [[nodiscard]] std::string describe() const;
    /// The port a profile listens on (after a port 0 was given: the one it got); 0: none.
    [[nodiscard]] int nativePort() const noexcept;
    [[nodiscard]] int ableSetPort() const noexcept;

    struct Counts {
        std::uint64_t received = 0, applied = 0, refused = 0, repeated = 0, sent = 0;
    };
    /// @thread any.
    [[nodiscard]] Counts counts() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace stemdeck::remote
