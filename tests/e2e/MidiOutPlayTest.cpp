// MIDI out end to end, through a real JACK server (dummy driver): `stemdeck play` a set of three
// songs with MIDI clock and cues, its MIDI output connected by the set file's `midi_out: connect:`
// to a separate recorder client that also records the main output, so each MIDI message and each
// sample sit on the same JACK frame clock. Every song's stems hold a click (an impulse) on bar 1,
// so the recording itself says where bar 1 played.
//
//   song 1  120 BPM 4/4, a bar of count-in; cues: a program change when it becomes current, a
//           controller on bar 2, an OSC message on bar 2 (to oscdump, liblo's own listener), a
//           note on the marker Chorus (bar 4); an events script jumps there from bar 2.
//   song 2  93.7 BPM: ticks on their exact frames; `tempo 90%` glides in steps, each on a beat.
//   song 3  6/8 at 180 (eighths): 12 ticks an eighth.
//
// Checks: Start just before the tick on bar 1's frame (the impulse's); the count-in ticks without
// Start; the tick grid within half a frame of its ideal; Stop, Song Position (the right sixteenth)
// and Continue + tick on the marker's bar after the jump; the chase; each cue on its frame; the
// OSC cue's arrival against its frame (printed); Stop at each song's end; the tempo step.
#include <jack/jack.h>
#include <jack/midiport.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;

struct Message {
    std::int64_t frame = 0; ///< JACK frame time
    std::array<std::uint8_t, 8> bytes{};
    std::size_t size = 0;
    [[nodiscard]] std::uint8_t status() const { return bytes[0]; }
};

/// Records the main pair and a MIDI input, both on JACK's frame clock (jack_last_frame_time +
/// offset), and each cycle's CLOCK_REALTIME (for the OSC cue's arrival time).
struct MidiTake {
    jack_client_t* client = nullptr;
    jack_port_t* audio = nullptr;
    jack_port_t* midi = nullptr;
    std::vector<float> data;
    std::vector<Message> messages;
    std::atomic<std::size_t> count{0};
    std::vector<std::int64_t> cycleNs; ///< per cycle since the first: CLOCK_REALTIME at its callback
    std::int64_t first = -1;           ///< JACK frame of data[0]
    std::atomic<int> xruns{0};
    std::uint32_t period = 256;

