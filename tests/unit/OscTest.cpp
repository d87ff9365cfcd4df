// The OSC surface's parts: stemdeck's addresses (every networked action reachable, values by
// kind, refusals with reasons), AbleSet's profile as Companion's module sends it, access (allow
// list, token, rate limit, uuids), the feedback cache, liblo's decoding of hostile datagrams, and
// the manual's tables (docs/manual/osc.md) being the generated ones.
#include <catch2/catch.hpp>

#include <lo/lo.h>
#include <netinet/in.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "stemdeck/common/Db.h"
#include "stemdeck/remote/AbleSet.h"
#include "stemdeck/remote/Osc.h"
#include "stemdeck/remote/OscAccess.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/OscFeedback.h"

using namespace stemdeck;
using namespace stemdeck::remote;
using control::Action;

namespace {

control::ShowState show() {
    control::ShowState st;
    st.setName = "Tour";
    st.songs = {{1, "Intro", 60.0, false}, {2, "Big Song", 200.0, false}, {3, "Encore", 180.0, false}};
    control::PlayerStatus& p = st.player;
    p.song = 2;
    p.songs = 3;
    p.title = "Big Song";
    p.bpm = 120.0;
    p.seconds = 10.0; // bar 6 beat 1 at 120 BPM, 4/4, downbeat at 0
    p.barBeat = {6, 1, 0.0};
    p.lengthSeconds = 200.0;
    for (const char* name : {"Drums", "Bass", "Keys"}) {
        control::StemLine line;
        line.name = name;
        p.stems.push_back(line);
    }
    p.markers = {{"Verse", 0.0}, {"Chorus", 8.0}, {"Bridge", 40.0}};
    p.scenes = {"Full", "Breakdown", "", "", "", "", "", ""};
    return st;
}

OscMessage m(std::string path, std::vector<OscValue> args = {}) {
    return {std::move(path), std::move(args)};
}
OscValue i(std::int64_t v) {
    return OscValue::integer(v);
}
OscValue f(double v) {
    return OscValue::real(v);
}
OscValue s(std::string v) {
    return OscValue::string(std::move(v));
}

control::ActionCall ok(const OscMessage& message) {
    const OscTranslation t = translateNative(message, show());
    INFO(describeOsc(message) << ": " << t.error);
    REQUIRE(t.request);
    return t.request->call;
}

std::string refused(const OscMessage& message) {
    const OscTranslation t = translateNative(message, show());
    INFO(describeOsc(message));
    REQUIRE_FALSE(t.request);
    return t.error;
}

/// A sender at `host` (numeric).
Peer peer(const std::string& host, int port = 9000) {
    Peer p;
    const auto n = parseNetwork(host);
    REQUIRE(n);
    if (n->v6) {
        auto* in = reinterpret_cast<sockaddr_in6*>(&p.addr);
        in->sin6_family = AF_INET6;
        std::memcpy(&in->sin6_addr, n->bytes.data(), 16);
        p.length = sizeof(sockaddr_in6);
    } else {
        auto* in = reinterpret_cast<sockaddr_in*>(&p.addr);
        in->sin_family = AF_INET;
        std::memcpy(&in->sin_addr, n->bytes.data(), 4);
        p.length = sizeof(sockaddr_in);
    }
    return p.withPort(port);
}

} // namespace

TEST_CASE("Every action but quit shutdown and learn has its OSC address", "[unit][osc]") {
    for (const control::ActionInfo& a : control::actions()) {
        const std::string path = "/stemdeck/" + std::string(a.name);
        if (offTheNetwork(a.action)) {
            CHECK_THAT(refused(m(path)), Catch::Contains("not taken over the network"));
            continue;
        }
        std::vector<OscValue> args;
        if (a.target == control::Target::stem) args.push_back(i(2));
        if (a.target == control::Target::stems) args = {i(1), s("keys")};
        switch (a.value) {
        case control::ValueKind::none: break;
        case control::ValueKind::section:
        case control::ValueKind::bars:
        case control::ValueKind::placement: args.push_back(i(2)), args.push_back(i(4)); break;
        case control::ValueKind::click: args.push_back(s("count-in")); break;
        case control::ValueKind::marker: args.push_back(s("chorus")); break;
        case control::ValueKind::scene: args.push_back(s("Breakdown")); break;
        case control::ValueKind::knob: args.push_back(f(-0.5)); break;
        case control::ValueKind::tempo: args.push_back(i(80)); break;
        default: args.push_back(i(2)); break;
        }
        const OscTranslation t = translateNative(m(path, args), show());
        INFO(path << ": " << t.error);
        REQUIRE(t.request);
        CHECK(t.request->call.action == a.action);
        if (a.target == control::Target::stem) CHECK(t.request->call.stem == 1);
        if (a.target == control::Target::stems) CHECK(t.request->call.stemMask == 0b101);
    }
}

