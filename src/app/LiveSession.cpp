#include "stemdeck/app/LiveSession.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <iostream>
#include <map>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/StemFolder.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {
using Clock = std::chrono::steady_clock;
} // namespace

LiveSession::~LiveSession() {
    close();
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
    if (osc_ || web_) {
        // One gate for every remote: OSC and the web together stay inside the show's budgets.
        const int rate = session_->sampleRate();
        const remote::RemoteGate::FrameClock clock = [this, rate] { return session_->output().frameForNow(rate); };
        auto gate = std::make_shared<remote::RemoteGate>(show_->router(), clock);
        if (osc_) osc_->start(show_->router(), show_->state(), clock, gate);
        if (web_) web_->start(show_->router(), show_->state(), clock, gate);
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

void LiveSession::addFolder(std::string folder) {
    const std::lock_guard<std::mutex> lock(foldersMutex_);
    folders_.push_back(std::move(folder));
}

bool LiveSession::send(const control::ActionCall& call) {
    return guiIn_ && guiIn_->send(call);
}

void LiveSession::tick() {
    if (closed_) return;
    if (midi_) midi_->poll();
    if (osc_) osc_->poll();
    if (web_) web_->poll();
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
    show_->setMidiLost(session_->midiLost());
    show_->setLearning(midi_ && midi_->learning());
    {
        std::vector<std::string> folders;
        {
            const std::lock_guard<std::mutex> lock(foldersMutex_);
            folders.swap(folders_);
        }
        for (const std::string& f : folders)
            show_->player().addFolder(f);
    }
    show_->tick();
    if (link_) link_->tick(*linkIn_, *show_->state().latest());
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
    const control::SetPlayer& player = show_->player();
    st.at = player.showPoint();
    const auto source = [&](int i) { // (added tonight: absolute already)
        const auto k = static_cast<std::size_t>(i);
        return k < allSources_.size() ? allSources_[k] : player.songs()[k].source.string();
    };
    const auto song = static_cast<std::size_t>(st.at.song);
    if (song < player.songs().size()) st.songSource = source(st.at.song);
    st.order.emplace();
    for (const set::OrderEntry& e : player.order().entries())
        st.order->push_back({source(e.song), e.skipped, e.played});
    for (std::size_t i = player.setSongs(); i < player.songs().size(); ++i)
        st.added.push_back(source(static_cast<int>(i)));
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
    if (osc_) osc_->stop();
    if (web_) web_->stop();
    session_->close();
    if (link_) link_->flush(); // (the session hears the last stop)
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
           std::to_string(player.currentSong() + 1) + " at " + std::to_string(static_cast<int>(at)) + " s; underruns " +
           std::to_string(player.underruns()) + ", commands lost " + std::to_string(engine_->droppedCommands()) +
           ", device xruns " + std::to_string(session_->xruns()) + ", device reopened " +
           std::to_string(session_->reopenings()) + "x" +
           (ltcEncoder_ ? ", LTC frames not ready " + std::to_string(engine_->timecode().ltcMisses()) : "") +
           (link_ ? ", Link tempo set back " + std::to_string(engine_->link().reasserts()) + "x, phase put back " +
                        std::to_string(engine_->link().bridges()) + "x"
                  : "") +
           "; " +
           timing;
}

} // namespace stemdeck::app
