// Set files: parsing, relative paths, per-song settings, and every error with file:line:column.
#include <catch2/catch.hpp>

#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/set/SetFile.h"

using namespace stemdeck;
using namespace stemdeck::set;

namespace {
struct Folders {
    test::TempDir dir;
    Folders() {
        for (const char* name : {"one", "two", "three"})
            test::writeStemFolder(dir / "songs" / name, 48000, {test::constantStem(480, 0.1f, false)}, {"A"});
    }
    SetFile parse(const std::string& yaml) const { return parseSetFile(yaml, dir / "show.yaml"); }
    std::string error(const std::string& yaml) const {
        try {
            (void)parse(yaml);
        } catch (const Error& e) {
            return e.what();
        }
        return "";
    }
};
} // namespace

TEST_CASE("A set file with every option", "[unit][set]") {
    Folders f;
    const SetFile s = f.parse(R"(name: Friday at the Lantern
audio:
  driver: jack
  device: system
  client_name: deck
  rate: 48000
  block: 128
  main: 1
  click: 3
  click_mode: count-in
  stem_outputs: { Drums: 5, 2: 7 }
controller: ../controllers/akai-apc-mini-mk2.yaml
count_in: 1
at_end: next
songs:
  - songs/one
  - folder: songs/two
    title: Neon Drive
    bpm: 124
    time_signature: 6/8
    key: F# minor
    count_in: 2
    at_end: run-on
    start: { mute: [Vox, 3], solo: Bass, gain: { Bass: -6dB }, filter: { Drums: -0.5 } }
    markers: { Verse: 9, Drop: 33, Intro: 1 }
  - folder: songs/three
    markers:
      - { name: Break, bar: 17 }
)");
    CHECK(s.name == "Friday at the Lantern");
    CHECK(s.audio.driver == "jack");
    CHECK(s.audio.clientName == "deck");
    CHECK(s.audio.block == 128);
    CHECK(s.audio.clickOut == 3);
    CHECK(s.audio.click == "count-in");
    REQUIRE(s.audio.stemOuts.size() == 2);
    CHECK(s.audio.stemOuts[1] == std::pair<std::string, int>{"2", 7});
    CHECK(s.controller->filename() == "akai-apc-mini-mk2.yaml");
    CHECK(s.countInBars == 1);
    CHECK(s.atEnd == SongEnd::next);
    REQUIRE(s.songs.size() == 3);
    CHECK(s.errors().empty());
    CHECK(s.songs[0].source == (f.dir / "songs" / "one").lexically_normal());
    const SetSong& two = s.songs[1];
    CHECK(two.title == "Neon Drive");
    CHECK(two.bpm == 124.0);
    CHECK(two.beatsPerBar == 6);
    CHECK(two.beatUnit == 8);
    CHECK(two.key == "F# minor");
    CHECK(two.countInBars == 2);
    CHECK(two.atEnd == SongEnd::runOn);
    REQUIRE(two.start.size() == 4); // Vox, 3, Bass, Drums
    CHECK(two.start[0].stem == "Vox");
    CHECK(two.start[0].muted);
    CHECK(two.start[2].soloed);
    CHECK(two.start[2].gain == Approx(0.501187f));
    CHECK(two.start[3].filter == -0.5f);
    REQUIRE(two.markers.size() == 3);
    CHECK(two.markers[0].name == "Intro"); // sorted by bar
    CHECK(two.markers[2].bar == 33);
    CHECK(s.songs[2].markers.at(0).name == "Break");
}