TEST_CASE("OSC values by kind: a gain number is dB and the fader has the MIDI taper", "[unit][osc]") {
    auto gain = ok(m("/stemdeck/gain", {s("bass"), f(-6.0)}));
    CHECK(gain.stem == 1);
    CHECK(gain.value == Approx(fromDb(-6.0)));
    CHECK(ok(m("/stemdeck/gain", {i(1), i(3)})).value == Approx(fromDb(3.0))); // 3 is +3 dB, not a factor of 3
    CHECK(ok(m("/stemdeck/gain", {i(1), s("0.5")})).value == Approx(0.5f));    // a string as a script has it
    CHECK_THAT(refused(m("/stemdeck/gain", {i(1), f(13.0)})), Catch::Contains("12 dB"));
    CHECK(ok(m("/stemdeck/stem/2/fader", {f(1.0)})).value == Approx(fromDb(6.0)));
    CHECK(ok(m("/stemdeck/stem/2/fader", {f(0.0)})).value == 0.0f);
    CHECK(ok(m("/stemdeck/stem/Keys/fader", {f(60.0 / 66.0)})).value == Approx(1.0f).epsilon(1e-4));
    CHECK(gainToFader(faderToGain(0.37)) == Approx(0.37));
    CHECK(ok(m("/stemdeck/tempo", {i(85)})).from == Approx(0.85)); // a percentage
    auto bpm = ok(m("/stemdeck/tempo", {s("112bpm")}));
    CHECK(bpm.from == Approx(112.0));
    CHECK(bpm.to == 1.0);
    CHECK(ok(m("/stemdeck/transpose", {f(-2.0)})).value == Approx(-2.0f));
    CHECK(ok(m("/stemdeck/click", {i(2)})).value == static_cast<float>(engine::ClickMode::always));
    CHECK(ok(m("/stemdeck/go_to_song", {s("encore")})).value == 2.0f); // by title
    CHECK(ok(m("/stemdeck/go_to_song", {i(1)})).value == 0.0f);
    CHECK(ok(m("/stemdeck/marker", {i(3)})).value == 2.0f);
    auto loop = ok(m("/stemdeck/loop", {f(8.0), f(16.0)}));
    CHECK((loop.from == 8.0 && loop.to == 16.0));
    CHECK(ok(m("/stemdeck/loop", {s("8-16")})).to == 16.0);
    CHECK(ok(m("/stemdeck/stem/1/mute", {OscValue::boolean(true)})).action == Action::mute);
    CHECK(ok(m("/stemdeck/stem/1/mute", {i(0)})).action == Action::unmute);
    CHECK(ok(m("/stemdeck/stem/1/mute", {f(1.0)})).action == Action::mute);
    CHECK(ok(m("/stemdeck/stem/1/mute")).action == Action::toggleMute);
    CHECK(ok(m("/stemdeck/stem/drums/solo", {OscValue::boolean(false)})).action == Action::unsolo);
    CHECK(ok(m("/stemdeck/stem/3/filter", {f(-0.5)})).value == Approx(-0.5f));
    CHECK(ok(m("/stemdeck/stem/3/gain", {i(-6)})).value == Approx(fromDb(-6.0)));
}

