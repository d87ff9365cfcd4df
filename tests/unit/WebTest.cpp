// The web remote's pure parts: a page's messages read through the action table, the state as
// JSON, the pages served by exact name only, the Host and Origin checks, the tokens kept on disk,
// and the QR codes, read back by an independent decoder (zbarimg, from zbar-tools).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../support/TestSupport.h"
#include "stemdeck/app/WebSurface.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/WebFiles.h"
#include "stemdeck/remote/WebProtocol.h"

using namespace stemdeck;
using namespace stemdeck::remote;
using control::Action;
using Json = nlohmann::json;

namespace {
control::ShowState show() {
    control::ShowState s;
    s.setName = "friday.yaml";
    s.songs = {{1, "Intro", 60.0, false}, {2, "Big Song", -1.0, false}};
    s.player.song = 1;
    s.player.songs = 2;
    s.player.title = "Intro";
    s.player.nextTitle = "Big Song";
    s.player.rolling = true;
    s.player.seconds = 10.5;
    s.player.barBeat = {6, 2, 0.25};
    for (const char* name : {"Drums", "Bass"}) {
        control::StemLine line;
        line.name = name;
        s.player.stems.push_back(line);
    }
    s.player.stems[1].mix.muted = true;
    s.player.stems[1].mix.gain = 0.5f;
    s.player.stems[0].color = "#ff0000";
    s.player.markers = {{"Verse", 8.0}, {"Chorus", 24.0}};
    s.player.scenes = {"Full", "", "Break", "", "", "", "", ""};
    s.clock.monotonicNs = 5'000'000'000;
    s.clock.tempo = 0.9;
    return s;
}

WebTranslation read(const std::string& text) {
    return translateWeb(text, show());
}
} // namespace

TEST_CASE("a page's actions are read through the action table", "[web]") {
    auto t = read(R"({"type":"action","action":"toggle_mute","stem":2,"id":"c1"})");
    REQUIRE(t.request);
    CHECK(t.id == "c1");
    CHECK(t.request->call.action == Action::toggleMute);
    CHECK(t.request->call.stem == 1);

    t = read(R"({"type":"action","action":"mute","stem":"drums","quantize":"bar"})"); // a name, any case
    REQUIRE(t.request);
    CHECK(t.request->call.stem == 0);
    CHECK(t.request->call.quantize == engine::Quantize::bar);

    t = read(R"({"type":"action","action":"gain","stem":1,"value":"-6dB"})");
    REQUIRE(t.request);
    CHECK(t.request->call.value == Approx(0.501187).epsilon(1e-4));
    t = read(R"({"type":"action","action":"gain","stem":1,"value":-6})"); // a number is dB
    REQUIRE(t.request);
    CHECK(t.request->call.value == Approx(0.501187).epsilon(1e-4));
    t = read(R"({"type":"action","action":"gain","stem":1,"fader":0})");
    REQUIRE(t.request);
    CHECK(t.request->call.value == 0.0f);
    CHECK(faderToGain(1.0) == Approx(1.99526).epsilon(1e-4)); // +6 dB at the top, as OSC's fader

    t = read(R"({"type":"action","action":"go_to_song","value":"big song"})"); // a title
    REQUIRE(t.request);
    CHECK(t.request->call.value == 1.0f);
    t = read(R"({"type":"action","action":"marker","value":"Chorus"})");
    REQUIRE(t.request);
    CHECK(t.request->call.value == 1.0f);
    t = read(R"({"type":"action","action":"scene","value":"Break"})");
    REQUIRE(t.request);
    CHECK(t.request->call.value == 2.0f);
    t = read(R"({"type":"action","action":"tempo","value":90})");
    REQUIRE(t.request);
    CHECK(t.request->call.from == Approx(0.9));
    t = read(R"({"type":"action","action":"drop","stems":[1,"bass"]})");
    REQUIRE(t.request);
    CHECK(t.request->call.stemMask == 3);
    CHECK(t.request->call.quantize == engine::Quantize::bar); // a drop waits for the bar
    t = read(R"({"type":"get","id":5})");
    REQUIRE(t.request);
    CHECK(t.request->kind == WebRequest::Kind::get);
    CHECK(t.id == "5");
}

