// stemdeck render: a song (a folder, a .stem.mp4 or a set file's song) through the engine to a
// WAV file, with an optional events script, no device needed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/app/Commands.h"
#include "stemdeck/app/GuideSetup.h"
#include "stemdeck/app/Loudness.h"
#include "stemdeck/app/MidiOutSetup.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/app/TimecodeSetup.h"
#include "stemdeck/audio/MidiFileWriter.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/LtcEncoder.h"
#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/SetFile.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

struct SourceArgs {
    std::string source;
    int song = 1;
    std::optional<double> bpm;
    std::optional<int> rate;
    StretchArgs stretch;
    std::string loudness; ///< --loudness match|off
};

void addSourceArgs(CLI::App& cmd, SourceArgs& a) {
    cmd.add_option("SOURCE", a.source, "A stem folder (one song), or a set file (sets/*.yaml)")->required();
    cmd.add_option("--song", a.song, "Song number within a set file (a folder is one song)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--bpm", a.bpm, "Tempo for bar:beat and quantise (default: the folder's readme)")
        ->check(CLI::Range(1.0, 999.0));
    cmd.add_option("--rate", a.rate, "Sample rate in Hz (default: the stems' own)")->check(CLI::Range(8000, 384000));
    addStretchOptions(cmd, a.stretch);
    addLoudnessOption(cmd, a.loudness);
}

/// A song ready to render: the loaded song and its engine view (with a set file's start state).
struct Source {
    control::Song song;
    engine::SongView view;
    control::ValueContext values;   ///< the song's scene and marker names, for an events file
    std::vector<set::SetSong> plan; ///< the song as the set file says (its cues)
    int countInBars = 0; ///< its count-in (left out of the main file unless a click or guide file is asked for)
    std::optional<set::SetFile> setFile; ///< the set file it came from (its midi_out:, timecode:, guides:, audio:)
};

Source loadSource(const SourceArgs& a) {
    const fs::path p(a.source);
    std::error_code ec;
    set::SetSong plan;
    plan.source = p;
    std::optional<set::SetFile> setFile;
    if (set::isSetFileName(p)) {
        set::SetFile file = set::loadSetFile(p);
        for (const std::string& w : set::loadStoredScenes(file))
            std::cerr << "stemdeck: warning: " << w << "\n";
        takeLoudnessArg(a.loudness, file);
        applyLoudness(file, std::cerr); // (the accepted trims on the main output, as play plays them)
        if (a.song > static_cast<int>(file.songs.size()))
            throw Error(a.source + ": the set has " + std::to_string(file.songs.size()) + " songs; --song " +
                        std::to_string(a.song) + " does not exist");
        plan = file.songs[static_cast<std::size_t>(a.song - 1)];
        if (!plan.error.empty()) throw Error("song " + std::to_string(a.song) + " cannot play: " + plan.error);
        if (!plan.countInBars) plan.countInBars = file.countInBars;
        setFile = std::move(file);
    } else {
        if (a.loudness == "match")
            throw Error("--loudness match: trims are a set's (accepted with stemdeck check SET --accept-loudness); "
                        "give a set file");
        if (fs::is_regular_file(p, ec) && !formats::isStemFileName(p))
            throw Error(a.source + ": is a file; give the folder that holds the song's stems, a .stem.mp4, or a set "
                                   "file (.yaml)");
        if (a.song != 1)
            throw Error(a.source + ": a stem folder holds one song; --song " + std::to_string(a.song) +
                        " does not exist");
    }
    control::SongOptions options;
    options.offline = true; // a read fault is silence to the end: the same file run to run
    // Render is play offline: a stem that cannot be opened keeps its number and stays silent, with
    // play's warning, and the others play (check calls it an error: a delivery defect).
    options.keepBrokenStems = true;
    options.bpm = a.bpm;
    options.sampleRate = a.rate;
    options.tempo = a.stretch.tempo;
    options.transpose = a.stretch.transpose;
    options.stretchQuality = formats::Stretch::Quality::render; // offline: the finer window
    Source src;
    src.song = control::loadSong(plan.source, control::optionsFor(plan, options));
    src.view = src.song.view();
    std::vector<std::string> warnings = src.song.warnings;
    for (std::string& w : control::applySetSong(plan, src.song, src.view, 0))
        warnings.push_back(std::move(w));
    src.countInBars = src.view.countInBars;
    src.view.countInBars = 0; // a render starts on bar 1: no count-in in the file (but see --click-output)
    src.setFile = std::move(setFile);
    src.plan = {plan};
    src.values.sceneNames = plan.sceneNames();
    for (const set::Marker& m : plan.markers)
        src.values.markerNames.push_back(m.name);
    for (const std::string& w : warnings)
        std::cerr << "stemdeck: warning: " << w << "\n";
    return src;
}