TEST_CASE("Set file errors name file, line and column and say how to fix it", "[unit][set]") {
    Folders f;
    const std::string file = (f.dir / "show.yaml").string();
    CHECK(f.error("songs: [songs/one\n").find(file + ":2:1: not valid YAML") == 0);
    CHECK(f.error("- songs/one\n").find(file + ":1:1: a set file is a map with a 'songs:' list") == 0);
    CHECK(f.error("name: x\nsong:\n  - songs/one\n") ==
          file + ":2:1: unknown key 'song' in the set file (did you mean 'songs'?); known keys: name, audio, "
                 "controller, count_in, at_end, lock, midi_out, timecode, guides, loudness, songs");
    CHECK(f.error("name: x\n").find(file + ":1:1: the set needs a 'songs:' list") == 0);
    CHECK(f.error("audio: { driver: coreaudio }\nsongs: [songs/one]\n") ==
          file + ":1:18: driver 'coreaudio' is not alsa or jack");
    CHECK(f.error("audio: { blok: 128 }\nsongs: [songs/one]\n")
              .find(":1:10: unknown key 'blok' in audio (did you mean 'block'?)") != std::string::npos);
    CHECK(f.error("audio: { rate: fast }\nsongs: [songs/one]\n").find(":1:16: rate must be a number, not 'fast'") !=
          std::string::npos);
    CHECK(f.error("at_end: loop\nsongs: [songs/one]\n").find(":1:9: at_end 'loop' is not one of stop, next, run-on") !=
          std::string::npos);
}

TEST_CASE("A bad song is marked, and the rest of the set loads", "[unit][set]") {
    Folders f;
    const SetFile s = f.parse(R"(songs:
  - songs/one
  - songs/missing
  - folder: songs/two
    bmp: 120
  - folder: songs/three
    time_signature: 4-4
  - songs/one
  - folder: songs/three
    start: { gain: { Bass: loud } }
  - folder: songs/three
    markers: { Drop: 0 }
)");
    REQUIRE(s.songs.size() == 7);
    CHECK(s.songs[0].error.empty());
    const std::string file = (f.dir / "show.yaml").string();
    CHECK(s.songs[1].error.find(file + ":3:5: 'songs/missing' does not exist") == 0);
    CHECK(s.songs[1].error.find("paths are relative to the set file") != std::string::npos);
    CHECK(s.songs[2].error == file + ":5:5: unknown key 'bmp' in a song (did you mean 'bpm'?); known keys: folder, "
                                     "file, title, bpm, time_signature, key, tempo, transpose, count_in, at_end, "
                                     "start, markers, scenes, cues, timecode, guides, gain");
    CHECK(s.songs[3].error.find(":7:21: time_signature '4-4' is not a time signature such as 4/4") !=
          std::string::npos);
    CHECK(s.songs[4].error == file + ":8:5: repeats song 1 (line 2); list each song once");
    INFO(s.songs[5].error);
    CHECK(s.songs[5].error.find(":10:28: gain 'loud' is not a level") != std::string::npos);
    CHECK(s.songs[6].error.find(":12:22: marker bar 0 is out of range") != std::string::npos);
    const auto errors = s.errors();
    REQUIRE(errors.size() == 6);
    CHECK(errors[0].find("song 2 cannot play: ") == 0);
}

