// libFuzzer harness for the parsers a user's files reach: set files, running orders, stem-folder readmes,
// events scripts, controller mappings, an MP4 stem file's box tree and NI metadata JSON, and an
// OSC datagram (liblo's decoding, stemdeck's and AbleSet's addresses).
// Each must turn any input
// into either a result or a stemdeck::Error, never a crash, a hang or another exception.
// Built once and run by tests/fuzz/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined) once per
// parser, which it names in STEMDECK_FUZZ_TARGET (1 set, 2 readme, 3 events, 4 mapping, 5 ni, 6 osc,
// 7 web, 8 order, 9 lyrics).
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/NiMetadata.h"
#include "stemdeck/midi/Mapping.h"
#include "stemdeck/set/Lyrics.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/remote/WebProtocol.h"
#include "stemdeck/remote/AbleSet.h"
#include "stemdeck/remote/Osc.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/OscFeedback.h"

namespace {
/// A show with stems, markers, scenes and songs for the OSC handler to look names up in.
const stemdeck::control::ShowState& fuzzShow() {
    static const stemdeck::control::ShowState st = [] {
        stemdeck::control::ShowState s;
        s.songs = {{1, "Intro", 60.0, false}, {2, "Big Song", 200.0, false}};
        s.player.song = 2;
        s.player.title = "Big Song";
        s.player.seconds = 10.0;
        s.player.barBeat = {6, 1, 0.0};
        s.player.lengthSeconds = 200.0;
        for (const char* name : {"Drums", "Bass", "Keys"}) {
            stemdeck::control::StemLine line;
            line.name = name;
            s.player.stems.push_back(line);
        }
        s.player.markers = {{"Verse", 0.0}, {"Chorus", 8.0}};
        s.player.scenes = {"Full", "", "", "", "", "", "", ""};
        return s;
    }();
    return st;
}

int target = 0; ///< which parser this run fuzzes (STEMDECK_FUZZ_TARGET)
} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* t = std::getenv("STEMDECK_FUZZ_TARGET");
    target = t != nullptr ? std::atoi(t) : 0;
    if (target < 1 || target > 9) {
        std::fprintf(stderr, "STEMDECK_FUZZ_TARGET must name the parser to fuzz, 1 to 9 (tests/fuzz/fuzz.sh)\n");
        std::exit(2);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        switch (target) {
        case 1: {
            (void)stemdeck::set::parseSetFile(text, "/tmp/fuzz/set.yaml");
            break;
        }
        case 2: {
            (void)stemdeck::set::parseReadme(text);
            break;
        }
        case 4: {
            (void)stemdeck::midi::parseMapping(text, "/tmp/fuzz/mapping.yaml");
            break;
        }
        case 6: {
            // The bytes as a datagram on the OSC port: decoded by liblo, then taken by stemdeck's
            // addresses and AbleSet's; what it asks for must be a request or a reason, and whatever
            // it is, the state's feedback is still made.
            const stemdeck::remote::Decoded d = stemdeck::remote::decodeOsc(data, size);
            if (d.message) {
                (void)stemdeck::remote::translateNative(*d.message, fuzzShow());
                (void)stemdeck::remote::translateAbleSet(*d.message, fuzzShow());
                (void)stemdeck::remote::encodeOsc(*d.message);
                (void)stemdeck::remote::describeOsc(*d.message);
            }
            break;
        }
        case 7: {
            // The bytes as a page's WebSocket message: understood as an action (through the action
            // table's value parser) or answered with a reason; the reply is valid JSON either way.
            const stemdeck::remote::WebTranslation t = stemdeck::remote::translateWeb(text, fuzzShow());
            (void)stemdeck::remote::webReply(t.id, t.error);
            if (size > 0 && data[0] == '!') (void)stemdeck::remote::webState(fuzzShow(), 1.0);
            break;
        }
        case 8: {
            // The bytes as tonight's running order for a set of three songs: an order that reads, or a
            // reason; one that reads is written out and reads back the same.
            static const std::vector<stemdeck::set::SetSong> songs = [] {
                std::vector<stemdeck::set::SetSong> s(3);
                s[0].source = "/tmp/fuzz/one";
                s[1].source = "/tmp/fuzz/two";
                s[2].source = "/tmp/fuzz/three";
                return s;
            }();
            const stemdeck::set::OrderFile o =
                stemdeck::set::parseRunningOrder(text, "/tmp/fuzz/set.order.yaml", songs, "/tmp/fuzz/set.yaml");
            std::vector<stemdeck::set::SetSong> catalogue = songs;
            for (const auto& folder : o.added)
                catalogue.emplace_back().source = folder;
            const std::string again = stemdeck::set::formatRunningOrder(o.order, catalogue, 3, "/tmp/fuzz/set.yaml");
            if (stemdeck::set::parseRunningOrder(again, "/tmp/fuzz/again.yaml", songs, "/tmp/fuzz/set.yaml").order !=
                o.order)
                __builtin_trap(); // written, it must read back the same
            break;
        }
        case 5: {
            // The bytes as an MP4 file: walk its boxes to the NI box, read what it holds; and the bytes
            // as that box's JSON directly.
            std::istringstream file{std::string(text)};
            if (const auto json =
                    stemdeck::formats::findMp4Box(file, static_cast<std::int64_t>(size), {"moov", "udta", "stem"}))
                (void)stemdeck::formats::parseNiStemMetadata(*json);
            (void)stemdeck::formats::parseNiStemMetadata(text);
            break;
        }
        case 3: {
            (void)stemdeck::control::parseEventScript(text, "events.yaml", {{"Drums", "Bass", "Keys"}, 48000.0, true});
            break;
        }
        case 9: {
            // The bytes as an LRC file and as a ChordPro file: lines, or a reason. One that reads,
            // with its first line stamped as a tap would (tap-to-time), is written back and reads back
            // with the same lines at the same times.
            for (const bool lrc : {true, false}) {
                try {
                    stemdeck::set::Lyrics l = lrc ? stemdeck::set::parseLrc(text, "/tmp/fuzz/lyrics.lrc")
                                                  : stemdeck::set::parseChordPro(text, "/tmp/fuzz/song.cho");
                    if (!l.lines.empty()) stemdeck::set::stampLyricLine(l, 0, 1.0, 120.0, 4);
                    const std::string again = stemdeck::set::formatLyrics(l);
                    stemdeck::set::Lyrics back = lrc ? stemdeck::set::parseLrc(again, "/tmp/fuzz/lyrics.lrc")
                                                     : stemdeck::set::parseChordPro(again, "/tmp/fuzz/song.cho");
                    // (a rest, an empty line, carries nothing untimed and is not written)
                    const auto unwritable = [](const stemdeck::set::LyricLine& x) {
                        return x.text.empty() && x.chords.empty() && !x.time.timed();
                    };
                    std::erase_if(l.lines, unwritable);
                    std::erase_if(back.lines, unwritable);
                    if (back.lines.size() != l.lines.size()) __builtin_trap();
                    for (std::size_t i = 0; i < l.lines.size(); ++i)
                        if (back.lines[i].text != l.lines[i].text || back.lines[i].chords != l.lines[i].chords ||
                            back.lines[i].time.timed() != l.lines[i].time.timed() ||
                            back.lines[i].time.bar != l.lines[i].time.bar ||
                            std::fabs(back.lines[i].time.seconds - l.lines[i].time.seconds) > 0.0051)
                            __builtin_trap(); // written, it must read back the same (times to the hundredth)
                } catch (const stemdeck::Error&) {
                }
            }
            break;
        }
        default: break;
        }
    } catch (const stemdeck::Error&) {
        // the expected outcome for bad input: a message for the user
    }
    return 0;
}
