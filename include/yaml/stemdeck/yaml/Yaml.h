#pragma once
// YAML as every stemdeck file reads and writes it (set files, stored scenes, events scripts,
// controller mappings, GUI settings): errors name the file, line and column; scalars are written
// by yaml-cpp's emitter.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// The read helpers the parsers share (set files and their stored scenes, controller mappings, GUI
/// settings, events scripts): the nodes of one parsed file, every problem thrown as
/// stemdeck::Error "FILE:LINE:COLUMN: message". A parser whose messages are worded its own way
/// words them itself around at(), fail(), unknownKey() and as<T>().
/// @thread control.
class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[nodiscard]] const std::string& file() const noexcept { return file_; }

    /// "FILE:LINE:COLUMN" of a node (placeOf).
    [[nodiscard]] std::string at(const YAML::Node& node) const { return placeOf(file_, node); }

    /// Throws stemdeck::Error "FILE:LINE:COLUMN: message".
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const { failAt(file_, node, message); }

    /// The first key of the map `map` that is not one of `known`; nullopt when there is none.
    [[nodiscard]] static std::optional<YAML::Node> unknownKey(const YAML::Node& map,
                                                              const std::vector<std::string>& known);

    /// Refuses a key of `map` that is not one of `known`, at the key: "unknown key 'K' in WHERE
    /// (did you mean 'X'?); known keys: a, b, c".
    void checkKeys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& where) const;

    /// A single value (a scalar), as written; else "WHAT must be a single value, such as WHAT: …".
    [[nodiscard]] std::string scalar(const YAML::Node& n, const std::string& what) const;

    /// A single value that is a number written out whole (std::stod reads every character of it)
    /// from `lo` to `hi`; else "WHAT must be a number, not 'TEXT'" or "WHAT TEXT is out of range
    /// (LO to HI)".
    [[nodiscard]] double number(const YAML::Node& n, const std::string& what, double lo, double hi) const;

    /// As number(), and a whole number; else "WHAT must be a whole number, not TEXT".
    [[nodiscard]] int integer(const YAML::Node& n, const std::string& what, int lo, int hi) const;

    /// yaml-cpp's own reading of a node as T (Node::as: "1e3", ".inf", "yes" as a bool …); nullopt
    /// when the node is not one.
    template <class T>
    [[nodiscard]] static std::optional<T> as(const YAML::Node& n) {
        try {
            return n.as<T>();
        } catch (const YAML::Exception&) {
            return std::nullopt;
        }
    }

private:
    std::string file_;
};

} // namespace stemdeck::yaml
