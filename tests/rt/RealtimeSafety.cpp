// Real-time safety: a full scripted render with RealtimeSanitizer watching every Engine::process()
// call. Any allocation, free, lock or blocking system call inside aborts the process, and ctest
// reports the test failed.
//
//   stemdeck_rt_check            the scripted render; must pass
//   stemdeck_rt_check --canary   a stem whose read() allocates; must abort (ctest WILL_FAIL), which
//                                proves the check sees inside process() and can fail
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/LtcEncoder.h"
#include "stemdeck/control/SongCues.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/stream/DiskStreamer.h"
#include "stemdeck/stream/MemoryStemSource.h"

extern "C" {
void __rtsan_realtime_enter();
void __rtsan_realtime_exit();
}

using namespace stemdeck;

namespace {

class RealtimeSanitizerScope final : public control::ProcessObserver {
public:
    void beforeProcess() noexcept override { __rtsan_realtime_enter(); }
    void afterProcess() noexcept override { __rtsan_realtime_exit(); }
};

// The canary: a stem that breaks the rules inside the audio callback.
class AllocatingStem final : public engine::StemSource {
public:
    int channels() const noexcept override { return 1; }
    std::int64_t lengthFrames() const noexcept override { return 48000; }
    engine::ReadStatus read(std::int64_t, float* l, float* r, int n) noexcept override {
        auto scratch = std::make_unique<std::vector<float>>(static_cast<std::size_t>(n)); // forbidden
        std::fill_n(l, n, (*scratch)[0]);
        std::fill_n(r, n, 0.0f);
        return engine::ReadStatus::complete;
    }
};

// Exercises every action, quantised and exact, through seeks, stops and restarts.
std::string busyScript(int stemCount = 8, bool scenes = true) {
    std::string s = "events:\n";
    const char* actions[] = {"mute", "unmute", "toggle_mute", "solo", "unsolo", "toggle_solo"};
    std::mt19937 rng(7);
    for (int i = 0; i < 400; ++i) {
        const double t = 0.01 + i * 0.0095;
        const int stem = static_cast<int>(rng() % static_cast<unsigned>(stemCount)) + 1;
        const char* q = (i % 3 == 0) ? "bar" : (i % 3 == 1) ? "beat" : "none";
        s += "  - { time: " + std::to_string(t) + ", action: " + actions[i % 6] + ", stem: " + std::to_string(stem) +
             ", quantize: " + q + " }\n";
        s += "  - { time: " + std::to_string(t) + ", action: gain, stem: " + std::to_string(stem) +
             ", value: " + std::to_string(-(static_cast<int>(rng() % 24))) + "dB }\n";
        s += "  - { time: " + std::to_string(t) + ", action: filter, stem: " + std::to_string(stem) +
             ", value: " + std::to_string(static_cast<double>(static_cast<int>(rng() % 201) - 100) / 100.0) + " }\n";
    }
    s += "  - { time: 1.0, action: seek, value: 0.5 }\n  - { time: 1.5, action: stop }\n"
         "  - { time: 1.6, action: play }\n  - { time: 2.0, action: seek, value: 7.0 }\n"
         "  - { time: 2.5, action: stop }\n  - { time: 2.6, action: seek, value: 0.1 }\n"
         "  - { time: 2.7, action: play }\n  - { time: 3.0, action: seek, value: 9.0 }\n"
         "  - { time: 6.5, action: seek, value: 4.0 }\n"
         "  - { time: 0.3, action: toggle_reference }\n  - { time: 0.9, action: stems }\n"
         "  - { time: 4.1, action: loop, value: 4.2-5.0 }\n  - { time: 4.5, action: reference }\n"
         "  - { time: 6.0, action: unloop }\n  - { time: 6.2, action: stems }\n";
    // Scenes (by name and number, now and on the grid, one over another's fades) and panics.
    for (int i = 0; i < (scenes ? 40 : 0); ++i) {
        const double t = 0.05 + i * 0.17;
        const char* scene = i % 3 == 0 ? "Breakdown" : i % 3 == 1 ? "2" : "Full";
        const char* q = i % 2 == 0 ? "bar" : "none";
        s += "  - { time: " + std::to_string(t) + ", action: scene, value: " + scene + ", quantize: " + q + " }\n";
        if (i % 7 == 0) s += "  - { time: " + std::to_string(t + 0.01) + ", action: panic }\n";
    }
    return s;
}

} // namespace

