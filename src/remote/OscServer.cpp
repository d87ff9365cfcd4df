#include "stemdeck/remote/OscServer.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/common/Clock.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/common/Thread.h"
#include "stemdeck/remote/AbleSet.h"
#include "stemdeck/remote/OscAccess.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/OscFeedback.h"
#include "stemdeck/remote/RemoteGate.h"

namespace stemdeck::remote {

std::optional<Endpoint> parseEndpoint(const std::string& text, int defaultPort, std::string& error) {
    Endpoint e;
    std::string port;
    if (!text.empty() && text.front() == '[') { // [::1]:9000
        const auto close = text.find(']');
        if (close == std::string::npos) {
            error = "'" + text + "': an IPv6 address is written [ADDRESS]:PORT";
            return std::nullopt;
        }
        e.address = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                error = "'" + text + "': write [ADDRESS]:PORT";
                return std::nullopt;
            }
            port = text.substr(close + 2);
        }
    } else if (const auto colon = text.find(':');
               colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
        e.address = text.substr(0, colon);
        port = text.substr(colon + 1);
    } else if (text.find_first_not_of("0123456789") == std::string::npos) {
        port = text;
    } else {
        e.address = text; // an address alone (IPv4, or IPv6 without brackets)
    }
    if (port.empty()) {
        e.port = defaultPort;
    } else if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
               std::stoi(port) > 65535) {
        error = "'" + text + "': the port is a number from 1 to 65535";
        return std::nullopt;
    } else {
        e.port = std::stoi(port);
    }
    if (e.address.empty()) e.address = "127.0.0.1";
    if (!parseNetwork(e.address) || e.address.find('/') != std::string::npos) {
        error = "'" + text + "': '" + e.address + "' is not an IP address (such as 127.0.0.1, 192.168.1.10 or 0.0.0.0)";
        return std::nullopt;
    }
    return e;
}

namespace {

enum class Profile { native, ableSet };

struct Socket {
    Profile profile = Profile::native;
    int fd = -1;
    Endpoint at;
    bool loopbackOnly = true;
};

struct Subscriber {
    Profile profile = Profile::native;
    Peer to;
    bool fine = false; // AbleSet: finePosition too
};

double seconds(std::int64_t ns) {
    return static_cast<double>(ns) * 1e-9;
}


Socket openSocket(Profile profile, const Endpoint& at, const char* option) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string where = at.address + ":" + std::to_string(at.port);
    if (const int rc = getaddrinfo(at.address.c_str(), std::to_string(at.port).c_str(), &hints, &found); rc != 0)
        throw Error(std::string(option) + " " + where + ": " + gai_strerror(rc));
    Socket s;
    s.profile = profile;
    s.at = at;
    s.loopbackOnly = loopbackAddress(at.address);
    s.fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s.fd < 0) {
        freeaddrinfo(found);
        throw Error(std::string(option) + " " + where + ": no UDP socket: " + std::strerror(errno));
    }
    if (found->ai_family == AF_INET6) {
        const int no = 0; // [::] takes IPv4 senders too
        setsockopt(s.fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
    }
    const int rc = bind(s.fd, found->ai_addr, found->ai_addrlen);
    const int err = errno;
    freeaddrinfo(found);
    if (rc != 0) {
        close(s.fd);
        throw Error(std::string(option) + " " + where + ": cannot listen there: " + std::strerror(err) +
                    (err == EADDRINUSE      ? " (another program has the port: stop it or pick another port)"
                     : err == EADDRNOTAVAIL ? " (the address is not one of this machine's: see 'ip address')"
                                            : ""));
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    getsockname(s.fd, reinterpret_cast<sockaddr*>(&bound), &length);
    Peer p{bound, length};
    s.at.port = p.port();
    return s;
}

} // namespace

std::string accessProblem(const OscOptions& options) {
    for (const std::string& item : options.allow)
        if (!parseNetwork(item))
            return "--osc-allow '" + item +
                   "' is not an address or a network: write 192.168.1.20, 192.168.1.0/24 or fd00::/8";
    if (options.native && !loopbackAddress(options.native->address) && options.allow.empty() && options.token.empty())
        return "--osc " + options.native->address +
               " listens on the network, and nobody there may send: add --osc-allow with the controlling machines' "
               "addresses (192.168.1.20 or 192.168.1.0/24) or --osc-token WORD (sent as token=WORD); a sender on "
               "this machine needs neither";
    if (options.ableSet && !loopbackAddress(options.ableSet->address) && options.allow.empty())
        return "--osc-ableset " + options.ableSet->address +
               " listens on the network, and nobody there may send: add --osc-allow with Companion's address "
               "(Companion cannot send a token); Companion on this machine needs nothing";
    return {};
}

