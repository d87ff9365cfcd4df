#pragma once
// The web remote's connections: a page load (HttpSession: HTTP requests for the pages, until it
// asks for the WebSocket) and a page (WsSession: its WebSocket, its write queue, its limits).
// Private to src/remote/, included by WebServer.cpp alone (after WebServerImpl.h).
#include "WebServerImpl.h"

namespace stemdeck::remote {

/// One connection's HTTP side: requests for the pages until it asks for the WebSocket.
struct HttpSession : std::enable_shared_from_this<HttpSession> {
    WebServer::Impl& server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer{16 * 1024};
    std::optional<http::request_parser<http::string_body>> parser;
    std::string host; // its address (IPv6: its /64): what its slots count against
    bool loopback = false;
    bool handedOver = false;

    HttpSession(WebServer::Impl& s, tcp::socket socket, std::string h, bool lo)
        : server(s), stream(std::move(socket)), host(std::move(h)), loopback(lo) {}
    ~HttpSession() {
        if (!handedOver) server.loads.give(host);
    }

    /// `seconds`: the first request's headers must come within headerSeconds (slow-loris); the
    /// next one on a kept-alive connection within keepAliveSeconds, or it is closed.
    void read(int seconds) {
        parser.emplace();
        parser->header_limit(8 * 1024); // a page's request is a few hundred bytes
        parser->body_limit(1024);       // GET only: no body is wanted
        stream.expires_after(std::chrono::seconds(seconds));
        http::async_read(stream, buffer, *parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void refused(const std::string& kind, const std::string& line) {
        server.count.refused.fetch_add(1, std::memory_order_relaxed);
        server.noteEvery(host, kind, line);
    }

    void onRead(beast::error_code ec) {
        if (ec == http::error::header_limit || ec == http::error::body_limit) {
            refused("oversized", "web: refused an oversized request from " + host);
            return reply(http::status::request_header_fields_too_large, "request too large\n", false);
        }
        if (ec) return; // closed, timed out (slow-loris) or garbled: the connection goes
        server.count.requests.fetch_add(1, std::memory_order_relaxed);
        http::request<http::string_body> req = parser->release();
        if (!server.requests.take(host, seconds(steadyNs()))) {
            refused("flood", "web: more than " + std::to_string(static_cast<int>(server.options.requestsPerHost)) +
                                 " requests a second from " + host + ": refused");
            return reply(http::status::too_many_requests, "too many requests\n", false);
        }
        const std::string hostHeader(req[http::field::host]);
        if (!hostAcceptable(hostHeader, server.names)) {
            refused("host", "web: refused a request from " + host + " for another site's name (Host: " +
                                hostHeader.substr(0, 60) + ")");
            return reply(http::status::forbidden, "use this machine's address (http://ADDRESS:PORT/)\n", false);
        }
        // A request passed on by a proxy or a tunnel on this machine is not from this machine.
        if (req.find("Forwarded") != req.end() || req.find("X-Forwarded-For") != req.end() ||
            req.find("X-Real-IP") != req.end())
            loopback = false;
        if (websocket::is_upgrade(req)) return upgrade(std::move(req), hostHeader);
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return reply(http::status::method_not_allowed, "only GET\n", req.keep_alive());
        const WebFiles::Route route = server.files.route(sv(req.target()));
        if (route.status != 200) {
            server.count.refused.fetch_add(1, std::memory_order_relaxed);
            return reply(route.status == 400 ? http::status::bad_request : http::status::not_found, "not here\n",
                         req.keep_alive());
        }
        const std::string& body = route.file->body;
        const auto range = req.find(http::field::range) != req.end()
                               ? byteRange(sv(req[http::field::range]), body.size())
                               : std::nullopt;
        auto res = std::make_shared<http::response<http::string_body>>(
            range ? http::status::partial_content : http::status::ok, req.version());
        res->set(http::field::server, "stemdeck");
        res->set(http::field::content_type, route.file->type);
        res->set(http::field::cache_control, "no-cache");
        res->set(http::field::accept_ranges, "bytes");
        res->set("X-Content-Type-Options", "nosniff");
        res->set("X-Frame-Options", "DENY");
        res->set("Referrer-Policy", "no-referrer");
        // (the WebSocket named with its address: older Safari does not count ws: as 'self')
        res->set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws://" + hostHeader +
                                                "; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'");
        const std::size_t first = range ? range->first : 0, last = range ? range->second : body.size() - 1;
        if (range)
            res->set(http::field::content_range, "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                     std::to_string(body.size()));
        if (req.method() == http::verb::get && !body.empty()) res->body() = body.substr(first, last - first + 1);
        res->prepare_payload();
        if (req.method() == http::verb::head) res->content_length(body.size());
        res->keep_alive(req.keep_alive());
        write(res);
    }

    void reply(http::status status, const std::string& text, bool keepAlive) {
        auto res = std::make_shared<http::response<http::string_body>>(status, 11);
        res->set(http::field::server, "stemdeck");
        res->set(http::field::content_type, "text/plain; charset=utf-8");
        res->body() = text;
        res->prepare_payload();
        res->keep_alive(keepAlive);
        write(res);
    }

    void write(const std::shared_ptr<http::response<http::string_body>>& res) {
        stream.expires_after(std::chrono::seconds(30));
        http::async_write(stream, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec) return;
            if (!res->keep_alive()) {
                self->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
                return;
            }
            self->read(self->server.options.keepAliveSeconds);
        });
    }

