#pragma once
// OSC messages as stemdeck handles them: a path and typed arguments, decoded from a datagram and
// encoded into one by liblo (its message parser and writer; stemdeck owns the socket: OscServer.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::remote {

/// The largest datagram taken or sent: a few KiB (a control message is well under 200 bytes; the
/// setlist's dump of titles fits). Anything longer is refused unread.
inline constexpr std::size_t kMaxOscBytes = 4096;

/// One argument, by its OSC type tag.
struct OscValue {
    char type = 'N';   ///< i h f d (numbers), s S c (text), T F (booleans), N I (no value)
    double number = 0; ///< i h f d; T: 1, F: 0
    std::string text;  ///< s S c

    [[nodiscard]] static OscValue integer(std::int64_t v) { return {'i', static_cast<double>(v), {}}; }
    [[nodiscard]] static OscValue real(double v) { return {'f', v, {}}; }
    [[nodiscard]] static OscValue string(std::string v) { return {'s', 0, std::move(v)}; }
    [[nodiscard]] static OscValue boolean(bool v) { return {v ? 'T' : 'F', v ? 1.0 : 0.0, {}}; }

    [[nodiscard]] bool isNumber() const noexcept { return type == 'i' || type == 'h' || type == 'f' || type == 'd'; }
    [[nodiscard]] bool isText() const noexcept { return type == 's' || type == 'S' || type == 'c'; }
    [[nodiscard]] bool isBool() const noexcept { return type == 'T' || type == 'F'; }
    bool operator==(const OscValue&) const = default;
};

struct OscMessage {
    std::string path;
    std::vector<OscValue> args;
    bool operator==(const OscMessage&) const = default;
};

/// @thread any. A datagram's message, or why it is not one we take ("a bundle", "not OSC: …").
/// Decoding is liblo's (lo_message_deserialise), which checks every length against the datagram.
struct Decoded {
    std::optional<OscMessage> message;
    std::string problem;
};
/// `limit`: the longest datagram taken (what a client reads back may be longer than what stemdeck takes).
[[nodiscard]] Decoded decodeOsc(const void* data, std::size_t size, std::size_t limit = kMaxOscBytes);

/// @thread any. The datagram for a message (liblo's lo_message_serialise). Empty if liblo refuses.
[[nodiscard]] std::vector<char> encodeOsc(const OscMessage& message);

/// @thread any. "/stemdeck/gain ,sf "Bass" -6": a message as a log line shows it.
[[nodiscard]] std::string describeOsc(const OscMessage& message);

/// @thread any. The type tags of a message's arguments: ",sf".
[[nodiscard]] std::string typeTags(const OscMessage& message);

} // namespace stemdeck::remote