TEST_CASE("OSC named arguments go anywhere and quantize only where the action may wait", "[unit][osc]") {
    const OscTranslation t =
        translateNative(m("/stemdeck/mute", {s("uuid=abc"), s("Drums"), s("quantize=bar"), s("token=x")}), show());
    REQUIRE(t.request);
    CHECK(t.request->call.action == Action::mute);
    CHECK(t.request->call.stem == 0);
    CHECK(t.request->call.quantize == engine::Quantize::bar);
    CHECK(t.request->uuid == "abc");
    CHECK(t.request->token == "x");
    CHECK(ok(m("/stemdeck/scene", {s("Breakdown"), s("quantize=beat")})).quantize == engine::Quantize::beat);
    CHECK_THAT(refused(m("/stemdeck/next_song", {s("quantize=bar")})), Catch::Contains("cannot wait"));
    CHECK_THAT(refused(m("/stemdeck/mute", {i(1), s("quantize=soon")})), Catch::Contains("not bar, beat or none"));
}

TEST_CASE("OSC refusals say what is wrong", "[unit][osc]") {
    CHECK_THAT(refused(m("/stemdeck/mutr", {i(1)})), Catch::Contains("did you mean 'mute'"));
    CHECK_THAT(refused(m("/other/mute", {i(1)})), Catch::Contains("not a stemdeck address"));
    CHECK_THAT(refused(m("/stemdeck/mute", {i(9)})), Catch::Contains("no stem 9") || Catch::Contains("stems are 1-3"));
    CHECK_THAT(refused(m("/stemdeck/mute", {s("Bas")})), Catch::Contains("did you mean 'Bass'"));
    CHECK_THAT(refused(m("/stemdeck/mute")), Catch::Contains("needs a stem"));
    CHECK_THAT(refused(m("/stemdeck/mute", {i(1), i(1)})), Catch::Contains("takes no value"));
    CHECK_THAT(refused(m("/stemdeck/gain", {i(1)})), Catch::Contains("needs a value"));
    CHECK_THAT(refused(m("/stemdeck/gain", {i(1), OscValue::boolean(true)})), Catch::Contains("not true (T)"));
    CHECK_THAT(refused(m("/stemdeck/filter", {i(1), f(2.0)})), Catch::Contains("-1"));
    CHECK_THAT(refused(m("/stemdeck/seek", {f(-1.0)})), Catch::Contains("≥ 0"));
    CHECK_THAT(refused(m("/stemdeck/go_to_song", {i(4)})), Catch::Contains("the set has 3"));
    CHECK_THAT(refused(m("/stemdeck/go_to_song", {s("Encor")})), Catch::Contains("did you mean 'Encore'"));
    CHECK_THAT(refused(m("/stemdeck/stem/1/fader", {f(1.5)})), Catch::Contains("from 0"));
    CHECK_THAT(refused(m("/stemdeck/stem/1/volume", {f(1.0)})), Catch::Contains("a stem has"));
    CHECK_THAT(refused(m("/stemdeck/stem/1/mute", {s("loud")})), Catch::Contains("T or F"));
    CHECK_THAT(refused(m("/stemdeck/drop")), Catch::Contains("one or more stems"));
    CHECK_THAT(refused(m("/stemdeck/subscribe", {i(70000)})), Catch::Contains("65535"));
    CHECK_THAT(refused(m("/stemdeck/get", {i(1)})), Catch::Contains("takes no arguments"));
    CHECK_THAT(refused(m("/stemdeck/" + std::string(3000, 'x'))),
               !Catch::Contains("did you mean")); // no guess: too long
    OscValue blob{'?', 0, "b"};
    CHECK_THAT(refused(m("/stemdeck/seek", {blob})), Catch::Contains("does not take"));
}

TEST_CASE("OSC subscribe takes a port and a host", "[unit][osc]") {
    const OscTranslation t = translateNative(m("/stemdeck/subscribe", {i(9001), s("auto")}), show());
    REQUIRE(t.request);
    CHECK(t.request->kind == OscRequest::Kind::subscribe);
    CHECK(t.request->port == 9001);
    CHECK(t.request->host == "auto");
}

