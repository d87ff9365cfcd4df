// The show journal: written atomically a few times a second, read back whole or not at all, and
// a resume only for the same set when the last run did not end cleanly.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "../support/TestSupport.h"
#include "stemdeck/app/Journal.h"
#include "stemdeck/common/Error.h"

using namespace stemdeck;
using namespace stemdeck::app;
namespace fs = std::filesystem;

namespace {
JournalEntry sample() {
    JournalEntry s;
    s.set = "/shows/tour.yaml";
    s.songSource = "/shows/songs/two";
    s.at.song = 1;
    s.at.frame = 1234567;
    s.at.sampleRate = 48000;
    s.at.playing = true;
    s.at.stems = {{true, false, 0.5f, -0.25f}, {false, true, 1.0f, 0.0f}};
    s.at.scene = 2;
    s.at.reference = true;
    s.at.vamp = false;
    s.at.tempo = 0.75; // set live: `frame` is on the song's 75% timeline
    s.at.transpose = -2.0;
    s.at.loopFirstBar = 17; // the A-B loop: bars 17-24, a bar of count-in
    s.at.loopLastBar = 24;
    s.at.loopCountIn = 1;
    s.writtenAtMs = 1764500000000;
    return s;
}
std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
} // namespace

TEST_CASE("The journal reads back exactly what was written, and anything torn or odd is refused", "[unit][journal]") {
    const JournalEntry s = sample();
    const std::string text = formatJournal(s);
    CHECK(parseJournal(text, "j.json") == s);
    // A journal cut anywhere (a torn write) is refused whole, with the file named.
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, text.size() / 3, text.size() / 2, text.size() - 3}) {
        INFO("cut at " << cut);
        CHECK_THROWS_WITH(parseJournal(text.substr(0, cut), "j.json"), Catch::Contains("j.json: "));
    }
    CHECK_THROWS_WITH(parseJournal("{\"stemdeck_journal\": 1}", "j.json"), Catch::Contains("incomplete"));
    std::string bad = text;
    bad.replace(bad.find("\"frame\": 1234567"), 16, "\"frame\": -5");
    CHECK_THROWS_WITH(parseJournal(bad, "j.json"), Catch::Contains("impossible"));
    CHECK_THROWS_WITH(parseJournal("[1,2]", "j.json"), Catch::Contains("not a stemdeck journal"));
    bad = text;
    bad.replace(bad.find("\"tempo\": 0.75"), 13, "\"tempo\": 9.0");
    CHECK_THROWS_WITH(parseJournal(bad, "j.json"), Catch::Contains("impossible"));
    // A journal from before live tempo and key: as recorded.
    bad = text;
    bad.replace(bad.find("\"tempo\": 0.75,"), 14, "");
    bad.replace(bad.find("\"transpose\": -2.0,"), 18, "");
    bad.replace(bad.find("\"loop_first_bar\": 17,"), 21, "");
    bad.replace(bad.find("\"loop_last_bar\": 24,"), 20, "");
    bad.replace(bad.find("\"loop_count_in\": 1,"), 19, "");
    const JournalEntry old = parseJournal(bad, "j.json");
    CHECK(old.at.tempo == 1.0);
    CHECK(old.at.transpose == 0.0);
    CHECK(old.at.loopFirstBar == 0); // (and from before the A-B loop: none)
    CHECK(old.at.loopCountIn == 0);
    bad = text;
    bad.replace(bad.find("\"loop_last_bar\": 24"), 19, "\"loop_last_bar\": 3");
    CHECK_THROWS_WITH(parseJournal(bad, "j.json"), Catch::Contains("impossible")); // B before A
}

TEST_CASE("The journal writes when the show changes, at most every interval, atomically", "[unit][journal]") {
    test::TempDir dir;
    const fs::path file = dir / "state" / "journal.json"; // the folder is made by the first write
    Journal j(file, std::chrono::milliseconds(250));
    const auto t0 = std::chrono::steady_clock::now();
    JournalEntry s = sample();
    CHECK(j.record(s, t0));
    CHECK(j.writes() == 1);
    CHECK(parseJournal(read(file), file).at == s.at);
    s.at.frame += 480;
    CHECK(j.record(s, t0 + std::chrono::milliseconds(100))); // too soon: not written
    CHECK(j.writes() == 1);
    CHECK(j.record(s, t0 + std::chrono::milliseconds(300)));
    CHECK(j.writes() == 2);
    CHECK(j.record(s, t0 + std::chrono::milliseconds(900))); // unchanged: not written again
    CHECK(j.writes() == 2);
    CHECK(parseJournal(read(file), file).at.frame == s.at.frame);
    // No temporary file is left beside it.
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path()))
        ++files;
    CHECK(files == 1);
    j.end(s);
    const JournalEntry ended = parseJournal(read(file), file);
    CHECK(ended.ended);
    CHECK_FALSE(ended.at.playing);
}

TEST_CASE("A resume only for the same set, after a run that did not end cleanly", "[unit][journal]") {
    test::TempDir dir;
    const fs::path file = dir / "journal.json";
    const std::vector<std::string> songs{"/shows/songs/one", "/shows/songs/two"};
    CHECK(findResume(file, "/shows/tour.yaml", songs).said.find("no journal yet") != std::string::npos);
    JournalEntry s = sample();
    std::ofstream(file) << formatJournal(s);
    const ResumeFind found = findResume(file, "/shows/tour.yaml", songs);
    REQUIRE(found.state);
    CHECK(found.state->at == s.at);
    CHECK(findResume(file, "/shows/other.yaml", songs).said.find("another set") != std::string::npos);
    CHECK(findResume(file, "/shows/tour.yaml", {"/shows/songs/one", "/shows/songs/three"})
              .said.find("is not in the set any more") != std::string::npos);
    s.ended = true;
    std::ofstream(file) << formatJournal(s);
    CHECK(findResume(file, "/shows/tour.yaml", songs).said.find("ended cleanly") != std::string::npos);
    std::ofstream(file) << formatJournal(sample()).substr(0, 40);
    const ResumeFind torn = findResume(file, "/shows/tour.yaml", songs);
    CHECK_FALSE(torn.state);
    CHECK(torn.said.find("not valid JSON") != std::string::npos);
}

TEST_CASE("Journal paths: XDG_STATE_HOME, else ~/.local/state", "[unit][journal]") {
    const char* saved = std::getenv("XDG_STATE_HOME");
    const std::string keep = saved != nullptr ? saved : "";
    setenv("XDG_STATE_HOME", "/tmp/xdg-state", 1);
    CHECK(defaultJournalPath() == fs::path("/tmp/xdg-state/stemdeck/journal.json"));
    unsetenv("XDG_STATE_HOME");
    CHECK(defaultJournalPath().string().ends_with(".local/state/stemdeck/journal.json"));
    if (saved != nullptr) setenv("XDG_STATE_HOME", keep.c_str(), 1);
}
