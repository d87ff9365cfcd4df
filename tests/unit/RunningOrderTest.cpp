// Tonight's running order: its edits, its file beside the set, and a set played in the edited order
// (run-on kept gapless) with the edits arriving as actions through a router input, as a surface's do.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "../support/TestSupport.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/control/Show.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/set/SetFile.h"

using namespace stemdeck;
using namespace stemdeck::control;
using set::RunningOrder;

namespace {

std::vector<int> songsOf(const RunningOrder& o) {
    std::vector<int> v;
    for (const set::OrderEntry& e : o.entries())
        v.push_back(e.song);
    return v;
}

std::string parseError(const std::string& text, const std::vector<set::SetSong>& songs,
                       const std::filesystem::path& setFile) {
    try {
        (void)set::parseRunningOrder(text, "tonight.order.yaml", songs, setFile);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("A running order moves, cuts, adds and marks songs, and next passes over cut and played ones", "[unit][order]") {
    RunningOrder o = RunningOrder::plan(5);
    CHECK(songsOf(o) == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(o.after(-1) == 0);
    CHECK(o.move(4, 1).empty()); // song 5 to place 2
    CHECK(songsOf(o) == std::vector<int>{0, 4, 1, 2, 3});
    CHECK(o.move(0, 99).empty()); // clamped to the end
    CHECK(songsOf(o) == std::vector<int>{4, 1, 2, 3, 0});
    CHECK(o.skip(2, true).empty());
    CHECK(o.ahead(4) == std::vector<int>{1, 3, 0});
    CHECK(o.before(3) == 1); // the cut song is passed over going back too
    CHECK(o.markPlayed(3, true).empty());
    CHECK(o.after(1) == 0);  // played: passed over on the way on…
    CHECK(o.before(0) == 3); // …but not on the way back
    CHECK(o.remove(1).empty());
    CHECK(o.notTonight() == std::vector<int>{1});
    CHECK(o.add(1, 0).empty()); // back in, at the top, to play
    CHECK(songsOf(o) == std::vector<int>{1, 4, 2, 3, 0});
    CHECK(o.add(3, -1).empty()); // played: to the end, to play again
    CHECK(songsOf(o) == std::vector<int>{1, 4, 2, 0, 3});
    CHECK_FALSE(o.played(3));
    CHECK(o.skip(2, false).empty());
    CHECK(o.ahead(-1) == std::vector<int>{1, 4, 2, 0, 3});
    CHECK(o.move(7, 0).find("there is no song 8; the set has 5") != std::string::npos);
    CHECK(o.move(1, -1) == "a place tonight counts from 1");
    CHECK(o.remove(1).empty());
    CHECK(o.skip(1, true).find("not in tonight's order") != std::string::npos);
    CHECK_THROWS_WITH(RunningOrder::of({{0}, {2}, {0}}, 3), Catch::Contains("song 1 is in the running order twice"));
    const int added = o.grow();
    CHECK(added == 5);
    CHECK(o.notTonight() == std::vector<int>{1, 5});
}

TEST_CASE("The running order file reads back what it wrote, names songs by folder, and says what is wrong where",
          "[unit][order]") {
    test::TempDir dir;
    for (const char* f : {"one", "two", "three", "encore"})
        std::filesystem::create_directories(dir / f);
    std::vector<set::SetSong> songs(3);
    songs[0].source = dir / "one";
    songs[0].title = "One";
    songs[1].source = dir / "two";
    songs[2].source = dir / "three";
    const std::filesystem::path setFile = dir / "live.yaml";
    CHECK(set::runningOrderFile(setFile) == dir / "live.order.yaml");

    // Written: song 3 first, song 1 played, song 2 cut, a folder added tonight.
    std::vector<set::SetSong> catalogue = songs;
    catalogue.emplace_back().source = dir / "encore";
    RunningOrder o = RunningOrder::of({{2, false, false}, {0, false, true}, {3, false, false}, {1, true, false}}, 4);
    const std::string text = set::formatRunningOrder(o, catalogue, 3, setFile);
    CHECK(text.find("- { song: \"three\" }  # 3 three") != std::string::npos);
    CHECK(text.find("- { song: \"one\", played: true }  # 1 One") != std::string::npos);
    CHECK(text.find("added:\n  - \"encore\"") != std::string::npos);
    set::saveRunningOrder(o, catalogue, 3, setFile, set::runningOrderFile(setFile));
    const set::OrderFile back = set::loadRunningOrder(set::runningOrderFile(setFile), songs, setFile);
    CHECK(back.order == o);
    REQUIRE(back.added.size() == 1);
    CHECK(back.added[0] == dir / "encore");

    // Written by hand: numbers, plain or with flags; songs of the set left out are not tonight.
    const set::OrderFile hand =
        set::parseRunningOrder("order: [3, { song: 1, skipped: true }]\n", "x.yaml", songs, setFile);
    CHECK(songsOf(hand.order) == std::vector<int>{2, 0});
    CHECK(hand.order.skipped(0));
    CHECK(hand.order.notTonight() == std::vector<int>{1});

    CHECK_THAT(parseError("order: [1, 4]\n", songs, setFile),
               Catch::Contains("tonight.order.yaml:1:12") && Catch::Contains("there is no song 4; the set has 3"));
    CHECK_THAT(parseError("order:\n  - 2\n  - two\n", songs, setFile),
               Catch::Contains(":3:5") && Catch::Contains("song 2 (two) is in the running order twice"));
    CHECK_THAT(parseError("order: [1]\nsongs: [2]\n", songs, setFile),
               Catch::Contains(":2:1") && Catch::Contains("unknown key 'songs'"));
    CHECK_THAT(parseError("order:\n  - { song: 1, skiped: true }\n", songs, setFile),
               Catch::Contains("unknown key 'skiped'") && Catch::Contains("did you mean 'skipped'"));
    CHECK_THAT(parseError("order: [gone]\n", songs, setFile),
               Catch::Contains("'gone' is neither a song of the set nor a stem folder"));
    CHECK_THAT(parseError("set: other.yaml\norder: [1]\n", songs, setFile),
               Catch::Contains("this running order is for the set 'other.yaml', not 'live.yaml'"));
    CHECK_THAT(parseError("order: 3\n", songs, setFile), Catch::Contains("expected 'order:' and a list of songs"));
    // A quoted number is a folder's name (as play writes every folder); a plain one, a song's number.
    std::filesystem::create_directories(dir / "22");
    const set::OrderFile named = set::parseRunningOrder("order: [\"22\", 2]\n", "x.yaml", songs, setFile);
    REQUIRE(named.added.size() == 1);
    CHECK(named.added[0] == dir / "22");
    CHECK(songsOf(named.order) == std::vector<int>{3, 1});
    // Songs outside the set's folder are written absolute: they read back from anywhere.
    std::vector<set::SetSong> outside = songs;
    outside[1].source = dir.path().parent_path() / "elsewhere";
    CHECK(set::formatRunningOrder(RunningOrder::plan(3), outside, 3, setFile)
              .find("{ song: \"" + (dir.path().parent_path() / "elsewhere").generic_string() + "\" }") !=
          std::string::npos);
    CHECK_THAT(parseError("order: [1\n", songs, setFile), Catch::Contains("tonight.order.yaml"));
}

TEST_CASE("Running order values: a song and its place", "[unit][order][actions]") {
    ActionCall c;
    std::string error;
    ValueContext ctx;
    ctx.songs = 8;
    REQUIRE(parseValue(info(Action::moveSong), "7 to 3", ctx, c, error));
    CHECK(c.value == 6.0f);
    CHECK(c.to == 3.0);
    REQUIRE(parseValue(info(Action::addSong), "5", ctx, c, error));
    CHECK(c.value == 4.0f);
    CHECK(c.to == 0.0);
    CHECK_FALSE(parseValue(info(Action::moveSong), "7", ctx, c, error));
    CHECK(error == "move_song needs a place: write 7 to 3 (song 7 to place 3 tonight)");
    CHECK_FALSE(parseValue(info(Action::moveSong), "9 to 1", ctx, c, error));
    CHECK(error == "there is no song 9; the set has 8");
    CHECK_FALSE(parseValue(info(Action::moveSong), "2 to 0", ctx, c, error));
    CHECK(error.find("places count from 1") != std::string::npos);
}

namespace {
constexpr int kRate = 48000;
constexpr int kSong = kRate / 4; // each song 0.25 s of one level

// Four one-stem songs, levels 0.1 … 0.4, and a fifth not tonight (0.5).
struct OrderRig {
    test::TempDir dir;
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<Show> show;
    std::unique_ptr<Router::Input> input;
    std::vector<float> out;
    explicit OrderRig(AtEnd atEnd) {
        std::vector<set::SetSong> songs;
        for (int k = 1; k <= 5; ++k) {
            const std::string name = "song" + std::to_string(k);
            test::writeStemFolder(dir / name, kRate, {test::constantStem(kSong, 0.1f * static_cast<float>(k), false)},
                                  {"S"});
            songs.emplace_back().source = dir / name;
        }
        std::ofstream(dir / "live.yaml") << "songs: []\n"; // (the set file the order is saved beside)
        engine.prepare(kRate, 256);
        PlayerOptions o;
        o.atEnd = atEnd;
        o.song.sampleRate = kRate;
        o.setFile = dir / "live.yaml";
        o.orderFile = set::runningOrderFile(o.setFile);
        o.order = RunningOrder::of({{0}, {1}, {2}, {3}}, 5);
        show = std::make_unique<Show>(engine, std::move(songs), o, log);
        input = show->makeInput(Surface::script);
        show->start();
    }
    void send(Action a, int song, int place = 0) {
        ActionCall c;
        c.action = a;
        c.value = static_cast<float>(song - 1);
        c.to = place;
        REQUIRE(input->send(c));
    }
    void run(int blocks) {
        std::vector<float> l(256), r(256);
        for (int b = 0; b < blocks; ++b) {
            engine.process(l.data(), r.data(), 256);
            out.insert(out.end(), l.begin(), l.end());
            show->tick();
        }
    }
    /// The level heard over frames [from, to): one value, or -1 when it changes inside.
    [[nodiscard]] float level(std::size_t from, std::size_t to) const {
        for (std::size_t i = from; i < to; ++i)
            if (out[i] != out[from]) return -1.0f;
        return out[from];
    }
};

std::vector<int> tonight(const ShowState& s) {
    std::vector<int> v;
    for (const ShowSong& song : s.songs)
        v.push_back(song.number);
    return v;
}
} // namespace

TEST_CASE("Edits while the set plays change what follows at once, the playing song uncut, run-on gapless",
          "[unit][order][player]") {
    OrderRig rig(AtEnd::runOn);
    rig.show->player().play();
    rig.run(10); // song 1 plays; song 2 is cued to run on
    CHECK(rig.show->player().cuedSong() == 1);
    rig.send(Action::moveSong, 4, 2);  // 1 4 2 3
    rig.send(Action::skipSong, 2);     // 1 4 (2) 3
    rig.send(Action::addSong, 5);      // 1 4 (2) 3 5
    rig.send(Action::skipSong, 1);     // the playing song: refused
    rig.send(Action::moveSong, 3, 10); // 3 to the end: 1 4 (2) 5 3
    rig.run(1);
    CHECK(rig.show->player().cuedSong() == 3); // song 4 cued now, in place of song 2
    const auto st = rig.show->state().latest();
    CHECK(tonight(*st) == std::vector<int>{1, 4, 2, 5, 3});
    CHECK(st->songs[2].skipped);
    CHECK_FALSE(st->songs[0].played); // (played once it has reached its end)
    CHECK(st->notTonight.empty());
    CHECK(st->cuedSong == 1);
    CHECK(rig.log.str().find("song 1 'song1' is playing and plays on") != std::string::npos);
    rig.run(4 * kSong / 256 + 20);
    // Heard: 1, 4, 5, 3, one after another with no gap, then silence.
    const auto n = static_cast<std::size_t>(kSong);
    CHECK(rig.level(0, n) == 0.1f);
    CHECK(rig.level(n, 2 * n) == 0.4f);
    CHECK(rig.level(2 * n, 3 * n) == 0.5f);
    CHECK(rig.level(3 * n, 4 * n) == 0.3f);
    CHECK(rig.out[4 * n] == 0.0f);
    CHECK(rig.show->player().finished());
    // Saved beside the set at every change, each song marked played as it played.
    const set::OrderFile saved =
        set::loadRunningOrder(rig.dir / "live.order.yaml", rig.show->player().songs(), rig.dir / "live.yaml");
    CHECK(songsOf(saved.order) == std::vector<int>{0, 3, 1, 4, 2});
    CHECK(saved.order.played(4));
    CHECK(saved.order.played(2));
    CHECK(saved.order.skipped(1));
    CHECK_FALSE(saved.order.played(1));
}

TEST_CASE("play_next and go_to_song bring a cut or missing song in, and a song waiting at its start can be cut",
          "[unit][order][player]") {
    OrderRig rig(AtEnd::stop);
    rig.send(Action::playNext, 5); // not tonight: in, after song 1
    rig.run(1);
    CHECK(tonight(*rig.show->state().latest()) == std::vector<int>{1, 5, 2, 3, 4});
    rig.send(Action::skipSong, 1); // waiting at its start, not begun: cut, song 5 waits instead
    rig.run(20);
    CHECK(rig.show->player().currentSong() == 4);
    CHECK(rig.show->state().latest()->songs[0].skipped);
    rig.send(Action::goToSong, 1); // by name: back in, after the song playing
    rig.run(20);
    CHECK(rig.show->player().currentSong() == 0);
    CHECK(tonight(*rig.show->state().latest()) == std::vector<int>{5, 1, 2, 3, 4});
    CHECK_FALSE(rig.show->state().latest()->songs[1].skipped);
    rig.send(Action::togglePlayed, 2);
    rig.run(1);
    CHECK(rig.show->player().cuedSong() == 2); // song 2 marked played: song 3 follows
    CHECK(rig.show->player().status().nextTitle == "song3");
    // Tonight runs forwards: a song put before the one playing goes right after it instead, and
    // the current song stays where it is.
    rig.send(Action::moveSong, 4, 1);
    rig.send(Action::moveSong, 1, 5);
    rig.run(1);
    CHECK(tonight(*rig.show->state().latest()) == std::vector<int>{5, 1, 4, 2, 3});
    CHECK(rig.log.str().find("song 4 'song4' would go before the song playing and never play") != std::string::npos);
    CHECK(rig.log.str().find("song 1 'song1' is the current song: it stays where it is") != std::string::npos);
}

TEST_CASE("A song only started is not played: a wrong next put right with previous plays it again next",
          "[unit][order][player]") {
    OrderRig rig(AtEnd::stop);
    rig.show->player().play();
    rig.run(10);
    rig.show->player().nextSong(); // by mistake: song 2 starts…
    rig.run(20);
    REQUIRE(rig.show->player().currentSong() == 1);
    REQUIRE(rig.engine.rolling());
    rig.show->player().previousSong(); // …and back to song 1
    rig.run(20);
    CHECK(rig.show->player().currentSong() == 0);
    const auto st = rig.show->state().latest();
    CHECK_FALSE(st->songs[1].played);
    CHECK(rig.show->player().cuedSong() == 1); // song 2 still follows
    rig.run(kSong / 256 + 40);                 // song 1 ends: played; song 2 waits at its start
    CHECK(rig.show->state().latest()->songs[0].played);
    CHECK(rig.show->player().currentSong() == 1);
}