std::string dbfs(float linear) {
    return formatDb(linear, " dBFS", false);
}

// Keeps the peak of what it passes on to the file.
class PeakFileSink final : public control::RenderSink {
public:
    explicit PeakFileSink(formats::WavWriter& w) : writer_(w) {}
    void write(const float* l, const float* r, int n) override {
        for (int i = 0; i < n; ++i)
            peak_ = std::max({peak_, std::fabs(l[i]), std::fabs(r[i])});
        writer_.write(l, r, n);
    }
    float peak_ = 0.0f;

private:
    formats::WavWriter& writer_;
};

struct RenderArgs {
    SourceArgs source;
    std::string out, events;
    int block = 128;
    bool asFloat = false;
    std::string midiFile;             ///< --midi-out FILE.mid
    MidiOutArgs midi;                 ///< the clock's options (connect: unused offline)
    TimecodeArgs timecode;            ///< --mtc (into the --midi-out file), --ltc FILE.wav
    std::string clickFile, guideFile; ///< --click-output, --guide-output (mono WAV files)
    std::optional<int> countIn;       ///< --count-in BARS (with those files)
    GuideArgs guides;                 ///< --guides, --guide-level, --click-level, --guide-voice
};

/// render --click-output and --guide-output: the click and the spoken guide, each a mono file on
/// the main file's timeline, which then starts at the count-in (the count-in is in all of them).
struct RehearsalOutputs {
    RehearsalOutputs(const RenderArgs& args, bool guidesWanted, Source& src, int rate) {
        if (args.clickFile.empty() && args.guideFile.empty()) {
            if (guidesWanted)
                throw Error("--guides: a render writes the spoken guide with --guide-output FILE (or on the click's "
                            "file, --click-output FILE); give one of them");
            return;
        }
        src.view.countInBars = args.countIn.value_or(src.countInBars);
        if (!args.clickFile.empty()) {
            click_ = std::make_unique<formats::WavWriter>(args.clickFile, rate, 1, formats::SampleFormat::pcm24);
            // (the set's click_mode, as play plays it)
            mode_ = parseClickMode(src.setFile && src.setFile->audio.click ? *src.setFile->audio.click : "always");
        }
        if (!args.guideFile.empty())
            guide_ = std::make_unique<formats::WavWriter>(args.guideFile, rate, 1, formats::SampleFormat::pcm24);
    }
    void attach(control::RenderOptions& o) {
        if (click_) {
            o.clickSink = [this](const float* c, int n) { click_->write(c, nullptr, n); };
            o.click = mode_;
        }
        if (guide_) o.guideSink = [this](const float* g, int n) { guide_->write(g, nullptr, n); };
    }
    void finish() {
        if (click_) click_->commit();
        if (guide_) guide_->commit();
    }
    [[nodiscard]] bool any() const { return click_ || guide_; }

private:
    std::unique_ptr<formats::WavWriter> click_, guide_;
    engine::ClickMode mode_ = engine::ClickMode::always;
};

/// render --ltc and --mtc: the song's timecode (its number in the set, or its own start), LTC
/// encoded before each block (no thread: the file is the same run to run) into a mono file.
struct TimecodeRender {
    TimecodeRender(const RenderArgs& args, Source& src, int rate, int songNumber) : args_(args.timecode) {
        takeSetTimecode(args_, src.setFile ? src.setFile->timecode : set::SetTimecode{}, std::nullopt);
        if (args.midiFile.empty()) args_.mtc = false; // (a set's mtc: true; MTC only goes into a MIDI file)
        options_ = args_.options();
        options_.prerollSeconds = 0.0; // a render starts on bar 1: no count-in, no pre-roll
        const std::optional<TimecodeLabel> start = set::songTimecode(src.plan.front(), songNumber, options_.rate);
        if (!start)
            throw Error("song " + std::to_string(songNumber) +
                        " has no valid timecode start at this rate (from song 24 on, give it timecode: HH:MM:SS:FF)");
        src.view.timecode = *start;
        if (options_.ltc) {
            frames_.prepare(control::LtcEncoder::maxSamples(rate, options_.rate),
                            engine::TimecodeOut::ltcSlots(options_));
            encoder_ = std::make_unique<control::LtcEncoder>(frames_, rate, options_.rate);
            writer_ = std::make_unique<formats::WavWriter>(args_.ltcFile, rate, 1, formats::SampleFormat::pcm24);
        }
        said_ = args_.describe() + ", song " + std::to_string(songNumber) + " at " +
                timecodeText(options_.rate, *start) + " on bar 1";
    }
    void attach(control::RenderOptions& o) {
        if (encoder_) {
            o.beforeBlock = [this](std::int64_t) { encoder_->fill(); };
            o.ltcSink = [this](const float* ltc, int n) { writer_->write(ltc, nullptr, n); };
        }
    }
    void prepared(engine::Engine& e) { e.setTimecode(options_, &frames_); }
    void finish() {
        if (writer_) writer_->commit();
    }
    [[nodiscard]] const std::string& said() const { return said_; }
    [[nodiscard]] bool mtc() const { return options_.mtc; }

private:
    TimecodeArgs args_;
    engine::TimecodeOptions options_;
    engine::LtcFrames frames_;
    std::unique_ptr<control::LtcEncoder> encoder_;
    std::unique_ptr<formats::WavWriter> writer_;
    std::string said_;
};