struct OscServer::Impl {
    control::Router& router;
    const control::ShowStatePublisher& state;
    OscOptions options;
    FrameClock clock;
    std::shared_ptr<RemoteGate> gate; // the way in (shared with the web remote)
    std::vector<Network> allow;
    std::vector<Socket> sockets;
    std::thread thread;
    std::atomic<bool> stopping{false};
    moodycamel::ConcurrentQueue<std::string> notes;
    std::atomic<std::uint64_t> received{0}, applied{0}, refused{0}, repeated{0}, sent{0}, failures{0}, sendFailures{0};
    std::int64_t lastRefreshNs = 0;
    bool failureSaid = false;

    // The OSC thread's own.
    RateLimit limit;                                    // per host
    RateLimit dumpLimit{4.0, 8.0};                      // dumps and subscriptions, per host and profile
    std::pair<bool, std::int64_t> vampIntent{false, 0}; // AbleSet's last loop command, and when
    UuidMemory uuids;
    std::vector<Subscriber> subscribers;
    FeedCache nativeCache, nativePositionCache, ableCache, ablePositionCache;
    std::uint64_t lastVersion = ~0ull, lastChanges = ~0ull;
    std::int64_t startNs = 0, lastPositionNs = 0, lastBeatNs = 0, lastSummaryNs = 0;
    std::set<std::string> said, saidBad; // host + reason (or address), said once
    std::uint64_t refusedSinceSummary = 0;
    std::string lastReason;

    Impl(control::Router& r, const control::ShowStatePublisher& s, OscOptions o, FrameClock c,
         std::shared_ptr<RemoteGate> g)
        : router(r), state(s), options(std::move(o)), clock(std::move(c)),
          gate(g ? std::move(g) : std::make_shared<RemoteGate>(r, clock, options.budgets)),
          limit(options.perSecond, options.burst) {
        if (const std::string problem = accessProblem(options); !problem.empty()) throw Error(problem);
        for (const std::string& item : options.allow)
            allow.push_back(*parseNetwork(item));
        if (options.native) sockets.push_back(openSocket(Profile::native, *options.native, "--osc"));
        if (options.ableSet) {
            try {
                sockets.push_back(openSocket(Profile::ableSet, *options.ableSet, "--osc-ableset"));
            } catch (const Error&) {
                for (const Socket& open : sockets)
                    close(open.fd);
                throw;
            }
        }
    }
    ~Impl() {
        for (const Socket& s : sockets)
            close(s.fd);
    }

    /// A line for the log. What a sender wrote may be in it (an address, a name): control characters
    /// become '?' and anything not UTF-8 is replaced, so a message cannot write into the operator's
    /// terminal (clear it, move the cursor, forge a line).
    void note(const std::string& line) {
        std::string clean = validUtf8(line);
        for (char& c : clean)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
        notes.enqueue(std::move(clean));
    }

    [[nodiscard]] bool allowed(const Peer& peer) const {
        if (peer.loopback()) return true;
        return std::any_of(allow.begin(), allow.end(), [&](const Network& n) { return peer.in(n); });
    }

