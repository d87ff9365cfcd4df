// Timecode end to end, through a real JACK server (dummy driver): `stemdeck play` a set of two songs
// with MTC on its MIDI output and LTC on output 3, recorded by a separate client beside the main
// pair, so every LTC sample, MIDI message and main-output sample sit on the same JACK frame clock.
// Each song's stem says where the song is: its left side is a ramp over the song, its right a
// constant, so left / right names the song frame whatever fade is on it (song 2's ramp is negative).
//
//   song 1  10 s, 120 BPM, marker Chorus on bar 4; an events script jumps there from bar 2 (on bar
//           3's line). Its timecode: 01:00:00:00 (song 1 of the set file).
//   song 2  6 s, its own start 10:00:00:00. A pre-roll of 1.5 s runs before each bar 1.
//
// Checks: the LTC, decoded by libltc and by the test's own biphase-mark decoder, names the song's
// frame at every frame heard (each frame's first sample on a frame boundary of the song), 01:00:00:00
// and 10:00:00:00 on the songs' first sounding samples, the pre-roll counting up to them; MTC: each
// quarter-frame sequence names the frame its piece 0 sits on, a full frame where the jump lands.
#include <jack/jack.h>
#include <jack/midiport.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "../support/JackHarness.h"
#include "../support/TestSupport.h"
#include "../support/TimecodeDecode.h"

using namespace stemdeck;
using namespace stemdeck::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kRate = kJackRate;
constexpr double kSpf = kRate / 25.0; // 1920 samples a frame
constexpr std::int64_t kLen1 = 10 * kRate, kLen2 = 6 * kRate;

/// The main pair, the LTC output and a MIDI input, on JACK's frame clock.
struct TimecodeTake {
    jack_client_t* client = nullptr;
    std::array<jack_port_t*, 3> audio{};
    jack_port_t* midi = nullptr;
    std::array<std::vector<float>, 3> data; // left, right, LTC
    std::vector<MidiSeen> messages;
    std::atomic<std::size_t> count{0}, frames{0};
    std::int64_t first = -1;
    std::atomic<int> xruns{0};