/// render --midi-out: the MIDI output's messages, block by block, into a Standard MIDI File.
struct MidiFileTap {
    MidiFileTap(int sampleRate, const control::SongCues* songCues) : writer(sampleRate), cues(songCues) {}
    audio::MidiFileWriter writer;
    const control::SongCues* cues = nullptr;
    void operator()(const engine::Engine& engine, std::int64_t blockStart, int n, std::int64_t end) {
        writer.addBlock(engine.midiOut(), blockStart, n, end < 0 ? INT64_MAX : end, end >= 0, [&](std::int32_t osc) {
            if (cues == nullptr || osc < 0 || static_cast<std::size_t>(osc) >= cues->osc.size())
                return std::string("OSC");
            const set::OscCue& c = cues->osc[static_cast<std::size_t>(osc)];
            return "OSC " + c.address + " to " + c.host + ":" + std::to_string(c.port);
        });
    }
};

int runRender(const RenderArgs& args) {
    const SourceArgs& a = args.source;
    const std::string& out = args.out;
    const std::string& events = args.events;
    const bool asFloat = args.asFloat;
    GuideArgs guideArgs = args.guides;
    if (!args.guideFile.empty() && !guideArgs.off) guideArgs.on = true; // (a file of them asks for them)
    Source src = loadSource(a);
    if (src.setFile) takeSetGuides(guideArgs, *src.setFile);
    control::Song& song = src.song;
    RehearsalOutputs rehearsal(args, args.guides.on, src, song.sampleRate); // (--guides itself: refused with no file)
    std::shared_ptr<const control::GuideVoices> voices;
    if (rehearsal.any()) {
        voices = prepareGuides(guideArgs, src.plan, song.sampleRate, std::cout);
        if (voices)
            for (const std::string& w : control::applyGuides(*voices, src.plan.front(), song, src.view))
                std::cerr << "stemdeck: warning: " << w << "\n";
    }
    std::vector<control::ScriptEvent> script;
    if (!events.empty()) {
        script = control::loadEventScript(
            events, {song.stemNames, static_cast<double>(song.sampleRate), song.bpmKnown, src.values});
        control::requireEngineActions(script, events);
    }
    for (const std::int64_t frame : control::cueFrames(script, song.sampleRate)) // jumps read from RAM
        song.addCue(frame);
    const auto started = std::chrono::steady_clock::now();
    formats::WavWriter writer(out, song.sampleRate, 2,
                              asFloat ? formats::SampleFormat::float32 : formats::SampleFormat::pcm24);
    PeakFileSink sink(writer);
    engine::Engine engine;
    control::RenderOptions options;
    options.blockFrames = args.block;
    MidiOutArgs midi = args.midi;
    takeSetMidiOut(midi, src.setFile ? src.setFile->midiOut : set::SetMidiOut{}, src.plan);
    std::unique_ptr<TimecodeRender> timecode;
    if (args.timecode.any()) {
        timecode = std::make_unique<TimecodeRender>(args, src, song.sampleRate, a.song);
        timecode->attach(options);
    }
    std::shared_ptr<MidiFileTap> tap;
    if (!args.midiFile.empty()) {
        tap = std::make_shared<MidiFileTap>(song.sampleRate, song.cues.get());
        options.afterBlock = [tap](const engine::Engine& e, std::int64_t at, int n, std::int64_t end) {
            (*tap)(e, at, n, end);
        };
    } else if (midi.clock || midi.clockOnly || args.timecode.mtc) {
        throw Error(std::string(args.timecode.mtc ? "--mtc" : "--midi-clock") +
                    ": a render writes its MIDI output with --midi-out FILE.mid; give that too");
    }
    rehearsal.attach(options);
    options.onPrepared = [&](engine::Engine& e) {
        if (tap) e.setMidiOut(true, clockOptions(midi));
        if (timecode) timecode->prepared(e);
        if (guideArgs.clickLevel) e.setClickLevel(static_cast<float>(fromDb(*guideArgs.clickLevel)));
    };
    const control::RenderReport report = control::renderSong(engine, src.view, song.sampleRate, script, sink, options);
    // A stem that did not give what it declares (cut off, unreadable part way) plays what there is,
    // then silence, as on stage: render is play offline and says so the way play does.
    for (const std::string& f : song.takeFaults())
        std::cerr << "stemdeck: warning: " << f << "; rendered as play plays it: what there is, then silence\n";
    writer.commit();
    rehearsal.finish();
    if (rehearsal.any())
        std::cout << "the files start at the count-in: " << src.view.countInBars << " bar"
                  << (src.view.countInBars == 1 ? "" : "s") << " before bar 1"
                  << (args.clickFile.empty() ? "" : "; the click in " + args.clickFile)
                  << (args.guideFile.empty() ? (voices ? " (with the spoken guide)" : "")
                                             : "; the spoken guide in " + args.guideFile)
                  << "\n";
    if (timecode) {
        timecode->finish();
        std::cout << timecode->said() << "\n";
    }
    if (tap) {
        tap->writer.save(args.midiFile);
        std::cout << "MIDI out: " << tap->writer.messages() << " messages to " << args.midiFile << " (one tick a frame"
                  << (clockOptions(midi).on ? std::string(", clock ") + (midi.clockOnly ? "only" : "with transport")
                                            : "")
                  << ")\n";
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double length = static_cast<double>(report.frames) / song.sampleRate;
    std::cout << "rendered '" << song.title << "' (" << song.sources.size() << " stems) to " << out << ": " << length
              << " s, " << song.sampleRate << " Hz, " << (asFloat ? "32-bit float" : "24-bit") << ", peak "
              << dbfs(sink.peak_) << ", in " << seconds << " s (" << (seconds > 0 ? length / seconds : 0)
              << "x real time)\n";
    if (report.droppedCommands > 0)
        std::cerr << "stemdeck: warning: " << report.droppedCommands << " scripted commands could not be applied\n";
    if (sink.peak_ > 1.0f)
        std::cerr << "stemdeck: warning: the mix clips (" << dbfs(sink.peak_) << "); lower some gains\n";
    return 0;
}

} // namespace