TEST_CASE("a page's wrong messages are answered with what is wrong", "[web]") {
    auto wrong = [](const std::string& text, const std::string& says) {
        const WebTranslation t = read(text);
        INFO(text << " -> " << t.error);
        CHECK_FALSE(t.request);
        CHECK(t.error.find(says) != std::string::npos);
    };
    wrong("not json", "not a JSON object");
    wrong("[1,2]", "not a JSON object");
    wrong(R"({"action":"mute"})", "\"type\"");
    wrong(R"({"type":"action","action":"mutr","stem":1})", "did you mean 'mute'");
    wrong(R"({"type":"action","action":"quit"})", "not taken over the network");
    wrong(R"({"type":"action","action":"shutdown"})", "not taken over the network");
    wrong(R"({"type":"action","action":"learn"})", "not taken over the network");
    wrong(R"({"type":"action","action":"mute"})", "needs \"stem\"");
    wrong(R"({"type":"action","action":"mute","stem":3})", "stems are 1-2");
    wrong(R"({"type":"action","action":"mute","stem":"Keys"})", "stems are 1-2");
    wrong(R"({"type":"action","action":"gain","stem":1})", "needs \"value\"");
    wrong(R"({"type":"action","action":"gain","stem":1,"value":"loud"})", "level");
    wrong(R"({"type":"action","action":"gain","stem":1,"fader":2})", "from 0");
    wrong(R"({"type":"action","action":"next_song","quantize":"bar"})", "cannot wait");
    wrong(R"({"type":"action","action":"mute","stem":1,"quantize":"soon"})", "\"bar\", \"beat\" or \"none\"");
    wrong(R"({"type":"action","action":"play","value":3})", "takes no value");
    wrong(R"({"type":"action","action":"go_to_song","value":9})", "song");
    wrong(R"({"type":"action","action":"marker","value":"Bridge"})", "marker");
    wrong(R"({"type":"action","action":"drop","stems":[]})", "\"stems\"");
    // A stem number of the song the page showed, arriving after a song change: not applied to the
    // new song's stem of that number.
    wrong(R"({"type":"action","action":"toggle_mute","stem":2,"song":2})", "the song changed");
    CHECK(read(R"({"type":"action","action":"toggle_mute","stem":2,"song":1})").request);
    wrong(std::string(5000, ' '), "longer than 4096");
    wrong(std::string(2000, '[') + std::string(2000, ']'), "not a JSON object"); // deep, but no crash
    // The reply is JSON whatever the message held (invalid UTF-8 in an id is replaced).
    const WebTranslation t = read("{\"type\":\"x\",\"id\":\"\xff\xfe\"}");
    CHECK_NOTHROW(Json::parse(webReply(t.id, t.error)));
}

TEST_CASE("the state and the position are JSON a page reads", "[web]") {
    const Json s = Json::parse(webState(show(), 1234.5));
    CHECK(s["type"] == "state");
    CHECK(s["title"] == "Intro");
    CHECK(s["next"] == "Big Song");
    CHECK(s["song"] == 1);
    CHECK(s["songs"].size() == 2);
    CHECK(s["songs"][1]["length"] == -1.0);
    CHECK(s["stems"][0]["name"] == "Drums");
    CHECK(s["stems"][0]["color"] == "#ff0000");
    CHECK(s["stems"][1]["muted"] == true);
    CHECK(s["stems"][1]["gain"].get<double>() == Approx(-6.0).margin(0.05));
    CHECK(s["stems"][1]["fader"].get<double>() == Approx(gainToFader(0.5f)).margin(0.001));
    CHECK(s["markers"][1]["name"] == "Chorus");
    CHECK(s["scenes"][2] == "Break");
    CHECK(s["position"]["bar"] == 6);
    const Json p = Json::parse(webPosition(show(), 0));
    CHECK(p["type"] == "position");
    CHECK(p["t"].get<double>() == Approx(5000.0)); // the snapshot's own reading, in ms
    CHECK(p["seconds"].get<double>() == Approx(10.5));
    CHECK(p["beat"] == 2);
    CHECK(p["fraction"].get<double>() == Approx(0.25));
    CHECK(p["rate"].get<double>() == Approx(0.9));
    control::ShowState silent = show();
    silent.player.stems[0].mix.gain = 0.0f;
    CHECK(Json::parse(webState(silent, 0))["stems"][0]["gain"].is_null());
}

TEST_CASE("the pages are served by exact name only", "[web]") {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "web" / "sub");
    for (const char* name : {"index.html", "remote.js", ".hidden", "sub/secret.txt"})
        std::ofstream(dir / "web" / name) << name;
    const WebFiles files(dir / "web");
    auto status = [&](const std::string& target) { return files.route(target).status; };
    CHECK(status("/") == 200);
    CHECK(files.route("/band?x=1").file->body == "index.html");
    CHECK(status("/control") == 200);
    CHECK(files.route("/remote.js").file->type.find("javascript") != std::string::npos);
    for (const char* bad : {"/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/..", "/.hidden",
                            "/sub/secret.txt", "/sub%2fsecret.txt", "/web/index.html", "/remote.js/..",
                            "/..%5c..%5cwindows", "//etc/passwd", "/index.html%00.js", "/nothere.js"})
        CHECK(status(bad) == 404);
    CHECK(status("http://example.com/") == 400);
    CHECK(status("*") == 400);
    CHECK_THROWS_AS(WebFiles(dir / "nothere"), Error);
}

