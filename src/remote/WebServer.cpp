// The web remote's server: Boost.Beast (HTTP/1.1 and WebSocket) over Boost.Asio, on one thread
// that runs one io_context. Beast is included by this translation unit alone (it is header-only
// and heavy to compile): the server's state is in WebServerImpl.h, its connections in
// WebSessions.h, and here the thread's work (accepting, the tick, the tokens) and the public API.
#include "stemdeck/remote/WebServer.h"

#include "WebServerImpl.h"
#include "WebSessions.h"

namespace stemdeck::remote {

void WebServer::Impl::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted) return;
        if (ec) { // out of file descriptors, say: said, and tried again in a moment (not in a spin)
            noteEvery("*", "accept", "web: cannot take a connection: " + ec.message());
            acceptRetry.expires_after(std::chrono::milliseconds(100));
            acceptRetry.async_wait([this](beast::error_code e) {
                if (!e) accept();
            });
            return;
        }
        count.connections.fetch_add(1, std::memory_order_relaxed);
        const net::ip::address a = plainAddress(socket.remote_endpoint(ec).address());
        if (!ec) {
            const std::string who = hostKey(a);
            if (loads.full(who, options.maxLoads, a.is_loopback() ? options.maxLoads : options.maxLoadsPerHost)) {
                count.refused.fetch_add(1, std::memory_order_relaxed);
                noteEvery(who, "connections", "web: too many connections at once (from " + who + "): refused");
                socket.close(ec);
            } else {
                socket.set_option(tcp::no_delay(true), ec);
                socket.set_option(net::socket_base::send_buffer_size(64 * 1024), ec);
                loads.take(who);
                std::make_shared<HttpSession>(*this, std::move(socket), who, a.is_loopback())
                    ->read(options.headerSeconds);
            }
        }
        accept();
    });
}

void WebServer::Impl::broadcast(const std::shared_ptr<const std::string>& message, bool isState) {
    for (const std::weak_ptr<WsSession>& w : pages)
        if (const auto p = w.lock())
            p->send(message, isState ? WsSession::Out::Kind::state : WsSession::Out::Kind::position);
}

void WebServer::Impl::checkTokens(std::int64_t now) {
    if (now - lastTokenCheck < kTokenCheckNs) return;
    lastTokenCheck = now;
    const std::int64_t stamp = fileStamp(options.tokenFile);
    if (stamp == tokenStamp) return;
    tokenStamp = stamp;
    try {
        const WebTokens t = readWebTokens(options.tokenFile); // (never made here: a file gone keeps the tokens in use)
        if (t == tokens()) return;
        {
            std::lock_guard lock(tokenMutex);
            tokenPair = t;
        }
        note("web: the tokens were changed: pages that joined with the old ones are refused");
        for (const std::weak_ptr<WsSession>& w : pages)
            if (const auto p = w.lock()) p->recheck(t);
    } catch (const std::exception& e) {
        noteEvery("*", "tokens", std::string("web: ") + e.what() + "; the tokens in use stay");
    }
}

void WebServer::Impl::onTick() {
    tick.expires_after(kTick); // first: whatever happens below, the next tick comes
    tick.async_wait([this](beast::error_code ec) {
        if (!ec) onTick();
    });
    try {
        work(steadyNs());
    } catch (const std::exception& e) {
        noteEvery("*", "tick", std::string("web: ") + e.what());
    }
}

void WebServer::Impl::work(std::int64_t now) {
    if (boundPort == 0 && now >= nextListenNs) { // the socket would not open: again, every few seconds
        nextListenNs = now + std::int64_t{options.retrySeconds} * 1'000'000'000;
        const std::string problem = listen();
        if (problem.empty()) {
            note("web: listening on " + options.at.address + ":" + std::to_string(boundPort.load()));
            accept();
        } else if (problem != listenProblem) {
            note("web: " + problem + "; trying again every " + std::to_string(options.retrySeconds) + " s");
        }
        listenProblem = problem;
    }
    std::erase_if(pages, [](const std::weak_ptr<WsSession>& w) { return w.expired(); });
    const auto st = state.latest();
    // A change at once, then at most 10 a second (a run of xruns must not flood the pages); the
    // position 5 times a second.
    if (st->changes != lastChanges && now - lastStateNs >= 100'000'000) {
        lastChanges = st->changes;
        lastStateNs = lastPositionNs = now;
        broadcast(stateText(st, now), true);
    } else if (now - lastPositionNs >= kPositionNs) {
        lastPositionNs = now;
        broadcast(std::make_shared<const std::string>(webPosition(*st, static_cast<double>(now) / 1e6)), false);
    }
    for (const std::weak_ptr<WsSession>& w : pages)
        if (const auto p = w.lock()) p->watch(now);
    checkTokens(now);
}

WebServer::WebServer(control::Router& router, const control::ShowStatePublisher& state, WebOptions options,
                     FrameClock clock, std::shared_ptr<RemoteGate> gate)
    : impl_(std::make_unique<Impl>(router, state, std::move(options), std::move(clock), std::move(gate))) {}

WebServer::~WebServer() {
    stop();
}

void WebServer::start() {
    if (impl_->thread.joinable()) return;
    if (impl_->boundPort != 0) impl_->accept();
    impl_->onTick();
    impl_->thread = std::thread([this] {
        setThreadName("stemdeck-web");
        for (;;) {
            try {
                impl_->io.run();
                return;
            } catch (const std::exception& e) { // one page's trouble never ends the remote
                impl_->note(std::string("web: ") + e.what());
            }
        }
    });
}

void WebServer::stop() {
    if (!impl_->thread.joinable()) return;
    impl_->io.stop();
    impl_->thread.join();
}

std::vector<std::string> WebServer::takeNotes() {
    std::vector<std::string> out;
    std::string line;
    while (impl_->notes.try_dequeue(line))
        out.push_back(std::move(line));
    return out;
}

std::string WebServer::describe() const {
    const WebOptions& o = impl_->options;
    if (impl_->boundPort == 0)
        return "web remote: " + impl_->listenProblem + "; the show plays on, and it tries again every " +
               std::to_string(o.retrySeconds) + " s";
    std::string at = o.at.address;
    if (at.find(':') != std::string::npos) at = "[" + at + "]";
    return "web remote: http://" + at + ":" + std::to_string(impl_->boundPort.load()) +
           "/ (band view /band, control /control" + (o.openBand ? "; the band view needs no token" : "") +
           "); tokens in " + o.tokenFile.string();
}

int WebServer::port() const noexcept {
    return impl_->boundPort;
}

const WebOptions& WebServer::options() const noexcept {
    return impl_->options;
}

WebTokens WebServer::tokens() const {
    return impl_->tokens();
}

WebServer::Counts WebServer::counts() const noexcept {
    const Impl::Atomics& a = impl_->count;
    Counts c;
    c.connections = a.connections.load(std::memory_order_relaxed);
    c.requests = a.requests.load(std::memory_order_relaxed);
    c.messages = a.messages.load(std::memory_order_relaxed);
    c.applied = a.applied.load(std::memory_order_relaxed);
    c.refused = a.refused.load(std::memory_order_relaxed);
    c.dropped = a.dropped.load(std::memory_order_relaxed);
    c.framesSent = a.framesSent.load(std::memory_order_relaxed);
    c.bytesSent = a.bytesSent.load(std::memory_order_relaxed);
    c.clients = a.clients.load(std::memory_order_relaxed);
    return c;
}

} // namespace stemdeck::remote