    bool open(std::size_t frames) {
        jack_status_t status{};
        client = jack_client_open("recorder", JackNoStartServer, &status);
        if (client == nullptr) return false;
        period = jack_get_buffer_size(client);
        data.assign(frames, 0.0f);
        messages.assign(100000, Message{});
        cycleNs.assign(frames / period + 2, 0);
        audio = jack_port_register(client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        midi = jack_port_register(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
        jack_set_process_callback(client, &MidiTake::process, this);
        jack_set_xrun_callback(
            client,
            [](void* arg) {
                static_cast<MidiTake*>(arg)->xruns.fetch_add(1);
                return 0;
            },
            this);
        return jack_activate(client) == 0;
    }
    void close() { closeClient(client); }
    ~MidiTake() { close(); }
    static int process(jack_nframes_t n, void* arg) {
        auto* t = static_cast<MidiTake*>(arg);
        const auto now = static_cast<std::int64_t>(jack_last_frame_time(t->client));
        if (t->first < 0) t->first = now;
        const auto at = static_cast<std::size_t>(now - t->first);
        if (at + n >= t->data.size()) return 0;
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        t->cycleNs[at / t->period] = ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
        std::copy_n(static_cast<const float*>(jack_port_get_buffer(t->audio, n)), n, t->data.data() + at);
        void* in = jack_port_get_buffer(t->midi, n);
        const jack_nframes_t events = jack_midi_get_event_count(in);
        for (jack_nframes_t i = 0; i < events; ++i) {
            jack_midi_event_t e;
            if (jack_midi_event_get(&e, in, i) != 0) continue;
            const std::size_t k = t->count.load(std::memory_order_relaxed);
            if (k >= t->messages.size()) break;
            Message& m = t->messages[k];
            m.frame = now + e.time;
            m.size = std::min<std::size_t>(e.size, m.bytes.size());
            std::copy_n(e.buffer, m.size, m.bytes.data());
            t->count.store(k + 1, std::memory_order_release);
        }
        return 0;
    }
    /// CLOCK_REALTIME (ns) of JACK frame `frame`: its cycle's callback plus the frames into it.
    [[nodiscard]] std::int64_t timeOf(std::int64_t frame) const {
        const auto at = static_cast<std::size_t>(frame - first);
        return cycleNs[at / period] + static_cast<std::int64_t>(at % period) * 1'000'000'000LL / kRate;
    }
    /// JACK frames of the impulses on the main output (level over 0.25), each the first of its run.
    [[nodiscard]] std::vector<std::int64_t> impulses() const {
        std::vector<std::int64_t> out;
        for (std::size_t i = 0; i < data.size(); ++i)
            if (std::fabs(data[i]) > 0.25f && (out.empty() || first + static_cast<std::int64_t>(i) > out.back() + 1000))
                out.push_back(first + static_cast<std::int64_t>(i));
        return out;
    }
};

/// A mono stem with a 0.5 impulse on each of `frames`.
void writeSong(const fs::path& dir, std::int64_t length, const std::vector<std::int64_t>& frames) {
    test::StemAudio a;
    a.left.assign(static_cast<std::size_t>(length), 0.0f);
    for (const std::int64_t f : frames)
        a.left[static_cast<std::size_t>(f)] = 0.5f;
    test::writeStemFolder(dir, kRate, {a}, {"Click"});
}

std::string hex(const Message& m) {
    std::string s;
    char b[4];
    for (std::size_t i = 0; i < m.size; ++i) {
        std::snprintf(b, sizeof b, "%02X", m.bytes[i]);
        s += (i ? " " : "") + std::string(b);
    }
    return s;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    test::TempDir dir;
    // song 1: 120 BPM, 96 000 frames a bar, 5 bars; clicks on bar 1 and 1000 frames into bar 4 (the
    // marker: after a jump the audio fades in over 10 ms, which would hide a click on its first frame)
    constexpr std::int64_t kAfterMarker = 1000;
    writeSong(dir / "one", 5 * 96000, {0, 3 * 96000 + kAfterMarker});
    // song 2: 93.7 BPM (a beat 30 736.39 frames), 3 bars; song 3: 6/8 at 180, 2 bars of 96 000
    writeSong(dir / "two", 369000, {0});
    writeSong(dir / "three", 2 * 96000, {0});
    const int oscPort = 20000 + static_cast<int>(getpid() % 20000);
    std::ofstream(dir / "set.yaml") << "midi_out: { connect: recorder, clock: true }\n"
                                       "count_in: 1\n"
                                       "at_end: next\n"
                                       "songs:\n"
                                       "  - folder: one\n"
                                       "    bpm: 120\n"
                                       "    markers: { Chorus: 4 }\n"
                                       "    cues:\n"
                                       "      - { at: current, program: 5 }\n"
                                       "      - { at: bar 2, control: 74, value: 127 }\n"
                                       "      - { at: bar 2, osc: { to: \"127.0.0.1:"
                                    << oscPort
                                    << "\", address: /cue/one, args: [2] } }\n"
                                       "      - { at: marker Chorus, note: 60, velocity: 100, length: 0.1 }\n"
                                       "  - folder: two\n"
                                       "    bpm: 93.7\n"
                                       "    cues:\n"
                                       "      - { at: current, program: 7, bank: 1 }\n"
                                       "  - folder: three\n"
                                       "    bpm: 180\n"
                                       "    time_signature: 6/8\n";
    // From song 1's bar 1: in bar 2 jump to Chorus (on the next bar line: bar 3's, 4.0 s); in song 2
    // (song 1 ends at 8.0 s, song 2's count-in takes 2.56 s) ask for 90%.
    std::ofstream(dir / "events.yaml") << "events:\n"
                                          "  - { time: 2.5, action: marker, value: Chorus }\n"
                                          "  - { time: 12.0, action: tempo, value: 90% }\n";

    JackServer jack{"stemdeck-e2e-midi-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    MidiTake take;
    if (!expect(take.open(static_cast<std::size_t>(60 * kRate)), "the recorder (audio and MIDI in) is up")) return 1;
    const pid_t osc = spawn({"oscdump", "-L", std::to_string(oscPort)}, (dir / "osc.log").string());
    std::this_thread::sleep_for(300ms);
    const pid_t play = spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys",
                              "--events", (dir / "events.yaml").string()},
                             (dir / "play.log").string());
    // The main pair by hand (the recorder has one input: left); the MIDI by the set's connect:.
    bool connected = false;
    for (int i = 0; i < 1000 && !connected; ++i) {
        connected = jack_connect(take.client, "stemdeck:out_1", jack_port_name(take.audio)) == 0;
        if (!connected) std::this_thread::sleep_for(10ms);
    }
    expect(connected, "stemdeck's main output is recorded");
    const int status = waitExit(play, 60s);
    std::this_thread::sleep_for(200ms);
    take.close();
    kill(osc, SIGTERM);
    waitpid(osc, nullptr, 0);
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "stemdeck play ends by itself with status 0 when the set has played");
    expect(log.find("MIDI out: clock (Start on bar 1), cues -> recorder") != std::string::npos ||
               log.find("MIDI out: clock (Start on bar 1), cues → recorder") != std::string::npos,
           "play says what the MIDI output sends and where");
    expect(log.find("connected stemdeck:midi_out -> recorder:midi_in") != std::string::npos,
           "the set file's connect: joins stemdeck:midi_out to the recorder's MIDI input");

