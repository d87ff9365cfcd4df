#include "stemdeck/app/PlayCommand.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <iostream>
#include <thread>

#include "stemdeck/app/Commands.h"
#include "stemdeck/app/Keys.h"
#include "stemdeck/app/LiveSession.h"
#include "stemdeck/app/Loudness.h"
#include "stemdeck/app/PlayScreen.h"
#include "stemdeck/app/ShowRunner.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"

namespace stemdeck::app {

namespace {

using Clock = std::chrono::steady_clock;

/// The terminal in "cbreak" mode: keys arrive one by one, unechoed; Ctrl-C still signals.
class RawTerminal {
public:
    RawTerminal() {
        if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios raw = saved_;
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~RawTerminal() {
        if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    /// Bytes typed since the last call (never blocks).
    std::string read() const {
        std::string bytes;
        pollfd p{STDIN_FILENO, POLLIN, 0};
        char buf[64];
        while (active_ && ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0) {
            const ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
            if (got <= 0) break;
            bytes.append(buf, static_cast<std::size_t>(got));
        }
        return bytes;
    }
    [[nodiscard]] bool active() const noexcept { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};

/// Messages above, the live status block below it, redrawn in place (stderr on a terminal).
class Screen {
public:
    explicit Screen(bool live) : live_(live) {}
    ~Screen() {
        if (live_ && drawn_ > 0) std::cerr << "\n";
    }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    void message(const std::string& text) {
        erase();
        std::cerr << text;
        if (!text.empty() && text.back() != '\n') std::cerr << "\n";
        redraw();
    }
    void status(std::vector<std::string> lines) {
        lines_ = std::move(lines);
        erase();
        redraw();
    }

private:
    void erase() {
        if (!live_ || drawn_ == 0) return;
        std::cerr << "\r\x1b[" << drawn_ - 1 << "A\x1b[J";
        if (drawn_ == 1) std::cerr << "\r\x1b[J";
        drawn_ = 0;
    }
    void redraw() {
        if (!live_ || lines_.empty()) return;
        for (std::size_t i = 0; i < lines_.size(); ++i)
            std::cerr << (i > 0 ? "\n" : "") << lines_[i] << "\x1b[K";
        std::cerr << std::flush;
        drawn_ = static_cast<int>(lines_.size());
    }
    bool live_;
    int drawn_ = 0;
    std::vector<std::string> lines_;
};

int terminalWidth() {
    winsize w{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
    return 120;
}

int terminalRows() {
    winsize w{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_row > 0) return w.ws_row;
    return 24;
}

} // namespace

void addStretchOptions(CLI::App& cmd, StretchArgs& a) {
    cmd.add_option_function<std::string>(
           "--tempo",
           [&a](const std::string& text) {
               a.tempo = set::parseTempo(text);
               if (!a.tempo)
                   throw CLI::ValidationError("--tempo", "'" + text + "' is not a tempo: write 80% or 112bpm");
               if (const std::string bad = set::tempoShareProblem(*a.tempo); !bad.empty())
                   throw CLI::ValidationError("--tempo", bad);
           },
           "Rehearsal tempo of every song, pitch kept: a share of its own (80%) or a BPM (112bpm)")
        ->type_name("TEMPO");
    cmd.add_option_function<std::string>(
           "--transpose",
           [&a](const std::string& text) {
               a.transpose = set::parseTranspose(text);
               if (!a.transpose)
                   throw CLI::ValidationError("--transpose",
                                              "'" + text +
                                                  "' is not a transposition: write semitones (-2, +1.5) or "
                                                  "cents (+30c)");
               if (const std::string bad = set::transposeProblem(*a.transpose); !bad.empty())
                   throw CLI::ValidationError("--transpose", bad);
           },
           "Transpose every song, tempo kept: semitones (-2, +1.5) or cents (+30c); formants kept")
        ->type_name("SEMITONES");
}

void addIoTimeoutOption(CLI::App& app) {
    app.add_option_function<double>(
           "--io-timeout",
           [](double seconds) { setIoTimeout(std::chrono::milliseconds(std::llround(seconds * 1000.0))); },
           "Seconds a file may go without answering (a network share or USB disk that stalled) before stemdeck "
           "says 'no answer from FILE' and goes on without it (default 10)")
        ->check(CLI::Range(0.5, 600.0))
        ->type_name("SECONDS");
}

void addPlayOptions(CLI::App& cmd, PlayArgs& a) {
    cmd.add_option("SOURCE", a.sources, "A set file (sets/*.yaml), or stem folders, one song each, in order")
        ->required();
    cmd.add_option("--song", a.firstSong, "Start at this song (1-based)")->check(CLI::PositiveNumber);
    cmd.add_option("--bpm", a.bpm, "Tempo for bar:beat, click and quantise (default: each folder's readme)")
        ->check(CLI::Range(1.0, 999.0));
    addStretchOptions(cmd, a.stretch);
    cmd.add_option("--driver", a.device.driver, "alsa or jack (default: the first with an output)")
        ->check(CLI::IsMember({"alsa", "jack"}, CLI::ignore_case));
    cmd.add_option("--device", a.device.device, "Part of the device name, case-insensitive");
    cmd.add_option("--rate", a.device.sampleRate,
                   "Device sample rate in Hz (default: the songs'); stems are "
                   "resampled to the device's rate")
        ->check(CLI::Range(8000, 384000));
    cmd.add_option("--block", a.device.blockFrames, "Device buffer size in frames")->check(CLI::Range(16, 8192));
    cmd.add_option("--client-name", a.device.clientName, "JACK client name (default stemdeck)");
    cmd.add_flag("!--no-connect", a.device.connect,
                 "JACK: leave the ports unconnected (default: the main pair goes to the first playback ports)");
    cmd.add_option("--main", a.mainOut, "First output of the main mix's pair (default 1: outputs 1-2)")
        ->check(CLI::Range(1, 255));
    cmd.add_option("--click", a.clickOut, "First output of the click / count-in pair (e.g. 3: outputs 3-4)")
        ->check(CLI::Range(1, 255));
    cmd.add_option("--stem-out", a.stemOuts,
                   "STEM=OUTPUT: a stem (number or name) on its own pair instead of the main mix, e.g. drums=5");
    cmd.add_option("--count-in", a.countInBars, "Bars of click before each song played from its start")
        ->check(CLI::Range(0, 16));
    cmd.add_option("--click-mode", a.clickMode, "off, count-in or always (default: always with --click)")
        ->check(CLI::IsMember({"off", "count-in", "always"}));
    cmd.add_option("--at-end", a.atEnd,
                   "At a song's end: stop (wait for play), next (play it after its count-in) or run-on (no gap). "
                   "Default: stop with keyboard control, next without")
        ->check(CLI::IsMember({"stop", "next", "run-on"}));
    cmd.add_option("--events", a.events, "YAML file of timed actions, as for render (from song 1's bar 1)")
        ->check(CLI::ExistingFile);
    cmd.add_flag("--lock", a.lock,
                 "Start with the show lock on: the keyboard and the mouse do nothing until 'unlock' is typed "
                 "(the controller still works)");
    cmd.add_option("--journal", a.journal,
                   "The show journal: where the show is, written a few times a second so a restart can resume "
                   "(default ~/.local/state/stemdeck/journal.json; \"\" keeps none)");
    cmd.add_option("--order", a.order,
                   "Tonight's running order to start with (a file play writes beside the set at every change, "
                   "NAME.order.yaml, or one written by hand); default: the set file's order")
        ->check(CLI::ExistingFile);
    cmd.add_flag("--resume", a.resume,
                 "After a crash: come back in the song the journal names, at the last bar line before where it "
                 "was, every stem as it was; paused there, armed (a clean quit leaves nothing to resume)");
    cmd.add_flag("--resume-play", a.resumePlay, "With --resume: play on from there if the show was playing");
    cmd.add_flag("--wait-device", a.waitDevice,
                 "With no audio device yet (interface unplugged, JACK not started): wait for it, checking every "
                 "second, instead of exiting with 69");
    cmd.add_flag("--armed", a.armed,
                 "Wait for play (the controller's play pad, a pedal, space) before song 1 starts; without keys "
                 "and without this, play starts at once");
    cmd.add_option("--shutdown-command", a.shutdownCommand,
                   "What the shutdown action (a long press on the controller) runs once the show has ended "
                   "cleanly (default: systemctl poweroff; \"\" only ends the show)");
    cmd.add_option("--controller", a.controller,
                   "MIDI controller mapping: a shipped one by name (e.g. akai-apc-mini-mk2; 'stemdeck devices' "
                   "lists them), a file (a new file starts an empty one to learn into), or a name of your own "
                   "(~/.config/stemdeck/controllers/NAME.yaml)");
    cmd.add_option("--midi-port", a.midiPort, "Part of the MIDI input port's name (default: the mapping's)");
    cmd.add_option("--midi-api", a.midiApi, "alsa or jack (default: jack when playing through JACK)")
        ->check(CLI::IsMember({"alsa", "jack"}));
    addOscOptions(cmd, a.osc);
    addWebOptions(cmd, a.web);
    addMidiOutOptions(cmd, a.midiOut);
    addTimecodeOptions(cmd, a.timecode, false);
    addLinkOptions(cmd, a.link);
    addGuideOptions(cmd, a.guides);
    addLoudnessOption(cmd, a.loudness);
}

/// "the JACK server", "an ALSA device matching 'Scarlett'", "an audio device".
std::string waitedDevice(const audio::DeviceOptions& d) {
    const std::string which = d.device.empty() ? "" : " matching '" + d.device + "'";
    if (d.driver == "jack") return "the JACK server";
    if (d.driver == "alsa") return "an ALSA device" + which;
    return "an audio device" + which;
}

int runPlay(const PlayArgs& args, const std::atomic<bool>& stop) {
    const bool keys = args.keys && isatty(STDIN_FILENO) != 0;
    const bool live = isatty(STDERR_FILENO) != 0;
    LiveSession s(args, keys, std::cerr);
    // The show runs on its own control thread; this one is the terminal's face: it reads the keys,
    // says the messages and draws the published state.
    ShowRunner runner(s, {args.waitDevice, waitedDevice(args.device),
                          keys ? control::keyHelp() : "no keyboard control (not a terminal); Ctrl-C or SIGTERM stops"});
    runner.start();
    std::optional<Screen> screen;
    auto flush = [&] {
        for (const std::string& line : runner.takeMessages()) {
            if (screen)
                screen->message("stemdeck: " + line);
            else
                std::cerr << "stemdeck: " << line << std::endl;
        }
    };
    while (runner.phase() == ShowPhase::waiting) {
        flush();
        if (stop.load()) runner.quit();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::optional<RawTerminal> terminal;
    if (runner.phase() == ShowPhase::running) {
        flush();
        screen.emplace(live);
        if (keys) terminal.emplace();
    }
    TerminalKeys typed;
    auto nextDraw = Clock::now();
    // The web remote's join codes: shown on J for a minute, never left on a screen the audience
    // may film (they are part of the status area, which is redrawn without them).
    auto joinUntil = Clock::time_point::min();
    std::size_t joinAddress = 0; // which of the machine's addresses (J again: the next, then none)
    const bool trace = std::getenv("STEMDECK_STATE_TRACE") != nullptr; // (the end-to-end tests)
    std::string traced;
    while (!runner.over()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (terminal)
            for (const Key& k : typed.feed(terminal->read())) {
                if (k.named == Key::Named::none && (k.ch == 'J' || k.ch == 'j') && args.web.any() &&
                    !s.state().latest()->learning && !s.locked()) {
                    if (Clock::now() >= joinUntil) {
                        joinAddress = 0;
                        joinUntil = Clock::now() + std::chrono::seconds(60);
                    } else if (++joinAddress >= std::max<std::size_t>(1, s.joinLinks().size())) {
                        joinUntil = Clock::time_point::min();
                    }
                    nextDraw = Clock::now();
                    continue;
                }
                runner.key(k);
            }
        if (stop.load()) runner.quit();
        flush();
        if (trace && runner.phase() == ShowPhase::running)
            if (std::string mix = control::describeMix(*s.state().latest()); mix != traced) {
                traced = std::move(mix);
                std::cerr << "stemdeck: state: " << traced << std::endl;
            }
        if (live && screen && Clock::now() >= nextDraw) {
            const std::shared_ptr<const control::ShowState> st = s.state().latest();
            std::vector<std::string> lines = formatStatus(st->player, st->health.xruns, terminalWidth(), s.busLabels());
            if (!st->midiOut.said.empty()) // the MIDI output: what it sends, and that it does
                lines.push_back((st->midiOut.said + ": " + std::to_string(st->midiOut.sent) + " sent" +
                                 (st->midiOut.lost > 0 ? ", " + std::to_string(st->midiOut.lost) + " LOST" : ""))
                                    .substr(0, static_cast<std::size_t>(std::max(1, terminalWidth()))));
            if (!st->timecode.said.empty()) // timecode: where it is, or why it is not sent
                lines.push_back(("TC " +
                                 (st->timecode.now.empty() ? std::string("none for this song") : st->timecode.now) +
                                 (st->timecode.ltcMissed > 0
                                      ? " (" + std::to_string(st->timecode.ltcMissed) + " LTC frames not ready)"
                                      : "") +
                                 "  " + st->timecode.said)
                                    .substr(0, static_cast<std::size_t>(std::max(1, terminalWidth()))));
            if (!st->link.said.empty()) // Ableton Link: peers, tempo, where in the bar
                lines.push_back(
                    control::linkStatus(st->link).substr(0, static_cast<std::size_t>(std::max(1, terminalWidth()))));
            if (Clock::now() < joinUntil && !s.locked()) {
                const std::vector<std::string> join = joinScreen(s.joinLinks(), joinAddress, terminalWidth(),
                                                                 terminalRows() - static_cast<int>(lines.size()) - 1);
                lines.insert(lines.end(), join.begin(), join.end());
            }
            screen->status(std::move(lines));
            nextDraw = Clock::now() + std::chrono::milliseconds(100);
        }
    }
    runner.join();
    terminal.reset(); // the terminal back before the shutdown command (it may ask for a password)
    flush();
    runner.finishShow();
    flush();
    switch (runner.phase()) {
    case ShowPhase::noDevice:
        std::cerr << "stemdeck: no audio output device on this machine (no ALSA card, no JACK server); "
                     "use 'stemdeck render' to hear the set as a WAV file, or --wait-device to wait for one\n";
        return kExitNoDevice;
    case ShowPhase::stoppedWaiting: std::cerr << "stemdeck: stopped while waiting for an audio device\n"; return 0;
    case ShowPhase::failed: throw Error(runner.why());
    default: return 0;
    }
}

Subcommand addPlayCommand(CLI::App& app) {
    struct Args {
        PlayArgs play;
        bool noKeys = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("play", "Play songs on an audio device (ALSA or JACK), with keyboard control");
    addPlayOptions(*cmd, a->play);
    cmd->add_flag("--no-keys", a->noKeys, "No keyboard control even on a terminal");
    return {cmd, [a] {
                catchStopSignals(true); // SIGHUP too: an SSH session dropping on a headless rig fades and sums up
                a->play.keys = !a->noKeys;
                return runPlay(a->play, stopRequested());
            }};
}

} // namespace stemdeck::app