    void send(const Socket& s, const Peer& to, const OscMessage& m) {
        const std::vector<char> bytes = encodeOsc(m);
        if (bytes.empty()) return;
        if (sendto(s.fd, bytes.data(), bytes.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.addr),
                   to.length) >= 0)
            sent.fetch_add(1, std::memory_order_relaxed);
        else
            sendFailures.fetch_add(1, std::memory_order_relaxed); // (the next refresh sends it again)
    }

    const Socket* socketOf(Profile profile) const {
        for (const Socket& s : sockets)
            if (s.profile == profile) return &s;
        return nullptr;
    }

    /// A refusal: counted, said the first time for this host and reason, and (to an allowed
    /// sender of stemdeck's own addresses) answered with /stemdeck/error.
    void refuse(const Socket& s, const Peer& peer, const std::string& reason, const std::string& detail,
                const std::string& path, bool reply) {
        refused.fetch_add(1, std::memory_order_relaxed);
        ++refusedSinceSummary;
        lastReason = reason;
        // Said once per host and kind of refusal; a message that was not understood once per host and
        // address, in a set of its own (so that many wrong addresses cannot crowd out a new host's
        // first refusal).
        const bool bad = reason == "bad message";
        std::set<std::string>& once = bad ? saidBad : said;
        if (once.size() < (bad ? 256u : 1024u) &&
            once.insert(peer.host() + " " + (bad ? path.substr(0, 80) : reason)).second)
            note("OSC: refused " + (path.empty() ? std::string("a message") : path.substr(0, 80)) + " from " +
                 peer.host() + ":" + std::to_string(peer.port()) + ": " + detail);
        if (reply && s.profile == Profile::native) // (the address cut short: the reply is no bigger than asked for)
            send(s, peer,
                 {"/stemdeck/error", {OscValue::string(detail.substr(0, 300)), OscValue::string(path.substr(0, 64))}});
    }

    std::vector<OscMessage> full(Profile profile, const control::ShowState& st, bool fine) const {
        std::vector<OscMessage> out = profile == Profile::native ? nativeState(st) : ableSetState(st);
        const std::vector<OscMessage> pos = profile == Profile::native ? nativePosition(st) : ableSetPosition(st, fine);
        out.insert(out.end(), pos.begin(), pos.end());
        return out;
    }

    OscMessage heartbeat(Profile profile, std::int64_t now) const {
        if (profile == Profile::ableSet) return {"/heartbeat", {}};
        return {"/stemdeck/heartbeat", {OscValue::integer((now - startNs) / 1'000'000'000)}};
    }

    void dump(const Socket& s, const Peer& to, bool fine) {
        const auto st = state.latest();
        for (const OscMessage& m : full(s.profile, *st, fine))
            send(s, to, m);
        send(s, to, heartbeat(s.profile, steadyNs()));
    }

    void subscribe(const Socket& s, const Peer& to, bool fine) {
        feed(steadyNs(), true); // the caches now hold the state the new subscriber is given whole
        // The same subscriber again (host and port): a new dump. (Two Companion instances on one
        // machine listen on two ports: two subscribers. One killed without unsubscribing stays
        // until newer ones push it out of the 16.)
        auto same = std::find_if(subscribers.begin(), subscribers.end(),
                                 [&](const Subscriber& x) { return x.profile == s.profile && x.to == to; });
        if (same != subscribers.end()) {
            same->fine = fine;
        } else {
            const auto count = std::count_if(subscribers.begin(), subscribers.end(),
                                             [&](const Subscriber& x) { return x.profile == s.profile; });
            if (count >= options.maxSubscribers) { // the oldest goes: most likely one that went away unsaid
                const auto oldest = std::find_if(subscribers.begin(), subscribers.end(),
                                                 [&](const Subscriber& x) { return x.profile == s.profile; });
                note("OSC: " + std::to_string(options.maxSubscribers) + " subscribers already: " + oldest->to.host() +
                     ":" + std::to_string(oldest->to.port()) + " (the oldest) is dropped");
                subscribers.erase(oldest);
            }
            subscribers.push_back({s.profile, to, fine});
            note("OSC: " + to.host() + ":" + std::to_string(to.port()) + " subscribed" +
                 (s.profile == Profile::ableSet ? " (AbleSet)" : ""));
        }
        dump(s, to, fine);
    }

    /// `port`: the subscription at that port of the sender's host (native: also the sender's own
    /// port); none matching, or AbleSet (whose client sends from another port than it listens
    /// on): every subscription of the sender's host.
    void unsubscribe(const Socket& s, const Peer& peer, const std::optional<int>& port) {
        const auto before = subscribers.size();
        if (s.profile == Profile::native) {
            const Peer at = port ? peer.withPort(*port) : peer;
            std::erase_if(subscribers, [&](const Subscriber& x) { return x.profile == s.profile && x.to == at; });
        }
        if (subscribers.size() == before && (!port || s.profile == Profile::ableSet))
            std::erase_if(subscribers,
                          [&](const Subscriber& x) { return x.profile == s.profile && x.to.sameHost(peer); });
        if (subscribers.size() != before) note("OSC: " + peer.host() + " unsubscribed");
    }

    /// Where a dump or a subscription goes: PORT on the sender's host, or the sender itself.
    static Peer target(const Peer& peer, const std::optional<int>& port) { return port ? peer.withPort(*port) : peer; }

    /// True when the action went to the show.
    bool perform(const Socket& s, const Peer& peer, control::ActionCall call, const std::string& token,
                 const std::string& path) {
        if (call.action == control::Action::unlock && !tokensMatch(token, options.token)) {
            refuse(s, peer, "unlock",
                   options.token.empty() ? "unlock over OSC needs a token: start play with --osc-token WORD and send "
                                           "token=WORD"
                                         : "unlock needs the show's token (token=…)",
                   path, true);
            return false;
        }
        const GateRefusal why = gate->offer(call, seconds(steadyNs()), options.obeyLock);
        if (why != GateRefusal::none) {
            const bool locked = why == GateRefusal::locked;
            refuse(s, peer, locked ? "locked" : why == GateRefusal::lost ? "lost" : "busy",
                   locked ? "the show is locked (--osc-obeys-lock): send unlock with the token first"
                          : gateRefusalText(why),
                   path, locked);
            return false;
        }
        applied.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    /// A dump (get, getValues, a subscription) costs the sender's host: at most 4 a second, so that
    /// a small request cannot be turned into a stream of state at someone else (a forged sender).
    bool dumpAllowed(const Socket& s, const Peer& peer, const std::string& path, std::int64_t now) {
        if (dumpLimit.take(peer.host() + (s.profile == Profile::native ? " native" : " ableset"), seconds(now)))
            return true;
        refuse(s, peer, "dumps", "more than 4 dumps or subscriptions a second from one host: dropped", path, false);
        return false;
    }

    void handle(const Socket& s, const Peer& peer, const char* data, std::size_t size, std::int64_t now) {
        received.fetch_add(1, std::memory_order_relaxed);
        const bool ok = allowed(peer);
        if (size > kMaxOscBytes) {
            refuse(s, peer, "oversized", "a datagram longer than " + std::to_string(kMaxOscBytes) + " bytes", "",
                   false);
            return;
        }
        if (!limit.take(peer.host(), seconds(now))) {
            refuse(s, peer, "flood",
                   "more than " + std::to_string(static_cast<int>(options.perSecond)) +
                       " messages a second from one host: the rest are dropped",
                   "", false);
            return;
        }
        const Decoded d = decodeOsc(data, size);
        if (!d.message) {
            refuse(s, peer, "malformed", d.problem, "", false); // (no reply: it could be 1 byte)
            return;
        }
        const OscMessage& m = *d.message;
        if (s.profile == Profile::ableSet)
            handleAbleSet(s, peer, m, ok, now);
        else
            handleNative(s, peer, m, ok, now);
    }

    /// A subscription naming a host other than the sender's ("auto" and "" are the sender's): refused,
    /// since no traffic goes to a third party.
    bool redirected(const Socket& s, const Peer& peer, const std::string& host, const std::string& path) {
        if (host.empty() || host == "auto" || host == peer.host()) return false;
        refuse(s, peer, "redirect",
               "a subscription names another host (" + host + "): state goes only to the sender's own host", path,
               s.profile == Profile::native);
        return true;
    }

    /// A repeat of a command already applied (the same uuid=): counted, not applied again.
    bool repeat(const std::string& uuid) {
        if (uuid.empty() || !uuids.seen(uuid)) return false;
        repeated.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    void handleAbleSet(const Socket& s, const Peer& peer, const OscMessage& m, bool ok, std::int64_t now) {
        if (!ok) {
            refuse(s, peer, "not allowed",
                   "not an allowed sender: add its address to --osc-allow (AbleSet's clients cannot send a token)",
                   m.path, false);
            return;
        }
        const auto st = state.latest();
        const AbleSetTranslation t = translateAbleSet(m, *st, vampWanted(now));
        if (!t.request) {
            refuse(s, peer, "bad message", t.error, m.path, false);
            return;
        }
        const AbleSetRequest& r = *t.request;
        if (repeat(r.uuid)) return;
        switch (r.kind) {
        case OscRequest::Kind::subscribe:
            if (redirected(s, peer, r.host, m.path)) return;
            if (!dumpAllowed(s, peer, m.path, now)) return; // (its uuid is not spent)
            subscribe(s, target(peer, r.port), r.fine);
            break;
        case OscRequest::Kind::unsubscribe: unsubscribe(s, peer, std::nullopt); break;
        case OscRequest::Kind::dump: {
            if (!dumpAllowed(s, peer, m.path, now)) return;
            Peer to = target(peer, r.port);
            bool fine = false;
            if (!r.port)
                for (const Subscriber& x : subscribers)
                    if (x.profile == s.profile && x.to.sameHost(peer)) to = x.to, fine = x.fine;
            dump(s, to, fine);
            break;
        }
        case OscRequest::Kind::action: {
            // Its uuid is spent once any of its actions went to the show (a retry would repeat
            // that one); refused whole, it may come again.
            int done = 0;
            for (const control::ActionCall& c : r.calls) {
                if (!perform(s, peer, c, {}, m.path)) break;
                ++done;
                if (c.action == control::Action::vamp) // what the loop will be once the tick has run
                    vampIntent = {m.path == "/setlist/enableLoop", now};
            }
            if (done == 0 && !r.calls.empty()) return;
            break;
        }
        }
        if (!r.uuid.empty()) uuids.first(r.uuid);
    }

    /// enableLoop/escapeLoop pressed within the last second: what it asked for (the published state
    /// may not show it yet: two quick presses must not undo each other).
    std::optional<bool> vampWanted(std::int64_t now) const {
        if (vampIntent.second != 0 && now - vampIntent.second < 1'000'000'000) return vampIntent.first;
        return std::nullopt;
    }

    void handleNative(const Socket& s, const Peer& peer, const OscMessage& m, bool ok, std::int64_t now) {
        std::string token;
        for (const OscValue& v : m.args)
            if (v.isText() && v.text.rfind("token=", 0) == 0) token = v.text.substr(6);
        // Who sent it is settled before anything is made of what it says (a sender that may not
        // control costs no more than this).
        if (!ok && !tokensMatch(token, options.token)) {
            refuse(s, peer, "not allowed",
                   options.token.empty() ? "not an allowed sender: add its address to --osc-allow"
                                         : "not an allowed sender and no valid token=…: add its address to "
                                           "--osc-allow or send the show's token",
                   m.path, false);
            return;
        }
        const auto st = state.latest();
        const OscTranslation t = translateNative(m, *st);
        if (!t.request) {
            refuse(s, peer, "bad message", t.error, m.path, true);
            return;
        }
        const OscRequest& r = *t.request;
        if (repeat(r.uuid)) return;
        switch (r.kind) {
        case OscRequest::Kind::subscribe:
            if (redirected(s, peer, r.host, m.path)) return;
            if (!dumpAllowed(s, peer, m.path, now)) return; // (its uuid is not spent)
            subscribe(s, target(peer, r.port), false);
            break;
        case OscRequest::Kind::unsubscribe: unsubscribe(s, peer, r.port); break;
        case OscRequest::Kind::dump:
            if (!dumpAllowed(s, peer, m.path, now)) return;
            dump(s, peer, false);
            break;
        case OscRequest::Kind::action:
            if (!perform(s, peer, r.call, r.token, m.path)) return; // (its uuid is not spent)
            break;
        }
        if (!r.uuid.empty()) uuids.first(r.uuid);
    }

    void sendAll(Profile profile, const std::vector<OscMessage>& messages, bool fineOnly = false) {
        if (messages.empty()) return;
        const Socket* s = socketOf(profile);
        if (s == nullptr) return;
        for (const Subscriber& x : subscribers) {
            if (x.profile != profile) continue;
            for (const OscMessage& m : messages)
                if (!fineOnly || x.fine || m.path != "/global/finePosition") send(*s, x.to, m);
        }
    }

    /// The state's changes to every subscriber; the position at most 10 times a second; a
    /// heartbeat every second. `force`: the caches catch up now (a subscriber is joining).
    void feed(std::int64_t now, bool force = false) {
        // Every 5 s the whole state again: UDP may lose a datagram (a full socket buffer after a
        // song change to 16 subscribers), and a lost mute must not leave a button wrong for long.
        if (now - lastRefreshNs >= 5'000'000'000) {
            lastRefreshNs = now;
            nativeCache.clear();
            nativePositionCache.clear();
            ableCache.clear();
            ablePositionCache.clear();
            force = true;
        }
        const auto st = state.latest();
        if (st->version != lastVersion || force) {
            lastVersion = st->version;
            if (st->changes != lastChanges || force) {
                lastChanges = st->changes;
                if (socketOf(Profile::native))
                    sendAll(Profile::native, nativeCache.changed(nativeState(*st), "/stemdeck/stem/"));
                if (socketOf(Profile::ableSet))
                    sendAll(Profile::ableSet, ableCache.changed(ableSetState(*st), "/mixer/"));
            }
            if (now - lastPositionNs >= 100'000'000 || force) {
                lastPositionNs = now;
                if (socketOf(Profile::native))
                    sendAll(Profile::native, nativePositionCache.changed(nativePosition(*st)));
                if (socketOf(Profile::ableSet))
                    sendAll(Profile::ableSet, ablePositionCache.changed(ableSetPosition(*st, true)), true);
            }
        }
        if (now - lastBeatNs >= 1'000'000'000) {
            lastBeatNs = now;
            for (const Socket& s : sockets)
                sendAll(s.profile, {heartbeat(s.profile, now)});
        }
        if (refusedSinceSummary > 0 && now - lastSummaryNs >= 10'000'000'000) {
            if (lastSummaryNs != 0)
                note("OSC: " + std::to_string(refusedSinceSummary) + " message" +
                     (refusedSinceSummary == 1 ? "" : "s") + " refused in the last 10 s (the last: " + lastReason +
                     "); " + std::to_string(refused.load(std::memory_order_relaxed)) + " since the show started");
            lastSummaryNs = now;
            refusedSinceSummary = 0;
        }
    }

    /// Nothing a message does may end the show: whatever it throws (memory, say) is counted, said
    /// once, and the thread goes on with the next.
    template <typename Work>
    void guarded(Work&& work) noexcept {
        try {
            work();
        } catch (const std::exception& e) {
            failures.fetch_add(1, std::memory_order_relaxed);
            if (!failureSaid) note(std::string("OSC: a message could not be handled (") + e.what() + "); going on");
            failureSaid = true;
        } catch (...) {
            failures.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void run() {
        setThreadName("stemdeck-osc");
        startNs = steadyNs();
        lastSummaryNs = startNs;
        std::vector<pollfd> fds;
        for (const Socket& s : sockets)
            fds.push_back({s.fd, POLLIN, 0});
        std::vector<char> buffer(kMaxOscBytes + 1);
        while (!stopping.load(std::memory_order_acquire)) {
            poll(fds.data(), fds.size(), 10);
            for (const Socket& s : sockets) {
                for (int k = 0; k < 512; ++k) { // then the feed has its turn
                    Peer peer;
                    peer.length = sizeof peer.addr;
                    const ssize_t n = recvfrom(s.fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC,
                                               reinterpret_cast<sockaddr*>(&peer.addr), &peer.length);
                    if (n < 0) break;
                    guarded([&] { handle(s, peer, buffer.data(), static_cast<std::size_t>(n), steadyNs()); });
                }
            }
            guarded([&] { feed(steadyNs()); });
        }
    }
};

OscServer::OscServer(control::Router& router, const control::ShowStatePublisher& state, OscOptions options,
                     FrameClock clock, std::shared_ptr<RemoteGate> gate)
    : impl_(std::make_unique<Impl>(router, state, std::move(options), std::move(clock), std::move(gate))) {}

OscServer::~OscServer() {
    stop();
}

void OscServer::start() {
    if (impl_->thread.joinable()) return;
    impl_->stopping.store(false);
    impl_->thread = std::thread([this] { impl_->run(); });
}

void OscServer::stop() {
    impl_->stopping.store(true, std::memory_order_release);
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::vector<std::string> OscServer::takeNotes() {
    std::vector<std::string> out;
    std::string line;
    while (impl_->notes.try_dequeue(line))
        out.push_back(std::move(line));
    return out;
}

std::string OscServer::describe() const {
    std::string out = "OSC:";
    for (const Socket& s : impl_->sockets) {
        out += out.size() > 4 ? "; " : " ";
        out += (s.profile == Profile::native ? "stemdeck's addresses on " : "AbleSet's (Companion) on ") +
               (s.at.address.find(':') != std::string::npos ? "[" + s.at.address + "]" : s.at.address) + ":" +
               std::to_string(s.at.port);
        if (!s.loopbackOnly)
            out += " (the network: " + std::string(impl_->allow.empty() ? "token" : "allow-list") + ")";
    }
    return out;
}

int OscServer::nativePort() const noexcept {
    const Socket* s = impl_->socketOf(Profile::native);
    return s ? s->at.port : 0;
}

int OscServer::ableSetPort() const noexcept {
    const Socket* s = impl_->socketOf(Profile::ableSet);
    return s ? s->at.port : 0;
}

OscServer::Counts OscServer::counts() const noexcept {
    return {impl_->received.load(), impl_->applied.load(), impl_->refused.load(), impl_->repeated.load(),
            impl_->sent.load()};
}

} // namespace stemdeck::remote