    const std::size_t n = take.count.load();
    std::vector<Message> all(take.messages.begin(), take.messages.begin() + static_cast<long>(n));
    const std::vector<std::int64_t> clicks = take.impulses();
    const std::int64_t period = take.period;
    const bool lost = take.xruns.load() > 0;
    std::printf("%zu MIDI messages, %zu clicks, %d xruns\n", n, clicks.size(), take.xruns.load());
    // Exact, but for whole cycles a loaded server lost between two frames (then the recording has
    // a gap of silence and no MIDI): only with xruns.
    auto apart = [&](std::int64_t got, std::int64_t want, std::int64_t tolerance = 0) {
        const std::int64_t off = got - want;
        if (std::llabs(off) <= tolerance) return true;
        return lost && off > 0 && (off % period <= tolerance || period - off % period <= tolerance);
    };
    if (!expect(clicks.size() == 4 && n > 100, "the recording holds every song's bar 1 and the marker's bar (" +
                                                   std::to_string(clicks.size()) + " clicks)"))
        return 1;
    auto index = [&](std::uint8_t kind, std::int64_t from, std::int64_t to = INT64_MAX) {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < all.size(); ++i)
            if (all[i].status() == kind && all[i].frame >= from && all[i].frame < to) out.push_back(i);
        return out;
    };

    // --- song 1 -------------------------------------------------------------------------------
    const std::int64_t bar1 = clicks[0];
    const auto starts = index(0xFA, 0);
    expect(starts.size() == 3, "one Start for each song (" + std::to_string(starts.size()) + ")");
    expect(!starts.empty() && all[starts[0]].frame == bar1 && all[starts[0] + 1].status() == 0xF8 &&
               all[starts[0] + 1].frame == bar1,
           "song 1: Start, then a tick, on bar 1's very frame (the click's)");
    // (With xruns the recorder may have missed a cycle, and the ticks in it: then each tick left
    // must still be on a multiple of 1000 frames before bar 1, but for whole cycles lost.)
    const auto countIn = index(0xF8, bar1 - 96000 - 10 - (lost ? 4 * period : 0), bar1);
    bool countInExact = countIn.size() == 96 || (lost && countIn.size() >= 90 && countIn.size() <= 96);
    for (std::size_t k = 0; k < countIn.size(); ++k) {
        const std::int64_t before = bar1 - all[countIn[k]].frame;
        bool onGrid = before == 96000 - static_cast<std::int64_t>(k) * 1000;
        for (std::int64_t m = -8; lost && !onGrid && m <= 8; ++m)
            onGrid = (before + m * period) % 1000 == 0;
        countInExact = countInExact && onGrid;
    }
    expect(countInExact, "the count-in bar ticks 96 times, 1000 frames apart, with no Start (" +
                             std::to_string(countIn.size()) + ")");
    // Song 1 becomes current as play starts, before the port is connected: the connection's chase
    // sends it (once, or twice should the first have got through), as the count-in begins.
    const auto pc = index(0xC0, 0, bar1);
    expect(!pc.empty() && pc.size() <= 2 && all[pc.back()].bytes[1] == 4,
           "song 1's program change (program 5, sent as 4) reaches the recorder before bar 1 (" +
               std::to_string(pc.size()) + ", " + (pc.empty() ? "" : std::to_string(all[pc.back()].frame - bar1)) +
               " frames from bar 1)");
    const auto cc = index(0xB0, bar1, bar1 + 2 * 96000);
    expect(cc.size() == 1 && apart(all[cc[0]].frame, bar1 + 96000) && all[cc[0]].bytes[1] == 74,
           "the controller cue lands on bar 2's frame (" +
               (cc.empty() ? std::string("none") : std::to_string(all[cc[0]].frame - bar1)) + " after bar 1)");
    // The jump: Stop, Song Position 48 (bar 4: 3 bars of 16 sixteenths), Continue + tick on bar 4.
    const std::int64_t marker = clicks[1] - kAfterMarker;
    const auto stops = index(0xFC, bar1, marker + 1);
    expect(stops.size() == 1, "a Stop as the jump leaves bar 3's line");
    if (!stops.empty()) {
        const Message& spp = all[stops[0] + 1];
        expect(spp.status() == 0xF2 && (spp.bytes[1] | spp.bytes[2] << 7) == 48 && spp.frame == all[stops[0]].frame,
               "Song Position right after it names bar 4's first sixteenth, 48 (" + hex(spp) + ")");
        std::int64_t lastTickBefore = 0;
        for (const std::size_t i : index(0xF8, bar1, all[stops[0]].frame))
            lastTickBefore = all[i].frame;
        expect(apart(lastTickBefore - bar1, 2 * 96000), "the last tick before the jump is on bar 3's line");
    }
    const auto cont = index(0xFB, 0);
    expect(cont.size() == 1 && all[cont[0]].frame == marker && all[cont[0] + 1].status() == 0xF8 &&
               all[cont[0] + 1].frame == marker,
           "Continue and the next tick on the marker's bar: the frame its click plays on");
    const auto notes = index(0x90, marker, marker + 1);
    expect(notes.size() == 1 && all[notes[0]].bytes[1] == 60, "the marker's note cue fires as the jump lands on it");
    const auto offs = index(0x80, marker);
    expect(!offs.empty() && apart(all[offs[0]].frame, marker + kRate / 10), "its note-off 0.1 s later");
    const auto chase = index(0xB0, marker - 96000, marker + 1);
    expect(chase.size() == 1 && all[chase[0]].bytes[1] == 74 && all[chase[0]].frame == all[stops[0]].frame,
           "the chase sends bar 2's controller again when the jump lands past it");
    const std::int64_t end1 = marker + 2 * 96000;
    const auto endStop = index(0xFC, marker + 1, end1 + period + 1);
    expect(endStop.size() == 1 && apart(all[endStop[0]].frame, end1), "Stop at song 1's end");

    // The OSC cue: oscdump's own receipt time against bar 2's frame's time here.
    const std::string oscLog = readFile(dir / "osc.log");
    std::printf("oscdump:\n%s", oscLog.c_str());
    unsigned int secs = 0, frac = 0;
    char path[64] = {};
    const bool got = std::sscanf(oscLog.c_str(), "%x.%x %63s", &secs, &frac, path) == 3;
    expect(got && std::string(path) == "/cue/one" && oscLog.find(" i 2") != std::string::npos,
           "oscdump receives the OSC cue /cue/one i 2");
    if (got) {
        const std::int64_t arrivedNs = (static_cast<std::int64_t>(secs) - 2208988800LL) * 1'000'000'000LL +
                                       static_cast<std::int64_t>(static_cast<double>(frac) / 4294967296.0 * 1e9);
        const double ms = static_cast<double>(arrivedNs - take.timeOf(bar1 + 96000)) / 1e6;
        std::printf("figure: the OSC cue arrived %+.2f ms from its frame's cycle (period %.2f ms)\n", ms,
                    1000.0 * static_cast<double>(period) / kRate);
        expect(ms > -20.0 && ms < 100.0,
               "the OSC cue arrives within 100 ms of its frame (" + std::to_string(ms) + " ms)");
    }

    // --- song 2: 93.7 BPM, then 90% in steps -------------------------------------------------
    const std::int64_t bar1b = clicks[2];
    expect(starts.size() >= 2 && all[starts[1]].frame == bar1b, "song 2: Start on bar 1's frame");
    const auto pc2 = index(0xC0, end1, bar1b);
    expect(pc2.size() == 1 && all[pc2[0]].bytes[1] == 6 && all[pc2[0] - 2].bytes[1] == 0 &&
               all[pc2[0] - 1].bytes[1] == 32 && all[pc2[0] - 1].bytes[2] == 1,
           "song 2's bank select (0, 32) and program change go out as it becomes current");
    const long double perTick = 48000.0L * 60.0L / (93.7L * 24.0L);
    const auto ticks2 = index(0xF8, bar1b, bar1b + static_cast<std::int64_t>(kRate));
    bool onGrid = ticks2.size() > 30;
    for (std::size_t k = 0; k < ticks2.size() && !lost; ++k)
        onGrid = onGrid && std::fabs(static_cast<long double>(all[ticks2[k]].frame - bar1b) -
                                     static_cast<long double>(k) * perTick) <= 0.5L;
    expect(onGrid, "song 2's first second: every tick within half a frame of k x 1280.68");
    // The glide: the spacing changes only on beat lines (every 24th tick from bar 1), to 90%.
    const std::int64_t bar1c = clicks[3];
    const auto ticksAll = index(0xF8, bar1b, bar1c - 2 * 96000 - 10000);
    std::vector<std::int64_t> changesAt;
    for (std::size_t k = 2; k < ticksAll.size(); ++k) {
        const std::int64_t d1 = all[ticksAll[k]].frame - all[ticksAll[k - 1]].frame;
        const std::int64_t d0 = all[ticksAll[k - 1]].frame - all[ticksAll[k - 2]].frame;
        if (std::llabs(d1 - d0) > 2 && std::llabs(d1 - d0) < period - 2)
            changesAt.push_back(static_cast<std::int64_t>(k - 1));
    }
    std::string where;
    bool onBeats = !changesAt.empty();
    for (const std::int64_t k : changesAt) { // (a cycle lost to an xrun loses its ticks: the count is off then)
        where += " " + std::to_string(k);
        onBeats = onBeats && (k % 24 == 0 || lost);
    }
    expect(onBeats, "the tempo steps change the ticks' spacing on beat lines only (ticks" + where + ")");
    if (ticksAll.size() > 48) { // the glide's steps: 95% (1348.09 frames a tick), then 90% (1422.98)
        const double last =
            static_cast<double>(all[ticksAll.back()].frame - all[ticksAll[ticksAll.size() - 25]].frame) / 24.0;
        std::printf("song 2 ends its glide at a tick every %.2f frames\n", last);
        expect(std::fabs(last - 1422.98) < 1.0 || std::fabs(last - 1348.09) < 1.0,
               "the last beat's ticks are a step's: " + std::to_string(last) + " frames (90%: 1422.98, 95%: 1348.09)");
    }

    // --- song 3: 6/8, 12 ticks an eighth -------------------------------------------------------
    expect(starts.size() == 3 && all[starts[2]].frame == bar1c, "song 3: Start on bar 1's frame");
    const auto ticks3 = index(0xF8, bar1c, bar1c + 96000);
    bool eighths = ticks3.size() == 72 || (lost && ticks3.size() >= 66);
    for (std::size_t k = 0; k < ticks3.size() && !lost; ++k)
        eighths = eighths && all[ticks3[k]].frame - bar1c ==
                                 static_cast<std::int64_t>(std::floor(static_cast<double>(k) * 16000.0 / 12.0 + 0.5));
    expect(eighths, "song 3 (6/8 at 180 eighths): 72 ticks a bar, 12 an eighth of 16 000 frames (" +
                        std::to_string(ticks3.size()) + ")");
    expect(index(0xFC, bar1c).size() == 1,
           "and Stop at the set's end (" + std::to_string(index(0xFC, bar1c).size()) + ")");
    if (failures > 0) { // what was recorded, but the ticks
        std::printf("the messages but the ticks, frames from song 1's bar 1:\n");
        for (const Message& m : all)
            if (m.status() != 0xF8) std::printf("  %+" PRId64 "  %s\n", m.frame - bar1, hex(m).c_str());
    }
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
