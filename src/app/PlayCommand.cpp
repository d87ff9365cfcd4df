#include "PlayCommand.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "stemdeck/Error.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/control/Keys.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/MidiInput.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/set/StemFolder.h"
#include "stemdeck/stream/AudioFile.h"
#include "stemdeck/stream/StemFile.h"

namespace fs = std::filesystem;

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

/// The rate of a song's first readable stem: the rate to ask the device for.
int songRate(const fs::path& dir) {
    try {
        for (const set::StemFile& s : set::scanStemFolder(dir).stems) {
            try {
                return stream::probeStem({s.path, s.track}).sampleRate;
            } catch (const Error&) {
            }
        }
    } catch (const Error&) {
    }
    return 48000;
}

engine::ClickMode parseClickMode(const std::string& s) {
    if (s == "off") return engine::ClickMode::off;
    if (s == "count-in") return engine::ClickMode::countIn;
    if (s == "always" || s == "on") return engine::ClickMode::always;
    throw Error("--click-mode '" + s + "': choose off, count-in or always");
}

// "drums=5" → the stem "drums" on outputs 5-6.
void routeStems(const PlayArgs& a, engine::ChannelMap& map, std::vector<control::StemRoute>& routes) {
    std::map<int, int> busOfChannel;
    for (const std::string& spec : a.stemOuts) {
        const auto eq = spec.rfind('=');
        int channel = 0;
        try {
            if (eq == std::string::npos || eq == 0) throw std::invalid_argument(spec);
            std::size_t used = 0;
            channel = std::stoi(spec.substr(eq + 1), &used);
            if (used != spec.size() - eq - 1 || channel < 1) throw std::invalid_argument(spec);
        } catch (const std::exception&) {
            throw Error("--stem-out '" + spec +
                        "': write STEM=OUTPUT, the stem by number or name and the first output of its pair, "
                        "e.g. --stem-out drums=5 (outputs 5-6) or --stem-out 2=7");
        }
        auto [it, added] = busOfChannel.emplace(channel - 1, static_cast<int>(busOfChannel.size()));
        if (added && it->second >= engine::kMaxDirectBuses)
            throw Error("--stem-out: at most " + std::to_string(engine::kMaxDirectBuses) + " output pairs for stems");
        map.directFirst[static_cast<std::size_t>(it->second)] = channel - 1;
        routes.push_back({spec.substr(0, eq), it->second});
    }
}

std::string busLabel(int first) {
    return "out " + std::to_string(first + 1) + "-" + std::to_string(first + 2);
}

} // namespace

