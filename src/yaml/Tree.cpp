#include "stemdeck/yaml/Tree.h"

#include <yaml.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

#include "stemdeck/common/Error.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::yaml {

namespace {

bool isNullText(const yaml_event_t& e) {
    if (e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false; // "" and "~" quoted are text
    const std::string_view v(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

std::string placeText(const std::string& file, std::size_t line, std::size_t column) {
    return file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1);
}

} // namespace

/// Builds a Tree from libyaml's events: containers open on a stack; each closes into the flat
/// child list, so a node's children are contiguous.
struct TreeBuilder {
    /// Deeper than any stemdeck file goes (an events script: 4), shallow enough that "[[[[…" costs nothing.
    static constexpr std::size_t kMaxDepth = 64;
    Tree& tree;
    std::string_view hint;
    /// The children of each open container, by depth (kept, not freed, as containers close).
    std::vector<std::vector<std::uint32_t>> kids;
    std::vector<std::uint32_t> openNodes; ///< the open containers, outermost first
    std::map<std::string, std::uint32_t, std::less<>> anchors;
    bool rootSet = false;

    std::uint32_t add(TreeNode::Kind kind, const yaml_mark_t& mark) {
        if (tree.nodes_.size() >= std::numeric_limits<std::uint32_t>::max())
            throw Error(tree.file_ + ": too large for a stemdeck file");
        Tree::Node n;
        n.kind = kind;
        n.line = static_cast<std::int32_t>(mark.line + 1);
        n.column = static_cast<std::int32_t>(mark.column + 1);
        tree.nodes_.push_back(n);
        return static_cast<std::uint32_t>(tree.nodes_.size() - 1);
    }

    void anchor(const yaml_char_t* name, std::uint32_t index) {
        if (name) anchors[reinterpret_cast<const char*>(name)] = index;
    }

    /// A finished node (a scalar, an alias, a closed container) goes to its parent.
    void place(std::uint32_t index) {
        if (openNodes.empty()) {
            if (!rootSet) tree.nodes_[0] = tree.nodes_[index]; // node 0 is the root
            rootSet = true;
            return;
        }
        kids[openNodes.size() - 1].push_back(index);
    }

    void close() {
        const std::uint32_t index = openNodes.back();
        std::vector<std::uint32_t>& mine = kids[openNodes.size() - 1];
        openNodes.pop_back();
        Tree::Node& n = tree.nodes_[index];
        n.first = static_cast<std::uint32_t>(tree.children_.size());
        n.count = static_cast<std::uint32_t>(mine.size());
        tree.children_.insert(tree.children_.end(), mine.begin(), mine.end());
        mine.clear();
        if (n.kind == TreeNode::Kind::map) refuseRepeatedKeys(index);
        place(index);
    }

    void refuseRepeatedKeys(std::uint32_t index) const {
        const TreeNode map(&tree, index);
        if (map.size() <= 16) { // an event's map: a few keys, compared in place
            for (std::size_t i = 1; i < map.size(); ++i)
                for (std::size_t j = 0; j < i; ++j)
                    if (map.key(i).isScalar() && map.key(j).isScalar() && map.key(i).scalar() == map.key(j).scalar())
                        repeated(map.key(i));
            return;
        }
        std::vector<std::pair<std::string_view, std::size_t>> keys;
        keys.reserve(map.size());
        for (std::size_t i = 0; i < map.size(); ++i)
            if (map.key(i).isScalar()) keys.emplace_back(map.key(i).scalar(), i);
        std::sort(keys.begin(), keys.end());
        for (std::size_t i = 1; i < keys.size(); ++i)
            if (keys[i].first == keys[i - 1].first) repeated(map.key(std::max(keys[i].second, keys[i - 1].second)));
    }

    [[noreturn]] void repeated(const TreeNode& key) const {
        std::string message(1, '\''); // (built piece by piece: GCC 12 -O3 sees a false -Wrestrict)
        message.append(key.scalar()).append("' is given twice in this map; keep one");
        tree.fail(key, message);
    }

    /// One event; false at the end of the first document.
    bool take(const yaml_event_t& e) {
        switch (e.type) {
        case YAML_SCALAR_EVENT: {
            const std::uint32_t i = add(isNullText(e) ? TreeNode::Kind::null : TreeNode::Kind::scalar, e.start_mark);
            tree.nodes_[i].text = static_cast<std::uint32_t>(tree.texts_.size());
            tree.texts_.emplace_back(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
            anchor(e.data.scalar.anchor, i);
            place(i);
            return true;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (openNodes.size() >= kMaxDepth)
                tree.fail(TreeNode(&tree, add(TreeNode::Kind::null, e.start_mark)),
                          "nested more than " + std::to_string(kMaxDepth) + " deep; a stemdeck file needs a few levels");
            const bool map = e.type == YAML_MAPPING_START_EVENT;
            const std::uint32_t i = add(map ? TreeNode::Kind::map : TreeNode::Kind::sequence, e.start_mark);
            anchor(map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor, i);
            openNodes.push_back(i);
            if (kids.size() < openNodes.size()) kids.emplace_back();
            return true;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            close();
            return true;
        case YAML_ALIAS_EVENT: {
            const auto* name = reinterpret_cast<const char*>(e.data.alias.anchor);
            const auto it = anchors.find(name);
            // (an alias to a container still open, "&a [*a]", would make a cycle: refused too)
            if (it == anchors.end() ||
                std::find(openNodes.begin(), openNodes.end(), it->second) != openNodes.end())
            {
                std::string message = placeText(tree.file_, e.start_mark.line, e.start_mark.column);
                message.append(": not valid YAML (the alias *").append(name).append(" names no anchor before it, or one it is inside)");
                throw Error(message.append(hint));
            }
            place(it->second);
            return true;
        }
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            return false;
        default:
            return true;
        }
    }
};

std::unique_ptr<const Tree> Tree::parse(std::string_view text, const std::string& file, std::string_view hint) {
    std::unique_ptr<Tree> made(new Tree());
    Tree& tree = *made;
    tree.file_ = file;
    tree.nodes_.push_back({}); // the root: null until the document gives one
    tree.texts_.emplace_back();
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) throw Error(file + ": out of memory reading YAML");
    const std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> guard(&parser, yaml_parser_delete);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    // An events script takes about seven bytes of text a node: reserved for one every four, so the
    // tree is not copied as it grows (the pages of a reserve that are never written are never touched).
    tree.nodes_.reserve(text.size() / 4 + 1);
    tree.texts_.reserve(text.size() / 4 + 1);
    tree.children_.reserve(text.size() / 4 + 1);
    TreeBuilder builder{tree, hint, {}, {}, {}, false};
    for (;;) {
        yaml_event_t event;
        if (yaml_parser_parse(&parser, &event) == 0) {
            std::string why = parser.problem ? parser.problem : "unreadable";
            if (parser.context) why += std::string(" ") + parser.context;
            std::size_t line = parser.problem_mark.line, column = parser.problem_mark.column;
            if (parser.error == YAML_READER_ERROR) { // (libyaml gives a byte offset alone: not UTF-8, a control character)
                why += "; the file must be UTF-8 text";
                const std::string_view before = text.substr(0, std::min(parser.problem_offset, text.size()));
                line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
                const std::size_t lineStart = before.rfind('\n');
                column = lineStart == std::string_view::npos ? before.size() : before.size() - lineStart - 1;
            }
            throw Error(placeText(file, line, column) + ": not valid YAML (" + why + ")" + std::string(hint));
        }
        const std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> owned(&event, yaml_event_delete);
        if (!builder.take(event)) break;
    }
    return made;
}

std::string Tree::at(const TreeNode& node) const {
    const Node& n = nodes_[node.index_];
    if (n.line <= 0) return file_;
    return file_ + ":" + std::to_string(n.line) + ":" + std::to_string(n.column);
}

void Tree::fail(const TreeNode& node, const std::string& message) const {
    throw Error(at(node) + ": " + message);
}

std::optional<TreeNode> Tree::unknownKey(const TreeNode& map, const std::vector<std::string>& known) {
    for (std::size_t i = 0; i < map.size(); ++i)
        if (std::find(known.begin(), known.end(), map.key(i).scalar()) == known.end()) return map.key(i);
    return std::nullopt;
}

TreeNode::Kind TreeNode::kind() const {
    return tree_->nodes_[index_].kind;
}

const std::string& TreeNode::scalar() const {
    const Tree::Node& n = tree_->nodes_[index_];
    return n.kind == Kind::scalar ? tree_->texts_[n.text] : tree_->texts_[0];
}

int TreeNode::line() const {
    return tree_->nodes_[index_].line;
}

int TreeNode::column() const {
    return tree_->nodes_[index_].column;
}

std::size_t TreeNode::size() const {
    const Tree::Node& n = tree_->nodes_[index_];
    return n.kind == Kind::map ? n.count / 2 : n.kind == Kind::sequence ? n.count : 0;
}

TreeNode TreeNode::item(std::size_t i) const {
    return {tree_, tree_->children_[tree_->nodes_[index_].first + i]};
}

TreeNode TreeNode::key(std::size_t i) const {
    return {tree_, tree_->children_[tree_->nodes_[index_].first + 2 * i]};
}

TreeNode TreeNode::value(std::size_t i) const {
    return {tree_, tree_->children_[tree_->nodes_[index_].first + 2 * i + 1]};
}

std::optional<TreeNode> TreeNode::find(std::string_view name) const {
    if (!isMap()) return std::nullopt;
    for (std::size_t i = 0; i < size(); ++i)
        if (key(i).isScalar() && key(i).scalar() == name) return value(i);
    return std::nullopt;
}

std::optional<double> TreeNode::number() const {
    if (!isScalar()) return std::nullopt;
    return Reader::as<double>(YAML::Node(scalar()));
}

} // namespace stemdeck::yaml
