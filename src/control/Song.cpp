#include "stemdeck/control/Song.h"

#include "stemdeck/common/Db.h"

#include <algorithm>
#include <optional>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/stream/MemoryStemSource.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::control {

namespace {
// Stands in for a stem that could not be opened: silence, read complete, never underruns.
stream::MemoryStemSource& silentStem() {
    static stream::MemoryStemSource silent({}, {});
    return silent;
}
} // namespace

engine::SongView Song::view() const {
    engine::SongView v;
    v.stemCount = static_cast<int>(std::min<std::size_t>(sources.size(), engine::kMaxStems));
    for (int i = 0; i < v.stemCount; ++i)
        if (const auto& src = sources[static_cast<std::size_t>(i)])
            v.stems[static_cast<std::size_t>(i)] = src.get();
        else
            v.stems[static_cast<std::size_t>(i)] = &silentStem();
    v.lengthFrames = lengthFrames;
    v.timing = timing;
    v.speed = ownBpm > 0.0 ? timing.bpm / ownBpm : 1.0; // a stretched song's tempo over its own
    v.reference = reference.get();
    return v;
}

Song::~Song() {
    if (streamer) {
        for (const auto& s : sources)
            streamer->remove(s.get());
        if (reference) streamer->remove(reference.get());
    }
}

void Song::addCue(std::int64_t frame) {
    // Every stem's cue decoded side by side, watched, as at load: a stem whose file stopped
    // answering after its head keeps no cue (it is silent there anyway, and the disk thread says
    // why) and is not asked again; the control thread waits one timeout at most.
    std::vector<std::pair<stream::StreamedStem*, WatchedIo<stream::StreamedStem::Region>>> jobs;
    auto start = [&](const std::shared_ptr<stream::StreamedStem>& s) {
        if (!s || s->cueStalled()) return;
        if (const auto span = s->cueSpan(frame))
            jobs.emplace_back(s.get(), WatchedIo<stream::StreamedStem::Region>(
                                           [s, span] { return s->decodeCue(span->first, span->second); }));
    };
    for (const auto& s : sources)
        start(s);
    start(reference);
    for (auto& [stem, job] : jobs) {
        try {
            stem->holdRegion(job.get());
        } catch (const NoAnswer&) {
            stem->markCueStalled();
        }
    }
}

std::vector<std::string> Song::takeFaults() {
    std::vector<std::string> faults;
    std::string message;
    for (const auto& s : sources)
        while (s && s->takeFault(message))
            faults.push_back(message);
    while (reference && reference->takeFault(message)) // (a stem file's master too)
        faults.push_back(message);
    return faults;
}

std::optional<int> Song::findStem(std::string_view numberOrName) const {
    return findStemIndex(stemNames, numberOrName);
}

SongOptions optionsFor(const set::SetSong& plan, const SongOptions& base) {
    SongOptions o = base;
    if (plan.bpm) o.bpm = plan.bpm;
    if (plan.beatsPerBar) o.beatsPerBar = plan.beatsPerBar;
    if (!o.tempo) o.tempo = plan.tempo;
    if (!o.transpose) o.transpose = plan.transpose;
    return o;
}

namespace {
/// Stem states as written (start:, a scene) onto a state of every stem; a stem the song does not
/// have is named in a warning (`what`: "the start state", "scene 'Drop'").
void applyStates(const std::vector<set::StemStart>& states, const Song& song, const std::string& what,
                 engine::StemMixes& into, std::vector<std::string>& warnings) {
    for (const set::StemStart& st : states) {
        const auto stem = song.findStem(st.stem);
        if (!stem) {
            warnings.push_back("'" + song.title + "': no stem '" + st.stem + "' for " + what + " (set file line " +
                               std::to_string(st.line) + "); its stems are: " + joinNames(song.stemNames));
            continue;
        }
        engine::StemMix& m = into[static_cast<std::size_t>(*stem)];
        m.muted = m.muted || st.muted;
        m.soloed = m.soloed || st.soloed;
        if (st.gain) m.gain = *st.gain;
        if (st.filter) m.filter = *st.filter;
    }
}
} // namespace

