#include "stemdeck/control/GuideVoices.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <sstream>

#include <unistd.h>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/StemReader.h"
#include "stemdeck/set/StemFolder.h"

namespace fs = std::filesystem;

namespace stemdeck::control {

namespace {

std::string folded(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// ---- eSpeak NG: one process-wide synthesiser (its API keeps global state), used under a lock.

std::mutex& espeakLock() {
    static std::mutex m;
    return m;
}
std::vector<short>* espeakSink = nullptr; // the synthesis under way (under espeakLock)

int collect(short* wav, int samples, espeak_EVENT* /*events*/) {
    if (wav != nullptr && samples > 0 && espeakSink != nullptr)
        espeakSink->insert(espeakSink->end(), wav, wav + samples);
    return 0; // go on
}

/// The synthesiser's rate once it is up (0: it could not start). Up once for the process: it
/// cannot be taken down and up again (espeak_Terminate then espeak_Initialize hangs), and what it
/// says depends a little on what it said before (its noise source runs on), so a set's texts are
/// said in the set's order and kept in the cache: every run after the first says the same audio.
int espeakRate() {
    static const int rate = [] {
        const int r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (r > 0) espeak_SetSynthCallback(collect);
        return r;
    }();
    return rate;
}

std::string espeakVersion() {
    const char* path = nullptr;
    const char* v = espeak_Info(&path);
    return v != nullptr ? v : "";
}

/// `text` in `voice`, 16-bit at the synthesiser's rate.
std::vector<short> synthesise(const std::string& text, const std::string& voice, int& rate) {
    const std::lock_guard lock(espeakLock());
    rate = espeakRate();
    if (rate <= 0)
        throw Error("the spoken guide: eSpeak NG could not start (is its data installed? apt-get install "
                    "espeak-ng-data), and '" +
                    text + "' has no recording");
    if (espeak_SetVoiceByName(voice.c_str()) != EE_OK)
        throw Error("the spoken guide: '" + voice +
                    "' is not an eSpeak NG voice; give another (guides: { voice: en-us }; 'espeak-ng --voices' "
                    "lists them)");
    std::vector<short> pcm;
    espeakSink = &pcm;
    // As a sentence (espeakENDPAUSE: its falling close, as espeak-ng's command line says it).
    const espeak_ERROR e = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                        espeakCHARS_UTF8 | espeakENDPAUSE, nullptr, nullptr);
    espeak_Synchronize();
    espeakSink = nullptr;
    if (e != EE_OK || pcm.empty()) throw Error("the spoken guide: eSpeak NG could not say '" + text + "'");
    return pcm;
}

/// A file's audio as mono at `rate` (any format stemdeck plays, resampled).
std::vector<float> readMono(const fs::path& file, int rate) {
    formats::StemReader reader(formats::StemLocation{file}, rate);
    std::vector<float> mono;
    std::vector<float> l(4096), r(4096);
    for (;;) {
        const int got = reader.read(l.data(), r.data(), 4096);
        for (int i = 0; i < got; ++i)
            mono.push_back(reader.channels() == 1
                               ? l[static_cast<std::size_t>(i)]
                               : 0.5f * (l[static_cast<std::size_t>(i)] + r[static_cast<std::size_t>(i)]));
        if (got < 4096) break;
        if (mono.size() > static_cast<std::size_t>(rate) * 30)
            throw Error(file.string() + ": a spoken cue longer than 30 s; give a short recording (a word or a phrase)");
    }
    return mono;
}

/// Leading and trailing silence off (below 1 % of the peak: the word's onset is its first
/// sample), and its peak at `peak`.
std::vector<float> shape(std::vector<float> s, float peak, const std::string& what) {
    float top = 0.0f;
    for (const float v : s)
        top = std::max(top, std::fabs(v));
    if (top <= 1e-6f) throw Error(what + ": is silent; record the cue again");
    const float floor = 0.01f * top;
    const auto first = std::find_if(s.begin(), s.end(), [&](float v) { return std::fabs(v) >= floor; });
    const auto last = std::find_if(s.rbegin(), s.rend(), [&](float v) { return std::fabs(v) >= floor; }).base();
    std::vector<float> out(first, last);
    const float gain = peak / top;
    for (float& v : out)
        v *= gain;
    return out;
}

/// A recorded cue for `text` in `folder` (guides/Chorus.wav): an audio file of the folder, as
/// stemdeck lists one, named as the text is written, any case.
std::optional<fs::path> recordingIn(const fs::path& folder, const std::string& text) {
    std::error_code ec;
    if (folder.empty() || !fs::is_directory(folder, ec)) return std::nullopt;
    for (const fs::path& file : set::listFolder(folder).audio)
        if (equalsIgnoreCase(file.stem().string(), text)) return file;
    return std::nullopt;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace

const std::vector<std::string>& GuideVoices::countWords() {
    static const std::vector<std::string> words = {"one",      "two",      "three",   "four",   "five",   "six",
                                                   "seven",    "eight",    "nine",    "ten",    "eleven", "twelve",
                                                   "thirteen", "fourteen", "fifteen", "sixteen"};
    return words;
}

std::vector<std::string> GuideVoices::textsOf(const set::SetSong& song, const GuideOptions& options) {
    std::vector<std::string> texts;
    if (options.markers)
        for (const set::Marker& m : song.markers)
            if (!m.silent) texts.push_back(m.cue.value_or(m.name));
    for (const set::GuideLine& g : song.guides)
        texts.push_back(g.say);
    return texts;
}

fs::path GuideVoices::cacheFile(const fs::path& cache, const std::string& text, const std::string& voice) {
    std::string name;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0)
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!name.empty() && name.back() != '-')
            name += '-';
        if (name.size() >= 32) break;
    }
    char hash[20];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(fnv1a(text + '|' + voice + '|' + espeakVersion() + "|sentence")));
    return cache / (name + "." + voice + "." + hash + ".wav");
}