TEST_CASE("Cues and the MIDI output in a set file: every place and message, errors with line and column",
          "[unit][set][midiout]") {
    Folders f;
    const SetFile s = f.parse(R"(midi_out: { connect: Helix, clock: true, clock_while_stopped: yes, start: count-in }
songs:
  - folder: songs/one
    markers: { Chorus: 17 }
    cues:
      - { at: current, program: 12, bank: 2, channel: 3 }
      - { at: bar 9 beat 3, control: 74, value: 127, repeat: every }
      - { at: marker chorus, note: 36, velocity: 90, length: 0.25, channel: 10 }
      - { at: start, sysex: F0 7E 7F 06 01 F7 }
      - at: end
        osc: { to: "127.0.0.1:16759", address: /location/1/0/1/press, args: [1, 0.5, go, "7"] }
)");
    CHECK(s.midiOut.connect == "Helix");
    CHECK(s.midiOut.clock == true);
    CHECK(s.midiOut.clockWhileStopped == true);
    CHECK(s.midiOut.startAtCountIn == true);
    CHECK_FALSE(s.midiOut.clockOnly);
    const SetSong& song = s.songs[0];
    REQUIRE(song.error.empty());
    REQUIRE(song.cues.size() == 5);
    CHECK(song.cues[0].at == Cue::At::current);
    CHECK(song.cues[0].midiBytes() == std::vector<std::uint8_t>{0xB2, 0, 0, 0xB2, 32, 2, 0xC2, 11});
    CHECK(song.cues[0].line == 6);
    CHECK(song.cues[1].where() == "bar 9 beat 3");
    CHECK(song.cues[1].everyPass);
    CHECK(song.cues[1].midiBytes() == std::vector<std::uint8_t>{0xB0, 74, 127});
    CHECK(song.cues[2].where() == "marker Chorus (bar 17)");
    CHECK(song.cues[2].bar == 17);
    CHECK(song.cues[2].what() == "note 36 velocity 90 for 0.25 s on channel 10");
    CHECK(song.cues[3].sysex == std::vector<std::uint8_t>{0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7});
    REQUIRE(song.cues[4].osc);
    CHECK(song.cues[4].osc->port == 16759);
    REQUIRE(song.cues[4].osc->args.size() == 4);
    CHECK(song.cues[4].osc->args[0].type == OscArgument::Type::integer);
    CHECK(song.cues[4].osc->args[1].type == OscArgument::Type::real);
    CHECK(song.cues[4].osc->args[2].text == "go");
    CHECK(song.cues[4].osc->args[3].type == OscArgument::Type::text); // quoted: text
    CHECK(song.cues[4].what() == "OSC /location/1/0/1/press to 127.0.0.1:16759");

    const std::string file = (f.dir / "show.yaml").string();
    auto songError = [&](const std::string& cues) {
        const SetFile bad = f.parse("songs:\n  - folder: songs/one\n    markers: { Drop: 33 }\n    cues:\n" + cues);
        return bad.songs[0].error;
    };
    CHECK(songError("      - { at: bar 0, program: 1 }\n").find(file + ":5:15: at: 'bar 0' needs a bar number") == 0);
    CHECK(songError("      - { at: marker Chrous, program: 1 }\n")
              .find(":5:15: at: 'marker Chrous': the song has no marker 'Chrous'") != std::string::npos);
    CHECK(songError("      - { at: sometime, program: 1 }\n").find("is not a place in a song") != std::string::npos);
    CHECK(songError("      - { at: end, program: 129 }\n").find(":5:29: program 129 is out of range") !=
          std::string::npos);
    CHECK(songError("      - { at: end, program: 1, control: 7, value: 1 }\n")
              .find("a cue sends one message, this one names 2") != std::string::npos);
    CHECK(songError("      - { at: end }\n").find(":5:9: a cue sends one message:") != std::string::npos);
    CHECK(songError("      - { at: end, control: 7 }\n").find("needs its value") != std::string::npos);
    CHECK(songError("      - { at: end, sysex: F0 43 90 F7 }\n").find("byte 3 (90) is over 7F") != std::string::npos);
    CHECK(songError("      - { at: end, sysex: 43 10 }\n").find("starts with F0 and ends with F7") !=
          std::string::npos);
    CHECK(songError("      - { at: end, osc: { to: companion.local:16759, address: /x } }\n")
              .find("is not an IP address") != std::string::npos);
    CHECK(songError("      - { at: end, osc: { to: 127.0.0.1, address: /x } }\n").find("is not HOST:PORT") !=
          std::string::npos);
    CHECK(songError("      - { at: end, program: 1, repeat: twice }\n").find("repeat: 'twice' is once") !=
          std::string::npos);
    CHECK(songError("      - { at: end, programme: 1 }\n")
              .find("unknown key 'programme' in a cue (did you mean 'program'?)") != std::string::npos);
    CHECK(f.error("midi_out: { clock: sometimes }\nsongs: [songs/one]\n").find(":1:20: clock is true or false") !=
          std::string::npos);
    CHECK(f.error("midi_out: { start: bar-2 }\nsongs: [songs/one]\n").find(":1:20: start: 'bar-2' is bar-1") !=
          std::string::npos);
}

