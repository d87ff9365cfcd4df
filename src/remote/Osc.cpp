#include "stemdeck/remote/Osc.h"

#include <lo/lo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace stemdeck::remote {

namespace {
struct MessageFree {
    void operator()(lo_message m) const noexcept { lo_message_free(m); }
};
using Message = std::unique_ptr<std::remove_pointer_t<lo_message>, MessageFree>;

template <typename T>
T read(const char* bytes) {
    T v;
    std::memcpy(&v, bytes, sizeof v);
    return v;
}

std::string number(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
} // namespace

Decoded decodeOsc(const void* data, std::size_t size, std::size_t limit) {
    Decoded out;
    if (size == 0 || size > limit) {
        out.problem = size == 0 ? "an empty datagram" : "longer than " + std::to_string(limit) + " bytes";
        return out;
    }
    // liblo's parser writes while it reads (endianness): it gets its own copy.
    std::vector<char> copy(static_cast<const char*>(data), static_cast<const char*>(data) + size);
    if (size >= 8 && std::memcmp(copy.data(), "#bundle", 8) == 0) {
        out.problem = "an OSC bundle: stemdeck takes plain messages only (send each message on its own)";
        return out;
    }
    const char* path = lo_get_path(copy.data(), static_cast<ssize_t>(size));
    if (path == nullptr || path[0] != '/') {
        out.problem = "not an OSC message (no address starting with '/')";
        return out;
    }
    int result = 0;
    const Message m(lo_message_deserialise(copy.data(), size, &result));
    if (!m || result != 0) {
        out.problem = "not a well-formed OSC message (liblo error " + std::to_string(result) + ")";
        return out;
    }
    OscMessage msg;
    msg.path = path;
    const char* types = lo_message_get_types(m.get());
    lo_arg** argv = lo_message_get_argv(m.get());
    const int argc = lo_message_get_argc(m.get());
    for (int i = 0; i < argc; ++i) {
        const char t = types[i];
        // liblo's argument pointers are only 4-byte aligned (OSC's own alignment): the value is
        // copied out of the bytes, never read through the 8-byte-aligned lo_arg union.
        const auto* a = reinterpret_cast<const char*>(argv[i]);
        OscValue v;
        v.type = t;
        switch (t) {
        case LO_INT32: v.number = read<std::int32_t>(a); break;
        case LO_INT64: v.number = static_cast<double>(read<std::int64_t>(a)); break;
        case LO_FLOAT: v.number = read<float>(a); break;
        case LO_DOUBLE: v.number = read<double>(a); break;
        case LO_STRING:
        case LO_SYMBOL: v.text = a; break;
        case LO_CHAR: v.text = std::string(1, static_cast<char>(read<std::int32_t>(a))); break;
        case LO_TRUE: v.number = 1; break;
        case LO_FALSE:
        case LO_NIL:
        case LO_INFINITUM: break;
        default: // blobs, timetags, MIDI: no stemdeck value is one of them
            v.type = '?';
            v.text = std::string(1, t);
            break;
        }
        if (v.isNumber() && !std::isfinite(v.number)) v.type = '?', v.text = "not a finite number";
        msg.args.push_back(std::move(v));
    }
    out.message = std::move(msg);
    return out;
}

std::vector<char> encodeOsc(const OscMessage& message) {
    const Message m(lo_message_new());
    if (!m) return {};
    for (const OscValue& v : message.args) {
        switch (v.type) {
        // (clamped: a double past an integer's range does not convert)
        case 'i':
            lo_message_add_int32(m.get(), static_cast<std::int32_t>(std::clamp(v.number, -2147483648.0, 2147483647.0)));
            break;
        case 'h':
            lo_message_add_int64(m.get(), static_cast<std::int64_t>(std::clamp(v.number, -9.2e18, 9.2e18)));
            break;
        case 'f': lo_message_add_float(m.get(), static_cast<float>(v.number)); break;
        case 'd': lo_message_add_double(m.get(), v.number); break;
        case 'S': lo_message_add_symbol(m.get(), v.text.c_str()); break;
        case 'T': lo_message_add_true(m.get()); break;
        case 'F': lo_message_add_false(m.get()); break;
        case 'N': lo_message_add_nil(m.get()); break;
        default: lo_message_add_string(m.get(), v.text.c_str()); break;
        }
    }
    const std::size_t length = lo_message_length(m.get(), message.path.c_str());
    std::vector<char> out(length);
    std::size_t size = length;
    if (lo_message_serialise(m.get(), message.path.c_str(), out.data(), &size) == nullptr) return {};
    out.resize(size);
    return out;
}

std::string typeTags(const OscMessage& message) {
    std::string t = ",";
    for (const OscValue& v : message.args)
        t += v.type;
    return t;
}

std::string describeOsc(const OscMessage& message) {
    std::string out = message.path + " " + typeTags(message);
    for (const OscValue& v : message.args) {
        out += ' ';
        if (v.isNumber())
            out += number(v.number);
        else if (v.isText())
            out += "\"" + v.text + "\"";
        else
            out += v.type;
    }
    return out;
}

} // namespace stemdeck::remote
