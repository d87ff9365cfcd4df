#pragma once
// A YAML document read by libyaml into a flat, read-only tree, for files that can be long: an
// events script of 100 000 timed actions parses in well under a second (yaml-cpp's YAML::Load
// takes about two on its own, building a node of shared pointers per scalar). Every node keeps its
// line and column for "FILE:LINE:COLUMN: what is wrong" messages, as yaml::Reader's do; numbers
// are read by the same rule as Reader::as<double> (yaml-cpp's), so a value means one thing in
// every stemdeck file.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::yaml {

class Tree;

/// A node of a Tree: a cheap handle, valid while its Tree lives.
class TreeNode {
public:
    enum class Kind : std::uint8_t { null, scalar, sequence, map };

    [[nodiscard]] Kind kind() const;
    [[nodiscard]] bool isNull() const { return kind() == Kind::null; }
    [[nodiscard]] bool isScalar() const { return kind() == Kind::scalar; }
    [[nodiscard]] bool isSequence() const { return kind() == Kind::sequence; }
    [[nodiscard]] bool isMap() const { return kind() == Kind::map; }

    /// The scalar's text as written (unquoted, escapes resolved); "" for anything else.
    [[nodiscard]] const std::string& scalar() const;
    [[nodiscard]] int line() const;   ///< 1-based
    [[nodiscard]] int column() const; ///< 1-based

    /// A sequence's items, or a map's pairs.
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] TreeNode item(std::size_t i) const;  ///< a sequence's i-th item
    [[nodiscard]] TreeNode key(std::size_t i) const;   ///< a map's i-th key
    [[nodiscard]] TreeNode value(std::size_t i) const; ///< a map's i-th value
    /// A map's value for the scalar key `name`; nullopt when the map has none (or this is no map).
    [[nodiscard]] std::optional<TreeNode> find(std::string_view name) const;

    /// The scalar read as a number by yaml-cpp's rule (Reader::as<double>: "1e3", ".inf" …);
    /// nullopt when it is not one.
    [[nodiscard]] std::optional<double> number() const;

private:
    friend class Tree;
    friend struct TreeBuilder;
    TreeNode(const Tree* tree, std::uint32_t index) : tree_(tree), index_(index) {}
    const Tree* tree_;
    std::uint32_t index_;
};

/// @thread control (any one thread at a time).
class Tree {
public:
    /// Parses `text` read from `file`. A syntax error throws stemdeck::Error
    /// "FILE:LINE:COLUMN: not valid YAML (WHY)" followed by `hint`, as yaml::parse does. A map that
    /// gives one key twice is refused at the second ("'time' is given twice in this map").
    /// The tree is not movable (its nodes point at it), so it comes on the heap.
    [[nodiscard]] static std::unique_ptr<const Tree> parse(std::string_view text, const std::string& file,
                                                           std::string_view hint = {});

    /// The document's root (null for an empty document).
    [[nodiscard]] TreeNode root() const { return {this, 0}; }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }

    /// "FILE:LINE:COLUMN" of a node.
    [[nodiscard]] std::string at(const TreeNode& node) const;
    /// Throws stemdeck::Error "FILE:LINE:COLUMN: message".
    [[noreturn]] void fail(const TreeNode& node, const std::string& message) const;

    /// The first key of the map `map` that is not one of `known`; nullopt when there is none.
    [[nodiscard]] static std::optional<TreeNode> unknownKey(const TreeNode& map, const std::vector<std::string>& known);

    Tree(Tree&&) = delete;
    Tree& operator=(Tree&&) = delete;
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;
    ~Tree() = default;

private:
    friend class TreeNode;
    friend struct TreeBuilder;
    Tree() = default;
    struct Node {
        TreeNode::Kind kind = TreeNode::Kind::null;
        std::uint32_t text = 0;  ///< a scalar's index in texts_
        std::uint32_t first = 0; ///< the first child's place in children_ (a map: key, value, key …)
        std::uint32_t count = 0; ///< children (a map: twice its pairs)
        std::int32_t line = 0, column = 0;
    };
    std::string file_;
    std::vector<Node> nodes_;
    std::vector<std::uint32_t> children_;
    std::vector<std::string> texts_;
};

} // namespace stemdeck::yaml
