#include "stemdeck/yaml/Yaml.h"

#include "stemdeck/Error.h"

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

} // namespace stemdeck::yaml
