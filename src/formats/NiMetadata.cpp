#include "stemdeck/formats/NiMetadata.h"

#include <yaml-cpp/yaml.h>

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

std::string kindOf(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: return "an object";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: {
        std::string quoted(1, '\''); // piece by piece: GCC 12's -Wrestrict misfires on "'" + string at -O3
        quoted += n.Scalar().substr(0, 40);
        quoted += '\'';
        return quoted;
    }
    default: return "empty";
    }
}

} // namespace

std::optional<std::string> findMp4Box(std::istream& in, std::int64_t size, const std::vector<std::string>& path) {
    if (path.empty() || size < 8) return std::nullopt;
    return findBox(in, 0, size, path, 0);
}

NiStemMetadata parseNiStemMetadata(std::string_view json) {
    NiStemMetadata m;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(json)); // JSON is YAML; yaml-cpp is already the set files' parser
    } catch (const YAML::Exception& e) {
        m.problem = "not valid JSON (" + e.msg + " at line " + std::to_string(e.mark.line + 1) + ")";
        return m;
    }
    try {
        if (!root.IsMap()) {
            m.problem = "its JSON is " + kindOf(root) + ", not an object with a \"stems\" list";
            return m;
        }
        const YAML::Node stems = root["stems"];
        if (!stems || !stems.IsSequence()) {
            m.problem = stems ? "its \"stems\" is " + kindOf(stems) + ", not a list" : "it has no \"stems\" list";
            return m;
        }
        for (std::size_t i = 0; i < stems.size(); ++i) {
            const YAML::Node s = stems[i];
            NiStemMetadata::Stem& out = m.stems.emplace_back();
            if (!s.IsMap()) {
                if (m.problem.empty())
                    m.problem = "stem " + std::to_string(i + 1) + " is " + kindOf(s) + ", not an object with a name";
                continue;
            }
            const YAML::Node name = s["name"], color = s["color"];
            if (name && name.IsScalar()) out.name = name.Scalar();
            if (color && color.IsScalar()) out.color = color.Scalar();
            if (out.name.empty() && m.problem.empty()) m.problem = "stem " + std::to_string(i + 1) + " has no name";
        }
    } catch (const YAML::Exception& e) { // not expected for a parsed tree; never let it escape
        m.problem = "unreadable (" + e.msg + ")";
    }
    return m;
}

} // namespace stemdeck::formats
