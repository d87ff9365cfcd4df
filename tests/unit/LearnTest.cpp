#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/midi/Learn.h"

using namespace stemdeck;
using namespace stemdeck::midi;

namespace {
const std::filesystem::path kControllers = STEMDECK_SOURCE_DIR "/controllers";

LearnChoice typed(const std::string& keys) {
    LearnChoice c;
    for (const char k : keys)
        c.feed(k);
    return c;
}

void requireSame(const Mapping& a, const Mapping& b) {
    CHECK(a.name == b.name);
    CHECK(a.ports == b.ports);
    REQUIRE(a.shiftControl.has_value() == b.shiftControl.has_value());
    if (a.shiftControl) {
        CHECK(a.shiftControl->number == b.shiftControl->number);
        CHECK(a.shiftControl->channel == b.shiftControl->channel);
    }
    REQUIRE(a.bindings.size() == b.bindings.size());
    for (std::size_t i = 0; i < a.bindings.size(); ++i) {
        const Binding &x = a.bindings[i], &y = b.bindings[i];
        INFO("binding " << i << " (line " << x.line << ")");
        CHECK(x.kind == y.kind);
        CHECK(x.number == y.number);
        CHECK(x.channel == y.channel);
        CHECK(x.action == y.action);
        CHECK(x.stems == y.stems);
        CHECK(x.mode == y.mode);
        CHECK(x.quantize == y.quantize);
        CHECK(x.shift == y.shift);
        CHECK(x.softTakeover == y.softTakeover);
        CHECK(x.minDb == y.minDb);
        CHECK(x.maxDb == y.maxDb);
        CHECK(x.ledOn == y.ledOn);
        CHECK(x.ledOff == y.ledOff);
        CHECK(x.ledBlink == y.ledBlink);
        CHECK(x.ledNumber == y.ledNumber);
        CHECK(x.ledChannel == y.ledChannel);
    }
}
} // namespace

TEST_CASE("Learn takes the control from a note-on, a CC or a program change only", "[unit][midi]") {
    const auto pad = controlOf({0x99, 36, 100});
    REQUIRE(pad);
    CHECK(pad->kind == MessageKind::note);
    CHECK(pad->number == 36);
    CHECK(pad->channel == 9);
    CHECK(pad->describe() == "note 36 on channel 10");
    CHECK(controlOf({0xB0, 7, 0})->kind == MessageKind::cc);
    CHECK(controlOf({0xC2, 5})->describe() == "program 5 on channel 3");
    CHECK_FALSE(controlOf({0x99, 36, 0})); // a note-on with velocity 0 is a release
    CHECK_FALSE(controlOf({0x89, 36, 0}));
    CHECK_FALSE(controlOf({0xE0, 0, 64})); // pitch bend
    CHECK_FALSE(controlOf({}));
}

TEST_CASE("Learn choices: an action letter, then the stem for per-stem actions", "[unit][midi]") {
    const LearnedControl pad{MessageKind::note, 36, 9};
    const LearnedControl fader{MessageKind::cc, 7, 0};
    LearnChoice mute = typed("m");
    CHECK(mute.state() == LearnChoice::State::needsStem);
    mute.feed('9');
    CHECK(mute.state() == LearnChoice::State::needsStem);
    CHECK(mute.error().find("1 to 8") != std::string::npos);
    mute.feed('3');
    REQUIRE(mute.state() == LearnChoice::State::done);
    const Binding b = mute.binding(pad);
    CHECK(b.action == MapAction::toggleMute);
    CHECK(b.stems == std::vector<int>{2});
    CHECK(b.channel == 9);
    CHECK(b.ledOn == 127);
    CHECK(b.ledOff == 0);
    const Binding hold = typed("h1").binding(pad);
    CHECK(hold.action == MapAction::mute);
    CHECK(hold.mode == ControlMode::momentary);
    CHECK_FALSE(hold.ledOn);
    const Binding enc = typed("e 4").binding(fader);
    CHECK(enc.action == MapAction::filter);
    CHECK(enc.mode == ControlMode::relative);
    CHECK(typed("g2").binding(fader).action == MapAction::gain);
    const Binding drop = typed("d").binding(pad);
    CHECK(drop.stems.size() == 8);
    CHECK(drop.quantize == engine::Quantize::bar);
    CHECK(typed("n").binding(pad).action == MapAction::nextSong);
    CHECK(typed("]").state() == LearnChoice::State::done);
    CHECK(typed("q").error().find("not an action") != std::string::npos);
    CHECK(typed("m\x1b").state() == LearnChoice::State::cancelled);
}