    void upgrade(http::request<http::string_body> req, const std::string& hostHeader);
};

/// One page on its WebSocket.
struct WsSession : std::enable_shared_from_this<WsSession> {
    struct Out {
        std::shared_ptr<const std::string> text;
        enum class Kind { reply, state, position, close } kind = Kind::reply;
        std::uint16_t code = 0;
    };
    WebServer::Impl& server;
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer in;
    std::string host;
    std::string id;
    std::string view;
    std::string token; // as it joined with
    bool loopback = false;
    bool control = false;
    bool closing = false, dropped = false;
    std::deque<Out> queue;
    std::size_t queued = 0;
    bool writing = false;
    std::int64_t writeSince = 0;
    RateLimit limit, gets{2.0, 4.0}; // messages; whole states asked for
    // Messages past the limit: a page that keeps sending them (over 100 a second beyond its 30, for
    // 3 s) is a flood, not a hand on a fader, and is closed.
    RateLimit strikes{100.0, 300.0};
    std::int64_t lastBusyReply = 0;

    WsSession(WebServer::Impl& s, tcp::socket socket, std::string h, bool lo, std::string i)
        : server(s), ws(std::move(socket)), host(std::move(h)), id(std::move(i)), loopback(lo),
          limit(s.options.perClient, s.options.perClientBurst) {}
    ~WsSession() {
        server.pageSlots.give(host);
        if (!view.empty()) server.count.clients.fetch_sub(1, std::memory_order_relaxed);
    }