std::vector<std::string> applySetSong(const set::SetSong& plan, Song& song, engine::SongView& view, int defaultCountIn,
                                      const GuideVoices* guides) {
    std::vector<std::string> warnings;
    if (plan.title) song.title = *plan.title;
    if (plan.beatUnit) song.timing.beatUnit = view.timing.beatUnit = *plan.beatUnit;
    view.countInBars = plan.countInBars.value_or(defaultCountIn);
    if (plan.gainDb || plan.trimDb) // (its own gain wins: a song with one is never given a trim)
        view.mainGain = static_cast<float>(fromDb(plan.gainDb ? *plan.gainDb : plan.trimDb.value_or(0.0)));
    song.cues = makeSongCues(plan.cues, song.timing, song.sampleRate);
    view.midiCues = song.cues->midi.cues.empty() ? nullptr : &song.cues->midi;
    warnings.insert(warnings.end(), song.cues->warnings.begin(), song.cues->warnings.end());
    if (guides != nullptr)
        for (std::string& w : applyGuides(*guides, plan, song, view))
            warnings.push_back(std::move(w));
    applyStates(plan.start, song, "the start state", view.start, warnings);
    view.scenesDefined = 0;
    for (const set::SceneDef& d : plan.scenes) {
        if (d.slot < 0 || d.slot >= engine::kMaxScenes) continue;
        engine::Scene scene; // what the scene does not name: unity, unmuted, unsoloed, filter off
        applyStates(d.stems, song, "scene '" + d.name + "'", scene.stems, warnings);
        view.scenes[static_cast<std::size_t>(d.slot)] = scene;
        view.scenesDefined |= 1u << d.slot;
    }
    return warnings;
}

std::vector<std::string> applyGuides(const GuideVoices& guides, const set::SetSong& plan, Song& song,
                                     engine::SongView& view) {
    song.guides = guides.track(plan, song.timing.beatsPerBar);
    view.guides = &song.guides->track;
    return song.guides->warnings;
}

namespace {
/// Each stem's header, once (nullopt: unreadable, kept silent on stage); the first readable one's
/// rate and name.
struct Probed {
    std::vector<std::optional<formats::AudioFileInfo>> infos;
    int firstRate = 0;
    std::string firstName;
    std::string stalled; ///< the first stem that did not answer (NoAnswer::problem()), if any
};

Probed probeStems(Song& song, const SongOptions& options) {
    Probed p;
    // Side by side, each watched: a stem on a mount that stopped answering is a broken stem, and
    // every stalled one together costs one ioTimeout(), not one each.
    std::vector<WatchedIo<formats::AudioFileInfo>> probes;
    for (const set::FolderStem& stem : song.folder.stems)
        probes.emplace_back([stem] {
            return stem.probed ? *stem.probed : formats::probeStem({stem.path, stem.track});
        });
    for (std::size_t i = 0; i < probes.size(); ++i) {
        try {
            const set::FolderStem& stem = song.folder.stems[i];
            p.infos.push_back(probes[i].get());
            if (p.firstRate == 0) {
                p.firstRate = p.infos.back()->sampleRate;
                p.firstName = stem.path.filename().string();
            }
        } catch (const NoAnswer& e) { // not broken, not there now: silent, in render too (play offline)
            p.infos.push_back(std::nullopt);
            if (p.stalled.empty()) p.stalled = e.problem();
            song.warnings.push_back(std::string(e.what()) + ". This stem stays silent; the other stems play");
        } catch (const Error& e) {
            if (!options.keepBrokenStems) throw;
            p.infos.push_back(std::nullopt);
            song.warnings.push_back(std::string(e.what()) + ". This stem stays silent; the other stems play");
        }
    }
    return p;
}

/// Every stem streamed at the song's rate (a broken one keeps its number and stays silent on stage).
void openStems(Song& song, const Probed& probed, const stream::StreamingSizes& sizes, const SongOptions& options) {
    const auto& infos = probed.infos;
    const int firstRate = probed.firstRate;
    const std::string& firstName = probed.firstName;
    // Opened (the head decoded) side by side, each watched, as the probes.
    std::vector<std::optional<WatchedIo<std::shared_ptr<stream::StreamedStem>>>> opens(song.folder.stems.size());
    for (std::size_t i = 0; i < song.folder.stems.size(); ++i)
        if (infos[i])
            // The probe's length goes along: no decoder opened for this stem counts it again.
            opens[i].emplace(
                [where = formats::StemLocation{song.folder.stems[i].path, song.folder.stems[i].track, infos[i]->frames},
                 rate = song.sampleRate, sizes, stretch = song.stretch,
                 at = options.headAt] { return stream::StreamedStem::open(where, rate, sizes, stretch, at); });
    for (std::size_t i = 0; i < song.folder.stems.size(); ++i) {
        const set::FolderStem& stem = song.folder.stems[i];
        std::shared_ptr<stream::StreamedStem> source;
        if (opens[i]) {
            try {
                source = opens[i]->get();
            } catch (const NoAnswer& e) {
                song.warnings.push_back(std::string(e.what()) + ". This stem stays silent; the other stems play");
            } catch (const Error& e) { // readable header, unplayable file (say, five channels)
                if (!options.keepBrokenStems) throw;
                song.warnings.push_back(std::string(e.what()) + ". This stem stays silent; the other stems play");
            }
        }
        if (!source) { // the show goes on: this stem keeps its number and stays silent
            song.stemNames.push_back(stem.name);
            song.sources.push_back(nullptr);
            continue;
        }
        const formats::AudioFileInfo& info = *infos[i];
        if (info.lossy && stem.track < 0) // a .stem.mp4 is AAC by design
            song.warnings.push_back(stem.path.string() + ": lossy " + info.subtype +
                                    " stem; it plays, but ask for WAV or FLAC for the show");
        if (info.sampleRate != firstRate)
            song.warnings.push_back(stem.path.string() + ": sample rate " + std::to_string(info.sampleRate) +
                                    " Hz, but " + firstName + " is " + std::to_string(firstRate) +
                                    " Hz; resampled to " + std::to_string(song.sampleRate) +
                                    " Hz. Stems of a song should share one rate: export them again at one rate");
        song.lengthFrames = std::max(song.lengthFrames, source->lengthFrames());
        song.stemNames.push_back(stem.name);
        song.sources.push_back(std::move(source));
    }
}
} // namespace