    bool open(std::size_t length) {
        jack_status_t status{};
        client = jack_client_open("recorder", JackNoStartServer, &status);
        if (client == nullptr) return false;
        for (std::size_t i = 0; i < 3; ++i) {
            data[i].assign(length, 0.0f);
            audio[i] = jack_port_register(client, ("in_" + std::to_string(i + 1)).c_str(), JACK_DEFAULT_AUDIO_TYPE,
                                          JackPortIsInput, 0);
        }
        messages.resize(200000);
        for (MidiSeen& m : messages)
            m.bytes.reserve(16);
        midi = jack_port_register(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
        jack_set_process_callback(client, &TimecodeTake::process, this);
        jack_set_xrun_callback(
            client,
            [](void* arg) {
                static_cast<TimecodeTake*>(arg)->xruns.fetch_add(1);
                return 0;
            },
            this);
        return jack_activate(client) == 0;
    }
    void close() { closeClient(client); }
    ~TimecodeTake() { close(); }
    static int process(jack_nframes_t n, void* arg) {
        auto* t = static_cast<TimecodeTake*>(arg);
        const auto now = static_cast<std::int64_t>(jack_last_frame_time(t->client));
        if (t->first < 0) t->first = now;
        const auto at = static_cast<std::size_t>(now - t->first);
        if (at + n >= t->data[0].size()) return 0;
        for (std::size_t i = 0; i < 3; ++i)
            std::copy_n(static_cast<const float*>(jack_port_get_buffer(t->audio[i], n)), n, t->data[i].data() + at);
        t->frames.store(at + n, std::memory_order_release);
        void* in = jack_port_get_buffer(t->midi, n);
        const jack_nframes_t events = jack_midi_get_event_count(in);
        for (jack_nframes_t i = 0; i < events; ++i) {
            jack_midi_event_t e;
            if (jack_midi_event_get(&e, in, i) != 0) continue;
            const std::size_t k = t->count.load(std::memory_order_relaxed);
            if (k >= t->messages.size() || e.size > 16) continue;
            MidiSeen& m = t->messages[k];
            m.frame = static_cast<double>(at + e.time);
            m.bytes.assign(e.buffer, e.buffer + e.size); // (reserved: no allocation)
            t->count.store(k + 1, std::memory_order_release);
        }
        return 0;
    }
    /// Song (1 or 2) and song frame at recorded sample i: left / right, read where the right side
    /// is loud enough (a fade's first samples are passed over); song 0: silence there.
    [[nodiscard]] std::pair<int, double> songAt(double at) const {
        for (auto i = static_cast<std::size_t>(std::max(0.0, std::ceil(at))); i < data[0].size() && static_cast<double>(i) < at + 64.0; ++i) {
            const float r = data[1][i];
            if (std::fabs(r) < 0.05f) continue;
            const double ratio = static_cast<double>(data[0][i]) / static_cast<double>(r) * 0.5;
            const double back = static_cast<double>(i) - at;
            if (ratio > 0.05) return {1, (ratio - 0.1) / 0.3 * kLen1 - back};
            if (ratio < -0.05) return {2, (-ratio - 0.1) / 0.3 * kLen2 - back};
        }
        return {0, 0.0};
    }
    /// The first recorded sample of song s (its bar 1: the ramp's first sample).
    [[nodiscard]] double firstOf(int song) const {
        for (std::size_t i = 0; i < data[0].size(); ++i)
            if (std::fabs(data[1][i]) > 0.05f && (data[0][i] > 0) == (song == 1)) return static_cast<double>(i);
        return -1.0;
    }
};

void writeRampSong(const fs::path& dir, std::int64_t length, float sign) {
    StemAudio a;
    a.left.resize(static_cast<std::size_t>(length));
    a.right.assign(static_cast<std::size_t>(length), 0.5f);
    for (std::size_t i = 0; i < a.left.size(); ++i)
        a.left[i] = sign * (0.1f + 0.3f * static_cast<float>(static_cast<double>(i) / static_cast<double>(length)));
    writeStemFolder(dir, kRate, {a}, {"Ramp"});
}

std::string label(const DecodedFrame& f) {
    char b[32];
    std::snprintf(b, sizeof b, "%02d:%02d:%02d:%02d", f.hours, f.minutes, f.seconds, f.frames);
    return b;
}

/// Checks every decoded frame against the song frame the main output plays where it begins.
struct Tally {
    int onSong = 0, wrong = 0, silent = 0;
    double worst = 0.0;
    std::string firstWrong;
};

Tally tally(const std::vector<DecodedFrame>& frames, const TimecodeTake& take, bool quarters) {
    Tally t;
    const long long start[3] = {0, 1LL * 3600 * 25, 10LL * 3600 * 25};
    for (const DecodedFrame& f : frames) {
        const auto [song, songFrame] = take.songAt(f.at);
        if (song == 0) {
            ++t.silent;
            continue;
        }
        const double k = std::round(songFrame / kSpf);
        const double off = songFrame - k * kSpf;
        const bool ok = f.index(25, false) == start[song] + static_cast<long long>(k) && std::fabs(off) <= 4.0 &&
                        (!quarters || static_cast<long long>(k) % 2 == 0);
        t.worst = std::max(t.worst, std::fabs(off));
        if (ok) {
            ++t.onSong;
        } else {
            ++t.wrong;
            if (t.firstWrong.empty())
                t.firstWrong = label(f) + " at " + std::to_string(f.at) + " over song " + std::to_string(song) +
                               " frame " + std::to_string(songFrame);
        }
    }
    return t;
}

/// The decoded LTC frames just before sample `bar1`: the pre-roll, counting up to `startIndex`.
bool preRollCounts(const std::vector<DecodedFrame>& frames, double bar1, long long startIndex, int& counted) {
    counted = 0;
    for (const DecodedFrame& f : frames) {
        if (f.at >= bar1 - 2.0 || f.at < bar1 - 1.5 * kRate - 3.0) continue;
        const double framesBefore = std::round((bar1 - f.at) / kSpf);
        if (f.index(25, false) != startIndex - static_cast<long long>(framesBefore) ||
            std::fabs(bar1 - f.at - framesBefore * kSpf) > 4.0)
            return false;
        ++counted;
    }
    return counted > 30; // of 37
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STEMDECK\n", argv[0]);
        return 2;
    }
    const std::string stemdeck = argv[1];
    TempDir dir;
    writeRampSong(dir / "one", kLen1, 1.0f);
    writeRampSong(dir / "two", kLen2, -1.0f);
    std::ofstream(dir / "set.yaml") << "audio: { ltc: 3 }\n"
                                       "timecode: { mtc: true, fps: 25, preroll: 1.5 }\n"
                                       "midi_out: { connect: recorder }\n"
                                       "at_end: next\n"
                                       "songs:\n"
                                       "  - { folder: one, bpm: 120, markers: { Chorus: 4 } }\n"
                                       "  - { folder: two, bpm: 120, timecode: '10:00:00:00' }\n";
    std::ofstream(dir / "events.yaml") << "events:\n  - { time: 2.5, action: marker, value: Chorus }\n";

