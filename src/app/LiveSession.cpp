#include "stemdeck/app/LiveSession.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <iostream>
#include <map>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/Error.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/StemFolder.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

using Clock = std::chrono::steady_clock;

/// The rate of a song's first readable stem: the rate to ask the device for. (The header alone:
/// the song's load probes each file once, for its length too.)
int songRate(const fs::path& dir) {
    try {
        for (const set::FolderStem& s : set::scanStemFolder(dir).stems) {
            try {
                return (s.probed ? *s.probed : formats::probeStem({s.path, s.track}, formats::ProbeDepth::header))
                    .sampleRate;
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
void routeStems(const PlayArgs& a, audio::ChannelMap& map, std::vector<control::StemRoute>& routes) {
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

LiveSession::LiveSession(const PlayArgs& args, bool keys, std::ostream& notes) : args_(args), keys_(keys) {
    PlayArgs& a = args_;
    if (a.sources.size() == 1 && set::isSetFileName(a.sources[0])) {
        setFile_ = set::loadSetFile(a.sources[0]);
        for (const std::string& w : set::loadStoredScenes(*setFile_))
            notes << "stemdeck: warning: " << w << "\n";
        songs_ = setFile_->songs;
        for (const std::string& e : setFile_->errors())
            notes << "stemdeck: error: " << e << "\n";
        // The command line wins over the set file.
        const set::SetAudio& sa = setFile_->audio;
        if (a.device.driver.empty() && sa.driver) a.device.driver = *sa.driver;
        if (a.device.device.empty() && sa.device) a.device.device = *sa.device;
        if (!a.device.sampleRate && sa.rate) a.device.sampleRate = sa.rate;
        if (!a.device.blockFrames && sa.block) a.device.blockFrames = sa.block;
        if (a.device.clientName == "stemdeck" && sa.clientName) a.device.clientName = *sa.clientName;
        if (a.device.connect && sa.connect) a.device.connect = *sa.connect;
        if (!a.mainOut) a.mainOut = sa.mainOut;
        if (!a.clickOut) a.clickOut = sa.clickOut;
        if (a.clickMode.empty() && sa.click) a.clickMode = *sa.click;
        if (a.stemOuts.empty())
            for (const auto& [stem, out] : sa.stemOuts)
                a.stemOuts.push_back(stem + "=" + std::to_string(out));
        if (!a.countInBars) a.countInBars = setFile_->countInBars;
        if (a.controller.empty() && setFile_->controller) {
            // Named by the set, it must be there (check says the same); only a mapping given on the
            // command line may be a new file to learn into.
            std::error_code ec;
            if (!std::filesystem::exists(*setFile_->controller, ec))
                throw Error(setFile_->controller->string() + ": the set's controller mapping does not exist; fix the "
                                                             "controller: path in the set file, or learn into it with "
                                                             "stemdeck learn");
            a.controller = setFile_->controller->string();
        } else if (a.controller.empty() && setFile_->controllerName) { // by name: the user's, else shipped
            if (const std::string missing = namedMappingProblem(*setFile_->controllerName); !missing.empty())
                throw Error(setFile_->file.string() + ": controller: " + missing +
                            "; fix the name, or give a mapping file's path");
            a.controller = *setFile_->controllerName;
        }
    } else {
        for (const std::string& s : a.sources) {
            std::error_code ec;
            if (!fs::exists(s, ec)) throw Error(s + ": no such folder; give a stem folder per song, or one set file");
            if (!fs::is_directory(s, ec) && !formats::isStemFileName(s))
                throw Error(s + ": is a file; give the folder that holds the song's stems, a .stem.mp4, or a set "
                                "file (.yaml)");
            set::SetSong song;
            song.source = s;
            songs_.push_back(song);
        }
    }
    if (songs_.empty()) throw Error("no songs to play; give stem folders or a set file");
    if (a.firstSong > static_cast<int>(songs_.size()))
        throw Error("--song " + std::to_string(a.firstSong) + ": the set has " + std::to_string(songs_.size()) +
                    " song" + (songs_.size() == 1 ? "" : "s"));

    device_ = a.device;
    device_.channels.mainFirst = a.mainOut.value_or(1) - 1;
    device_.channels.clickFirst = a.clickOut ? *a.clickOut - 1 : -1;
    routeStems(a, device_.channels, options_.routes);
    options_.countInBars = a.countInBars.value_or(0);
    options_.click = a.clickMode.empty() ? (a.clickOut ? engine::ClickMode::always : engine::ClickMode::off)
                                         : parseClickMode(a.clickMode);
    if (!a.clickOut && options_.click != engine::ClickMode::off)
        notes << "stemdeck: note: the click has no outputs; give it a pair with --click OUTPUT\n";
    if (const std::string bad = device_.channels.check(1024); !bad.empty()) throw Error("routing: " + bad);
    if (a.atEnd.empty()) { // the set file's, else: nobody to press play without keys, so play on
        options_.atEnd = setFile_ && setFile_->atEnd ? *setFile_->atEnd
                         : keys_                     ? control::AtEnd::stop
                                                     : control::AtEnd::next;
    } else if (auto e = set::parseSongEnd(a.atEnd)) {
        options_.atEnd = *e;
    } else {
        throw Error("--at-end '" + a.atEnd + "': choose stop, next or run-on");
    }
    // The journal's names for this show: the set file, else the song folders (absolute paths).
    for (const set::SetSong& song : songs_)
        allSources_.push_back(fs::absolute(song.source).lexically_normal().string());
    if (setFile_) {
        showId_ = fs::absolute(setFile_->file).lexically_normal().string();
    } else {
        for (const std::string& source : allSources_)
            showId_ += (showId_.empty() ? "" : "\n") + source;
    }
    // Songs before the first one asked for are not part of this run.
    songs_.erase(songs_.begin(), songs_.begin() + (a.firstSong - 1));
    busLabels_.assign(engine::kMaxDirectBuses, {});
    for (std::size_t k = 0; k < busLabels_.size(); ++k)
        if (device_.channels.directFirst[k] >= 0) busLabels_[k] = busLabel(device_.channels.directFirst[k]);
}

LiveSession::~LiveSession() {
    close();
}

bool LiveSession::open() {
    session_ = std::make_unique<audio::DeviceSession>(log_);
    try {
        if (!session_->open(device_, songRate(songs_.front().source))) return false;
    } catch (const Error& e) {
        throw DeviceUnavailable(e.what());
    }
    const int rate = session_->sampleRate();
    options_.song.sampleRate = rate;
    options_.song.bpm = args_.bpm;
    options_.song.tempo = args_.stretch.tempo;
    options_.song.transpose = args_.stretch.transpose;
    options_.song.keepBrokenStems = true; // on stage a broken stem never stops the others
    if (!args_.events.empty()) {
        const set::StemFolder first = set::scanStemFolder(songs_.front().source);
        std::vector<std::string> names;
        for (const auto& s : first.stems)
            names.push_back(s.name);
        control::ValueContext values;
        values.sceneNames = songs_.front().sceneNames();
        for (const set::Marker& m : songs_.front().markers)
            values.markerNames.push_back(m.name);
        values.songs = static_cast<int>(songs_.size());
        options_.script =
            control::loadEventScript(args_.events, {names, static_cast<double>(rate),
                                                    args_.bpm.has_value() || first.info.bpm.has_value(), values});
    }
    engine_ = std::make_unique<engine::Engine>();
    engine_->prepare(rate, engine::kMaxSegmentFrames); // any device block size, now or after a reopen
    if (setFile_) options_.setFile = setFile_->file;
    control::ShowOptions showOptions;
    showOptions.setName = setFile_ ? setFile_->name : std::string();
    showOptions.firstSongNumber = args_.firstSong;
    control::ShowHooks hooks;
    hooks.learn = [this] { startLearn(); };
    hooks.shutdown = [this] {
        log_ << "shutdown: the show ends"
             << (args_.shutdownCommand.empty() ? " (--shutdown-command \"\": the machine stays on)"
                                               : "; then '" + args_.shutdownCommand + "' powers the machine off")
             << "\n";
    };
    show_ = std::make_unique<control::Show>(*engine_, songs_, options_, log_, showOptions, std::move(hooks));
    keysIn_ = show_->makeInput(control::Surface::keys);
    guiIn_ = show_->makeInput(control::Surface::gui);
    const std::string journalFile = args_.journal.value_or(defaultJournalPath().string());
    std::optional<control::ShowPoint> resume;
    if (args_.resume && journalFile.empty()) {
        log_ << "resume: --journal \"\" keeps no journal: from the top\n";
    } else if (args_.resume) {
        const ResumeFind found = findResume(journalFile, showId_, allSources_);
        if (!found.state) {
            log_ << found.said << "\n";
        } else if (found.state->at.song < args_.firstSong - 1) {
            log_ << "resume: the journal's song " << found.state->at.song + 1 << " comes before --song "
                 << args_.firstSong << ": from song " << args_.firstSong << "\n";
        } else {
            resume = found.state->at;
            resume->song -= args_.firstSong - 1; // in this run's songs
            resumed_ = true;                     // the player plays it (or waits, armed), not start()
        }
    }
    if (!journalFile.empty()) journal_ = std::make_unique<Journal>(journalFile);
    show_->start(resume, args_.resumePlay);
    if (args_.lock || (setFile_ && setFile_->lock)) setLocked(true);
    return true;
}

void LiveSession::start() {
    std::optional<midi::Mapping> mapping;
    if (!args_.controller.empty()) {             // a broken mapping: fix it first; a new file: learn into it
        mapping = openMapping(args_.controller); // a path, or a name: the user's or a shipped mapping
        if (mapping->bindings.empty() && mapping->ports.empty()) {
            log_ << mapping->file.string() << " has no bindings yet; press l to learn controls into it\n";
            if (!args_.midiPort.empty()) mapping->ports = {args_.midiPort};
        }
    }
    session_->start(*engine_);
    if (mapping) {
        midi::MidiOptions mo;
        mo.api = !args_.midiApi.empty()                                        ? args_.midiApi
                 : session_->description().find("[JACK]") != std::string::npos ? "jack"
                                                                               : "alsa";
        mo.port = args_.midiPort;
        mo.clientName = device_.clientName;
        const int rate = session_->sampleRate();
        mo.sampleRate = rate;
        midi_ = std::make_unique<midi::MidiInput>(
            show_->router(), *mapping, mo, [this, rate] { return session_->output().frameForNow(rate); }, log_);
    }
    if (resumed_) return; // the player plays it, or waits there, armed
    if (args_.armed)
        log_ << "armed: song 1 starts on play (the controller's play pad, space, the GUI's play)\n";
    else
        show_->player().play();
}

void LiveSession::setLocked(bool on) {
    show_->setLocked(on);
}

bool LiveSession::send(const control::ActionCall& call) {
    return guiIn_ && guiIn_->send(call);
}

void LiveSession::tick() {
    if (closed_) return;
    if (midi_) midi_->poll();
    const bool playing = session_->watch();
    if (playing != devicePlaying_) { // lost or back: say where the song is
        devicePlaying_ = playing;
        // With no device nothing renders, so the song resumes on the very frame it paused on (by
        // the time this line is written after a reopening, a few blocks may already have played).
        if (!playing) pausedFrame_ = engine_->songFrame();
        log_ << (playing ? "playing on from " : "song paused at ")
             << control::clockText(static_cast<double>(pausedFrame_) / session_->sampleRate()) << "\n";
    }
    show_->setDevice(session_->description(), static_cast<std::uint64_t>(std::max(0, session_->xruns())),
                     static_cast<std::uint64_t>(std::max(0, session_->reopenings())), devicePlaying_);
    show_->setLearning(midi_ && midi_->learning());
    show_->tick();
    // A quit from any surface (q, a pad, a script, shutdown): leave after a second even if the fade
    // never finishes (the device gone).
    if (quitAt_ == Clock::time_point::max() && show_->quitting()) quitAt_ = Clock::now();
    control::SetPlayer& player = show_->player();
    if (!diskPriorityTold_ && player.diskPriority() != stream::DiskStreamer::Priority::unknown) {
        diskPriorityTold_ = true;
        if (player.diskPriority() == stream::DiskStreamer::Priority::normal)
            log_ << "the disk thread runs at normal priority: the system refused a higher one (allow it with "
                    "RLIMIT_NICE, e.g. '@audio - nice -10' in /etc/security/limits.d/, for a member of the audio "
                    "group); on a busy machine a stem may then underrun\n";
    }
    recordJournal();
    if (midi_ && midi_->learning() && !learnAnnounced_)
        if (const auto control = midi_->learned()) {
            log_ << "MIDI learn: " << control->describe() << ": " << midi::learnMenu() << "\n";
            learnAnnounced_ = true;
        }
}

void LiveSession::startLearn() {
    if (!midi_) {
        log_ << "MIDI learn needs a mapping file: play --controller FILE (a new file is fine)\n";
        return;
    }
    learnChoice_ = {};
    learnAnnounced_ = false;
    midi_->startLearn();
    log_ << "MIDI learn: touch a control on the controller (Esc cancels)\n";
}

void LiveSession::key(const Key& key) {
    if (!show_) return;
    if (locked()) { // only the word unlock gets through
        if (const char c = key.asChar(); c != 0 && unlockWord_.feed(c)) {
            control::ActionCall unlock;
            unlock.action = control::Action::unlock;
            keysIn_->send(unlock);
            show_->tick(); // said at once
        } else {
            show_->addRefusedKeys(1);
        }
        return;
    }
    if (midi_ && midi_->learning()) {
        learnKey(key);
        return;
    }
    const std::optional<control::ActionCall> call = decoder_.feed(key);
    if (!call || !keysIn_->send(*call)) return;
    if (call->action == control::Action::learn) show_->tick(); // the keys that follow are for its menu
}

void LiveSession::learnKey(const Key& key) {
    // MIDI learn: l, touch a control, then an action key (and a stem digit).
    const auto control = midi_->learned();
    const char c = key.asChar();
    if (c == 0 || (!control && c != 27)) return; // nothing touched yet: only Esc counts
    const midi::LearnChoice::State state = learnChoice_.feed(c);
    if (!learnChoice_.error().empty()) log_ << "MIDI learn: " << learnChoice_.error() << "\n";
    if (state == midi::LearnChoice::State::needsStem) log_ << "MIDI learn: which stem? 1-8\n";
    if (state == midi::LearnChoice::State::needsScene) log_ << "MIDI learn: which scene? 1-8\n";
    if (state == midi::LearnChoice::State::cancelled) {
        midi_->stopLearn();
        log_ << "MIDI learn: cancelled\n";
        return;
    }
    if (state == midi::LearnChoice::State::done && control) {
        try {
            log_ << "MIDI learn: " << midi_->learnBinding(learnChoice_.binding(*control)) << "\n";
        } catch (const Error& e) {
            midi_->stopLearn();
            log_ << "MIDI learn: " << e.what() << "\n";
        }
    }
}

void LiveSession::quit() {
    if (quitAt_ != Clock::time_point::max()) return;
    if (show_) show_->quit(); // (never opened: nothing to fade)
    quitAt_ = Clock::now();
}

bool LiveSession::quitOverdue() const {
    return quitAt_ != Clock::time_point::max() && Clock::now() > quitAt_ + std::chrono::seconds(1);
}

/// What the journal keeps, its song counted in the whole set.
JournalEntry LiveSession::journalEntry() const {
    JournalEntry st;
    st.set = showId_;
    st.at = show_->player().showPoint();
    st.at.song += args_.firstSong - 1;
    const auto song = static_cast<std::size_t>(st.at.song);
    if (song < allSources_.size()) st.songSource = allSources_[song];
    return st;
}

void LiveSession::recordJournal() {
    if (!journal_ || !show_ || closed_) return;
    if (!journal_->record(journalEntry(), Clock::now()) && !journalTold_) {
        journalTold_ = true;
        log_ << "the show journal cannot be written (" << journal_->problem()
             << "); a crash now could not resume: check the disk\n";
    }
}

void LiveSession::close() {
    if (closed_ || !session_) return;
    if (midi_ && session_->jackHangs()) { // RtMidi's JACK client would wait on the hung server
        static auto* parked = new std::vector<std::unique_ptr<midi::MidiInput>>; // kept, never closed
        parked->push_back(std::move(midi_));
    }
    midi_.reset();
    session_->close();
    if (show_) show_->finish(); // the last events, and the state as the show ends (no more actions)
    // A clean end (quit, the set played through) leaves nothing to resume; an error does.
    if (journal_ && show_ && (quitting() || finished())) journal_->end(journalEntry());
    closed_ = true;
}

int LiveSession::shutDown() {
    if (!shutdownAsked() || args_.shutdownCommand.empty()) return 0;
    const int status = std::system(args_.shutdownCommand.c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (status == -1 || code != 0)
        log_ << "shutdown: '" << args_.shutdownCommand << "' failed (status " << code
             << "): the machine is still on; power it off by hand\n";
    else
        log_ << "shutdown: '" << args_.shutdownCommand << "' done\n";
    return code;
}

std::vector<std::string> LiveSession::takeMessages() {
    const std::string text = log_.str();
    log_.str({});
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

bool LiveSession::finished() const {
    return show_ && show_->finished();
}

bool LiveSession::quitting() const {
    return quitAt_ != Clock::time_point::max() || (show_ && show_->quitting());
}

bool LiveSession::learning() const {
    return midi_ && midi_->learning();
}

std::string LiveSession::deviceDescription() const {
    return session_ ? session_->description() : "";
}

std::string LiveSession::routingDescription() const {
    std::string out = "main " + busLabel(device_.channels.mainFirst);
    if (device_.channels.clickFirst >= 0) out += ", click " + busLabel(device_.channels.clickFirst);
    return out;
}

int LiveSession::xruns() const {
    return session_ ? session_->xruns() : 0;
}

int LiveSession::sampleRate() const {
    return session_ ? session_->sampleRate() : 0;
}

std::optional<std::string> LiveSession::setName() const {
    if (setFile_) return setFile_->name;
    return std::nullopt;
}

std::string LiveSession::summary() const {
    if (!show_) return "stopped before the audio device was there";
    const control::SetPlayer& player = show_->player();
    const double at = static_cast<double>(engine_->songFrame()) / session_->sampleRate();
    const audio::CallbackTimer::Summary t = session_->timer().summary();
    char timing[256];
    std::snprintf(timing, sizeof timing,
                  "callback mean %.1f us, median %.1f, p99 %.1f, p99.9 %.1f, max %.1f us (%llu callbacks of %.0f us)",
                  t.meanUs, t.p50Us, t.p99Us, t.p999Us, t.maxUs, static_cast<unsigned long long>(t.count),
                  1e6 * session_->blockFrames() / session_->sampleRate());
    return std::string(quitting() || !player.finished() ? "stopped" : "finished") + " in song " +
           std::to_string(player.currentSong() + args_.firstSong) + " at " + std::to_string(static_cast<int>(at)) +
           " s; underruns " + std::to_string(player.underruns()) + ", commands lost " +
           std::to_string(engine_->droppedCommands()) + ", device xruns " + std::to_string(session_->xruns()) +
           ", device reopened " + std::to_string(session_->reopenings()) + "x; " + timing;
}

} // namespace stemdeck::app