const GuideVoices::Clip* GuideVoices::find(const std::string& text, const fs::path& songFolder) const {
    if (const auto it = clips_.find({songFolder.string(), folded(text)}); it != clips_.end()) return &it->second;
    if (const auto it = clips_.find({"", folded(text)}); it != clips_.end()) return &it->second;
    return nullptr;
}

const GuideVoices::Clip& GuideVoices::load(const std::string& text, const fs::path& songFolder) {
    const float peak = options_.peak;
    const std::string key = folded(text);
    // A song's own recording wins, then the set's folder of recordings, then the voice.
    if (const auto it = clips_.find({songFolder.string(), key}); it != clips_.end()) return it->second;
    if (const auto file = recordingIn(songFolder / "guides", text)) {
        ++counts_.recorded;
        return clips_[{songFolder.string(), key}] = {shape(readMono(*file, sampleRate_), peak, file->string())};
    }
    if (const auto it = clips_.find({"", key}); it != clips_.end()) return it->second;
    if (const auto file = recordingIn(options_.folder, text)) {
        ++counts_.recorded;
        return clips_[{"", key}] = {shape(readMono(*file, sampleRate_), peak, file->string())};
    }
    std::error_code ec;
    const fs::path cached = options_.cache.empty() ? fs::path() : cacheFile(options_.cache, text, options_.voice);
    if (!cached.empty() && fs::is_regular_file(cached, ec)) {
        try {
            Clip clip{shape(readMono(cached, sampleRate_), peak, cached.string())};
            ++counts_.cached;
            return clips_[{"", key}] = std::move(clip);
        } catch (const Error&) { // (a damaged cache file: said again, and written over)
        }
    }
    int rate = 0;
    const std::vector<short> pcm = synthesise(text, options_.voice, rate);
    ++counts_.synthesised;
    std::vector<float> voice(pcm.size());
    std::transform(pcm.begin(), pcm.end(), voice.begin(), [](short v) { return static_cast<float>(v) / 32768.0f; });
    fs::path source;
    if (!cached.empty()) { // kept for the next run (atomically: WavWriter renames it into place)
        fs::create_directories(options_.cache, ec);
        try {
            formats::writeWav(cached, rate, voice, nullptr, formats::SampleFormat::pcm16);
            source = cached;
        } catch (const Error&) {
            source.clear(); // (a read-only place: synthesised again next run, said by describe())
        }
    }
    // At the device's rate: read back through the same resampler a recording takes.
    if (source.empty()) {
        static int made = 0; // (a name no other run or process uses at the same time)
        const fs::path temp = fs::temp_directory_path() /
                              ("stemdeck-guide-" + std::to_string(::getpid()) + "-" + std::to_string(++made) + ".wav");
        formats::writeWav(temp, rate, voice, nullptr, formats::SampleFormat::float32);
        std::vector<float> mono = readMono(temp, sampleRate_);
        fs::remove(temp, ec);
        return clips_[{"", key}] = {shape(std::move(mono), peak, "'" + text + "'")};
    }
    return clips_[{"", key}] = {shape(readMono(source, sampleRate_), peak, source.string())};
}