    JackServer jack{"stemdeck-e2e-tc-" + std::to_string(getpid()), dir / "jackd.log"};
    setenv("JACK_DEFAULT_SERVER", jack.name.c_str(), 1);
    if (!expect(jack.start(), "a JACK server with the dummy driver is up")) return 1;
    TimecodeTake take;
    if (!expect(take.open(static_cast<std::size_t>(60 * kRate)), "the recorder (main pair, LTC, MIDI in) is up"))
        return 1;
    const pid_t play = spawn({stemdeck, "play", (dir / "set.yaml").string(), "--driver", "jack", "--no-keys",
                              "--journal", "", "--events", (dir / "events.yaml").string()},
                             (dir / "play.log").string());
    bool connected = false;
    for (int i = 0; i < 1000 && !connected; ++i) {
        connected = jack_connect(take.client, "stemdeck:out_1", jack_port_name(take.audio[0])) == 0;
        if (!connected) std::this_thread::sleep_for(10ms);
    }
    connected = connected && jack_connect(take.client, "stemdeck:out_2", jack_port_name(take.audio[1])) == 0 &&
                jack_connect(take.client, "stemdeck:out_3", jack_port_name(take.audio[2])) == 0;
    expect(connected, "stemdeck's main pair and its LTC output (out_3) are recorded");
    const int status = waitExit(play, 60s);
    std::this_thread::sleep_for(200ms);
    take.close();
    const std::string log = readFile(dir / "play.log");
    std::printf("play log:\n%s\n", log.c_str());
    expect(status == 0, "stemdeck play ends by itself with status 0 when the set has played");
    expect(log.find("timecode: MTC + LTC on output 3 (-18 dBFS), 25 fps, pre-roll 1.5 s") != std::string::npos &&
               (log.find("MIDI out: MTC → recorder") != std::string::npos ||
                log.find("MIDI out: MTC -> recorder") != std::string::npos),
           "play says what timecode it sends and where");
    // Not ready when played: at most the jump's first frame (its samples are encoded as it lands;
    // the next song's were encoded while it was cued, the count-ins' while stopped).
    const std::size_t said = log.find("LTC frames not ready ");
    const int notReady = said == std::string::npos ? -1 : std::atoi(log.c_str() + said + 21);
    expect(notReady >= 0 && notReady <= 1, "at most one LTC frame was not ready in time (" + std::to_string(notReady) +
                                               ", said at the end)");

