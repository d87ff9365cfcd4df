#pragma once
// The web server's own state (WebServer::Impl) and its helpers: private to src/remote/, included
// by WebServer.cpp alone, which is the one translation unit that includes Boost.Beast (header-only
// and heavy to compile). WebSessions.h holds the connections; WebServer.cpp the thread's work.
// (Its helpers sit in an unnamed namespace: there is only that one translation unit.)
#include "stemdeck/remote/WebServer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/common/Clock.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/common/Thread.h"
#include "stemdeck/remote/OscAccess.h"
#include "stemdeck/remote/WebProtocol.h"

namespace stemdeck::remote {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto kTick = std::chrono::milliseconds(20);
constexpr std::int64_t kPositionNs = 200'000'000; // 5 frames a second
constexpr std::int64_t kTokenCheckNs = 1'000'000'000;
constexpr std::uint16_t kCloseToken = 4401, kCloseBusy = 4429;

std::string_view sv(beast::string_view b) {
    return {b.data(), b.size()};
}

double seconds(std::int64_t ns) {
    return static_cast<double>(ns) * 1e-9;
}

/// The peer's address as text, IPv4 senders on an IPv6 socket as IPv4.
net::ip::address plainAddress(net::ip::address a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
    return a;
}

std::vector<std::string> machineNames() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return {};
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    return {n, n + ".local"};
}

/// Who a connection counts against: its IPv4 address, or an IPv6 address's /64 (one device has many
/// privacy addresses in it).
std::string hostKey(const net::ip::address& a) {
    if (!a.is_v6()) return a.to_string();
    auto bytes = a.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return net::ip::address_v6(bytes).to_string() + "/64";
}

std::int64_t fileStamp(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return -1;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec + st.st_size;
}

} // namespace

struct WsSession;

struct WebServer::Impl {
    control::Router& router;
    const control::ShowStatePublisher& state;
    WebOptions options;
    WebFiles files;
    std::vector<std::string> names = machineNames();
    std::shared_ptr<RemoteGate> gate;
    std::thread thread;
    std::atomic<int> boundPort{0};
    std::string listenProblem; // (the control thread reads it before start, the web thread after)
    moodycamel::ConcurrentQueue<std::string> notes;

    mutable std::mutex tokenMutex; // tokens: the web thread writes, any thread reads
    WebTokens tokenPair;
    std::int64_t tokenStamp = -1, lastTokenCheck = 0;

    struct Atomics {
        std::atomic<std::uint64_t> connections{0}, requests{0}, messages{0}, applied{0}, refused{0}, dropped{0},
            framesSent{0}, bytesSent{0};
        std::atomic<int> clients{0};
    } count;

    // The web thread's own.
    std::vector<std::weak_ptr<WsSession>> pages;
    struct Slots { // open connections, in all and by host
        int all = 0;
        std::map<std::string, int> byHost;
        [[nodiscard]] bool full(const std::string& host, int most, int mostPerHost) const {
            const auto it = byHost.find(host);
            return all >= most || (it != byHost.end() && it->second >= mostPerHost);
        }
        void take(const std::string& host) {
            ++all;
            ++byHost[host];
        }
        void give(const std::string& host) {
            --all;
            if (--byHost[host] <= 0) byHost.erase(host);
        }
    } loads, pageSlots;
    RateLimit requests;
    std::uint64_t lastChanges = ~0ull, cachedVersion = ~0ull;
    std::shared_ptr<const std::string> cachedState;
    std::int64_t lastPositionNs = 0, lastStateNs = 0, nextListenNs = 0;
    std::map<std::string, std::int64_t> saidAt; // host + kind: when it was last said
    std::uint64_t nextId = 1;
    // Last, so destroyed first: the io_context's destructor destroys the handlers still waiting,
    // and with them the sessions, which tell the members above that they are gone.
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    net::steady_timer tick{io}, acceptRetry{io};

    Impl(control::Router& r, const control::ShowStatePublisher& s, WebOptions o, FrameClock clock,
         std::shared_ptr<RemoteGate> g)
        : router(r), state(s), options(std::move(o)), files(options.pages),
          gate(g ? std::move(g) : std::make_shared<RemoteGate>(r, std::move(clock), options.budgets)),
          requests(options.requestsPerHost, options.requestsBurst) {
        tokenPair = loadWebTokens(options.tokenFile);
        tokenStamp = fileStamp(options.tokenFile);
        beast::error_code ec;
        (void)net::ip::make_address(options.at.address, ec);
        if (ec) throw Error("--web " + options.at.address + ": not an IP address");
        listenProblem = listen();
    }

    /// Opens the listening socket; "" or why not.
    std::string listen() {
        beast::error_code ec;
        acceptor.close(ec);
        ec.clear();
        const net::ip::address address = net::ip::make_address(options.at.address, ec);
        const tcp::endpoint at{address, static_cast<unsigned short>(options.at.port)};
        acceptor.open(at.protocol(), ec);
        if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec && address.is_v6()) acceptor.set_option(net::ip::v6_only(false), ec);
        if (!ec) acceptor.bind(at, ec);
        if (!ec) acceptor.listen(64, ec);
        if (ec) {
            acceptor.close(ec);
            return "cannot listen on " + options.at.address + ":" + std::to_string(options.at.port) + ": " +
                   ec.message() +
                   (ec.value() == EADDRINUSE      ? " (another program has the port: stop it or pick another)"
                    : ec.value() == EADDRNOTAVAIL ? " (the address is not one of this machine's, or its network is "
                                                    "not up yet: see 'ip address')"
                                                  : "");
        }
        boundPort = acceptor.local_endpoint().port();
        return {};
    }

    void note(const std::string& line) { notes.enqueue(oneLine(line)); }
    /// Said at most once a minute per address and kind (a refusal repeated a thousand times is one
    /// line, and one an hour later is said again).
    void noteEvery(const std::string& host, const std::string& kind, const std::string& line) {
        const std::int64_t now = steadyNs();
        if (saidAt.size() > 1024) saidAt.clear();
        auto [it, fresh] = saidAt.try_emplace(host + " " + kind, now);
        if (!fresh && now - it->second < 60'000'000'000) return;
        it->second = now;
        note(line);
    }

    WebTokens tokens() const {
        std::lock_guard lock(tokenMutex);
        return tokenPair;
    }

    /// The whole state as JSON, made once per snapshot for every page that wants it.
    std::shared_ptr<const std::string> stateText(const std::shared_ptr<const control::ShowState>& st,
                                                 std::int64_t now) {
        if (!cachedState || st->version != cachedVersion) {
            cachedVersion = st->version;
            cachedState = std::make_shared<const std::string>(webState(*st, static_cast<double>(now) / 1e6));
        }
        return cachedState;
    }

    void accept();
    void onTick();
    void work(std::int64_t now);
    void checkTokens(std::int64_t now);
    void broadcast(const std::shared_ptr<const std::string>& message, bool isState);
};

} // namespace stemdeck::remote