TEST_CASE("only this machine's addresses and pages may reach the show", "[web]") {
    const std::vector<std::string> names = {"stagebox", "stagebox.local"};
    CHECK(hostAcceptable("127.0.0.1:8080", names));
    CHECK(hostAcceptable("192.168.1.20:8080", names));
    CHECK(hostAcceptable("[::1]:8080", names));
    CHECK(hostAcceptable("localhost:8080", names));
    CHECK(hostAcceptable("StageBox.local:8080", names));
    CHECK_FALSE(hostAcceptable("evil.example:8080", names)); // DNS rebinding
    CHECK_FALSE(hostAcceptable("", names));
    CHECK_FALSE(hostAcceptable("[::1", names));
    CHECK(originMatches("http://192.168.1.20:8080", "192.168.1.20:8080"));
    CHECK_FALSE(originMatches("http://evil.example", "192.168.1.20:8080"));
    CHECK_FALSE(originMatches("null", "192.168.1.20:8080"));
    const auto t = parseWsTarget("/ws?view=control&token=abc");
    REQUIRE(t);
    CHECK(t->view == "control");
    CHECK(t->token == "abc");
    CHECK(parseWsTarget("/ws")->view == "band");
    CHECK_FALSE(parseWsTarget("/ws?view=admin"));
    CHECK_FALSE(parseWsTarget("/other?view=band"));
}

TEST_CASE("a video player's byte ranges", "[web]") {
    using R = std::optional<std::pair<std::size_t, std::size_t>>;
    CHECK(byteRange("bytes=0-1", 100) == R({0, 1})); // iOS Safari's first ask
    CHECK(byteRange("bytes=10-", 100) == R({10, 99}));
    CHECK(byteRange("bytes=-30", 100) == R({70, 99}));
    CHECK(byteRange("bytes=90-500", 100) == R({90, 99}));
    CHECK(byteRange("bytes=-500", 100) == R({0, 99}));
    CHECK_FALSE(byteRange("bytes=100-", 100)); // outside: the whole file
    CHECK_FALSE(byteRange("bytes=5-2", 100));
    CHECK_FALSE(byteRange("bytes=0-1,5-6", 100));
    CHECK_FALSE(byteRange("items=0-1", 100));
    CHECK_FALSE(byteRange("bytes=x-1", 100));
    CHECK_FALSE(byteRange("bytes=99999999999999999999-", 100));
}

TEST_CASE("the tokens are kept private across restarts, and rotated", "[web]") {
    test::TempDir dir;
    const auto file = dir / "state" / "stemdeck" / "web-tokens";
    const WebTokens first = loadWebTokens(file);
    CHECK(first.control.size() == 22); // 128 bits
    CHECK(first.band.size() == 22);
    CHECK(first.control != first.band);
    struct stat st {};
    REQUIRE(stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(loadWebTokens(file) == first); // a restart (a crash resume) keeps every phone joined
    const WebTokens second = rotateWebTokens(file);
    CHECK(second.control != first.control);
    CHECK(loadWebTokens(file) == second);
    CHECK(readWebTokens(file) == second);
    std::filesystem::remove(file); // a running show rereading a file gone: never makes new ones
    CHECK_THROWS_AS(readWebTokens(file), Error);
    CHECK_FALSE(std::filesystem::exists(file));
    (void)rotateWebTokens(file);
    std::ofstream(file) << "control short\nband x\n";
    try {
        (void)loadWebTokens(file);
        FAIL("a broken token file was taken");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("--rotate") != std::string::npos);
    }
}

TEST_CASE("a join QR code reads back as its link (zbarimg)", "[web]") {
    test::TempDir dir;
    const std::string url = "http://192.168.178.20:8080/control#token=c7ibkqklgsXbNUSGPzNd-Q";
    const auto m = app::qrModules(url);
    REQUIRE(m.size() > 20);
    // As a picture, 4 pixels a module (a PBM: 1 is black).
    const std::size_t scale = 4, side = m.size() * scale;
    std::ofstream pbm(dir / "qr.pbm");
    pbm << "P1\n" << side << " " << side << "\n";
    for (std::size_t y = 0; y < side; ++y) {
        for (std::size_t x = 0; x < side; ++x)
            pbm << (m[y / scale][x / scale] ? "1 " : "0 ");
        pbm << "\n";
    }
    pbm.close();
    const std::string out = (dir / "qr.txt").string();
    REQUIRE(std::system(("zbarimg --raw -q " + (dir / "qr.pbm").string() + " > " + out).c_str()) == 0);
    std::ifstream in(out);
    std::string read;
    std::getline(in, read);
    CHECK(read == url);
    // The terminal's: two rows of modules a line.
    CHECK(app::qrLines(url).size() == (m.size() + 1) / 2);
}
