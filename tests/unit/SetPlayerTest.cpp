// The control side of live playback: keys decoded from a terminal's bytes, and SetPlayer running
// a list of real song folders on an engine driven block by block, as a device would.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "../support/TestSupport.h"
#include "stemdeck/app/Keys.h"
#include "stemdeck/app/PlayScreen.h"
#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/control/Show.h"

using namespace stemdeck;
using namespace stemdeck::control;
using namespace stemdeck::app;

TEST_CASE("Keys: digits mute, shifted digits and s-digit solo, arrows split across reads", "[unit][keys]") {
    struct Decoder {
        TerminalKeys terminal;
        KeyDecoder keys;
        std::vector<ActionCall> feed(std::string_view bytes) { return decodeKeys(terminal, keys, bytes); }
    } d;
    auto one = [&](std::string_view bytes) {
        const auto k = d.feed(bytes);
        REQUIRE(k.size() == 1);
        return k[0];
    };
    CHECK(one("1").action == Action::toggleMute);
    CHECK(one("8").stem == 7);
    CHECK(one("!").action == Action::toggleSolo);
    CHECK(one("*").stem == 7);
    const ActionCall s3 = one("s3");
    CHECK(s3.action == Action::toggleSolo);
    CHECK(s3.stem == 2);
    CHECK(one(" ").action == Action::togglePlay);
    CHECK(one("n").action == Action::nextSong);
    CHECK(one("l").action == Action::learn);
    CHECK(one("p").action == Action::previousSong);
    CHECK(one("c").action == Action::cycleClick);
    CHECK(one("q").action == Action::quit);
    CHECK(d.feed("\x1b").empty()); // an arrow key arriving in pieces
    CHECK(d.feed("[").empty());
    CHECK(one("C").action == Action::barForward);
    CHECK(one("\x1bOD").action == Action::barBack);
    CHECK(one("\x1b[H").action == Action::toStart);
    CHECK(d.feed("\x1b[A").empty()); // up arrow: nothing
    CHECK(d.feed("xyj9").empty());   // not keys
    const ActionCall go = one("g12\r");
    CHECK(go.action == Action::goToSong);
    CHECK(go.value == 11.0f);
    CHECK(d.feed("g3x").empty()); // anything but a digit or Enter cancels
    CHECK(one("v").action == Action::vamp);
    CHECK(one("r").action == Action::toggleReference);
    CHECK(one("]").action == Action::nextMarker);
    CHECK(one("-").action == Action::tempoDown);
    CHECK(one("+").action == Action::tempoUp);
    CHECK(one("=").action == Action::tempoUp); // + without shift
    CHECK(one("<").action == Action::transposeDown);
    CHECK(one(">").action == Action::transposeUp);
    CHECK(d.feed(",").empty()); // (the stage GUI's settings)
    const auto many = d.feed("12 q");
    REQUIRE(many.size() == 4);
    CHECK(many[1].stem == 1);
    CHECK(many[3].action == Action::quit);
    // Escape: alone for a whole read it is the key (it cancels a prefix; MIDI learn reads it).
    CHECK(d.feed("s\x1b").empty());
    const auto esc = d.terminal.feed("");
    REQUIRE(esc.size() == 1);
    CHECK(esc[0] == Key::named_(Key::Named::escape));
    CHECK_FALSE(d.keys.feed(esc[0]).has_value());
    CHECK(one("3").action == Action::toggleMute); // the s was cancelled
}

TEST_CASE("Keys from the stage window are the terminal's keys: the same actions without escape bytes", "[unit][keys]") {
    KeyDecoder window, terminal;
    TerminalKeys bytes;
    const std::vector<std::pair<Key, std::string>> same = {{Key::named_(Key::Named::left), "\x1b[D"},
                                                           {Key::named_(Key::Named::right), "\x1b[C"},
                                                           {Key::named_(Key::Named::home), "\x1b[H"},
                                                           {Key::character('3'), "3"},
                                                           {Key::character(' '), " "}};
    for (const auto& [key, raw] : same) {
        const auto a = window.feed(key);
        const auto b = decodeKeys(bytes, terminal, raw);
        REQUIRE(a.has_value());
        REQUIRE(b.size() == 1);
        CHECK(a->action == b[0].action);
        CHECK(a->stem == b[0].stem);
    }
    CHECK_FALSE(window.feed(Key::character('g')).has_value());
    CHECK_FALSE(window.feed(Key::character('1')).has_value());
    const auto go = window.feed(Key::named_(Key::Named::enter));
    REQUIRE(go.has_value());
    CHECK(go->action == Action::goToSong);
    CHECK(go->value == 0.0f);
}

