// yaml::Tree, libyaml's fast reading of long files (events scripts): the shapes, places and
// numbers the parsers rely on, the same as yaml-cpp gives them.
#include <catch2/catch.hpp>

#include <cmath>

#include "stemdeck/common/Error.h"
#include "stemdeck/yaml/Tree.h"
#include "stemdeck/yaml/Yaml.h"

using namespace stemdeck;
using yaml::Tree;
using yaml::TreeNode;

namespace {
std::string errorOf(const std::string& text) {
    try {
        (void)Tree::parse(text, "t.yaml", "; a hint");
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
} // namespace

TEST_CASE("yaml::Tree: maps, lists, scalars and nulls, each with the line and column yaml-cpp gives", "[unit][yaml]") {
    const std::string text = "events:\n  - { time: 1.5, action: mute, stem: [1, 'Bass'] }\n  - time: 2\n    stem:\n"
                             "    value: ''\n    other: ~\n";
    const auto parsed = Tree::parse(text, "t.yaml");
    const Tree& tree = *parsed;
    const YAML::Node reference = YAML::Load(text);
    const TreeNode events = *tree.root().find("events");
    REQUIRE(events.isSequence());
    REQUIRE(events.size() == 2);
    const TreeNode first = events.item(0);
    REQUIRE(first.isMap());
    CHECK(first.size() == 3);
    CHECK(first.find("action")->scalar() == "mute");
    CHECK(*first.find("time")->number() == 1.5);
    const TreeNode stems = *first.find("stem");
    REQUIRE(stems.isSequence());
    CHECK(stems.item(1).scalar() == "Bass");
    CHECK_FALSE(first.find("value"));
    const TreeNode second = events.item(1);
    CHECK(second.find("stem")->isNull());         // "stem:" with nothing after it
    CHECK(second.find("value")->isScalar());      // '' is an empty text, not null
    CHECK(second.find("value")->scalar().empty());
    CHECK(second.find("other")->isNull());
    // Places: 1-based, where yaml-cpp's marks (0-based) put them.
    for (const auto& [ours, theirs] : {std::pair{first.find("action")->line(), reference["events"][0]["action"].Mark().line + 1},
                                       std::pair{first.find("action")->column(), reference["events"][0]["action"].Mark().column + 1},
                                       std::pair{stems.item(1).column(), reference["events"][0]["stem"][1].Mark().column + 1},
                                       std::pair{second.line(), reference["events"][1].Mark().line + 1},
                                       std::pair{second.column(), reference["events"][1].Mark().column + 1}})
        CHECK(ours == theirs);
    CHECK(tree.at(*first.find("action")) == "t.yaml:2:26");
}

TEST_CASE("yaml::Tree: numbers by yaml-cpp's rule, anchors and aliases, repeated keys and bad YAML", "[unit][yaml]") {
    const auto tree = Tree::parse("a: 1e3\nb: .inf\nc: soon\nd: &x [1, 2]\ne: *x\nf: '7'\n", "t.yaml");
    const TreeNode root = tree->root();
    CHECK(*root.find("a")->number() == 1000.0);
    CHECK(std::isinf(*root.find("b")->number()));
    CHECK_FALSE(root.find("c")->number());
    CHECK(*root.find("f")->number() == 7.0); // quoted or not, as yaml-cpp reads it
    REQUIRE(root.find("e")->isSequence());
    CHECK(root.find("e")->item(1).scalar() == "2");
    CHECK_FALSE(Tree::parse("", "t.yaml")->root().isMap());
    CHECK(Tree::parse("", "t.yaml")->root().isNull());
    CHECK(errorOf("a: 1\nb: 2\na: 3\n") == "t.yaml:3:1: 'a' is given twice in this map; keep one");
    CHECK_THAT(errorOf("a: [1, 2\n"), Catch::StartsWith("t.yaml:2:1: not valid YAML (") && Catch::EndsWith("; a hint"));
    CHECK_THAT(errorOf("a: *nowhere\n"), Catch::StartsWith("t.yaml:1:4: not valid YAML (the alias *nowhere names no anchor"));
    std::string many = "m:\n";
    for (int i = 0; i < 40; ++i)
        many += "  k" + std::to_string(i) + ": 1\n";
    CHECK(errorOf(many + "  k7: 2\n") == "t.yaml:42:3: 'k7' is given twice in this map; keep one");
    CHECK_THAT(errorOf("a: &x [1, *x]\n"), Catch::Contains("names no anchor before it, or one it is inside"));
    CHECK_THAT(errorOf(std::string(70, '[') + std::string(70, ']') + "\n"),
               Catch::StartsWith("t.yaml:1:65: nested more than 64 deep"));
    // Not UTF-8 (a Latin-1 byte in a comment): said at its line and column, not at 1:1.
    CHECK_THAT(errorOf("a: 1\nb: 2 # caf\xe9\n"), Catch::StartsWith("t.yaml:2:") && Catch::Contains("must be UTF-8"));
    CHECK(Tree::unknownKey(Tree::parse("{a: 1, b: 2}", "t")->root(), {"a"})->scalar() == "b");
}