TEST_CASE("AbleSet's messages as Companion's module sends them", "[unit][osc][ableset]") {
    const control::ShowState st = show();
    auto calls = [&](const OscMessage& message) {
        const AbleSetTranslation t = translateAbleSet(message, st);
        INFO(describeOsc(message) << ": " << t.error);
        REQUIRE(t.request);
        return t.request->calls;
    };
    const AbleSetTranslation sub =
        translateAbleSet(m("/subscribe", {s("auto"), i(51234), s("Companion"), OscValue::boolean(true)}), st);
    REQUIRE(sub.request);
    CHECK(sub.request->kind == OscRequest::Kind::subscribe);
    CHECK(sub.request->port == 51234);
    CHECK(sub.request->host == "auto");
    CHECK(sub.request->fine);
    CHECK(ok(m("/stemdeck/drop", {i(1), i(2)})).quantize == engine::Quantize::bar); // as a drop button
    CHECK(ok(m("/stemdeck/drop", {i(1), s("quantize=none")})).quantize == engine::Quantize::none);
    const AbleSetTranslation old = translateAbleSet(m("/getValues", {i(39041), s("uuid=q1")}), st); // module 1.6
    REQUIRE(old.request);
    CHECK(old.request->kind == OscRequest::Kind::dump);
    CHECK(old.request->port == 39041);
    CHECK(old.request->uuid == "q1");
    CHECK(calls(m("/global/play", {s("uuid=1")}))[0].action == Action::play);
    CHECK(calls(m("/global/pause"))[0].action == Action::stop);
    const auto stop = calls(m("/global/stop"));
    REQUIRE(stop.size() == 2);
    CHECK(stop[1].action == Action::toStart);
    auto jump = calls(m("/setlist/jumpToSong", {i(3), s("uuid=2")}));
    CHECK((jump[0].action == Action::goToSong && jump[0].value == 2.0f)); // 1-based in, 0-based index
    CHECK(calls(m("/setlist/jumpToSong", {s("intro")}))[0].value == 0.0f);
    // Relative jumps are so many next_song / previous_song (each counts from the one before it,
    // not from a state a fade has not left yet), at most the set's length.
    const auto on = calls(m("/setlist/jumpBySongs", {i(1), s("force=true")}));
    CHECK((on.size() == 1 && on[0].action == Action::nextSong));
    const auto back = calls(m("/setlist/jumpBySongs", {i(-5)}));
    CHECK((back.size() == 3 && back[2].action == Action::previousSong));
    const auto again = calls(m("/setlist/jumpBySongs", {i(0)}));
    CHECK((again[0].action == Action::goToSong && again[0].value == 1.0f)); // this song, from its start
    CHECK(calls(m("/setlist/jumpToSection", {i(2)}))[0].value == 1.0f);
    CHECK(calls(m("/setlist/jumpBySections", {i(1)}))[0].action == Action::nextMarker);
    CHECK(calls(m("/setlist/jumpBySections", {i(-2)})).size() == 2);
    const auto bars = calls(m("/setlist/jumpByBars", {i(2)}));
    CHECK((bars[0].action == Action::seek && bars[0].from == Approx(14.0))); // bar 6 (10 s) → bar 8 (14 s)
    CHECK(calls(m("/setlist/jumpByBeats", {i(-1)}))[0].from == Approx(9.5));
    CHECK(calls(m("/setlist/enableLoop"))[0].action == Action::vamp);
    CHECK(calls(m("/setlist/escapeLoop")).empty()); // not looping: nothing to escape
    // A second enableLoop before the state shows the first: not a toggle back.
    const AbleSetTranslation twice = translateAbleSet(m("/setlist/enableLoop"), st, true);
    REQUIRE(twice.request);
    CHECK(twice.request->calls.empty());
    const auto mute = calls(m("/mixer/bass/mute", {i(1), s("uuid=3")}));
    CHECK((mute[0].action == Action::mute && mute[0].stem == 1));
    CHECK(calls(m("/mixer/drums/solo", {s("toggle")}))[0].action == Action::toggleSolo);
    CHECK(calls(m("/mixer/KEYS/mute", {i(0)}))[0].action == Action::unmute);
    CHECK_FALSE(translateAbleSet(m("/mixer/click/mute", {s("toggle")}), st).request);
    CHECK_THAT(translateAbleSet(m("/global/record"), st).error, Catch::Contains("no stemdeck counterpart"));
    // Found by the fuzzer: a number past a long's range in a refusal's words was undefined behaviour.
    CHECK_THAT(translateAbleSet(m("/setlist/jumpToSection", {f(-6.49e32)}), st).error,
               Catch::Contains("no section (marker) -6.49e+32"));
}