namespace {
constexpr int kRate = 48000;

struct Set {
    test::TempDir dir;
    std::vector<std::filesystem::path> songs;
    Set() {
        // Song 1: 0.25 for 0.5 s; song 2: a folder with no stems; song 3: 0.5 for 0.5 s.
        test::writeStemFolder(dir / "one", kRate, {test::constantStem(kRate / 2, 0.25f, false)}, {"A"});
        std::filesystem::create_directories(dir / "two");
        test::writeStemFolder(dir / "three", kRate, {test::constantStem(kRate / 2, 0.5f, false)}, {"B"});
        songs = {dir / "one", dir / "two", dir / "three"};
    }
};

// Runs the engine like a device callback, the show ticking after every block; actions go in
// through a router input, as a surface's do.
struct Rig {
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<Show> show;
    SetPlayer* player = nullptr;
    std::unique_ptr<Router::Input> input;
    std::vector<float> out;
    Rig(const std::vector<std::filesystem::path>& songs, AtEnd atEnd) : Rig(songsFromFolders(songs), atEnd) {}
    Rig(std::vector<set::SetSong> songs, AtEnd atEnd, const std::optional<ShowPoint>& resume = std::nullopt,
        bool playOnResume = false) {
        engine.prepare(kRate, 256);
        PlayerOptions o;
        o.atEnd = atEnd;
        o.song.sampleRate = kRate;
        show = std::make_unique<Show>(engine, std::move(songs), o, log);
        player = &show->player();
        input = show->makeInput(Surface::script);
        show->start(resume, playOnResume);
    }
    void run(int blocks) {
        std::vector<float> l(256), r(256);
        for (int b = 0; b < blocks; ++b) {
            engine.process(l.data(), r.data(), 256);
            out.insert(out.end(), l.begin(), l.end());
            show->tick();
        }
    }
};

// A one-stem song at 120 BPM whose samples are their own frame number / 1e6 (the output tells
// the song position), with markers.
set::SetSong rampSong(const test::TempDir& dir, std::int64_t frames, std::vector<set::Marker> markers) {
    test::StemAudio ramp;
    ramp.left.resize(static_cast<std::size_t>(frames));
    for (std::size_t i = 0; i < ramp.left.size(); ++i)
        ramp.left[i] = static_cast<float>(i) / 1e6f;
    test::writeStemFolder(dir / "song", kRate, {ramp}, {"Ramp"}, "BPM: 120\n");
    set::SetSong plan;
    plan.source = dir / "song";
    plan.markers = std::move(markers);
    return plan;
}
} // namespace

TEST_CASE("SetPlayer runs on from song to song with no gap, skipping a song that cannot play", "[unit][player]") {
    Set set;
    Rig rig(set.songs, AtEnd::runOn);
    rig.player->play();
    rig.run(250); // 64000 frames: both songs (48000) and some silence
    CHECK(rig.log.str().find("song 2 (") != std::string::npos);
    CHECK(rig.log.str().find("cannot play") != std::string::npos);
    CHECK(rig.out[0] == 0.25f);
    CHECK(rig.out[23999] == 0.25f);
    CHECK(rig.out[24000] == 0.5f); // song 3's first frame right after song 1's last
    CHECK(rig.out[47999] == 0.5f);
    CHECK(rig.out[48000] == 0.0f);
    CHECK(rig.player->finished());
    CHECK(rig.player->currentSong() == 2);
}

TEST_CASE("SetPlayer at-end stop waits at the next song's start for play", "[unit][player]") {
    Set set;
    Rig rig(set.songs, AtEnd::stop);
    rig.player->play();
    rig.run(150); // 38400 frames: song 1 ends at 24000
    CHECK_FALSE(rig.player->finished());
    CHECK(rig.player->currentSong() == 2);
    CHECK_FALSE(rig.engine.rolling());
    CHECK(rig.out.back() == 0.0f);
    rig.player->play();
    rig.run(10);
    CHECK(rig.out.back() == 0.5f);
    rig.run(100);
    CHECK(rig.player->finished());
}

