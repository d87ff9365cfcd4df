#pragma once
// Who may drive stemdeck over OSC, and how hard: the allow-list of sender addresses, the token,
// a per-sender rate limit, and the memory of uuids already applied. The OSC thread's alone.
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace stemdeck::remote {

/// An address or a network, IPv4 or IPv6 (IPv4 senders on an IPv6 socket are seen as IPv4).
struct Network {
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 0; ///< bits that must match
    bool v6 = false;
};

/// "192.168.1.20", "192.168.1.0/24", "::1", "fd00::/8"; nullopt if it is none of these.
[[nodiscard]] std::optional<Network> parseNetwork(const std::string& text);

/// A sender, as the socket gave it.
struct Peer {
    sockaddr_storage addr{};
    socklen_t length = 0;
    [[nodiscard]] std::string host() const; ///< "192.168.1.20"
    [[nodiscard]] int port() const;
    [[nodiscard]] bool loopback() const;
    [[nodiscard]] bool in(const Network& network) const;
    /// The same host at another port (where a subscriber asked to be sent to).
    [[nodiscard]] Peer withPort(int port) const;
    [[nodiscard]] bool sameHost(const Peer& other) const;
    bool operator==(const Peer& other) const;
};

/// @thread any. An address that is this machine's only (127.0.0.1, ::1, 127.x.y.z): a socket bound
/// there is reached from nowhere else. False for any other, and for text that is not an address.
[[nodiscard]] bool loopbackAddress(const std::string& address);

/// At most `perSecond` messages a second from one sender host, in bursts of up to `burst`.
class RateLimit {
public:
    RateLimit(double perSecond, double burst) : perSecond_(perSecond), burst_(burst) {}
    /// True if this message may pass (it costs `cost`: a drop of 8 stems is 8 commands).
    /// `nowSeconds`: a monotonic clock.
    bool take(const std::string& host, double nowSeconds, double cost = 1.0);

private:
    struct Bucket {
        double tokens = 0, at = 0;
    };
    double perSecond_, burst_;
    std::map<std::string, Bucket> buckets_; // bounded: the oldest are forgotten past kMaxHosts
    static constexpr std::size_t kMaxHosts = 1024;
};

/// The uuids of the last commands applied: a command sent again with the same uuid (a client's
/// retry, or one sent to two addresses of the same machine) is applied once.
class UuidMemory {
public:
    /// True the first time `uuid` is seen (and remembered); false for a repeat.
    bool first(const std::string& uuid);
    /// True if `uuid` was applied already (not remembered by asking: a command refused before it
    /// was applied may be sent again with the same uuid).
    [[nodiscard]] bool seen(const std::string& uuid) const { return seen_.count(uuid) != 0; }

private:
    std::set<std::string> seen_;
    std::deque<std::string> order_;
    static constexpr std::size_t kKept = 512;
};

/// @thread any. Compares two tokens in time that does not depend on where they differ.
[[nodiscard]] bool tokensMatch(const std::string& given, const std::string& expected) noexcept;

} // namespace stemdeck::remote