int main(int argc, char** argv) {
    const bool canary = argc > 1 && std::strcmp(argv[1], "--canary") == 0;
    RealtimeSanitizerScope rtsan;
    control::RenderOptions options;
    options.observer = &rtsan;
    std::mt19937 rng(99);
    for (int i = 0; i < 64; ++i)
        options.blockPattern.push_back(static_cast<int>(rng() % 512) + 1);

    if (canary) {
        AllocatingStem bad;
        engine::SongView song;
        song.stems[0] = &bad;
        song.stemCount = 1;
        song.lengthFrames = bad.lengthFrames();
        engine::Engine engine;
        control::MemorySink sink;
        control::renderSong(engine, song, 48000.0, {}, sink, options);
        std::puts("canary: RealtimeSanitizer did not stop an allocation inside process()");
        return 0; // WILL_FAIL: reaching here fails the ctest
    }

    test::TempDir dir;
    const int rate = 48000;
    std::vector<test::StemAudio> stems;
    std::vector<std::string> names;
    // Twelve seconds: well past the 3 s preloaded head, so reads come through the disk thread's
    // rings, and the seeks below land both on cued frames and in the streamed middle.
    for (int i = 0; i < 8; ++i) {
        stems.push_back(test::sineStem(rate * 12, 110.0 * (i + 1), rate, 0.1f, i % 2 == 0));
        names.push_back("Stem" + std::to_string(i + 1));
    }
    test::writeStemFolder(dir.path(), rate, stems, names, "BPM: 124\n");
    // A reference mix too: A/B reads a ninth stream inside process().
    formats::writeWav(dir / "00_MIX_REFERENCE.wav", rate, stems[0].left, &stems[0].right,
                      formats::SampleFormat::float32);
    set::SetSong plan; // the song's scenes, as a set file gives them
    auto stem = [](const char* name, bool muted, bool soloed, std::optional<float> gain, std::optional<float> filter) {
        set::StemStart s;
        s.stem = name;
        s.muted = muted;
        s.soloed = soloed;
        s.gain = gain;
        s.filter = filter;
        return s;
    };
    auto scene = [](const char* name, int slot, std::vector<set::StemStart> states) {
        set::SceneDef d;
        d.name = name;
        d.slot = slot;
        d.stems = std::move(states);
        return d;
    };
    plan.scenes = {scene("Breakdown", 0,
                         {stem("Stem1", true, false, {}, {}), stem("Stem2", true, false, {}, {}),
                          stem("Stem3", false, false, 0.5f, -0.6f)}),
                   scene("Build", 1, {stem("Stem4", false, true, {}, {}), stem("Stem5", false, false, {}, 0.7f)}),
                   scene("Full", 2, {})};
    const auto out = test::renderFolder(dir.path(), busyScript(), options, 0, &plan);
    std::size_t scenes = 0;
    for (const engine::Event& e : out.report.events)
        scenes +=
            e.type == engine::EventType::commandApplied && e.action == static_cast<std::uint8_t>(engine::Op::scene);
    std::printf("rt check: rendered %zu frames, %zu engine events (%zu scene recalls), %llu commands dropped, no "
                "real-time violation\n",
                out.left.size(), out.report.events.size(), scenes,
                static_cast<unsigned long long>(out.report.droppedCommands));
    if (scenes < 10) {
        std::puts("rt check: the scene recalls did not happen");
        return 1;
    }

    // The same song stretched (80% tempo, -2 semitones): the engine reads the stretch thread's
    // rings, and after each seek into RAM fades the region into the ring, inside process().
    set::SetSong stretched = plan;
    stretched.tempo = set::TempoSetting{0.8, false};
    stretched.transpose = -2.0;
    const auto slow = test::renderFolder(dir.path(), busyScript(), options, 0, &stretched);
    std::printf("rt check: rendered the song at 80%% tempo and -2 semitones, %zu frames, %llu underruns, no "
                "real-time violation\n",
                slow.left.size(), static_cast<unsigned long long>(slow.report.underruns));

    // A retime inside process(): the song goes on at 80% and -2 st from a beat line, every stem
    // crossfading from the unstretched run into the stretched one (the reference mix too).
    {
        control::SongOptions asIs, slower;
        asIs.sampleRate = slower.sampleRate = rate;
        const control::Song from = control::loadSong(dir.path(), asIs);
        const std::int64_t line = engine::gridFrame(from.timing, rate, engine::Quantize::beat, 8); // beat 9
        engine::SongTiming to = from.timing;
        to.bpm = from.timing.bpm * 0.8;
        slower.tempo = set::TempoSetting{0.8, false};
        slower.transpose = -2.0;
        slower.headAt = engine::retimedFrame(from.timing, to, rate, line);
        const control::Song next = control::loadSong(dir.path(), slower);
        const engine::SongView fromView = from.view(), nextView = next.view();
        engine::Engine engine;
        engine.prepare(rate, 256);
        engine.setSong(fromView);
        engine::CommandSender sender = engine.makeSender();
        sender.send(engine::Command{engine::Op::play});
        std::vector<float> l(256), r(256);
        bool retimed = false;
        int applied = 0;
        for (std::int64_t frame = 0; frame < 5 * rate; frame += 256) {
            if (frame == 192 * 256) { // a second before the line
                engine.retimeSong(&nextView);
                engine::Command c{engine::Op::retime};
                c.target = line;
                sender.send(c);
            }
            for (const auto& src : frame < line ? from.sources : next.sources) // as a device would, the disk keeps up
                if (src) (void)src->waitUntilReadable(std::max<std::int64_t>(0, engine.songFrame()), 2048, 5.0);
            __rtsan_realtime_enter();
            engine.process(l.data(), r.data(), 256);
            __rtsan_realtime_exit();
            for (engine::Event e; engine.nextEvent(e);) {
                retimed = retimed || e.type == engine::EventType::songRetimed;
                applied += e.type == engine::EventType::commandApplied &&
                           e.action == static_cast<std::uint8_t>(engine::Op::retime);
            }
        }
        std::printf("rt check: retimed to 80%% and -2 st on a beat line (%d applied, crossfade %s), no real-time "
                    "violation\n",
                    applied, retimed ? "done" : "NOT done");
        if (applied != 1 || !retimed || engine.timing().bpm != to.bpm) {
            std::puts("rt check: the retime did not happen");
            return 1;
        }
    }

    // The A-B practice loop inside process(): the song reloaded as it plays (the same audio: a
    // switch with no crossfade), then bars 2-3 looped with a bar of count-in before each pass
    // (the end fading out, the click counting in with the stems silent, the start fading in).
    {
        control::SongOptions asIs;
        asIs.sampleRate = rate;
        const control::Song song = control::loadSong(dir.path(), asIs);
        const std::int64_t a = engine::gridFrame(song.timing, rate, engine::Quantize::bar, 1);
        const std::int64_t b = engine::gridFrame(song.timing, rate, engine::Quantize::bar, 3);
        control::SongOptions again = asIs;
        again.headAt = engine::gridFrame(song.timing, rate, engine::Quantize::beat, 4);
        const control::Song reloaded = control::loadSong(dir.path(), again);
        const engine::SongView view = song.view(), reloadedView = reloaded.view();
        engine::Engine engine;
        engine.prepare(rate, 256);
        engine.setSong(view);
        engine::CommandSender sender = engine.makeSender();
        sender.send(engine::Command{engine::Op::play});
        engine.retimeSong(&reloadedView);
        engine::Command same{engine::Op::retime};
        same.target = again.headAt;
        same.value = 1.0f;
        sender.send(same);
        engine::Command loop{engine::Op::loopOn};
        loop.target = a;
        loop.length = b - a;
        loop.value = 1.0f;
        sender.send(loop);
        std::vector<float> l(256), r(256), click(256);
        engine::OutputBuses buses;
        buses.mainLeft = l.data();
        buses.mainRight = r.data();
        buses.click = click.data();
        int switched = 0, countIns = 0;
        float clickPeak = 0.0f;
        std::int64_t last = 0;
        for (std::int64_t frame = 0; frame < 16 * rate; frame += 256) {
            for (const auto& src : frame < same.target ? song.sources : reloaded.sources)
                if (src) (void)src->waitUntilReadable(std::max<std::int64_t>(0, engine.readFrame()), 2048, 5.0);
            __rtsan_realtime_enter();
            engine.process(buses, 256);
            __rtsan_realtime_exit();
            for (engine::Event e; engine.nextEvent(e);)
                switched += e.type == engine::EventType::songRetimed;
            countIns += engine.songFrame() < last ? 1 : 0; // jumped back: a pass's count-in began
            last = engine.songFrame();
            for (const float c : click)
                clickPeak = std::max(clickPeak, std::fabs(c));
        }
        std::printf("rt check: reloaded as it plays (%d switch, no crossfade), looped bars 2-3 with a count-in "
                    "before %d passes (click peak %.2f), no real-time violation\n",
                    switched, countIns, static_cast<double>(clickPeak));
        if (switched != 1 || countIns < 2 || clickPeak < 0.1f) {
            std::puts("rt check: the reload or the loop's count-ins did not happen");
            return 1;
        }
    }

    // A run-on song change inside process(): the engine switches songs on the audio thread.
    test::TempDir second;
    test::writeStemFolder(second.path(), rate, {test::sineStem(rate * 5, 330.0, rate, 0.1f, true)}, {"Next"});
    control::SongOptions shared;
    shared.streamer = std::make_shared<stream::DiskStreamer>();
    const control::Song a = control::loadSong(dir.path(), shared), b = control::loadSong(second.path(), shared);
    control::MemorySink sink;
    engine::Engine engine;
    const auto both = control::renderSongs(engine, {a.view(), b.view()}, rate, {}, sink, options);
    std::printf("rt check: ran on from a %lld-frame song into the next at frame %lld, no real-time violation\n",
                static_cast<long long>(a.lengthFrames),
                static_cast<long long>(both.songStarts.size() == 2 ? both.songStarts[1] : -1));

    // The MIDI output inside process(): clock (Start, Stop, Song Position, Continue, running while
    // stopped) and every kind of cue (current, start, beats, end; program with bank, controller,
    // note and its note-off, SysEx, OSC), across a run-on song change, a seek (Stop, the chase,
    // Continue) and a vamp's repeats.
    {
        std::vector<set::Cue> cues;
        auto cue = [&](set::Cue::At at, int bar) -> set::Cue& {
            set::Cue& c = cues.emplace_back();
            c.at = at;
            c.bar = bar;
            return c;
        };
        cue(set::Cue::At::current, 1).program = 3;
        cues.back().bank = 200;
        cue(set::Cue::At::start, 1).sysex = {0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7};
        for (int bar = 1; bar <= 8; ++bar) {
            cue(set::Cue::At::bar, bar).control = 7;
            cues.back().value = bar * 10;
            cues.back().everyPass = bar % 2 == 0;
            cue(set::Cue::At::bar, bar).note = 36 + bar;
            cues.back().noteSeconds = 0.05;
        }
        cue(set::Cue::At::bar, 2).osc = set::OscCue{"127.0.0.1", 9, "/x", {}};
        cue(set::Cue::At::end, 1).control = 123;
        const auto made = control::makeSongCues(cues, a.timing, rate);
        engine::SongView first = a.view(), next = b.view();
        first.midiCues = next.midiCues = &made->midi;
        std::unique_ptr<engine::CommandSender> press;
        std::size_t messages = 0;
        control::RenderOptions midiOptions = options;
        midiOptions.onPrepared = [&](engine::Engine& e) {
            engine::MidiClockOptions clock;
            clock.on = clock.whileStopped = true;
            e.setMidiOut(true, clock);
            press = std::make_unique<engine::CommandSender>(e.makeSender());
        };
        midiOptions.afterBlock = [&](const engine::Engine& e, std::int64_t, int, std::int64_t) {
            messages += e.midiOut().eventCount();
        };
        int step = 0;
        midiOptions.beforeBlock = [&](std::int64_t frame) {
            engine::Command c{engine::Op::seek};
            if (step == 0 && frame > rate / 2) {
                c.target = static_cast<std::int64_t>(rate) * 2; // a jump: Stop, Song Position, the chase, Continue
            } else if (step == 1 && frame > rate) {
                c = engine::Command{engine::Op::loopOn};
                c.target = static_cast<std::int64_t>(rate) * 2;
                c.length = static_cast<std::int64_t>(rate); // repeats: once / every pass
            } else if (step == 2 && frame > rate * 4) {
                c = engine::Command{engine::Op::loopOff};
            } else {
                return;
            }
            ++step;
            press->send(c);
        };
        control::MemorySink midiSink;
        engine::Engine midiEngine;
        const auto played = control::renderSongs(midiEngine, {first, next}, rate, {}, midiSink, midiOptions);
        std::printf("rt check: the MIDI output sent %zu messages (clock, cues) through %d presses and a run-on, "
                    "no real-time violation\n",
                    messages, step);
        if (messages < 200 || step != 3 || played.songStarts.size() != 2) {
            std::puts("rt check: the MIDI output's run did not happen as scripted");
            return 1;
        }
    }

    // Timecode inside process(): MTC (quarter frames, full frames) into the MIDI output and LTC
    // copied from the encoder's slots, with a pre-roll, across a jump and a run-on song change.
    {
        engine::SongView first = a.view(), next = b.view();
        first.timecode = {3, 0, 0, 0};
        next.timecode = {4, 0, 0, 0};
        engine::TimecodeOptions tc;
        tc.mtc = tc.ltc = true;
        tc.rate = TimecodeRate{TimecodeFps::fps2997df};
        tc.prerollSeconds = 1.0;
        engine::LtcFrames frames;
        frames.prepare(control::LtcEncoder::maxSamples(rate, tc.rate), engine::TimecodeOut::ltcSlots(tc));
        control::LtcEncoder encoder(frames, rate, tc.rate);
        std::unique_ptr<engine::CommandSender> press;
        std::uint64_t ltcSamples = 0;
        control::RenderOptions tcOptions = options;
        tcOptions.onPrepared = [&](engine::Engine& e) {
            e.setMidiOut(true, {});
            e.setTimecode(tc, &frames);
            press = std::make_unique<engine::CommandSender>(e.makeSender());
        };
        tcOptions.ltcSink = [&](const float* ltc, int n) {
            for (int i = 0; i < n; ++i)
                ltcSamples += ltc[i] != 0.0f ? 1 : 0;
        };
        bool jumped = false;
        tcOptions.beforeBlock = [&](std::int64_t frame) {
            encoder.fill(); // (off the audio thread: before process(), outside its real-time context)
            if (!jumped && frame > rate) {
                jumped = true;
                engine::Command c{engine::Op::seek};
                c.target = static_cast<std::int64_t>(rate) * 3;
                press->send(c);
            }
        };
        control::MemorySink tcSink;
        engine::Engine tcEngine;
        const auto played = control::renderSongs(tcEngine, {first, next}, rate, {}, tcSink, tcOptions);
        std::printf("rt check: timecode sent %llu quarter frames and %llu LTC samples through a jump and a run-on, "
                    "no real-time violation\n",
                    static_cast<unsigned long long>(tcEngine.timecode().quarterFrames()),
                    static_cast<unsigned long long>(ltcSamples));
        if (tcEngine.timecode().quarterFrames() < 100 || ltcSamples < static_cast<std::uint64_t>(rate) ||
            played.songStarts.size() != 2) {
            std::puts("rt check: the timecode run did not happen as scripted");
            return 1;
        }
    }

    // The spoken guide inside process(): the count-in's words, cues decided at their start points
    // through a loop engaged and released, a jump (a cue cut), the toggle, on a bus of its own.
    {
        engine::GuideTrack track;
        std::vector<std::vector<float>> clips;
        for (int k = 0; k < 6; ++k)
            clips.emplace_back(static_cast<std::size_t>(rate / 4), 0.1f * static_cast<float>(k + 1));
        for (const auto& c : clips)
            track.clips.push_back({c.data(), static_cast<int>(c.size())});
        for (int k = 0; k < 4; ++k)
            track.counts[static_cast<std::size_t>(k)] = k;
        track.cues = {{8, 4}, {16, 5}}; // bars 3 and 5
        engine::SongView view = a.view();
        view.countInBars = 1;
        view.guides = &track;
        const std::int64_t bar = engine::gridFrame(view.timing, rate, engine::Quantize::bar, 1) -
                                 engine::gridFrame(view.timing, rate, engine::Quantize::bar, 0);
        std::unique_ptr<engine::CommandSender> press;
        control::RenderOptions guideOptions = options;
        guideOptions.onPrepared = [&](engine::Engine& e) {
            press = std::make_unique<engine::CommandSender>(e.makeSender());
        };
        std::uint64_t spoken = 0;
        guideOptions.guideSink = [&](const float* g, int n) {
            for (int i = 0; i < n; ++i)
                spoken += g[i] != 0.0f ? 1 : 0;
        };
        guideOptions.clickSink = [](const float*, int) {};
        guideOptions.click = engine::ClickMode::countIn;
        int step = 0;
        guideOptions.beforeBlock = [&](std::int64_t frame) { // (output frames: a bar of count-in first)
            engine::Command c{engine::Op::loopOn};
            if (step == 0 && frame > 3 * bar + bar / 4) { // in bar 3: loop bars 3-4 (its start a cue's line)
                c.target = engine::gridFrame(view.timing, rate, engine::Quantize::bar, 2);
                c.length = engine::gridFrame(view.timing, rate, engine::Quantize::bar, 4) - c.target;
            } else if (step == 1 && frame > 7 * bar + bar / 2) { // the second pass: let it go
                c.op = engine::Op::loopOff;
            } else if (step == 2 && frame > 8 * bar + bar / 2) { // guides off, and on again
                c.op = engine::Op::guides;
                c.value = -1.0f;
            } else if (step == 3 && frame > 8 * bar + bar / 2 + 4800) {
                c.op = engine::Op::guides;
                c.value = -1.0f;
            } else if (step == 4 && frame > 9 * bar) { // a jump back to bar 2
                c.op = engine::Op::seek;
                c.target = engine::gridFrame(view.timing, rate, engine::Quantize::bar, 1);
            } else {
                return;
            }
            ++step;
            press->send(c);
        };
        control::MemorySink guideSink;
        engine::Engine guideEngine;
        control::renderSong(guideEngine, view, rate, {}, guideSink, guideOptions);
        std::printf("rt check: the spoken guide said %llu samples through a count-in, a loop, a release, the toggle "
                    "and a jump, no real-time violation\n",
                    static_cast<unsigned long long>(spoken));
        if (step != 5 || spoken < static_cast<std::uint64_t>(rate)) {
            std::puts("rt check: the guide's run did not happen as scripted");
            return 1;
        }
    }

    // Faults on the audio path: a stem cut short mid-render and a slow disk the render does not
    // wait for, so stems underrun and the engine reports it, all inside process().
    test::TempDir faulty;
    test::writeStemFolder(
        faulty.path(), rate,
        {test::sineStem(rate * 10, 220.0, rate, 0.1f, true), test::sineStem(rate * 10, 330.0, rate, 0.1f, false)},
        {"Cut", "Slow"});
    control::RenderOptions faultOptions = options;
    faultOptions.waitForDisk = false;
    bool cut = false;
    faultOptions.beforeBlock = [&](std::int64_t frame) {
        if (!cut && frame > rate) {
            cut = true;
            std::filesystem::resize_file(faulty / "01_Cut.wav", 44 + static_cast<std::uintmax_t>(rate) * 4 * 2 * 4);
            stream::DiskStreamer::setReadDelay(std::chrono::milliseconds(300));
        }
    };
    const auto broken = test::renderFolder(faulty.path(), "", faultOptions);
    stream::DiskStreamer::setReadDelay({});
    std::printf("rt check: %llu underruns and %zu file fault(s) handled inside process(), no real-time violation\n",
                static_cast<unsigned long long>(broken.report.underruns), broken.faults.size());

    // A Native Instruments stem file: four AAC stems and the master decoded by FFmpeg on the disk
    // thread and resampled from 44.1 kHz, read by the engine inside process() (A/B included).
    test::TempDir ni;
    std::vector<test::StemAudio> four;
    for (int i = 0; i < 4; ++i)
        four.push_back(test::sineStem(44100 * 12, 110.0 * (i + 1), 44100, 0.1f, true));
    test::writeStemMp4(ni / "song.stem.mp4", 44100, four, {"Drums", "Bass", "Melody", "Vocals"});
    std::ofstream(ni / "readme.txt") << "BPM: 124\n"; // a folder holding one stem file is that song
    const auto stemFile = test::renderFolder(ni.path(), busyScript(4, false), options, rate);
    std::printf("rt check: rendered %zu frames of a .stem.mp4 (FFmpeg, resampled), no real-time violation\n",
                stemFile.left.size());
    return out.left.empty() || both.songStarts.size() != 2 || broken.report.underruns == 0 || stemFile.left.empty() ? 1
                                                                                                                    : 0;
}
