// stemdeck: the command line. Each subcommand is a thin layer over the modules (docs/ARCHITECTURE.md).
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "stemdeck/app/DemoSong.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/control/Action.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/OfflineRenderer.h"
#include "stemdeck/control/Song.h"
#include "stemdeck/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/StemFile.h"
#include "stemdeck/midi/Mapping.h"
#include "stemdeck/midi/MidiInput.h"
#include "stemdeck/set/Check.h"

namespace fs = std::filesystem;
using namespace stemdeck;

namespace {

std::atomic<bool> gStopRequested{false};
extern "C" void onSignal(int) {
    gStopRequested.store(true);
}

struct SourceArgs {
    std::string source;
    int song = 1;
    std::optional<double> bpm;
    std::optional<int> rate;
};

void addSourceArgs(CLI::App& cmd, SourceArgs& a) {
    cmd.add_option("SOURCE", a.source, "A stem folder (one song), or a set file (sets/*.yaml)")->required();
    cmd.add_option("--song", a.song, "Song number within a set file (a folder is one song)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--bpm", a.bpm, "Tempo for bar:beat and quantise (default: the folder's readme)")
        ->check(CLI::Range(1.0, 999.0));
    cmd.add_option("--rate", a.rate, "Sample rate in Hz (default: the stems' own)")->check(CLI::Range(8000, 384000));
}

/// A song ready to render: the loaded song and its engine view (with a set file's start state).
struct Source {
    control::Song song;
    engine::SongView view;
    control::ValueContext values; ///< the song's scene and marker names, for an events file
};

Source loadSource(const SourceArgs& a) {
    const fs::path p(a.source);
    std::error_code ec;
    set::SetSong plan;
    plan.source = p;
    if (set::isSetFileName(p)) {
        set::SetFile file = set::loadSetFile(p);
        for (const std::string& w : set::loadStoredScenes(file))
            std::cerr << "stemdeck: warning: " << w << "\n";
        if (a.song > static_cast<int>(file.songs.size()))
            throw Error(a.source + ": the set has " + std::to_string(file.songs.size()) + " songs; --song " +
                        std::to_string(a.song) + " does not exist");
        plan = file.songs[static_cast<std::size_t>(a.song - 1)];
        if (!plan.error.empty()) throw Error("song " + std::to_string(a.song) + " cannot play: " + plan.error);
        if (!plan.countInBars) plan.countInBars = file.countInBars;
    } else {
        if (fs::is_regular_file(p, ec) && !formats::isStemFileName(p))
            throw Error(a.source + ": is a file; give the folder that holds the song's stems, a .stem.mp4, or a set "
                                   "file (.yaml)");
        if (a.song != 1)
            throw Error(a.source + ": a stem folder holds one song; --song " + std::to_string(a.song) +
                        " does not exist");
    }
    control::SongOptions options;
    options.bpm = a.bpm;
    options.sampleRate = a.rate;
    Source src;
    src.song = control::loadSong(plan.source, control::optionsFor(plan, options));
    src.view = src.song.view();
    std::vector<std::string> warnings = src.song.warnings;
    for (std::string& w : control::applySetSong(plan, src.song, src.view, 0))
        warnings.push_back(std::move(w));
    src.view.countInBars = 0; // a render starts on bar 1: no count-in in the file
    src.values.sceneNames = plan.sceneNames();
    for (const set::Marker& m : plan.markers)
        src.values.markerNames.push_back(m.name);
    for (const std::string& w : warnings)
        std::cerr << "stemdeck: warning: " << w << "\n";
    return src;
}

std::string dbfs(float linear) {
    if (linear <= 0.0f) return "-inf dBFS";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f dBFS", 20.0 * std::log10(static_cast<double>(linear)));
    return buf;
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

int runRender(const SourceArgs& a, const std::string& out, const std::string& events, int block, bool asFloat) {
    Source src = loadSource(a);
    control::Song& song = src.song;
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
    options.blockFrames = block;
    const control::RenderReport report = control::renderSong(engine, src.view, song.sampleRate, script, sink, options);
    // A stem that did not give what it declares (cut off, unreadable part way) makes a file that is
    // not the song: refused, as check calls it an error (the partial file is removed, not kept).
    if (const std::vector<std::string> faults = song.takeFaults(); !faults.empty()) {
        std::string all;
        for (const std::string& f : faults)
            all += (all.empty() ? "" : "\n  ") + f;
        throw Error(all + "\nrender refuses a song that cannot play as delivered; 'stemdeck check' lists what to fix");
    }
    writer.commit();
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

int runCheck(const std::string& source, bool json) {
    const bool bar = !json && isatty(STDERR_FILENO) != 0;
    auto last = std::chrono::steady_clock::now();
    set::CheckProgress progress;
    if (bar)
        progress = [&](const fs::path& file, std::uint64_t done, std::uint64_t total) {
            const auto now = std::chrono::steady_clock::now();
            if (now - last < std::chrono::milliseconds(100) && done < total) return;
            last = now;
            const int width = 30;
            const int filled =
                total > 0 ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : 0;
            std::fprintf(stderr, "\r[%s%s] %3d%% %-40.40s",
                         std::string(static_cast<std::size_t>(std::min(filled, width)), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - std::min(filled, width)), '.').c_str(),
                         total > 0 ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total))
                                   : 0,
                         file.filename().c_str());
        };
    const set::CheckReport report = set::checkSource(source, progress, [](const fs::path& mapping) {
        try {
            (void)midi::loadMapping(mapping);
            return std::string();
        } catch (const Error& e) {
            return std::string(e.what());
        }
    });
    if (bar) std::fprintf(stderr, "\r\x1b[K");
    std::cout << (json ? set::checkReportJson(report) : set::formatCheckReport(report));
    return report.canPlay() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"stemdeck: a live stem player. Plays up to eight stems per song in sample-accurate sync,\n"
                 "with per-stem mute, solo, gain and DJ filter from a controller or a script."};
    app.require_subcommand(1);
    app.set_version_flag("--version", "stemdeck 0.1.0");

    SourceArgs renderSrc;
    std::string out, events;
    int block = 128;
    bool asFloat = false;
    auto* render = app.add_subcommand("render", "Render a song through the engine to a WAV file, no device needed");
    addSourceArgs(*render, renderSrc);
    render->add_option("-o,--output", out, "Output WAV file (24-bit unless --float)")->required();
    render->add_option("--events", events, "YAML file of timed actions (mute, gain, filter, …)")
        ->check(CLI::ExistingFile);
    render->add_option("--block", block, "Frames per engine block, as a device would use")->check(CLI::Range(1, 16384));
    render->add_flag("--float", asFloat, "Write 32-bit float instead of 24-bit PCM");

    app::PlayArgs playArgs;
    auto* play = app.add_subcommand("play", "Play songs on an audio device (ALSA or JACK), with keyboard control");
    addPlayOptions(*play, playArgs);
    bool noKeys = false;
    play->add_flag("--no-keys", noKeys, "No keyboard control even on a terminal");

    auto* devices = app.add_subcommand("devices", "List audio devices: types, names, outputs, rates, block sizes");

    std::string monitorPort, monitorApi = "alsa";
    auto* midiCmd = app.add_subcommand("midi", "MIDI tools");
    auto* monitor = midiCmd->add_subcommand("monitor", "Print incoming MIDI messages, decoded (for writing mappings)");
    monitor->add_option("PORT", monitorPort, "Part of the input port's name (default: the first port)");
    monitor->add_option("--api", monitorApi, "alsa or jack")->check(CLI::IsMember({"alsa", "jack"}));
    midiCmd->require_subcommand(1);

    std::string learnFile, learnPort, learnApi = "alsa";
    auto* learn = app.add_subcommand("learn", "MIDI learn: touch a control, type its action; saved after each one");
    learn->add_option("MAPPING", learnFile, "The mapping file to add to (created if new), e.g. controllers/mine.yaml")
        ->required();
    learn->add_option("--port", learnPort, "Part of the controller's port name (default: the mapping's, or the first)");
    learn->add_option("--api", learnApi, "alsa or jack")->check(CLI::IsMember({"alsa", "jack"}));

    std::string checkSource;
    bool checkJson = false;
    auto* check = app.add_subcommand("check", "Check a stem folder or a set file against the delivery conventions");
    check->add_option("SOURCE", checkSource, "A stem folder (one song) or a set file (sets/*.yaml)")->required();
    check->add_flag("--json", checkJson, "Print the report as JSON (for tools)");

    auto* actionsCmd = app.add_subcommand(
        "actions", "List every action (for scripts, mappings, keys, learn and remotes), as a Markdown table");

    std::string demoDir = "sets/demo";
    bool force = false;
    auto* demo = app.add_subcommand("demo", "Generate the demo song (six stems, reference mix, readme)");
    demo->add_option("DIR", demoDir, "Folder to write (default sets/demo)");
    demo->add_flag("--force", force, "Write even if the folder already holds the demo");

    CLI11_PARSE(app, argc, argv);
    try {
        if (*render) return runRender(renderSrc, out, events, block, asFloat);
        if (*play) {
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            std::signal(SIGHUP, onSignal); // an SSH session dropping on a headless rig: fade, summary, exit
            playArgs.keys = !noKeys;
            return app::runPlay(playArgs, gStopRequested);
        }
        if (*check) return runCheck(checkSource, checkJson);
        if (*actionsCmd) {
            std::cout << control::actionsMarkdown();
            return 0;
        }
        if (*monitor) {
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            return midi::monitorMidi(monitorApi, monitorPort, gStopRequested, std::cout);
        }
        if (*learn) // Ctrl-C ends it: every binding is already saved, atomically
            return midi::learnMidi(learnFile, learnApi, learnPort, std::cin, gStopRequested, std::cout);
        if (*devices) {
            std::cout << audio::describeDevices() << "\nMIDI inputs (stemdeck play --controller FILE --midi-port NAME):"
                      << "\n  ALSA sequencer:" << midi::describeMidiPorts("alsa")
                      << "\n  JACK MIDI:" << midi::describeMidiPorts("jack") << "\n";
            return 0;
        }
        if (*demo) {
            if (!force && app::demoSongPresent(demoDir)) {
                std::cout << "demo song already in " << demoDir << " (use --force to write it again)\n";
            } else {
                app::writeDemoSong(demoDir);
                std::cout << "wrote the demo song to " << demoDir << "\n";
            }
            return 0;
        }
    } catch (const Error& e) {
        std::cerr << "stemdeck: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "stemdeck: unexpected error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