TEST_CASE("Set files are recognised by extension and read from disk", "[unit][set]") {
    Folders f;
    CHECK(isSetFileName("sets/friday.yaml"));
    CHECK(isSetFileName("x.YML"));
    CHECK_FALSE(isSetFileName("sets/demo"));
    std::ofstream(f.dir / "show.yaml") << "songs:\n  - songs/two\n";
    CHECK(loadSetFile(f.dir / "show.yaml").songs.at(0).error.empty());
    CHECK_THROWS_WITH(loadSetFile(f.dir / "nope.yaml"), Catch::Contains("nope.yaml: cannot read the set file"));
}

TEST_CASE("Large sets load: an aliased name list, hundreds of folders, repeats found however spelled", "[unit][set]") {
    test::TempDir dir;
    std::string yaml = "songs:\n";
    for (int i = 0; i < 300; ++i) {
        std::filesystem::create_directories(dir / "songs" / std::to_string(i));
        yaml += "  - songs/" + std::to_string(i) + "\n";
    }
    std::filesystem::create_directory_symlink(dir / "songs" / "7", dir / "seven");
    yaml += "  - songs/./7\n  - songs/9/../7\n  - seven\n";
    const SetFile many = parseSetFile(yaml, dir / "many.yaml");
    REQUIRE(many.songs.size() == 303);
    for (std::size_t i = 0; i < 300; ++i)
        CHECK(many.songs[i].error.empty());
    for (std::size_t i = 300; i < 303; ++i) {
        CAPTURE(i);
        CHECK_THAT(many.songs[i].error, Catch::Contains("repeats song 8 (line 9)"));
    }

    // One YAML anchor, a 2,000-name list, in five songs' start: each gets every name once (names
    // differing only in case are one stem).
    std::string names;
    for (int i = 0; i < 2000; ++i)
        names += (i ? ", s" : "s") + std::to_string(i);
    std::string aliased =
        "songs:\n  - folder: songs/0\n    start: { mute: &names [" + names + ", S5], solo: [s1999] }\n";
    for (int i = 1; i < 5; ++i)
        aliased += "  - { folder: songs/" + std::to_string(i) + ", start: { mute: *names } }\n";
    const SetFile set = parseSetFile(aliased, dir / "alias.yaml");
    REQUIRE(set.songs.size() == 5);
    for (const SetSong& song : set.songs) {
        REQUIRE(song.error.empty());
        REQUIRE(song.start.size() == 2000);
        CHECK(song.start[0].stem == "s0");
        CHECK(song.start[1999].stem == "s1999");
        CHECK(song.start[5].muted);
    }
    CHECK(set.songs[0].start[1999].soloed);
    CHECK_FALSE(set.songs[1].start[1999].soloed);
}

