#include "stemdeck/remote/OscAccess.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace stemdeck::remote {

namespace {
/// The sender's address bytes: IPv4 (4 bytes, also for an IPv4-mapped IPv6 sender) or IPv6 (16).
std::vector<std::uint8_t> bytesOf(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
        const auto* p = reinterpret_cast<const std::uint8_t*>(&in->sin_addr);
        return {p, p + 4};
    }
    if (a.ss_family == AF_INET6) {
        const auto* in = reinterpret_cast<const sockaddr_in6*>(&a);
        const auto* p = reinterpret_cast<const std::uint8_t*>(&in->sin6_addr);
        if (IN6_IS_ADDR_V4MAPPED(&in->sin6_addr)) return {p + 12, p + 16};
        return {p, p + 16};
    }
    return {};
}
} // namespace

std::optional<Network> parseNetwork(const std::string& text) {
    Network n;
    std::string host = text;
    std::optional<int> prefix;
    if (const auto slash = text.find('/'); slash != std::string::npos) {
        host = text.substr(0, slash);
        const std::string bits = text.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        prefix = std::stoi(bits);
    }
    if (inet_pton(AF_INET, host.c_str(), n.bytes.data()) == 1) {
        n.prefix = prefix.value_or(32);
        if (n.prefix > 32) return std::nullopt;
        return n;
    }
    if (inet_pton(AF_INET6, host.c_str(), n.bytes.data()) == 1) {
        n.v6 = true;
        n.prefix = prefix.value_or(128);
        if (n.prefix > 128) return std::nullopt;
        return n;
    }
    return std::nullopt;
}

std::string Peer::host() const {
    char buf[INET6_ADDRSTRLEN] = "?";
    const std::vector<std::uint8_t> b = bytesOf(addr);
    if (b.size() == 4) inet_ntop(AF_INET, b.data(), buf, sizeof buf);
    if (b.size() == 16) inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
    return buf;
}

int Peer::port() const {
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

bool Peer::loopback() const {
    const std::vector<std::uint8_t> b = bytesOf(addr);
    if (b.size() == 4) return b[0] == 127;
    if (b.size() == 16) {
        static const std::uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return std::memcmp(b.data(), one, 16) == 0;
    }
    return false;
}

bool Peer::in(const Network& network) const {
    const std::vector<std::uint8_t> b = bytesOf(addr);
    if (b.size() != (network.v6 ? 16u : 4u)) return false;
    int bits = network.prefix;
    for (std::size_t k = 0; k < b.size() && bits > 0; ++k, bits -= 8) {
        const unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
        if ((b[k] & mask) != (network.bytes[k] & mask)) return false;
    }
    return true;
}

Peer Peer::withPort(int port) const {
    Peer p = *this;
    if (p.addr.ss_family == AF_INET)
        reinterpret_cast<sockaddr_in*>(&p.addr)->sin_port = htons(static_cast<std::uint16_t>(port));
    if (p.addr.ss_family == AF_INET6)
        reinterpret_cast<sockaddr_in6*>(&p.addr)->sin6_port = htons(static_cast<std::uint16_t>(port));
    return p;
}

bool Peer::sameHost(const Peer& other) const {
    return bytesOf(addr) == bytesOf(other.addr);
}

bool Peer::operator==(const Peer& other) const {
    return sameHost(other) && port() == other.port();
}

bool RateLimit::take(const std::string& host, double now, double cost) {
    auto it = buckets_.find(host);
    if (it == buckets_.end()) {
        if (buckets_.size() >= kMaxHosts) { // forget the host heard from longest ago
            auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                           [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
            buckets_.erase(oldest);
        }
        it = buckets_.emplace(host, Bucket{burst_, now}).first;
    }
    Bucket& b = it->second;
    b.tokens = std::min(burst_, b.tokens + (now - b.at) * perSecond_);
    b.at = now;
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
}

bool UuidMemory::first(const std::string& uuid) {
    if (!seen_.insert(uuid).second) return false;
    order_.push_back(uuid);
    if (order_.size() > kKept) {
        seen_.erase(order_.front());
        order_.pop_front();
    }
    return true;
}

bool tokensMatch(const std::string& given, const std::string& expected) noexcept {
    if (expected.empty()) return false;
    unsigned diff = given.size() == expected.size() ? 0u : 1u;
    for (std::size_t k = 0; k < given.size(); ++k)
        diff |= static_cast<unsigned char>(given[k]) ^ static_cast<unsigned char>(expected[k % expected.size()]);
    return diff == 0;
}

bool loopbackAddress(const std::string& address) {
    Peer p;
    const auto n = parseNetwork(address);
    if (!n) return false;
    if (n->v6) {
        auto* in = reinterpret_cast<sockaddr_in6*>(&p.addr);
        in->sin6_family = AF_INET6;
        std::memcpy(&in->sin6_addr, n->bytes.data(), 16);
    } else {
        auto* in = reinterpret_cast<sockaddr_in*>(&p.addr);
        in->sin_family = AF_INET;
        std::memcpy(&in->sin_addr, n->bytes.data(), 4);
    }
    return p.loopback();
}

} // namespace stemdeck::remote