std::shared_ptr<const GuideVoices> GuideVoices::prepare(const std::vector<set::SetSong>& songs,
                                                        const GuideOptions& options, int sampleRate) {
    auto voices = std::make_shared<GuideVoices>(options, sampleRate);
    auto load = [&](const std::string& text, const fs::path& folder) {
        try {
            voices->load(text, folder);
        } catch (const Error& e) { // (that cue is left out; the others are said)
            const std::string why = std::string(e.what()) + "; it is not said";
            if (std::find(voices->warnings_.begin(), voices->warnings_.end(), why) == voices->warnings_.end())
                voices->warnings_.push_back(why);
        }
    };
    for (const set::SetSong& song : songs) {
        if (!song.error.empty()) continue;
        for (const std::string& text : textsOf(song, options))
            load(text, song.source);
        if (!options.countIn) continue;
        // As many words as its bars have beats (the set file's time signature, else its readme's,
        // found as the song's load finds it).
        int beats = song.beatsPerBar.value_or(0);
        if (beats == 0) {
            try {
                beats = set::scanStemFolder(song.source).info.beatsPerBar.value_or(4);
            } catch (const Error&) { // (the song's load says what is wrong with it)
            }
        }
        beats = std::clamp(beats == 0 ? 4 : beats, 1, static_cast<int>(countWords().size()));
        for (int k = 0; k < beats; ++k)
            load(countWords()[static_cast<std::size_t>(k)], song.source); // (a song's own recorded count wins)
    }
    return voices;
}

std::shared_ptr<const SongGuides> GuideVoices::track(const set::SetSong& song, int beatsPerBar) const {
    auto guides = std::make_shared<SongGuides>();
    guides->voices = shared_from_this();
    engine::GuideTrack& t = guides->track;
    auto clipFor = [&](const std::string& text) {
        const Clip* c = find(text, song.source);
        if (c == nullptr) return -1; // (not prepared: a song added after prepare())
        t.clips.push_back({c->samples.data(), static_cast<int>(c->samples.size())});
        return static_cast<int>(t.clips.size()) - 1;
    };
    auto add = [&](std::int64_t beat, const std::string& text) {
        const auto at = std::lower_bound(t.cues.begin(), t.cues.end(), beat,
                                         [](const engine::GuideCue& c, std::int64_t b) { return c.beat < b; });
        if (at != t.cues.end() && at->beat == beat) return; // (one a beat line: a song's own cue wins, added first)
        if (const int clip = clipFor(text); clip >= 0) t.cues.insert(at, {beat, clip});
    };
    for (const set::GuideLine& g : song.guides) {
        if (g.beat > beatsPerBar) {
            guides->warnings.push_back("spoken cue '" + g.say + "' (line " + std::to_string(g.line) + ") is on beat " +
                                       std::to_string(g.beat) + " of a bar of " + std::to_string(beatsPerBar) +
                                       " beats: left out");
            continue;
        }
        add(static_cast<std::int64_t>(g.bar - 1) * beatsPerBar + (g.beat - 1), g.say);
    }
    if (options_.markers)
        for (const set::Marker& m : song.markers)
            if (!m.silent) add(static_cast<std::int64_t>(m.bar - 1) * beatsPerBar, m.cue.value_or(m.name));
    if (options_.countIn)
        for (std::size_t k = 0; k < countWords().size() && k < t.counts.size(); ++k)
            t.counts[k] = clipFor(countWords()[k]);
    return guides;
}

std::string GuideVoices::describe() const {
    std::ostringstream out;
    const int total = counts_.recorded + counts_.cached + counts_.synthesised;
    out << total << " spoken cues: " << counts_.recorded << " recorded, " << counts_.cached << " from the cache, "
        << counts_.synthesised << " synthesised (eSpeak NG, voice " << options_.voice << ")";
    if (!options_.cache.empty())
        out << "; the cache: " << options_.cache.string();
    else
        out << "; no cache (synthesised again each run)";
    return out.str();
}

} // namespace stemdeck::control