TEST_CASE("Scenes in a set file: numbered in order, errors with line and column", "[unit][set][scene]") {
    Folders f;
    const SetFile s = f.parse("songs:\n  - folder: songs/one\n    scenes:\n"
                              "      Breakdown: { mute: [A], filter: { A: -0.5 } }\n"
                              "      Full: {}\n      Quiet: { gain: { 1: -12dB }, solo: [A] }\n");
    const SetSong& song = s.songs[0];
    REQUIRE(song.error.empty());
    REQUIRE(song.scenes.size() == 3);
    CHECK(song.scenes[0].name == "Breakdown");
    CHECK(song.scenes[0].slot == 0);
    CHECK(song.scenes[0].stems[0].muted);
    CHECK(*song.scenes[0].stems[0].filter == -0.5f);
    CHECK(song.scenes[1].stems.empty());
    CHECK(song.scenes[2].slot == 2);
    CHECK(song.sceneNames() == std::vector<std::string>{"Breakdown", "Full", "Quiet", "", "", "", "", ""});
    auto songError = [&](const std::string& scenes) {
        return f.parse("songs:\n  - folder: songs/one\n" + scenes).songs[0].error;
    };
    CHECK_THAT(songError("    scenes: { A: {}, a: {} }\n"), Catch::Contains("scene 'a' is named twice"));
    CHECK_THAT(songError("    scenes: { A: { mutee: [1] } }\n"),
               Catch::Contains(":3:20: unknown key 'mutee' in a scene (did you mean 'mute'?)"));
    CHECK_THAT(songError("    scenes: { 1: {}, 2: {}, 3: {}, 4: {}, 5: {}, 6: {}, 7: {}, 8: {}, 9: {} }\n"),
               Catch::Contains("a song holds at most 8 scenes"));
    CHECK_THAT(songError("    scenes: [ Breakdown ]\n"), Catch::Contains("scenes maps names to stem states"));
    CHECK(f.parse("lock: true\nsongs: [ songs/one ]\n").lock);
    CHECK_THAT(f.error("lock: maybe\nsongs: [ songs/one ]\n"), Catch::Contains(":1:7: lock is true"));
}

TEST_CASE("Stored scenes: saved beside the set file, read back over the set's own", "[unit][set][scene]") {
    Folders f;
    const auto file = f.dir / "show.yaml";
    std::ofstream(file) << "songs:\n  - folder: songs/one\n    scenes: { Breakdown: { mute: [A] }, Full: {} }\n"
                           "  - songs/two\n";
    SetFile set = loadSetFile(file);
    CHECK(loadStoredScenes(set).empty()); // none stored yet: no file, no message
    CHECK(storedScenesFile(file) == f.dir / "show.scenes.yaml");
    SceneDef stored;
    stored.name = "Full";
    stored.slot = 1;
    stored.stored = true;
    StemStart a;
    a.stem = "A";
    a.muted = false;
    a.soloed = true;
    a.gain = 0.25f;
    a.filter = 0.3f;
    stored.stems = {a};
    set.songs[0].scenes[1] = stored;
    SceneDef other = stored;
    other.slot = 6;
    other.name = "Scene \"7\"";
    set.songs[1].scenes.push_back(other);
    saveStoredScenes(set.songs, file);
    SetFile again = loadSetFile(file);
    CHECK(loadStoredScenes(again).empty());
    REQUIRE(again.songs[0].scenes.size() == 2);
    CHECK(again.songs[0].scenes[0].name == "Breakdown"); // the set file's, untouched
    CHECK_FALSE(again.songs[0].scenes[0].stored);
    const SceneDef& back = again.songs[0].scenes[1];
    CHECK(back.stored);
    CHECK(back.name == "Full");
    REQUIRE(back.stems.size() == 1);
    CHECK(back.stems[0].soloed);
    CHECK_FALSE(back.stems[0].muted);
    CHECK(*back.stems[0].gain == 0.25f); // exactly: the file keeps every digit
    CHECK(*back.stems[0].filter == 0.3f);
    REQUIRE(again.songs[1].scenes.size() == 1);
    CHECK(again.songs[1].scenes[0].slot == 6);
    CHECK(again.songs[1].scenes[0].name == "Scene \"7\"");
    // A broken stored-scenes file never stops the set: a message, and the set's own scenes.
    std::ofstream(storedScenesFile(file)) << "songs:\n  - { song: songs/one, scenes: { 9: {} } }\n";
    SetFile broken = loadSetFile(file);
    const auto messages = loadStoredScenes(broken);
    REQUIRE(messages.size() == 1);
    CHECK_THAT(messages[0], Catch::Contains("show.scenes.yaml:2:") &&
                                Catch::Contains("scene number 9 is out of range") &&
                                Catch::Contains("the stored scenes are not loaded"));
    CHECK(broken.songs[0].scenes.size() == 2);
    CHECK_FALSE(broken.songs[0].scenes[1].stored);
    std::ofstream(storedScenesFile(file)) << "songs: [ { song: songs/nope, scenes: { 1: {} } } ]\n";
    SetFile stray = loadSetFile(file);
    CHECK_THAT(loadStoredScenes(stray).at(0), Catch::Contains("the set has no song 'songs/nope'"));
}