Song loadSong(const std::filesystem::path& dir, const SongOptions& options) {
    Song song;
    song.folder = watchedIo([dir] { return set::scanStemFolder(dir); });
    song.title = song.folder.info.title.value_or(dir.filename().string());
    // One rate for the song: the one asked for, else the first stem's. Stems at another rate are
    // resampled on the disk thread (libsoxr), all on the same grid, so they stay sample-aligned.
    // Each file's header once; a stem that cannot be read is refused here, or kept silent on stage.
    const Probed probed = probeStems(song, options);
    if (probed.firstRate == 0 && !probed.stalled.empty())
        throw Error(dir.string() + ": none of the stems answers (" + probed.stalled + "); " + noAnswerFix());
    if (probed.firstRate == 0)
        throw Error(dir.string() + ": none of the stems can be read; export them again as WAV, AIFF or FLAC");
    song.sampleRate = options.sampleRate.value_or(probed.firstRate);
    const set::ReadmeInfo& readme = song.folder.info;
    song.bpmKnown = options.bpm.has_value() || readme.bpm.has_value();
    song.ownBpm = options.bpm.value_or(readme.bpm.value_or(120.0));
    try {
        if (options.tempo) song.stretch.tempo = set::tempoRatio(*options.tempo, song.ownBpm, song.bpmKnown);
        if (options.transpose) {
            if (const std::string bad = set::transposeProblem(*options.transpose); !bad.empty()) throw Error(bad);
            song.stretch.semitones = *options.transpose;
        }
    } catch (const Error& e) {
        throw Error(dir.string() + ": " + e.what());
    }
    song.stretch.quality = options.stretchQuality;
    stream::StreamingSizes sizes;
    if (options.headSeconds > 0.0) sizes.headSeconds = options.headSeconds;
    sizes.retryAfterFault = !options.offline;
    openStems(song, probed, sizes, options);
    // The reference mix streams beside the stems, on the same timeline, for A/B. A reference that
    // cannot be read only costs the A/B: the song plays.
    if (song.folder.reference) {
        try {
            song.reference =
                watchedIo([where = formats::StemLocation{*song.folder.reference, song.folder.referenceTrack},
                           rate = song.sampleRate, sizes, stretch = song.stretch, at = options.headAt] {
                    return stream::StreamedStem::open(where, rate, sizes, stretch, at);
                });
        } catch (const Error& e) {
            song.warnings.push_back(std::string(e.what()) + ". A/B against the reference mix is off for this song");
        }
    }
    // A stretched song's stems are serviced by the stretch thread: Rubber Band's bursts (up to
    // about 190 ms for a chunk) must not hold up the plain songs' reads on the disk thread.
    if (song.stretch.unity())
        song.streamer = options.streamer ? options.streamer : std::make_shared<stream::DiskStreamer>();
    else
        song.streamer = options.stretchStreamer ? options.stretchStreamer
                                                : std::make_shared<stream::DiskStreamer>("stemdeck-tempo");
    for (const auto& s : song.sources)
        if (s) song.streamer->add(s);
    if (song.reference) song.streamer->add(song.reference);
    // Its lyrics: a file that does not read costs the words on screen, never the song.
    try {
        if (auto lyrics = watchedIo([dir]() -> std::optional<set::Lyrics> {
                const std::optional<std::filesystem::path> file = set::lyricsFileFor(dir);
                if (!file) return std::nullopt;
                return set::readLyrics(*file);
            }))
            song.lyrics = std::make_shared<const set::Lyrics>(std::move(*lyrics));
    } catch (const Error& e) {
        song.warnings.push_back(std::string(e.what()) + ". The song plays; its lyrics are not shown");
    }

    // The grid maps through the ratio exactly: output frame F is the song's own frame F · tempo,
    // so the song plays at its own BPM times the tempo, bar lines and all.
    song.timing.bpm = song.ownBpm * song.stretch.tempo;
    song.timing.beatsPerBar = options.beatsPerBar.value_or(readme.beatsPerBar.value_or(4));
    song.timing.beatUnit = readme.beatUnit.value_or(4);
    if (const std::string bad = set::tempoProblem(song.timing.bpm, song.timing.beatsPerBar, song.timing.beatUnit);
        !bad.empty())
        throw Error(dir.string() + ": " + bad);
    return song;
}

} // namespace stemdeck::control
