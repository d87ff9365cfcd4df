#pragma once
// YAML as every stemdeck file reads and writes it (set files, stored scenes, events scripts,
// controller mappings, GUI settings): errors name the file, line and column; scalars are written
// by yaml-cpp's emitter.
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace stemdeck::yaml {

/// @thread control. Parses `text` read from `file`. A syntax error throws stemdeck::Error
/// "FILE:LINE:COLUMN: not valid YAML (WHY)" followed by `hint` (what the file should look like,
/// or what to do).
[[nodiscard]] YAML::Node parse(std::string_view text, const std::string& file, std::string_view hint = {});

/// @thread any. "FILE:LINE:COLUMN" of a node; "FILE" alone for a node with no place in the text.
[[nodiscard]] std::string placeOf(const std::string& file, const YAML::Node& node);

/// @thread control. Throws stemdeck::Error "FILE:LINE:COLUMN: message".
[[noreturn]] void failAt(const std::string& file, const YAML::Node& node, const std::string& message);

/// @thread any. `text` as a double-quoted YAML scalar, written by yaml-cpp's emitter, for files
/// stemdeck writes ("a \"b\"").
[[nodiscard]] std::string quoted(std::string_view text);

} // namespace stemdeck::yaml