TEST_CASE("A learned binding replaces the one on the same control and layer", "[unit][midi]") {
    Mapping m;
    CHECK(addBinding(m, typed("m1").binding({MessageKind::note, 36, 0})) == 0);
    CHECK(addBinding(m, typed("s1").binding({MessageKind::note, 37, 0})) == 0);
    CHECK(addBinding(m, typed("m2").binding({MessageKind::note, 36, 1})) == 0); // another channel: another control
    m.bindings[0].line = 4;
    CHECK(addBinding(m, typed("s3").binding({MessageKind::note, 36, 0})) == 4);
    REQUIRE(m.bindings.size() == 3);
    CHECK(m.bindings[0].action == MapAction::toggleSolo);
    CHECK(m.bindings[0].stems == std::vector<int>{2});
}

TEST_CASE("Every shipped mapping survives formatMapping and parseMapping unchanged", "[unit][midi]") {
    for (const auto& entry : std::filesystem::directory_iterator(kControllers)) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path().filename().string());
        const Mapping original = loadMapping(entry.path());
        requireSame(original, parseMapping(formatMapping(original), "again.yaml"));
    }
    Mapping empty;
    empty.name = "Odd \"name\" \\ here\nand\ttabs";
    const Mapping back = parseMapping(formatMapping(empty), "empty.yaml");
    CHECK(back.name == empty.name);
    CHECK(back.bindings.empty());
}

TEST_CASE("saveMapping replaces the file whole, or leaves the old one", "[unit][midi]") {
    test::TempDir dir;
    const auto file = dir / "mine.yaml";
    Mapping m = loadOrNewMapping(file); // no file yet: a new, empty mapping named after it
    CHECK(m.name == "mine");
    CHECK(m.bindings.empty());
    addBinding(m, typed("m1").binding({MessageKind::note, 36, 0}));
    saveMapping(m, file);
    addBinding(m, typed("g1").binding({MessageKind::cc, 7, 0}));
    saveMapping(m, file);
    requireSame(m, loadMapping(file));
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++files;
        CHECK(e.path().filename() == "mine.yaml"); // no temporary file left behind
    }
    CHECK(files == 1);

    const auto before = std::filesystem::file_size(file);
    // A folder that cannot be made (a file is in its place): an error naming the file.
    CHECK_THROWS_WITH(saveMapping(m, file / "x.yaml"), Catch::Contains("mine.yaml/x.yaml"));
    CHECK(std::filesystem::file_size(file) == before);

    std::ofstream(dir / "broken.yaml") << "bindings: [ { note: 1, action: fly } ]\n";
    CHECK_THROWS_WITH(loadOrNewMapping(dir / "broken.yaml"), Catch::Contains("unknown action 'fly'"));
}

TEST_CASE("A save removes the temporary files of earlier saves that were killed, and only those", "[unit][midi]") {
    test::TempDir dir;
    const auto file = dir / "mine.yaml";
    // A PID that ran and is gone (a child that exited and was reaped), and one that runs (ours' parent).
    const pid_t child = fork();
    if (child == 0) _exit(0);
    REQUIRE(child > 0);
    waitpid(child, nullptr, 0);
    const auto stale = dir / (".mine.yaml.tmp" + std::to_string(child));
    const auto running = dir / (".mine.yaml.tmp" + std::to_string(getppid()));
    const auto other = dir / (".other.yaml.tmp" + std::to_string(child)); // another file's
    const auto notOurs = dir / ".mine.yaml.tmpfoo";                       // not a PID
    for (const auto& p : {stale, running, other, notOurs})
        std::ofstream(p) << "half a mapping";
    Mapping m = loadOrNewMapping(file);
    addBinding(m, typed("m1").binding({MessageKind::note, 36, 0}));
    saveMapping(m, file);
    CHECK_FALSE(std::filesystem::exists(stale));
    CHECK(std::filesystem::exists(running));
    CHECK(std::filesystem::exists(other));
    CHECK(std::filesystem::exists(notOurs));
    requireSame(m, loadMapping(file));
}
