#include "stemdeck/remote/OscClient.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "stemdeck/common/Error.h"

namespace stemdeck::remote {

OscClient::OscClient(const Endpoint& to) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(to.address.c_str(), std::to_string(to.port).c_str(), &hints, &found); rc != 0)
        throw Error(to.address + ":" + std::to_string(to.port) + ": " + gai_strerror(rc));
    fd_ = socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        freeaddrinfo(found);
        throw Error(std::string("no UDP socket: ") + std::strerror(errno));
    }
    to_.assign(reinterpret_cast<const char*>(found->ai_addr),
               reinterpret_cast<const char*>(found->ai_addr) + found->ai_addrlen);
    freeaddrinfo(found);
}

OscClient::~OscClient() {
    if (fd_ >= 0) close(fd_);
}

bool OscClient::send(const OscMessage& message, std::string& error) {
    const std::vector<char> bytes = encodeOsc(message);
    if (bytes.empty()) {
        error = "liblo could not write " + message.path + " as an OSC message";
        return false;
    }
    if (sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(to_.data()),
               static_cast<socklen_t>(to_.size())) < 0) {
        error = std::strerror(errno);
        return false;
    }
    return true;
}

std::optional<OscMessage> OscClient::receive(int timeoutMs) {
    std::vector<char> buffer(65536); // (what comes back may be longer than what is taken: a long set list)
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, timeoutMs) > 0) {
        const ssize_t n = recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) return std::nullopt;
        if (n > static_cast<ssize_t>(buffer.size())) continue;
        if (Decoded d = decodeOsc(buffer.data(), static_cast<std::size_t>(n), buffer.size()); d.message)
            return d.message;
    }
    return std::nullopt;
}

OscValue oscArgument(const std::string& text) {
    if (text.rfind("s:", 0) == 0) return OscValue::string(text.substr(2));
    if (text == "T" || text == "true") return OscValue::boolean(true);
    if (text == "F" || text == "false") return OscValue::boolean(false);
    long long i = 0;
    if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
        ec == std::errc() && end == text.data() + text.size() && i >= INT32_MIN && i <= INT32_MAX)
        return OscValue::integer(i);
    double d = 0;
    if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        ec == std::errc() && end == text.data() + text.size())
        return OscValue::real(d);
    return OscValue::string(text);
}

} // namespace stemdeck::remote
