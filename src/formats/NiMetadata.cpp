#include "stemdeck/formats/NiMetadata.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace stemdeck::formats {

namespace {

constexpr std::int64_t kMaxPayload = std::int64_t{1} << 20;

std::optional<std::string> findBox(std::istream& in, std::int64_t from, std::int64_t to,
                                   const std::vector<std::string>& path, std::size_t depth) {
    std::int64_t at = from;
    while (to - at >= 8) {
        in.clear();
        in.seekg(at);
        std::array<unsigned char, 8> h{};
        if (!in.read(reinterpret_cast<char*>(h.data()), 8)) return std::nullopt;
        std::uint64_t size =
            (std::uint64_t{h[0]} << 24) | (std::uint64_t{h[1]} << 16) | (std::uint64_t{h[2]} << 8) | h[3];
        const std::string type(reinterpret_cast<const char*>(h.data()) + 4, 4);
        std::int64_t header = 8;
        if (size == 1) { // a 64-bit size follows
            std::array<unsigned char, 8> big{};
            if (to - at < 16 || !in.read(reinterpret_cast<char*>(big.data()), 8)) return std::nullopt;
            size = 0;
            for (const unsigned char b : big)
                size = size << 8 | b;
            header = 16;
        } else if (size == 0) {
            size = static_cast<std::uint64_t>(to - at); // to the end
        }
        // Compared unsigned against what is left: a size near 2^64 can neither overflow nor pass.
        if (size < static_cast<std::uint64_t>(header) || size > static_cast<std::uint64_t>(to - at))
            return std::nullopt;
        const auto boxSize = static_cast<std::int64_t>(size);
        if (type == path[depth]) {
            if (depth + 1 == path.size()) {
                const std::int64_t len = std::min(boxSize - header, kMaxPayload);
                std::string payload(static_cast<std::size_t>(len), '\0');
                in.clear();
                in.seekg(at + header);
                if (!in.read(payload.data(), len)) return std::nullopt;
                return payload;
            }
            if (auto found = findBox(in, at + header, at + boxSize, path, depth + 1)) return found;
        }
        at += boxSize;
    }
    return std::nullopt;
}

/// What a JSON value is, in words for a message: "an object", "a list", or the value as written.
std::string kindOf(const nlohmann::json& n) {
    if (n.is_object()) return "an object";
    if (n.is_array()) return "a list";
    if (n.is_null()) return "empty";
    std::string quoted(1, '\''); // piece by piece: GCC 12's -Wrestrict misfires on "'" + string at -O3
    quoted += (n.is_string() ? n.get<std::string>() : n.dump()).substr(0, 40);
    quoted += '\'';
    return quoted;
}

/// A name or colour as text: a string as it is, a number or true/false as written; else "".
std::string textOf(const nlohmann::json& n) {
    if (n.is_string()) return n.get<std::string>();
    if (n.is_number() || n.is_boolean()) return n.dump();
    return {};
}

} // namespace

std::optional<std::string> findMp4Box(std::istream& in, std::int64_t size, const std::vector<std::string>& path) {
    if (path.empty() || size < 8) return std::nullopt;
    return findBox(in, 0, size, path, 0);
}

NiStemMetadata parseNiStemMetadata(std::string_view json) {
    NiStemMetadata m;
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) {
        const std::string what = e.what(); // "[json.exception.parse_error.101] parse error at line 1, …"
        const std::size_t cut = what.find("] ");
        m.problem = "not valid JSON (" + (cut == std::string::npos ? what : what.substr(cut + 2)) + ")";
        return m;
    }
    if (!root.is_object()) {
        m.problem = "its JSON is " + kindOf(root) + ", not an object with a \"stems\" list";
        return m;
    }
    const auto stems = root.find("stems");
    if (stems == root.end() || !stems->is_array()) {
        m.problem =
            stems != root.end() ? "its \"stems\" is " + kindOf(*stems) + ", not a list" : "it has no \"stems\" list";
        return m;
    }
    for (std::size_t i = 0; i < stems->size(); ++i) {
        const nlohmann::json& s = (*stems)[i];
        NiStemMetadata::Stem& out = m.stems.emplace_back();
        if (!s.is_object()) {
            if (m.problem.empty())
                m.problem = "stem " + std::to_string(i + 1) + " is " + kindOf(s) + ", not an object with a name";
            continue;
        }
        if (const auto name = s.find("name"); name != s.end()) out.name = textOf(*name);
        if (const auto color = s.find("color"); color != s.end()) out.color = textOf(*color);
        if (out.name.empty() && m.problem.empty()) m.problem = "stem " + std::to_string(i + 1) + " has no name";
    }
    return m;
}

} // namespace stemdeck::formats