int runPlay(const PlayArgs& args, const std::atomic<bool>& stopRequested) {
    PlayArgs a = args;
    std::vector<set::SetSong> songs;
    std::optional<set::SetFile> setFile;
    if (a.sources.size() == 1 && set::isSetFileName(a.sources[0])) {
        setFile = set::loadSetFile(a.sources[0]);
        songs = setFile->songs;
        for (const std::string& e : setFile->errors())
            std::cerr << "stemdeck: error: " << e << "\n";
        // The command line wins over the set file.
        const set::SetAudio& sa = setFile->audio;
        if (a.device.driver.empty() && sa.driver) a.device.driver = *sa.driver;
        if (a.device.device.empty() && sa.device) a.device.device = *sa.device;
        if (!a.device.sampleRate && sa.rate) a.device.sampleRate = sa.rate;
        if (!a.device.blockFrames && sa.block) a.device.blockFrames = sa.block;
        if (a.device.clientName == "stemdeck" && sa.clientName) a.device.clientName = *sa.clientName;
        if (!a.mainOut) a.mainOut = sa.mainOut;
        if (!a.clickOut) a.clickOut = sa.clickOut;
        if (a.clickMode.empty() && sa.click) a.clickMode = *sa.click;
        if (a.stemOuts.empty())
            for (const auto& [stem, out] : sa.stemOuts)
                a.stemOuts.push_back(stem + "=" + std::to_string(out));
        if (!a.countInBars) a.countInBars = setFile->countInBars;
        if (a.controller.empty() && setFile->controller) a.controller = setFile->controller->string();
    } else {
        for (const std::string& s : a.sources) {
            std::error_code ec;
            if (!fs::exists(s, ec)) throw Error(s + ": no such folder; give a stem folder per song, or one set file");
            if (!fs::is_directory(s, ec) && !stream::isStemFileName(s))
                throw Error(s + ": is a file; give the folder that holds the song's stems, a .stem.mp4, or a set "
                                "file (.yaml)");
            set::SetSong song;
            song.source = s;
            songs.push_back(song);
        }
    }
    if (a.firstSong > static_cast<int>(songs.size()))
        throw Error("--song " + std::to_string(a.firstSong) + ": the set has " + std::to_string(songs.size()) +
                    " song" + (songs.size() == 1 ? "" : "s"));

    audio::DeviceOptions device = a.device;
    device.channels.mainFirst = a.mainOut.value_or(1) - 1;
    device.channels.clickFirst = a.clickOut ? *a.clickOut - 1 : -1;
    control::PlayerOptions options;
    routeStems(a, device.channels, options.routes);
    options.countInBars = a.countInBars.value_or(0);
    options.click = a.clickMode.empty() ? (a.clickOut ? engine::ClickMode::always : engine::ClickMode::off)
                                        : parseClickMode(a.clickMode);
    if (!a.clickOut && options.click != engine::ClickMode::off)
        std::cerr << "stemdeck: note: the click has no outputs; give it a pair with --click OUTPUT\n";

    if (const std::string bad = device.channels.check(1024); !bad.empty()) throw Error("routing: " + bad);
    const bool keys = a.keys && isatty(STDIN_FILENO) != 0;
    const bool live = isatty(STDERR_FILENO) != 0;
    if (a.atEnd.empty()) { // the set file's, else: nobody to press play without keys, so play on
        options.atEnd = setFile && setFile->atEnd ? *setFile->atEnd
                        : keys                    ? control::AtEnd::stop
                                                  : control::AtEnd::next;
    } else if (auto e = set::parseSongEnd(a.atEnd)) {
        options.atEnd = *e;
    } else {
        throw Error("--at-end '" + a.atEnd + "': choose stop, next or run-on");
    }

    // Songs before the first one asked for are not part of this run.
    songs.erase(songs.begin(), songs.begin() + (a.firstSong - 1));

    std::ostringstream log; // the player's messages, shown between status redraws
    audio::DeviceSession session(log);
    if (!session.open(device, songRate(songs.front().source))) {
        std::cerr << "stemdeck: no audio output device on this machine (no ALSA card, no JACK server); "
                     "use 'stemdeck render' to hear the set as a WAV file\n";
        return kExitNoDevice;
    }
    const int rate = session.sampleRate();
    options.song.sampleRate = rate;
    options.song.bpm = a.bpm;
    options.song.keepBrokenStems = true; // on stage a broken stem never stops the others
    if (!a.events.empty()) {
        const set::StemFolder first = set::scanStemFolder(songs.front().source);
        std::vector<std::string> names;
        for (const auto& s : first.stems)
            names.push_back(s.name);
        options.script = control::loadEventScript(
            a.events, {names, static_cast<double>(rate), a.bpm.has_value() || first.info.bpm.has_value()});
    }

    engine::Engine engine;
    engine.prepare(rate, engine::kMaxSegmentFrames); // any device block size, now or after a reopen
    control::SetPlayer player(engine, songs, options, log);
    player.start();

    std::vector<std::string> busLabels(engine::kMaxDirectBuses);
    for (std::size_t k = 0; k < busLabels.size(); ++k)
        if (device.channels.directFirst[k] >= 0) busLabels[k] = busLabel(device.channels.directFirst[k]);

    Screen screen(live);
    std::cerr << "stemdeck: playing " << songs.size() << " song" << (songs.size() == 1 ? "" : "s") << " on "
              << session.description() << "; main " << busLabel(device.channels.mainFirst);
    if (setFile) std::cerr << " (set '" << setFile->name << "')";
    if (device.channels.clickFirst >= 0) std::cerr << ", click " << busLabel(device.channels.clickFirst);
    std::cerr << "\n"
              << (keys ? control::keyHelp() : "no keyboard control (not a terminal); Ctrl-C or SIGTERM stops") << "\n";

    std::optional<RawTerminal> terminal;
    if (keys) terminal.emplace();
    control::KeyDecoder decoder;
    std::optional<midi::Mapping> mapping;
    if (!a.controller.empty()) { // a broken mapping: fix it first; a new file: learn into it
        mapping = midi::loadOrNewMapping(a.controller);
        if (mapping->bindings.empty() && mapping->ports.empty()) {
            std::cerr << "stemdeck: " << a.controller << " has no bindings yet; press l to learn controls into it\n";
            if (!a.midiPort.empty()) mapping->ports = {a.midiPort};
        }
    }
    session.start(engine);
    std::unique_ptr<midi::MidiInput> midiIn;
    if (mapping) {
        midi::MidiOptions mo;
        mo.api = !a.midiApi.empty()                                          ? a.midiApi
                 : session.description().find("[JACK]") != std::string::npos ? "jack"
                                                                             : "alsa";
        mo.port = a.midiPort;
        mo.clientName = device.clientName;
        midiIn = std::make_unique<midi::MidiInput>(
            engine, *mapping, mo, [&session, rate] { return session.output().frameForNow(rate); }, log);
    }
    // MIDI learn from the play screen: l, touch a control, then an action key (and a stem digit).
    midi::LearnChoice learnChoice;
    bool learnAnnounced = false;
    auto startLearn = [&] {
        if (!midiIn) {
            log << "MIDI learn needs a mapping file: play --controller FILE (a new file is fine)\n";
            return;
        }
        learnChoice = {};
        learnAnnounced = false;
        midiIn->startLearn();
        log << "MIDI learn: touch a control on the controller (Esc cancels)\n";
    };
    auto learnKeys = [&](const std::string& typed) {
        const auto control = midiIn->learned();
        for (const char c : typed) {
            if (!control && c != 27) continue; // nothing touched yet: only Esc counts
            const midi::LearnChoice::State state = learnChoice.feed(c);
            if (!learnChoice.error().empty()) log << "MIDI learn: " << learnChoice.error() << "\n";
            if (state == midi::LearnChoice::State::needsStem) log << "MIDI learn: which stem? 1-8\n";
            if (state == midi::LearnChoice::State::cancelled) {
                midiIn->stopLearn();
                log << "MIDI learn: cancelled\n";
                return;
            }
            if (state == midi::LearnChoice::State::done && control) {
                try {
                    log << "MIDI learn: " << midiIn->learnBinding(learnChoice.binding(*control)) << "\n";
                } catch (const Error& e) {
                    midiIn->stopLearn();
                    log << "MIDI learn: " << e.what() << "\n";
                }
                return;
            }
        }
    };
    auto perform = [&player](midi::MapAction action) {
        switch (action) {
        case midi::MapAction::togglePlay: player.togglePlay(); break;
        case midi::MapAction::nextSong: player.nextSong(); break;
        case midi::MapAction::previousSong: player.previousSong(); break;
        case midi::MapAction::nextMarker: player.nextMarker(); break;
        case midi::MapAction::previousMarker: player.previousMarker(); break;
        case midi::MapAction::toggleVamp: player.toggleVamp(); break;
        case midi::MapAction::toggleReference: player.toggleReference(); break;
        default: break; // engine actions never come this way
        }
    };
    player.play();

    auto flushLog = [&] {
        const std::string text = log.str();
        if (text.empty()) return;
        log.str({});
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);)
            screen.message("stemdeck: " + line);
    };

    bool interrupted = false;
    bool devicePlaying = true;
    auto quitDeadline = Clock::time_point::max();
    auto nextDraw = Clock::now();
    while (!player.finished()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (terminal) {
            const std::string typed = terminal->read();
            if (midiIn && midiIn->learning())
                learnKeys(typed);
            else
                for (const control::Key& k : decoder.feed(typed)) {
                    if (k.action == control::KeyAction::learn) {
                        startLearn();
                        break; // what follows is for the learn prompt
                    }
                    control::applyKey(player, k);
                    if (k.action == control::KeyAction::quit && quitDeadline == Clock::time_point::max())
                        quitDeadline = Clock::now() + std::chrono::seconds(1);
                }
        }
        if (midiIn && midiIn->learning() && !learnAnnounced)
            if (const auto control = midiIn->learned()) {
                log << "MIDI learn: " << control->describe() << ": " << midi::learnMenu() << "\n";
                learnAnnounced = true;
            }
        if (stopRequested.load() && !interrupted) {
            interrupted = true;
            player.quit();
            quitDeadline = Clock::now() + std::chrono::seconds(1);
        }
        if (midiIn) midiIn->poll(perform);
        player.poll();
        const bool playing = session.watch();
        if (playing != devicePlaying) { // lost or back: say where the song is
            devicePlaying = playing;
            log << (playing ? "playing on from " : "song paused at ")
                << control::clockText(static_cast<double>(engine.songFrame()) / rate) << "\n";
        }
        flushLog();
        if (Clock::now() > quitDeadline) break; // the stop fade never finished (device gone): leave anyway
        if (live && Clock::now() >= nextDraw) {
            screen.status(control::formatStatus(player.status(), static_cast<std::uint64_t>(session.xruns()),
                                                terminalWidth(), busLabels));
            nextDraw = Clock::now() + std::chrono::milliseconds(100);
        }
    }
    const double at = static_cast<double>(engine.songFrame()) / rate;
    session.close();
    player.poll();
    flushLog();
    terminal.reset();
    const engine::CallbackTimer::Summary t = session.timer().summary();
    char timing[256];
    std::snprintf(timing, sizeof timing,
                  "callback mean %.1f us, median %.1f, p99 %.1f, p99.9 %.1f, max %.1f us (%llu callbacks of %.0f us)",
                  t.meanUs, t.p50Us, t.p99Us, t.p999Us, t.maxUs, static_cast<unsigned long long>(t.count),
                  1e6 * session.blockFrames() / rate);
    screen.message(
        "stemdeck: " + std::string(interrupted || player.quitting() || !player.finished() ? "stopped" : "finished") +
        " in song " + std::to_string(player.currentSong() + a.firstSong) + " at " +
        std::to_string(static_cast<int>(at)) + " s; underruns " + std::to_string(player.underruns()) +
        ", device xruns " + std::to_string(session.xruns()) + ", device reopened " +
        std::to_string(session.reopenings()) + "x; " + timing);
    return 0;
}

} // namespace stemdeck::app