TEST_CASE("SetPlayer next / previous while playing fade out and play the other song", "[unit][player]") {
    Set set;
    Rig rig(set.songs, AtEnd::stop);
    rig.player->play();
    rig.run(10);
    rig.player->nextSong();
    rig.run(10); // the 10 ms fade, then song 3 from its start
    CHECK(rig.player->currentSong() == 2);
    CHECK(rig.out.back() == 0.5f);
    CHECK(rig.player->status().title == "three");
    rig.player->previousSong(); // song 2 cannot play: back to song 1
    rig.run(10);
    CHECK(rig.player->currentSong() == 0);
    CHECK(rig.out.back() == 0.25f);
    ActionCall mute;
    mute.action = Action::toggleMute;
    mute.stem = 0;
    rig.input->send(mute);
    rig.run(10);
    CHECK(rig.out.back() == 0.0f);
    CHECK(rig.player->status().stems.at(0).mix.muted);
    rig.player->quit();
    rig.run(5);
    CHECK(rig.player->finished());
}

TEST_CASE("The status display shows song, position, count-in and stem states", "[unit][player]") {
    PlayerStatus s;
    s.song = 2;
    s.songs = 5;
    s.title = "Neon";
    s.rolling = true;
    s.seconds = 83.4;
    s.lengthSeconds = 200.0;
    s.barBeat = {42, 3, 0.0};
    s.stems.push_back({"Drums", {true, false, 0.5f, -0.25f}, false, 0.1f, -1, false, {}});
    s.stems.push_back({"Bass", {false, true, 1.0f, 0.0f}, false, 1.2f, 0, true, {}});
    const auto lines = formatStatus(s, 3, 200, {"out 5-6"});
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("> 2/5 Neon | bar 42.3 | 1:23.4 / 3:20.0 (-1:56.6)") == 0);
    CHECK(lines[0].find("xruns 3") != std::string::npos);
    CHECK(lines[1].find(" 1 Drums") == 0);
    CHECK(lines[1].find(" M - ") != std::string::npos);
    CHECK(lines[1].find("-6.0 dB") != std::string::npos);
    CHECK(lines[1].find("filter -0.25") != std::string::npos);
    CHECK(lines[2].find(" - S ") != std::string::npos);
    CHECK(lines[2].find("!") != std::string::npos); // clipping
    CHECK(lines[2].find("out 5-6") != std::string::npos);
    CHECK(lines[2].find("waits for the beat/bar") != std::string::npos);
    CHECK(lines[1].find("waits") == std::string::npos);
    CHECK(lines[0].find("LOST") == std::string::npos);
    s.dropped = 4; // a lost command is shouted, never hidden
    CHECK(formatStatus(s, 3, 250, {"out 5-6"})[0].find("COMMANDS LOST 4") != std::string::npos);
    s.dropped = 0;
    s.seconds = -1.5;
    s.barBeat = {0, 2, 0.0};
    CHECK(formatStatus(s, 0, 200)[0].find("count-in 2") != std::string::npos);
    CHECK(formatStatus(s, 0, 30)[0].size() == 30);
}

TEST_CASE("A marker jump waits for the next bar line and lands on the marker's bar", "[unit][player]") {
    test::TempDir dir;
    // 12 s at 120 BPM (a bar is 2 s = 96000 frames).
    Rig rig({rampSong(dir, 12 * kRate, {{"Verse", 4}, {"Drop", 5}})}, AtEnd::stop);
    rig.player->play();
    rig.run(100); // 25600 frames into bar 1
    rig.player->nextMarker();
    rig.run(400); // past bar 2's line (96000) and on
    // Until the bar line the song plays on untouched; there the 10 ms fade starts, and the marker's
    // bar (4: frame 288000) plays from its first frame once faded.
    CHECK(rig.out[95999] == Approx(95999 / 1e6f));
    CHECK(rig.out[96000 + 240] < rig.out[95999]);
    const std::size_t landed = 96000 + 480;
    INFO(rig.log.str());
    CHECK(rig.out[landed + 480] == Approx((288000 + 480) / 1e6f)); // after the fade-in: exactly the marker's frames
    CHECK(rig.out.back() == Approx(static_cast<double>(288000 + (rig.out.size() - 1 - landed)) / 1e6));
    CHECK(rig.log.str().find("to marker 'Verse' (bar 4)") != std::string::npos);
    rig.player->nextMarker(); // from bar 4 the next one is Drop (bar 5)
    rig.run(400);
    CHECK(rig.engine.songFrame() >= 384000);
}