    void run(http::request<http::string_body> req, WsTarget target) {
        ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                      std::chrono::seconds(server.options.stallSeconds), true});
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "stemdeck"); }));
        ws.read_message_max(kMaxWebMessage);
        beast::get_lowest_layer(ws).expires_never();
        const WebTokens t = server.tokens();
        const bool controlToken = tokensMatch(target.token, t.control);
        const bool bandToken = tokensMatch(target.token, t.band);
        control = target.view == "control" && (loopback || controlToken);
        const bool may = control || controlToken || bandToken || loopback ||
                         (target.view == "band" && server.options.openBand);
        token = target.token;
        ws.async_accept(req, [self = shared_from_this(), may, target](beast::error_code ec) {
            if (ec) return;
            self->ws.text(true);
            if (!may) {
                self->server.count.refused.fetch_add(1, std::memory_order_relaxed);
                self->server.noteEvery(self->host, "token", "web: refused a page from " + self->host +
                                                                ": no valid token (it must scan the QR code)");
                self->send(webRefused(target.token.empty()
                                          ? "This page needs the show's QR code: scan it again."
                                          : "This link's token is wrong or out of date: scan the QR code again.",
                                      "token"),
                           Out::Kind::reply);
                self->closeWith(kCloseToken);
                return;
            }
            self->view = target.view;
            self->server.count.clients.fetch_add(1, std::memory_order_relaxed);
            self->server.pages.push_back(self);
            self->send(webHello(self->view, self->control), Out::Kind::reply);
            self->send(self->server.stateText(self->server.state.latest(), steadyNs()), Out::Kind::state);
            self->read();
        });
    }

    void read() {
        ws.async_read(in, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (ec == websocket::error::message_too_big) {
            server.count.refused.fetch_add(1, std::memory_order_relaxed);
            server.noteEvery(host, "too big", "web: a page at " + host + " sent a message over 4 KiB: closed");
            return; // (Beast has closed it with 1009)
        }
        if (ec == beast::error::timeout) // no pong to Beast's ping: the phone is asleep or gone
            return drop("it answered no ping for " + std::to_string(server.options.stallSeconds) + " s");
        if (ec) return;
        server.count.messages.fetch_add(1, std::memory_order_relaxed);
        const std::string text = beast::buffers_to_string(in.data());
        in.consume(in.size());
        if (!closing) handle(text);
        read();
    }

    void handle(const std::string& text) {
        const std::int64_t now = steadyNs();
        if (!limit.take(id, seconds(now))) {
            server.count.refused.fetch_add(1, std::memory_order_relaxed);
            if (!strikes.take(id, seconds(now))) { // a flood, not a fader: the page goes
                server.noteEvery(host, "flood", "web: a page at " + host + " flooded the show with messages: closed");
                send(webRefused("Too many messages: this page was disconnected.", "busy"), Out::Kind::reply);
                closeWith(kCloseBusy);
                return;
            }
            if (now - lastBusyReply > 1'000'000'000) {
                lastBusyReply = now;
                send(webReply("", "more than " + std::to_string(static_cast<int>(server.options.perClient)) +
                                      " messages a second from this page: some were dropped"),
                     Out::Kind::reply);
            }
            return;
        }
        const auto st = server.state.latest();
        const WebTranslation t = translateWeb(text, *st);
        if (!t.request) {
            server.count.refused.fetch_add(1, std::memory_order_relaxed);
            send(webReply(t.id, t.error), Out::Kind::reply);
            return;
        }
        if (t.request->kind == WebRequest::Kind::get) { // (a page that lost track: twice a second is plenty)
            if (gets.take(id, seconds(now)))
                send(server.stateText(st, now), Out::Kind::state);
            else
                send(webReply(t.id, "the whole state at most twice a second"), Out::Kind::reply);
            return;
        }
        const control::ActionCall& call = t.request->call;
        std::string problem;
        if (!control)
            problem = "view only: this page cannot change the show (scan the control QR code)";
        else if (call.action == control::Action::unlock && !loopback && !tokensMatch(token, server.tokens().control))
            problem = "unlock needs the control token (scan the control QR code)";
        else if (const GateRefusal why = server.gate->offer(call, seconds(now), server.options.obeyLock);
                 why != GateRefusal::none)
            problem = why == GateRefusal::locked ? "the show is locked (--web-obeys-lock): unlock it first"
                                                 : gateRefusalText(why);
        if (problem.empty()) {
            server.count.applied.fetch_add(1, std::memory_order_relaxed);
        } else {
            server.count.refused.fetch_add(1, std::memory_order_relaxed);
        }
        send(webReply(t.id, problem), Out::Kind::reply);
    }

    /// Queues a message. A state or a position not yet being written is replaced by the newer one
    /// (a slow page gets the latest, not a backlog); a page whose queue passes the limit is dropped.
    void send(std::string text, Out::Kind kind) {
        if (closing) return;
        auto message = std::make_shared<const std::string>(std::move(text));
        send(std::move(message), kind);
    }
    void send(std::shared_ptr<const std::string> message, Out::Kind kind) {
        if (closing) return;
        if (kind == Out::Kind::state || kind == Out::Kind::position) {
            for (std::size_t i = writing ? 1 : 0; i < queue.size(); ++i)
                if (queue[i].kind == kind) {
                    queued -= queue[i].text->size();
                    queued += message->size();
                    queue[i].text = std::move(message);
                    return;
                }
        }
        queued += message->size();
        queue.push_back({std::move(message), kind, 0});
        if (queued > server.options.maxQueued) return drop("more than " + std::to_string(server.options.maxQueued / 1024) + " KiB waiting");
        pump();
    }

    void closeWith(std::uint16_t code) {
        queue.push_back({nullptr, Out::Kind::close, code});
        pump();
        closing = true;
    }

    void pump() {
        if (writing || queue.empty()) return;
        writing = true;
        writeSince = steadyNs();
        Out& next = queue.front();
        if (next.kind == Out::Kind::close) {
            ws.async_close(websocket::close_reason(next.code),
                           [self = shared_from_this()](beast::error_code) { self->writing = false; });
            return;
        }
        ws.async_write(net::buffer(*next.text), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->writing = false;
            if (self->queue.empty()) return;
            self->queued -= self->queue.front().text->size();
            self->queue.pop_front();
            if (ec) return;
            self->server.count.framesSent.fetch_add(1, std::memory_order_relaxed);
            self->server.count.bytesSent.fetch_add(n, std::memory_order_relaxed);
            self->pump();
        });
    }

    /// A page that does not read (a phone asleep with its socket open, a broken client): its
    /// socket is closed, so that it holds nothing of the show's.
    void drop(const std::string& why) {
        if (dropped) return;
        dropped = closing = true;
        server.count.dropped.fetch_add(1, std::memory_order_relaxed);
        server.note("web: dropped the page at " + host + " (" + view + " view): " + why);
        beast::error_code ec;
        beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(ws).socket().close(ec);
    }

    /// Every tick: a write that has not finished for stallSeconds means the page reads nothing.
    void watch(std::int64_t now) {
        if (writing && !dropped && now - writeSince > std::int64_t{server.options.stallSeconds} * 1'000'000'000)
            drop("it took nothing for " + std::to_string(server.options.stallSeconds) + " s");
    }

    /// The tokens changed (rotated): a page that joined with an old one goes.
    void recheck(const WebTokens& t) {
        if (closing || loopback) return; // (on this machine no token was needed)
        if (view == "band" && !control && server.options.openBand) return;
        if (tokensMatch(token, t.control) || tokensMatch(token, t.band)) return;
        send(webRefused("The show's tokens were changed: scan the new QR code.", "token"), Out::Kind::reply);
        closeWith(kCloseToken);
    }
};