TEST_CASE("AbleSet's feedback: indices from 0 and positions in quarter notes", "[unit][osc][ableset]") {
    control::ShowState st = show();
    st.player.stems[1].mix.muted = true;
    std::map<std::string, std::vector<OscValue>> got;
    for (const OscMessage& x : ableSetState(st))
        got[x.path] = x.args;
    for (const OscMessage& x : ableSetPosition(st, true))
        got[x.path] = x.args;
    CHECK(got["/setlist/activeSongIndex"] == std::vector<OscValue>{i(1)});
    CHECK(got["/setlist/songs"] == std::vector<OscValue>{s("Intro"), s("Big Song"), s("Encore")});
    CHECK(got["/setlist/sections"].size() == 3);
    CHECK(got["/mixer/bass/muted"] == std::vector<OscValue>{OscValue::boolean(true)});
    CHECK(got["/mixer/drums/muted"] == std::vector<OscValue>{OscValue::boolean(false)});
    CHECK(got["/global/beatsPosition"] == std::vector<OscValue>{f(20.0)}); // bar 6 beat 1: 20 beats in
    CHECK(got["/global/humanPosition"] == std::vector<OscValue>{i(6), i(1)});
    CHECK(got["/setlist/activeSectionIndex"] == std::vector<OscValue>{i(1)});
    CHECK(got["/setlist/activeSectionStart"] == std::vector<OscValue>{f(16.0)}); // 8 s
    CHECK(got["/setlist/activeSectionEnd"] == std::vector<OscValue>{f(80.0)});   // 40 s
    CHECK(got["/setlist/activeSongEnd"] == std::vector<OscValue>{f(400.0)});
    CHECK(got["/global/timeSignature"] == std::vector<OscValue>{i(4), i(4)});
    // Only the types node-osc decodes (no doubles, no 64-bit ints): Companion would fail on them.
    for (const auto& [path, args] : got)
        for (const OscValue& v : args) {
            INFO(path);
            CHECK(std::string("ifsTF").find(v.type) != std::string::npos);
        }
}

TEST_CASE("The feedback cache sends only what changed", "[unit][osc]") {
    FeedCache cache;
    control::ShowState st = show();
    CHECK(cache.changed(nativeState(st)).size() == nativeState(st).size());
    CHECK(cache.changed(nativeState(st)).empty());
    st.player.stems[1].mix.muted = true;
    const auto changed = cache.changed(nativeState(st));
    REQUIRE(changed.size() == 1);
    CHECK(changed[0] == OscMessage{"/stemdeck/stem/2/mute", {i(1)}});
    // A song with fewer stems: the stems gone are sent once more, emptied (no client keeps a
    // vanished stem lit as muted).
    FeedCache able;
    (void)able.changed(ableSetState(st), "/mixer/");
    st.player.stems.pop_back();
    st.player.stems.pop_back(); // Bass (muted) and Keys are gone
    const auto gone = able.changed(ableSetState(st), "/mixer/");
    CHECK(std::count(gone.begin(), gone.end(), OscMessage{"/mixer/bass/muted", {OscValue::boolean(false)}}) == 1);
    CHECK(std::count(gone.begin(), gone.end(), OscMessage{"/mixer/keys/soloed", {OscValue::boolean(false)}}) == 1);
    CHECK(able.changed(ableSetState(st), "/mixer/").empty());
}