TEST_CASE("Vamp loops the current marker section from disk-streamed stems, then plays on", "[unit][player][loop]") {
    test::TempDir dir;
    const std::int64_t len = 11 * kRate / 2; // 5.5 s at 120 BPM: a bar is 2 s
    Rig rig({rampSong(dir, len, {{"Verse", 2}, {"Chorus", 3}})}, AtEnd::stop);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the disk fills the rings
    rig.player->play();
    rig.run(470); // 120320 frames: in bar 2 (96000 … 192000)
    rig.player->toggleVamp();
    rig.run(750); // two more passes of the 2-second bar
    INFO(rig.log.str());
    CHECK(rig.log.str().find("vamp: looping from 'Verse' (bar 2) to bar 3") != std::string::npos);
    CHECK(rig.player->status().vamp);
    // After the first pass ends (output 192000) the same bar plays again, frame for frame.
    for (std::size_t t = 192000; t < 192000 + 90000; ++t)
        REQUIRE(rig.out[t] == static_cast<float>(t - 96000) / 1e6f); // the ramp stem at frame t - 96000
    rig.player->toggleVamp(); // released: this pass plays to its end, then the song runs on
    const std::size_t released = rig.out.size();
    rig.run(600);
    CHECK(*std::max_element(rig.out.begin() + static_cast<long>(released), rig.out.end()) > 260000 / 1e6f);
    CHECK_FALSE(rig.player->status().vamp);
    CHECK(rig.player->underruns() == 0);
}

TEST_CASE("store_scene keeps every stem's state as a scene, in the engine and beside the set file",
          "[unit][player][scene]") {
    test::TempDir dir;
    test::writeStemFolder(dir / "song", kRate,
                          {test::constantStem(kRate * 4, 0.25f, false), test::constantStem(kRate * 4, 0.125f, false)},
                          {"One", "Two"}, "BPM: 120\n");
    std::ofstream(dir / "set.yaml") << "songs:\n  - folder: song\n    scenes: { Both: {} }\n";
    set::SetFile file = set::loadSetFile(dir / "set.yaml");
    engine::Engine engine;
    engine.prepare(kRate, 256);
    std::ostringstream log;
    PlayerOptions o;
    o.song.sampleRate = kRate;
    o.setFile = dir / "set.yaml";
    Show show(engine, file.songs, o, log);
    SetPlayer& player = show.player();
    const std::unique_ptr<Router::Input> input = show.makeInput(Surface::midi);
    show.start();
    player.play();
    std::vector<float> l(256), r(256);
    auto run = [&](int blocks) {
        for (int b = 0; b < blocks; ++b) {
            engine.process(l.data(), r.data(), 256);
            show.tick();
        }
    };
    ActionCall mute;
    mute.action = Action::toggleMute;
    mute.stem = 0;
    input->send(mute);
    run(10);
    CHECK(l.back() == 0.125f);
    ActionCall store;
    store.action = Action::storeScene;
    store.value = 1; // scene 2
    input->send(store);
    run(2);
    CHECK_THAT(log.str(), Catch::Contains("scene 2 'Scene 2' stored in") && Catch::Contains("set.scenes.yaml"));
    ActionCall both;
    both.action = Action::scene;
    both.value = 0;
    input->send(both); // the set file's scene 1: both stems
    run(10);
    CHECK(l.back() == 0.375f);
    ActionCall two = both;
    two.value = 1;
    input->send(two); // the stored one: stem 1 muted
    run(10);
    CHECK(l.back() == 0.125f);
    CHECK(player.status().scene == 1);
    CHECK(player.status().scenes[1] == "Scene 2");
    // The file holds it for the next time the set loads.
    set::SetFile again = set::loadSetFile(dir / "set.yaml");
    CHECK(set::loadStoredScenes(again).empty());
    REQUIRE(again.songs[0].scenes.size() == 2);
    CHECK(again.songs[0].scenes[1].stems[0].muted);
    // A scene the song does not have: said, nothing changes.
    ActionCall none = both;
    none.value = 5;
    input->send(none);
    run(10);
    CHECK_THAT(log.str(), Catch::Contains("this song has no such scene; its scenes are 1 Both, 2 Scene 2"));
    CHECK(l.back() == 0.125f);
}