TEST_CASE("Timecode in a set file: the section, LTC's output, a song's own start, what check refuses",
          "[unit][set][timecode]") {
    Folders f;
    const SetFile s = f.parse(R"(audio: { main: 1, click: 3, ltc: 5 }
timecode: { mtc: true, fps: 29.97df, level: -20, preroll: 2.5, tempo: wall }
songs:
  - songs/one
  - folder: songs/two
    timecode: "10:00:00;02"
)");
    CHECK(s.audio.ltcOut == 5);
    CHECK(s.timecode.present);
    CHECK(s.timecode.mtc == true);
    CHECK(s.timecode.rate == TimecodeRate{TimecodeFps::fps2997df});
    CHECK(s.timecode.ltcLevel == -20.0);
    CHECK(s.timecode.preroll == 2.5);
    CHECK(s.timecode.tempo == TimecodeTempo::wall);
    const TimecodeRate df{TimecodeFps::fps2997df};
    CHECK(songTimecode(s.songs[0], 1, df) == TimecodeLabel{1, 0, 0, 0});  // song N at N:00:00:00
    CHECK(songTimecode(s.songs[1], 2, df) == TimecodeLabel{10, 0, 0, 2}); // its own
    CHECK_FALSE(songTimecode(s.songs[0], 24, df));                        // hours wrap at 24: none
    CHECK(timecodeProblems(s.songs, TimecodeRate{TimecodeFps::fps2997df}).empty());

    // From song 24 on each needs its own; a frame the rate lacks; two songs on one start.
    std::vector<SetSong> many(25);
    for (std::size_t i = 0; i < many.size(); ++i)
        many[i].line = static_cast<int>(i) + 10;
    many[24].timecode = TimecodeLabel{0, 30, 0, 27};
    many[22].timecode = TimecodeLabel{1, 0, 0, 0};
    const std::vector<std::string> p = timecodeProblems(many, TimecodeRate{TimecodeFps::fps25});
    REQUIRE(p.size() == 3);
    CHECK(p[0] == "song 23 (line 32) starts on 01:00:00:00 like song 1: a lighting desk could not tell them apart");
    CHECK(p[1].find("song 24 (line 33) has no timecode start (hours wrap at 24") == 0);
    CHECK(p[1].find("): it plays without timecode") != std::string::npos);
    CHECK(p[2] == "song 25 (line 34): timecode 00:30:00:27 has frame 27, but 25 fps counts 0-24: it plays without "
                  "timecode");
    CHECK_FALSE(songTimecode(many[24], 25, TimecodeRate{TimecodeFps::fps25})); // (so it plays without)

    const std::string file = (f.dir / "show.yaml").string();
    CHECK(f.error("timecode: { fps: 50 }\nsongs: [songs/one]\n").find(file + ":1:18: fps '50' is not one of 24, 25") ==
          0);
    CHECK(f.error("timecode: { tempo: folow }\nsongs: [songs/one]\n").find("(did you mean 'follow'?)") !=
          std::string::npos);
    CHECK(f.error("timecode: { frames: 25 }\nsongs: [songs/one]\n").find("unknown key 'frames' in timecode") !=
          std::string::npos);
    CHECK(f.error("audio: { ltc: 0 }\nsongs: [songs/one]\n").find(":1:15: ltc (LTC's output, mono)") !=
          std::string::npos);
    const SetFile bad = f.parse("songs:\n  - folder: songs/one\n    timecode: 25:00:00:00\n");
    CHECK(bad.songs[0].error.find(file + ":3:15: timecode '25:00:00:00' is not a start such as 03:00:00:00") == 0);
}