    const std::size_t n = take.frames.load();
    std::vector<float> ltc(take.data[2].begin(), take.data[2].begin() + static_cast<long>(n));
    const auto byLibltc = decodeLtcWithLibltc(ltc, kRate, 25.0);
    const auto byOwn = decodeLtcBiphase(ltc, kRate, 25.0);
    const double bar1 = take.firstOf(1), bar1b = take.firstOf(2);
    std::printf("%zu LTC frames by libltc, %zu by the test's decoder; song 1's bar 1 at %.0f, song 2's at %.0f; "
                "%d xruns\n",
                byLibltc.size(), byOwn.size(), bar1, bar1b, take.xruns.load());
    if (!expect(bar1 > 0 && bar1b > bar1, "both songs sounded")) return 1;
    // Heard: song 1 for 4 s, then from its marker (6 s) to its end (10 s); song 2 for 6 s: 350
    // frames. A locate's first frame may be missed (its samples are encoded as it lands).
    for (const auto& [who, frames] : {std::pair{"libltc", &byLibltc}, std::pair{"own decoder", &byOwn}}) {
        const Tally t = tally(*frames, take, false);
        std::printf("LTC (%s): %d frames on the song's frame, %d wrong, %d in silence (pre-roll); worst %.1f "
                    "samples from a frame boundary%s%s\n",
                    who, t.onSong, t.wrong, t.silent, t.worst, t.firstWrong.empty() ? "" : "; first wrong: ",
                    t.firstWrong.c_str());
        expect(t.wrong == 0 && t.onSong >= 346, std::string("LTC read by ") + who +
                                                     " names the song's frame at every frame heard (" +
                                                     std::to_string(t.onSong) + " of 350)");
        const auto at = [&](double sample) {
            for (const DecodedFrame& f : *frames)
                if (std::fabs(f.at - sample) <= 3.0) return label(f);
            return std::string("none");
        };
        expect(at(bar1) == "01:00:00:00", std::string(who) + ": song 1's bar 1 is 01:00:00:00 (" + at(bar1) + ")");
        expect(at(bar1b) == "10:00:00:00", std::string(who) + ": song 2's bar 1 is 10:00:00:00 (" + at(bar1b) + ")");
        int counted = 0, countedB = 0;
        const bool counts = preRollCounts(*frames, bar1, 1LL * 3600 * 25, counted);
        const bool countsB = preRollCounts(*frames, bar1b, 10LL * 3600 * 25, countedB);
        expect(counts, std::string(who) + ": the pre-roll's 1.5 s count up to song 1's bar 1 (" +
                           std::to_string(counted) + " frames)");
        expect(countsB, std::string(who) + ": and to song 2's (" + std::to_string(countedB) + " frames)");
    }

    // MTC: the recorder's MIDI on the same clock.
    std::vector<MidiSeen> midi(take.messages.begin(), take.messages.begin() + static_cast<long>(take.count.load()));
    const MtcRead mtc = readMtc(midi);
    const Tally q = tally(mtc.quarters, take, true);
    std::printf("MTC: %zu sequences (%d on the song's frame, %d wrong, %d in the pre-roll), %zu full frames, "
                "%d out of order%s%s\n",
                mtc.quarters.size(), q.onSong, q.wrong, q.silent, mtc.full.size(), mtc.outOfOrder,
                q.firstWrong.empty() ? "" : "; first wrong: ", q.firstWrong.c_str());
    expect(q.wrong == 0 && q.onSong >= 170 && mtc.outOfOrder == 0 && mtc.rate == 1,
           "each MTC sequence names the even frame its piece 0 sits on (25 fps)");
    std::string fulls;
    bool landed = false;
    for (const DecodedFrame& f : mtc.full) {
        fulls += " " + label(f);
        const auto [song, songFrame] = take.songAt(f.at);
        landed = landed || (song == 1 && label(f) == "01:00:06:00" && std::fabs(songFrame - 6.0 * kRate) < 4.0);
    }
    expect(landed, "a full frame where the jump lands: 01:00:06:00 on the marker's first sample (" + fulls + ")");
    expect(fulls.find("00:59:58:12") != std::string::npos && fulls.find("09:59:58:12") != std::string::npos,
           "a full frame as each song starts its pre-roll");
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
