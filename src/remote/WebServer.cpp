// The web remote's server: Boost.Beast (HTTP/1.1 and WebSocket) over Boost.Asio, on one thread
// that runs one io_context. Beast is included here alone (it is header-only and heavy to compile).
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
    if (server.pageSlots.full(host, server.options.maxPages, server.options.maxPagesPerHost)) {
        refused("pages", "web: too many pages open (from " + host + "): refused");
        return reply(http::status::service_unavailable, "too many pages\n", false);
    }
    handedOver = true; // a page now: it counts against the pages' slots, not the page loads'
    server.loads.give(host);
    server.pageSlots.take(host);
    std::make_shared<WsSession>(server, stream.release_socket(), host, loopback, host + "#" + std::to_string(server.nextId++))
        ->run(std::move(req), *target);
}

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
            if (loads.full(who, options.maxLoads, options.maxLoadsPerHost)) {
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
