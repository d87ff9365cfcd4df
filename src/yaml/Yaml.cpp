#include "stemdeck/yaml/Yaml.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::yaml {

YAML::Node parse(std::string_view text, const std::string& file, std::string_view hint) {
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        throw Error(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                    ": not valid YAML (" + e.msg + ")" + std::string(hint));
    }
}

std::string placeOf(const std::string& file, const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return file;
    return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

void failAt(const std::string& file, const YAML::Node& node, const std::string& message) {
    throw Error(placeOf(file, node) + ": " + message);
}

std::string quoted(std::string_view text) {
    YAML::Emitter out;
    out << YAML::DoubleQuoted << std::string(text);
    return out.c_str();
}

std::optional<YAML::Node> Reader::unknownKey(const YAML::Node& map, const std::vector<std::string>& known) {
    for (const auto& kv : map)
        if (std::find(known.begin(), known.end(), kv.first.Scalar()) == known.end()) return kv.first;
    return std::nullopt;
}

void Reader::checkKeys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& where) const {
    if (const std::optional<YAML::Node> key = unknownKey(map, known)) {
        const std::string name = key->Scalar();
        fail(*key,
             "unknown key '" + name + "' in " + where + didYouMean(name, known) + "; known keys: " + joinNames(known));
    }
}

std::string Reader::scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a single value, such as " + what + ": …");
    return n.Scalar();
}

double Reader::number(const YAML::Node& n, const std::string& what, double lo, double hi) const {
    const std::string text = scalar(n, what);
    double v = 0.0;
    try {
        std::size_t used = 0;
        v = std::stod(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        fail(n, what + " must be a number, not '" + text + "'");
    }
    if (!std::isfinite(v) || v < lo || v > hi) {
        std::ostringstream range;
        range << lo << " to " << hi;
        fail(n, what + " " + text + " is out of range (" + range.str() + ")");
    }
    return v;
}

int Reader::integer(const YAML::Node& n, const std::string& what, int lo, int hi) const {
    const double v = number(n, what, lo, hi);
    if (v != std::floor(v)) fail(n, what + " must be a whole number, not " + n.Scalar());
    return static_cast<int>(v);
}

} // namespace stemdeck::yaml
