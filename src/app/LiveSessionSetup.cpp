// A live session set up: the set file (or the song folders) and the command line made into songs,
// device options, outputs and player options; then the device opened, the engine prepared and the
// show started (resumed from the journal where asked).
#include <cstdlib>
#include <map>

#include "stemdeck/app/LiveSession.h"
#include "stemdeck/app/Loudness.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/control/EventScript.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/StemFolder.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

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

engine::ClickMode parseClickMode(const std::string& s) {
    if (s == "off") return engine::ClickMode::off;
    if (s == "count-in") return engine::ClickMode::countIn;
    if (s == "always" || s == "on") return engine::ClickMode::always;
    throw Error("--click-mode '" + s + "': choose off, count-in or always");
}

LiveSession::LiveSession(const PlayArgs& args, bool keys, std::ostream& notes) : args_(args), keys_(keys) {
    PlayArgs& a = args_;
    if (a.sources.size() == 1 && set::isSetFileName(a.sources[0]))
        takeSetFile(notes);
    else
        takeFolders();
    if (songs_.empty()) throw Error("no songs to play; give stem folders or a set file");
    if (a.firstSong > static_cast<int>(songs_.size()))
        throw Error("--song " + std::to_string(a.firstSong) + ": the set has " + std::to_string(songs_.size()) +
                    " song" + (songs_.size() == 1 ? "" : "s"));

    planOutputs(notes);
    if (a.osc.any())
        osc_ = std::make_unique<OscSurface>(a.osc, log_); // (checks the options now)
    else
        (void)oscOptions(a.osc); // --osc-allow without --osc: said, not ignored
    if (a.web.any())
        web_ = std::make_unique<WebSurface>(a.web, log_);
    else
        (void)webOptions(a.web); // --web-open-band without --web: said
    // The journal's names for this show: the set file, else the song folders (absolute paths).
    for (const set::SetSong& song : songs_)
        allSources_.push_back(fs::absolute(song.source).lexically_normal().string());
    if (setFile_) {
        showId_ = fs::absolute(setFile_->file).lexically_normal().string();
    } else {
        for (const std::string& source : allSources_)
            showId_ += (showId_.empty() ? "" : "\n") + source;
    }
    if (!a.order.empty() && a.firstSong > 1)
        throw Error("--song and --order: tonight's order says where the show starts; give one of them");
    if (!a.order.empty()) // read now: a broken order file is said before the device is waited for
        orderFile_ = set::loadRunningOrder(a.order, songs_, setFile_ ? setFile_->file : fs::path());
    busLabels_.assign(engine::kMaxDirectBuses, {});
    for (std::size_t k = 0; k < busLabels_.size(); ++k)
        if (device_.channels.directFirst[k] >= 0) busLabels_[k] = busLabel(device_.channels.directFirst[k]);
}

void LiveSession::takeSetFile(std::ostream& notes) {
    PlayArgs& a = args_;
    setFile_ = set::loadSetFile(a.sources[0]);
    for (const std::string& w : set::loadStoredScenes(*setFile_))
        notes << "stemdeck: warning: " << w << "\n";
    takeLoudnessArg(a.loudness, *setFile_);
    if (!a.stemOuts.empty()) { // --stem-out wins over stem_outputs: (the trims' fingerprints see those stems)
        setFile_->audio.stemOuts.clear();
        for (const std::string& so : a.stemOuts)
            if (const auto eq = so.rfind('='); eq != std::string::npos)
                setFile_->audio.stemOuts.emplace_back(so.substr(0, eq), std::atoi(so.c_str() + eq + 1));
    }
    applyLoudness(*setFile_, notes); // (the accepted trims, said before the show)
    songs_ = setFile_->songs;
    takeSetMidiOut(a.midiOut, setFile_->midiOut, songs_);
    takeSetTimecode(a.timecode, setFile_->timecode, setFile_->audio.ltcOut);
    takeSetGuides(a.guides, *setFile_);
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
}