void HttpSession::upgrade(http::request<http::string_body> req, const std::string& hostHeader) {
    const auto origin = req.find(http::field::origin);
    if (origin != req.end() && !originMatches(sv(origin->value()), hostHeader)) {
        refused("origin", "web: refused a WebSocket from another site's page (Origin: " +
                              std::string(origin->value().substr(0, 60)) + ") at " + host);
        return reply(http::status::forbidden, "not from this site\n", false);
    }
    const std::optional<WsTarget> target = parseWsTarget(sv(req.target()));
    if (!target) return reply(http::status::not_found, "not here\n", false);
    // (this machine's own pages count only against the total: a rig's screens, a benchmark's 20)
    if (server.pageSlots.full(host, server.options.maxPages,
                              loopback ? server.options.maxPages : server.options.maxPagesPerHost)) {
        refused("pages", "web: too many pages open (from " + host + "): refused");
        return reply(http::status::service_unavailable, "too many pages\n", false);
    }
    handedOver = true; // a page now: it counts against the pages' slots, not the page loads'
    server.loads.give(host);
    server.pageSlots.take(host);
    std::make_shared<WsSession>(server, stream.release_socket(), host, loopback, host + "#" + std::to_string(server.nextId++))
        ->run(std::move(req), *target);
}

} // namespace stemdeck::remote