Subcommand addRenderCommand(CLI::App& app) {
    auto a = std::make_shared<RenderArgs>();
    CLI::App* cmd = app.add_subcommand("render", "Render a song through the engine to a WAV file, no device needed");
    addSourceArgs(*cmd, a->source);
    cmd->add_option("-o,--output", a->out, "Output WAV file (24-bit unless --float)")->required();
    cmd->add_option("--events", a->events, "YAML file of timed actions (mute, gain, filter, …)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--block", a->block, "Frames per engine block, as a device would use")->check(CLI::Range(1, 16384));
    cmd->add_flag("--float", a->asFloat, "Write 32-bit float instead of 24-bit PCM");
    cmd->add_option("--midi-out", a->midiFile,
                    "Also write what the MIDI output would send (clock, cues) as a Standard MIDI File, one tick a "
                    "frame on the render's timeline")
        ->type_name("FILE.mid");
    addTimecodeOptions(*cmd, a->timecode, true);
    cmd->add_option("--click-output", a->clickFile,
                    "Also write the click (the set's click_mode, else always) as a mono WAV file; with it the files "
                    "start at the count-in")
        ->type_name("FILE.wav");
    cmd->add_option("--guide-output", a->guideFile,
                    "Also write the spoken guide cues (--guides, or the set's guides:) as a mono WAV file; with it the "
                    "files start at the count-in")
        ->type_name("FILE.wav");
    cmd->add_option("--count-in", a->countIn,
                    "Bars of count-in with --click-output or --guide-output (default: the "
                    "song's count_in)")
        ->check(CLI::Range(0, 16));
    addGuideOptions(*cmd, a->guides, false);
    cmd->add_flag("--midi-clock", a->midi.clock, "MIDI clock in the --midi-out file (Start on bar 1)");
    cmd->add_flag("--midi-clock-only", a->midi.clockOnly, "MIDI clock without Start, Stop, Continue or Song Position");
    cmd->add_option("--midi-clock-start", a->midi.start, "Where the clock's Start goes: bar-1 or count-in")
        ->check(CLI::IsMember({"bar-1", "count-in"}));
    return {cmd, [a] { return runRender(*a); }};
}

} // namespace stemdeck::app