TEST_CASE("store_scene pressed as the set runs on, before the control thread has seen the change, is stored in the "
          "song that plays",
          "[unit][player][scene]") {
    Set set;
    Rig rig(std::vector<std::filesystem::path>{set.songs[0], set.songs[2]}, AtEnd::runOn);
    rig.player->play();
    rig.run(90); // 23040 frames: song 1 (24000 frames) nearly over, song 2 cued to run on
    REQUIRE(rig.player->currentSong() == 0);
    std::vector<float> l(256), r(256);
    for (int b = 0; b < 8; ++b) // the audio thread runs on into song 2; the control thread has not ticked
        rig.engine.process(l.data(), r.data(), 256);
    REQUIRE(l.back() == 0.5f); // song 2 plays
    rig.player->storeScene(0);
    rig.run(4);
    INFO(rig.log.str());
    CHECK(rig.player->currentSong() == 1);
    const PlayerStatus now = rig.player->status();
    REQUIRE(now.scenes.size() >= 1);
    CHECK(now.scenes[0] == "Scene 1"); // song 2 has it (before: song 1 did, song 2 had none)
    CHECK(rig.log.str().find("ran on to the next song as a scene was stored") == std::string::npos);
}

TEST_CASE("A resume comes back in the journal's song at the bar line before its frame, stems as they were",
          "[unit][player][resume]") {
    test::TempDir dir;
    Set set;
    // Song 2: a ramp (its samples tell the position), 120 BPM: a bar is 2 s = 96000 frames.
    std::vector<set::SetSong> songs = songsFromFolders({set.songs[0]});
    songs.push_back(rampSong(dir, 10 * kRate, {{"Verse", 2}, {"Chorus", 4}}));
    ShowPoint crash;
    crash.song = 1;
    crash.frame = 250000; // in bar 3 (192000 … 287999)
    crash.sampleRate = kRate;
    crash.playing = true;
    crash.stems = {{false, false, 0.5f, 0.0f}};
    SECTION("paused there, armed") {
        Rig rig(songs, AtEnd::stop, crash);
        rig.run(8);
        CHECK(rig.player->currentSong() == 1);
        CHECK_FALSE(rig.engine.rolling());
        CHECK(rig.engine.songFrame() == 192000);
        CHECK(rig.engine.stem(0).gain.load() == 0.5f);
        CHECK(rig.log.str().find("at bar 3 (0:04.0)") != std::string::npos);
        CHECK(rig.log.str().find("paused there, armed") != std::string::npos);
        const ShowPoint now = rig.player->showPoint();
        CHECK(now.song == 1);
        CHECK(now.frame == 192000);
        REQUIRE(now.stems.size() == 1);
        CHECK(now.stems[0].gain == 0.5f);
        // Play: from the bar line, at the stem's gain, straight away (it was preloaded).
        rig.out.clear();
        rig.player->play();
        rig.run(40);
        const std::size_t i = 5000;
        CHECK(rig.out[i] == Approx((192000.0 + static_cast<double>(i)) / 1e6 * 0.5).margin(1e-6));
    }
    SECTION("playing on, muted and on the vamp") {
        crash.stems[0].muted = true;
        crash.vamp = true;
        Rig rig(songs, AtEnd::stop, crash, true);
        rig.run(40);
        CHECK(rig.engine.rolling());
        CHECK(rig.engine.looping());
        CHECK(rig.engine.stem(0).muted.load());
        CHECK(rig.out.back() == 0.0f);
        CHECK(rig.engine.songFrame() > 192000);
        CHECK(rig.log.str().find("vamp: looping from 'Verse' (bar 2) to bar 4") != std::string::npos);
    }
    SECTION("at the tempo and key set live before the crash: its frame is on that timeline") {
        crash.tempo = 0.8; // 96 BPM: a bar is 120000 frames; 250000 is in bar 3
        crash.transpose = -2.0;
        Rig rig(songs, AtEnd::stop, crash);
        rig.run(8);
        CHECK(rig.engine.timing().bpm == Approx(96.0));
        CHECK(rig.engine.songFrame() == 240000);
        CHECK(rig.player->status().stretch == "80% tempo, -2 st");
        const ShowPoint now = rig.player->showPoint();
        CHECK(now.tempo == 0.8);
        CHECK(now.transpose == -2.0);
        CHECK(rig.log.str().find("at bar 3 (0:05.0)") != std::string::npos);
    }
    SECTION("a song that is not there: from the top") {
        crash.song = 7;
        Rig rig(songs, AtEnd::stop, crash);
        rig.run(4);
        CHECK(rig.player->currentSong() == 0);
        CHECK(rig.engine.songFrame() == 0);
        CHECK(rig.log.str().find("resume: song 8 cannot be loaded now: from the top") != std::string::npos);
    }
}