void LiveSession::takeFolders() {
    for (const std::string& s : args_.sources) {
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

void LiveSession::planOutputs(std::ostream& notes) {
    args_.midiOut.mtc = args_.timecode.mtc; // MTC goes out on the MIDI output
    const PlayArgs& a = args_;
    device_ = a.device;
    device_.midiOut = a.midiOut.enabled(); // (with MTC: it goes out on the MIDI output)
    device_.midiConnect = a.midiOut.connect;
    device_.channels.mainFirst = a.mainOut.value_or(1) - 1;
    device_.channels.clickFirst = a.clickOut ? *a.clickOut - 1 : -1;
    device_.channels.ltc = a.timecode.ltcOut ? *a.timecode.ltcOut - 1 : -1;
    device_.channels.guideFirst = a.guides.wanted() && a.guides.out ? *a.guides.out - 1 : -1;
    if (a.guides.wanted()) notes << "stemdeck: " << a.guides.describe(a.clickOut) << "\n";
    (void)a.timecode.options(); // (a bad combination said before the device is waited for)
    for (const std::string& w : timecodeWarnings(a.timecode, songs_))
        notes << "stemdeck: warning: timecode: " << w << "\n";
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
    if (setFile_) options_.setFile = setFile_->file;
    if (setFile_) options_.orderFile = set::runningOrderFile(setFile_->file);
    options_.setSongs = songs_.size();
    options_.startSong = args_.firstSong > 1 ? args_.firstSong - 1 : -1;
    added_.clear();
    const std::optional<control::ShowPoint> resume = findResumePoint(); // (and tonight's order, from it)
    if (!options_.order && orderFile_) {
        addSongs(orderFile_->added);
        options_.order = orderFile_->order;
        log_ << "tonight's order from " << args_.order << "\n";
    } else if (!options_.order && setFile_) {
        std::error_code ec;
        if (fs::exists(options_.orderFile, ec))
            log_ << "note: a running order from an earlier show is in " << options_.orderFile.string()
                 << "; this show plays the set's order (play --order that file to use it; it is written over "
                    "at the first change)\n";
    }
    if (!args_.events.empty()) { // its stems, scenes and markers: the first song's (where the show starts)
        int k = options_.startSong >= 0 ? options_.startSong : options_.order ? options_.order->after(-1) : 0;
        if (k < 0 || k >= static_cast<int>(songs_.size() + added_.size())) k = 0;
        const set::SetSong& song = static_cast<std::size_t>(k) < songs_.size()
                                       ? songs_[static_cast<std::size_t>(k)]
                                       : added_[static_cast<std::size_t>(k) - songs_.size()];
        const set::StemFolder first = set::scanStemFolder(song.source);
        std::vector<std::string> names;
        for (const auto& s : first.stems)
            names.push_back(s.name);
        control::ValueContext values;
        values.sceneNames = song.sceneNames();
        for (const set::Marker& m : song.markers)
            values.markerNames.push_back(m.name);
        values.songs = static_cast<int>(songs_.size() + added_.size());
        options_.script =
            control::loadEventScript(args_.events, {names, static_cast<double>(rate),
                                                    args_.bpm.has_value() || first.info.bpm.has_value(), values});
    }
    engine_ = std::make_unique<engine::Engine>();
    engine_->prepare(rate, engine::kMaxSegmentFrames); // any device block size, now or after a reopen
    engine_->setMidiOut(args_.midiOut.engineOn(), clockOptions(args_.midiOut));
    if (args_.guides.clickLevel) engine_->setClickLevel(static_cast<float>(fromDb(*args_.guides.clickLevel)));
    if (!guides_ || guides_->sampleRate() != rate) { // made once (again at another rate)
        std::vector<set::SetSong> all = songs_;
        all.insert(all.end(), added_.begin(), added_.end());
        guides_ = prepareGuides(args_.guides, all, rate, log_);
    }
    options_.guides = guides_;
    guidesReady_.store(guides_ != nullptr, std::memory_order_relaxed);
    startTimecode(rate);
    linkIn_.reset();
    link_.reset();
    if (args_.link.on) // (the first block says the first song's tempo)
        link_ = std::make_unique<control::LinkSession>(*engine_, args_.link.options(), 120.0, log_);
    oscCues_ = std::make_unique<OscCueSender>(log_);
    options_.oscCue = [this](const set::OscCue& cue) { oscCues_->send(cue); };
    control::ShowOptions showOptions;
    showOptions.setName = setFile_ ? setFile_->name : std::string();
    showOptions.midiOut = args_.midiOut.describe();
    showOptions.midiClock = clockOptions(args_.midiOut).on;
    if (!showOptions.midiOut.empty()) log_ << showOptions.midiOut << "\n";
    showOptions.timecode = args_.timecode.describe();
    if (!showOptions.timecode.empty()) log_ << showOptions.timecode << "\n";
    if (link_) {
        showOptions.link = control::LinkSession::describe(args_.link.options());
        log_ << showOptions.link << "\n";
    }
    control::ShowHooks hooks;
    hooks.learn = [this] { startLearn(); };
    hooks.shutdown = [this] {
        log_ << "shutdown: the show ends"
             << (args_.shutdownCommand.empty() ? " (--shutdown-command \"\": the machine stays on)"
                                               : "; then '" + args_.shutdownCommand + "' powers the machine off")
             << "\n";
    };
    std::vector<set::SetSong> catalogue = songs_; // (songs_ as the GUI's waiting screen reads it, unchanged)
    catalogue.insert(catalogue.end(), added_.begin(), added_.end());
    show_ =
        std::make_unique<control::Show>(*engine_, std::move(catalogue), options_, log_, showOptions, std::move(hooks));
    keysIn_ = show_->makeInput(control::Surface::keys);
    guiIn_ = show_->makeInput(control::Surface::gui);
    if (link_) linkIn_ = show_->makeInput(control::Surface::link);
    const std::string journalFile = args_.journal.value_or(defaultJournalPath().string());
    if (!journalFile.empty()) journal_ = std::make_unique<Journal>(journalFile);
    show_->start(resume, args_.resumePlay);
    if (args_.lock || (setFile_ && setFile_->lock)) setLocked(true);
    return true;
}

void LiveSession::startTimecode(int rate) {
    if (!args_.timecode.any()) return;
    const engine::TimecodeOptions o = args_.timecode.options();
    options_.timecode = o.rate;
    ltcEncoder_.reset(); // (before the frames it fills)
    ltcFrames_ = std::make_unique<engine::LtcFrames>();
    if (o.ltc) {
        ltcFrames_->prepare(control::LtcEncoder::maxSamples(rate, o.rate), engine::TimecodeOut::ltcSlots(o));
        ltcEncoder_ = std::make_unique<control::LtcEncoder>(*ltcFrames_, rate, o.rate);
        ltcEncoder_->start();
    }
    engine_->setTimecode(o, ltcFrames_.get());
}

std::optional<control::ShowPoint> LiveSession::findResumePoint() {
    const std::string journalFile = args_.journal.value_or(defaultJournalPath().string());
    if (!args_.resume) return std::nullopt;
    if (journalFile.empty()) {
        log_ << "resume: --journal \"\" keeps no journal: from the top\n";
        return std::nullopt;
    }
    const ResumeFind found = findResume(journalFile, showId_, allSources_);
    if (!found.state) {
        log_ << found.said << "\n";
        return std::nullopt;
    }
    const JournalEntry& j = *found.state;
    if (j.order) { // tonight's order as it was: the folders added tonight first (the song counts them)
        std::vector<fs::path> added(j.added.begin(), j.added.end());
        addSongs(added);
        std::vector<set::OrderEntry> entries;
        for (const JournalOrderLine& line : *j.order) {
            int index = -1;
            for (std::size_t i = 0; i < allSources_.size() + added_.size(); ++i) // (both absolute already)
                if ((i < allSources_.size() ? allSources_[i] : added_[i - allSources_.size()].source.string()) ==
                    line.source)
                    index = static_cast<int>(i);
            if (index < 0) {
                log_ << "resume: " << line.source << " of tonight's order is not in the set any more; left out\n";
                continue;
            }
            entries.push_back({index, line.skipped, line.played});
        }
        try {
            options_.order = set::RunningOrder::of(std::move(entries), static_cast<int>(songs_.size() + added_.size()));
            if (!args_.order.empty()) log_ << "resume: tonight's order from the journal (not --order's)\n";
        } catch (const Error& e) {
            log_ << "resume: tonight's order in the journal is unusable (" << e.what() << "): the set's order\n";
        }
    }
    resumed_ = true; // the player plays it (or waits, armed), not start()
    return j.at;
}

void LiveSession::addSongs(const std::vector<fs::path>& folders) {
    for (const fs::path& f : folders) {
        set::SetSong song;
        song.source = fs::absolute(f).lexically_normal();
        added_.push_back(song);
    }
}

std::string LiveSession::routingDescription() const {
    std::string out = "main " + busLabel(device_.channels.mainFirst);
    if (device_.channels.clickFirst >= 0) out += ", click " + busLabel(device_.channels.clickFirst);
    return out;
}

} // namespace stemdeck::app
