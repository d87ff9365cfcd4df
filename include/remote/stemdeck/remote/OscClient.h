#pragma once
// A plain OSC client over UDP: `stemdeck osc send` (for someone checking their rig) sends one
// message from its own port and prints what comes back.
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/remote/Osc.h"
#include "stemdeck/remote/OscServer.h"

namespace stemdeck::remote {

class OscClient {
public:
    /// Throws stemdeck::Error when no socket can be made for `to`.
    explicit OscClient(const Endpoint& to);
    ~OscClient();
    OscClient(const OscClient&) = delete;
    OscClient& operator=(const OscClient&) = delete;

    /// False (and `error`) if it could not be sent.
    bool send(const OscMessage& message, std::string& error);
    /// The next message that comes back within `timeoutMs`, if one does (malformed ones skipped).
    std::optional<OscMessage> receive(int timeoutMs);

private:
    int fd_ = -1;
    std::vector<char> to_; // the sockaddr
};

/// "3" → i, "-6.5" → f, "T"/"F"/"true"/"false" → T/F, "s:3" → the string "3", anything else → s.
[[nodiscard]] OscValue oscArgument(const std::string& text);

} // namespace stemdeck::remote