TEST_CASE("OSC access: networks, loopback, rate limit, uuids, tokens", "[unit][osc]") {
    const auto lan = parseNetwork("192.168.1.0/24");
    REQUIRE(lan);
    CHECK(peer("192.168.1.77").in(*lan));
    CHECK_FALSE(peer("192.168.2.77").in(*lan));
    CHECK(peer("10.1.2.3").in(*parseNetwork("10.0.0.0/8")));
    CHECK(peer("10.1.2.3").in(*parseNetwork("10.1.2.3")));
    CHECK_FALSE(peer("10.1.2.4").in(*parseNetwork("10.1.2.3")));
    CHECK(peer("127.0.0.1").loopback());
    CHECK(peer("::1").loopback());
    CHECK(peer("::ffff:127.0.0.1").loopback()); // IPv4 on an IPv6 socket
    CHECK(peer("::ffff:192.168.1.5").in(*lan));
    CHECK_FALSE(peer("192.168.1.5").loopback());
    CHECK_FALSE(parseNetwork("192.168.1.0/33"));
    CHECK_FALSE(parseNetwork("stage-laptop"));
    CHECK(peer("192.168.1.5", 1).sameHost(peer("192.168.1.5", 2)));
    CHECK(peer("192.168.1.5").withPort(4444).port() == 4444);

    RateLimit limit(100.0, 10.0);
    int passed = 0;
    for (int k = 0; k < 50; ++k)
        passed += limit.take("a", 1.0);
    CHECK(passed == 10);         // a burst
    CHECK(limit.take("b", 1.0)); // another host has its own
    CHECK_FALSE(limit.take("a", 1.0));
    CHECK(limit.take("a", 1.02)); // 100 a second: one more after 10 ms

    UuidMemory uuids;
    CHECK(uuids.first("x"));
    CHECK_FALSE(uuids.first("x"));
    for (int k = 0; k < 600; ++k)
        uuids.first(std::to_string(k));
    CHECK(uuids.first("x")); // forgotten after 512 others

    CHECK(tokensMatch("secret", "secret"));
    CHECK_FALSE(tokensMatch("secreT", "secret"));
    CHECK_FALSE(tokensMatch("secret2", "secret"));
    CHECK_FALSE(tokensMatch("", ""));
}

TEST_CASE("liblo decodes what it encodes and refuses hostile datagrams", "[unit][osc]") {
    const OscMessage sent{"/stemdeck/gain", {s("Bass"), f(-6.0), i(3), OscValue::boolean(true), s("uuid=1")}};
    const std::vector<char> bytes = encodeOsc(sent);
    const Decoded back = decodeOsc(bytes.data(), bytes.size());
    REQUIRE(back.message);
    CHECK(*back.message == sent);
    // Every cut of a valid message is refused, none read past its end (ASan watches).
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        std::vector<char> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK_FALSE(decodeOsc(cut.data(), cut.size()).message);
    }
    // A bundle is refused with its reason, so is a datagram too long.
    lo_bundle bundle = lo_bundle_new(LO_TT_IMMEDIATE);
    lo_message inner = lo_message_new();
    lo_message_add_int32(inner, 1);
    lo_bundle_add_message(bundle, "/stemdeck/play", inner);
    std::size_t size = 0;
    void* raw = lo_bundle_serialise(bundle, nullptr, &size);
    CHECK_THAT(decodeOsc(raw, size).problem, Catch::Contains("bundle"));
    std::free(raw);
    lo_bundle_free_recursive(bundle);
    std::vector<char> big(kMaxOscBytes + 1, 'a');
    big[0] = '/';
    CHECK_THAT(decodeOsc(big.data(), big.size()).problem, Catch::Contains("longer than"));
    const char noTags[] = "/stemdeck/play\0\0"; // no type tag string
    CHECK_FALSE(decodeOsc(noTags, 16).message);
}

TEST_CASE("The manual lists the OSC tables as they are", "[unit][osc]") {
    std::ifstream in(std::string(STEMDECK_SOURCE_DIR) + "/docs/manual/osc.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string manual = text.str();
    auto between = [&](const std::string& name) {
        const std::string begin = "<!-- " + name + ": begin (stemdeck osc) -->\n", end = "<!-- " + name + ": end -->";
        const auto from = manual.find(begin), to = manual.find(end);
        REQUIRE(from != std::string::npos);
        REQUIRE(to != std::string::npos);
        return manual.substr(from + begin.size(), to - from - begin.size());
    };
    CHECK(between("addresses") == oscAddressesMarkdown()); // out of date: scripts/osc-tables.py build/test/stemdeck
    CHECK(between("values") == oscValuesMarkdown());
    CHECK(between("feedback") == nativeFeedbackMarkdown());
    CHECK(between("ableset") == ableSetMarkdown());
}
