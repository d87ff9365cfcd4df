#include "stemdeck/set/Check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>

#include "stemdeck/Db.h"
#include "stemdeck/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/formats/NiStemFile.h"
#include "stemdeck/formats/StemReader.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/set/StemFolder.h"
#include "stemdeck/Text.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

constexpr float kHeadroomPeak = 0.70794578f; // −3 dBFS
constexpr float kClipPeak = 0.99999f;        // 0 dBFS (a float file may go past it)

std::string dbfs(float linear) {
    return formatDb(linear, " dBFS");
}

std::string seconds(std::int64_t frames, int rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", rate > 0 ? static_cast<double>(frames) / rate : 0.0);
    return buf;
}

/// A whole-file scan (formats::scanStem), with the bytes of every file scanned so far (`done` of
/// `total`) reported as progress.
std::optional<formats::FileScan> scanFile(const fs::path& file, std::uint64_t& done, std::uint64_t total,
                                          const CheckProgress& progress) {
    std::error_code ec;
    const std::uint64_t bytes = fs::file_size(file, ec);
    const std::uint64_t start = done;
    formats::ScanOptions options;
    options.progress = [&](double fraction) {
        if (!progress) return;
        done = start + static_cast<std::uint64_t>(static_cast<double>(bytes) * fraction);
        progress(file, done, total);
    };
    std::optional<formats::FileScan> scan = formats::scanStem(file, options);
    if (scan && !ec) done = start + bytes;
    return scan;
}

/// "4:21.7"
std::string clock(std::int64_t frames, int rate) {
    return clockText(static_cast<double>(frames) / std::max(1, rate));
}

FileReport probe(const fs::path& path, const std::string& name) {
    FileReport r;
    r.path = path;
    r.name = name;
    try {
        const formats::AudioFileInfo info = formats::probeAudioFile(path);
        r.readable = true;
        r.sampleRate = info.sampleRate;
        r.channels = info.channels;
        r.bitDepth = info.bitDepth;
        r.format = info.format + " " + info.subtype;
        r.lossy = info.lossy;
        r.frames = info.frames;
    } catch (const Error& e) {
        r.readable = false;
        // The reason without the path (the finding names the file).
        const std::string what = e.what(), prefix = path.string() + ": ";
        r.problem = what.starts_with(prefix) ? what.substr(prefix.size()) : what;
    }
    return r;
}

void add(SongReport& s, Severity sev, const fs::path& file, std::string what, std::string fix) {
    s.findings.push_back({sev, file.string(), std::move(what), std::move(fix)});
}

/// The rules every stem meets, a file of its own or a track of a stem file: lossy or low-resolution
/// coding, clipping, too little headroom. `prefix` names a track ("Bass: ") in a stem file.
void qualityFindings(SongReport& s, const FileReport& r, const std::string& prefix) {
    if (r.lossy && !r.format.starts_with("MP4 AAC")) // AAC is what NI stem files are made of: not worth a line each
        add(s, Severity::warning, r.path, prefix + "lossy (" + r.format + ")",
            "ask for WAV or FLAC, 24-bit, for the show");
    else if (r.bitDepth > 0 && r.bitDepth <= 16)
        add(s, Severity::warning, r.path,
            prefix + std::to_string(r.bitDepth) + "-bit (" + r.format + "): low resolution for a show",
            "ask for 24-bit or 32-bit float stems");
    if (r.peak && *r.peak >= kClipPeak)
        add(s, Severity::warning, r.path, prefix + "clips: peak " + dbfs(*r.peak) + " (0 dBFS reached)",
            "ask for a bounce without master limiting and with 3-6 dB of headroom");
    else if (r.peak && *r.peak > kHeadroomPeak)
        add(s, Severity::warning, r.path, prefix + "peak " + dbfs(*r.peak) + ": less than 3 dB of headroom",
            "ask for stems peaking at -3 dBFS or lower");
}

/// A .stem.mp4: its tracks, their peaks, and whether the stems sum to the master.
/// A stem file's tracks decoded side by side: each one's peak and real length, and how far the
/// stems' sum is from the master. False when a track cannot be opened (said in `s`).
bool scanTracks(SongReport& s, const fs::path& file, const formats::NiStemFileInfo& info, std::uint64_t& done,
                std::uint64_t total, const CheckProgress& progress) {
    // Decode every track side by side: peaks, and the stems' sum against the master.
    std::vector<std::unique_ptr<formats::StemReader>> readers;
    try {
        for (int t = 0; t <= static_cast<int>(info.stems.size()); ++t) {
            readers.push_back(std::make_unique<formats::StemReader>(formats::StemLocation{file, t}, 0));
            readers.back()->start(0);
        }
    } catch (const Error& e) {
        add(s, Severity::error, file, e.what(), "export the stem file again");
        return false;
    }
    constexpr int kBlock = 16384;
    std::vector<float> l(kBlock), r(kBlock), sumL(kBlock), sumR(kBlock), masterL(kBlock), masterR(kBlock);
    std::vector<float> peaks(readers.size(), 0.0f);
    std::vector<std::int64_t> decoded(readers.size(), 0);
    double residual = 0.0, masterEnergy = 0.0;
    const std::uint64_t bytes = fs::file_size(file);
    const std::uint64_t start = done;
    std::int64_t pos = 0;
    const std::int64_t length = std::max<std::int64_t>(1, info.master.frames);
    for (;;) {
        std::fill(sumL.begin(), sumL.end(), 0.0f);
        std::fill(sumR.begin(), sumR.end(), 0.0f);
        int most = 0;
        for (std::size_t t = 0; t < readers.size(); ++t) {
            // The master (track 0) is read straight into its own buffers, the stems are summed.
            float* left = t == 0 ? masterL.data() : l.data();
            float* right = t == 0 ? masterR.data() : r.data();
            const int got = readers[t]->read(left, right, kBlock);
            decoded[t] += got;
            most = std::max(most, got);
            for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i)
                peaks[t] = std::max({peaks[t], std::fabs(left[i]), std::fabs(right[i])});
            if (t == 0) {
                std::fill(masterL.begin() + got, masterL.end(), 0.0f);
                std::fill(masterR.begin() + got, masterR.end(), 0.0f);
                continue;
            }
            for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
                sumL[i] += l[i];
                sumR[i] += r[i];
            }
        }
        if (most == 0) break;
        for (std::size_t i = 0; i < static_cast<std::size_t>(most); ++i) {
            const double dl = sumL[i] - masterL[i], dr = sumR[i] - masterR[i];
            residual += dl * dl + dr * dr;
            masterEnergy += static_cast<double>(masterL[i]) * masterL[i] + static_cast<double>(masterR[i]) * masterR[i];
        }
        pos += most;
        if (progress) {
            done = start +
                   static_cast<std::uint64_t>(static_cast<double>(bytes) *
                                              std::min(1.0, static_cast<double>(pos) / static_cast<double>(length)));
            progress(file, done, total);
        }
    }
    done = start + bytes;
    s.reference->peak = peaks[0];
    for (std::size_t k = 0; k < s.stems.size(); ++k)
        s.stems[k].peak = peaks[k + 1];
    // The length is what decodes, as for a folder's files: a copy cut short keeps its track table
    // (the lengths it declares) but not the audio. (AAC may end a frame early: not a cut.)
    constexpr std::int64_t kCodecSlack = 2048;
    for (std::size_t t = 0; t < readers.size(); ++t) {
        FileReport& track = t == 0 ? *s.reference : s.stems[t - 1];
        const std::string name =
            (t == 0 ? std::string("the master") : track.name) + " (track " + std::to_string(t) + ")";
        if (decoded[t] == 0) {
            add(s, Severity::error, file, name + " holds no audio", "copy or export the stem file again");
            track.frames = 0;
        } else if (decoded[t] + kCodecSlack < track.frames) {
            add(s, Severity::error, file,
                name + " declares " + clock(track.frames, track.sampleRate) + ", holds " +
                    clock(decoded[t], track.sampleRate) + ": the file is cut off",
                "copy or export it again; on stage it plays what there is, then silence");
            track.frames = decoded[t];
        }
    }
    s.stemSumResidualDb = residual <= 0.0       ? -std::numeric_limits<double>::infinity()
                          : masterEnergy <= 0.0 ? 0.0
                                                : 10.0 * std::log10(residual / masterEnergy);
    return true;
}

/// A stem file's facts (the set file's, else the readme's) and rules: BPM, NI metadata, the
/// tracks against the master, their quality.
void stemFileRules(SongReport& s, const fs::path& file, const formats::NiStemFileInfo& info,
                   const std::optional<fs::path>& readme, const SetSong* plan) {
    // The song's facts: the set file's, else the folder's readme.
    ReadmeInfo readmeInfo;
    if (readme) {
        try {
            readmeInfo = readReadme(*readme);
        } catch (const Error& e) {
            add(s, Severity::warning, *readme, e.what(), "make it readable");
        }
    }
    s.bpm = plan != nullptr && plan->bpm ? plan->bpm : readmeInfo.bpm;
    s.key = plan != nullptr && plan->key ? plan->key : readmeInfo.key;
    if (plan != nullptr && plan->title) s.title = *plan->title;
    if (!s.bpm)
        add(s, Severity::warning, file,
            "no BPM known (a stem file does not carry one); bars, the click and quantised "
            "actions assume 120 BPM",
            "give bpm: for this song in the set file (or a readme.txt with 'BPM: 124' beside the file)");
    if (!info.niMetadata)
        add(s, Severity::warning, file, "no NI stem metadata: the stems are named from their track titles",
            "fine to play; the stem creator (or Traktor) writes names and colours");
    else if (!info.metadataProblem.empty())
        add(s, Severity::warning, file,
            "its NI stem metadata (moov/udta/stem) is unreadable: " + info.metadataProblem +
                "; the stems it cannot name are named from their track titles",
            "fine to play; save the file again from the stem creator (or Traktor) to restore names and colours");
    const FileReport& master = *s.reference;
    for (const FileReport& st : s.stems) {
        if (st.sampleRate != master.sampleRate)
            add(s, Severity::warning, file,
                st.name + " is " + std::to_string(st.sampleRate) + " Hz, the master " +
                    std::to_string(master.sampleRate) + " Hz (it will be resampled)",
                "export the stem file again at one rate");
        else if (st.frames != master.frames)
            add(s, Severity::warning, file,
                st.name + " is " + std::to_string(st.frames) + " frames, the master " + std::to_string(master.frames) +
                    " (" + seconds(std::llabs(st.frames - master.frames), master.sampleRate) + " apart)",
                "export the stem file again so every track covers the same range");
        qualityFindings(s, st, st.name + ": ");
    }
    char db[64];
    std::snprintf(db, sizeof db, "%.1f dB", *s.stemSumResidualDb);
    if (*s.stemSumResidualDb > kStemSumToleranceDb)
        add(s, Severity::warning, file,
            std::string("the stems do not sum to the master: their difference is only ") + db + " below it (within " +
                std::to_string(static_cast<int>(-kStemSumToleranceDb)) +
                " dB is a match); the master has its own processing (NI's mastering limiter) or a stem is missing or "
                "shifted",
            "fine to play: the stems play as they are, and A/B compares against the processed master");
}

SongReport checkStemFile(const fs::path& file, const std::optional<fs::path>& readme, const SetSong* plan,
                         std::uint64_t& done, std::uint64_t total, const CheckProgress& progress) {
    SongReport s;
    s.source = file;
    s.title = file.filename().string();
    s.title.resize(s.title.size() - std::string_view(".stem.mp4").size());
    formats::NiStemFileInfo info;
    try {
        info = formats::probeNiStemFile(file);
    } catch (const Error& e) {
        add(s, Severity::error, file, e.what(),
            "export it again from the stem creator (a master and 2-4 stereo stem tracks)");
        return s;
    }
    auto report = [&](const formats::StemTrackInfo& t) {
        FileReport r;
        r.path = file;
        r.name = t.track == 0 ? "master (reference)" : t.name;
        const formats::AudioFileInfo a = formats::trackAudioInfo(t);
        r.readable = true;
        r.sampleRate = a.sampleRate;
        r.channels = a.channels;
        r.format = a.format + " " + a.subtype + " (track " + std::to_string(t.track) + ")";
        r.bitDepth = a.bitDepth;
        r.lossy = a.lossy;
        r.frames = a.frames;
        return r;
    };
    for (const auto& t : info.stems)
        s.stems.push_back(report(t));
    s.reference = report(info.master);

    if (!scanTracks(s, file, info, done, total, progress)) return s;
    stemFileRules(s, file, info, readme, plan);
    return s;
}

/// What the readme and the set file's entry say of the song (title, BPM, key), and the tempo rule
/// render and play apply (Song.cpp).
ReadmeInfo songFacts(SongReport& s, const fs::path& dir, const std::optional<fs::path>& readme, const SetSong* plan) {
    ReadmeInfo info;
    if (readme) {
        try {
            info = readReadme(*readme);
        } catch (const Error& e) {
            add(s, Severity::warning, *readme, e.what(), "make it readable");
        }
    } else {
        add(s, Severity::warning, dir, "no readme (readme.txt) with BPM and key",
            "add a readme.txt with at least 'BPM: 120' and 'Key: A minor'");
    }
    if (info.title) s.title = *info.title;
    s.bpm = info.bpm;
    s.key = info.key;
    if (plan != nullptr) {
        if (plan->title) s.title = *plan->title;
        if (plan->bpm) s.bpm = plan->bpm;
        if (plan->key) s.key = plan->key;
    }
    if (readme && !s.bpm)
        add(s, Severity::warning, *readme, "no BPM in the readme; bars, the click and quantised actions assume 120 BPM",
            "add a line 'BPM: 120' (or give bpm: in the set file)");
    { // the tempo rule render and play apply (Song.cpp)
        const int beats = plan != nullptr && plan->beatsPerBar ? *plan->beatsPerBar : info.beatsPerBar.value_or(4);
        const int unit = plan != nullptr && plan->beatUnit ? *plan->beatUnit : info.beatUnit.value_or(4);
        if (const std::string bad = tempoProblem(s.bpm.value_or(120.0), beats, unit); !bad.empty()) {
            const std::string::size_type cut = bad.find("; ");
            add(s, Severity::error, readme ? *readme : dir, bad.substr(0, cut),
                cut == std::string::npos ? "" : bad.substr(cut + 2));
        }
    }
    if (plan != nullptr && plan->tempo) { // a target BPM the song's own cannot reach (as play and render refuse it)
        try {
            (void)tempoRatio(*plan->tempo, s.bpm.value_or(120.0), s.bpm.has_value());
        } catch (const Error& e) {
            const std::string text = e.what();
            const std::string::size_type cut = text.find("; ");
            add(s, Severity::error, dir, text.substr(0, cut), cut == std::string::npos ? "" : text.substr(cut + 2));
        }
    }
    return info;
}

/// Every stem probed and decoded whole (the length is what decodes), and the reference mix.
void scanStems(SongReport& s, const std::vector<fs::path>& audio, const std::optional<fs::path>& reference,
               std::uint64_t& done, std::uint64_t total, const CheckProgress& progress) {
    for (const fs::path& p : audio) {
        FileReport r = probe(p, stemNameFromFile(p));
        if (r.readable && (r.channels < 1 || r.channels > 2)) { // the same rule as the stem reader's
            r.readable = false;
            r.problem = std::to_string(r.channels) + " channels; a stem must be mono or stereo";
        }
        if (!r.readable) {
            add(s, Severity::error, p, r.problem.empty() ? "cannot be read as audio" : r.problem,
                "export it again (mono or stereo WAV, AIFF or FLAC); on stage this stem keeps its number, stays "
                "silent and the others play");
        } else if (const std::optional<formats::FileScan> scan = scanFile(p, done, total, progress)) {
            // The length is what decodes: check reads every sample, so it is the authority.
            r.peak = scan->peak;
            if (scan->errorAt >= 0 && scan->frames < r.frames)
                add(s, Severity::error, p,
                    "cannot be decoded past " + clock(scan->errorAt, r.sampleRate) + " (" + scan->error + ")",
                    "export it again; on stage it plays up to there, then silence");
            else if (scan->frames < r.frames)
                add(s, Severity::error, p,
                    "declares " + clock(r.frames, r.sampleRate) + ", holds " + clock(scan->frames, r.sampleRate) +
                        ": the file is cut off",
                    "copy or export it again; on stage it plays what there is, then silence");
            r.frames = scan->frames;
            if (scan->frames == 0) {
                r.readable = false;
                add(s, Severity::error, p, "holds no audio", "export the stem again");
            }
        }
        s.stems.push_back(std::move(r));
    }
    if (reference) {
        s.reference = probe(*reference, "reference mix");
        if (s.reference->readable)
            if (const std::optional<formats::FileScan> scan = scanFile(*reference, done, total, progress)) {
                s.reference->peak = scan->peak;
                s.reference->frames = scan->frames;
            }
    }
}

/// The stems against each other (rates, bit depths, lengths, quality), the reference mix and the
/// readme's sample rate.
void compareStems(SongReport& s, const ReadmeInfo& info, const std::optional<fs::path>& readme) {
    // Compare the stems with each other: the first readable one sets the expectation.
    const FileReport* first = nullptr;
    std::int64_t longest = 0;
    for (const FileReport& r : s.stems) {
        if (!r.readable) continue;
        if (first == nullptr) first = &r;
        if (r.sampleRate == first->sampleRate) longest = std::max(longest, r.frames);
    }
    if (first == nullptr) return;
    const int rate = first->sampleRate;
    for (const FileReport& r : s.stems) {
        if (!r.readable) continue;
        if (r.sampleRate != first->sampleRate)
            add(s, Severity::warning, r.path,
                "sample rate " + std::to_string(r.sampleRate) + " Hz, but " + first->path.filename().string() + " is " +
                    std::to_string(first->sampleRate) + " Hz (it will be resampled)",
                "export every stem of the song at one rate");
        // (a 16-bit stem gets its own warning below)
        if (r.bitDepth != first->bitDepth && !r.lossy && !first->lossy && r.bitDepth > 16 && first->bitDepth > 16)
            add(s, Severity::warning, r.path,
                std::to_string(r.bitDepth) + "-bit, but " + first->path.filename().string() + " is " +
                    std::to_string(first->bitDepth) + "-bit",
                "export every stem at one bit depth (24-bit or 32-bit float)");
        // Lengths in frames, compared at the first stem's rate.
        const auto frames =
            static_cast<std::int64_t>(std::llround(static_cast<double>(r.frames) * rate / std::max(1, r.sampleRate)));
        const auto longestHere = static_cast<std::int64_t>(longest);
        if (r.sampleRate == first->sampleRate && frames < longestHere)
            add(s, Severity::warning, r.path,
                "shorter than the longest stem by " + std::to_string(longestHere - frames) + " frames (" +
                    seconds(longestHere - frames, rate) + ")",
                "stems should all end at the same time, tails included: export them again over the same range");
        qualityFindings(s, r, "");
    }
    if (s.reference && !s.reference->readable)
        add(s, Severity::warning, s.reference->path, "the reference mix cannot be read", "export it again as WAV");
    else if (s.reference && s.reference->sampleRate == first->sampleRate && s.reference->frames != longest)
        add(s, Severity::warning, s.reference->path,
            "the reference mix is " + std::to_string(s.reference->frames) + " frames long, the stems " +
                std::to_string(longest) + " (" + seconds(std::llabs(s.reference->frames - longest), rate) + " apart)",
            "export the reference over the same range as the stems, so A/B stays aligned");
    if (info.sampleRate && std::lround(*info.sampleRate) != first->sampleRate && readme)
        add(s, Severity::warning, *readme,
            "the readme says " + std::to_string(std::lround(*info.sampleRate)) + " Hz, the stems are " +
                std::to_string(first->sampleRate) + " Hz",
            "correct the readme (or ask which is right)");
}

SongReport checkFolder(const fs::path& dir, const SetSong* plan, std::uint64_t& done, std::uint64_t total,
                       const CheckProgress& progress) {
    std::error_code stemEc;
    if (fs::is_regular_file(dir, stemEc) && formats::isStemFileName(dir))
        return checkStemFile(dir, std::nullopt, plan, done, total, progress);
    std::optional<FolderListing> listing;
    if (fs::is_directory(dir, stemEc)) {
        try {
            listing = listFolder(dir); // the same listing play and render use: the same stems, same numbers
        } catch (const Error&) {
        }
    }
    if (listing && listing->stemFiles.size() == 1 &&
        listing->audio.empty()) // a folder holding one .stem.mp4 is that song
        return checkStemFile(listing->stemFiles.front(),
                             listing->texts.empty() ? std::nullopt : std::optional<fs::path>(listing->texts.front()),
                             plan, done, total, progress);
    SongReport s;
    s.source = dir;
    s.title = dir.filename().string();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        add(s, Severity::error, dir, fs::exists(dir, ec) ? "not a folder" : "no such folder",
            "give the folder that holds the song's stems");
        return s;
    }
    // The folder's own listing, not scanStemFolder: that refuses more than eight, and check must say so.
    if (!listing) {
        add(s, Severity::error, dir, "cannot list the folder", "check its permissions");
        return s;
    }
    const std::vector<fs::path>& audio = listing->audio;
    const std::optional<fs::path> reference = listing->reference;
    const std::optional<fs::path> readme =
        listing->texts.empty() ? std::nullopt : std::optional<fs::path>(listing->texts.front());
    if (audio.empty()) {
        add(s, Severity::error, dir, "no stems (audio files) in the folder",
            "export the stems as 01_Name.wav, 02_Name.wav … into this folder");
        return s;
    }
    if (audio.size() > 8)
        add(s, Severity::error, dir, std::to_string(audio.size()) + " stems; a song plays at most eight",
            "bounce related stems together (e.g. Kick + Snare → Drums) until there are eight or fewer");

    const ReadmeInfo info = songFacts(s, dir, readme, plan);
    scanStems(s, audio, reference, done, total, progress);
    compareStems(s, info, readme);
    return s;
}

std::uint64_t folderBytes(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) return fs::file_size(dir, ec);
    if (!fs::is_directory(dir, ec)) return 0;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file(ec) && (formats::isAudioFileName(e.path()) || formats::isStemFileName(e.path())))
            total += e.file_size(ec);
    return total;
}

} // namespace

bool SongReport::canPlay() const {
    return count(Severity::error) == 0;
}

int SongReport::count(Severity s) const {
    return static_cast<int>(
        std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == s; }));
}

bool CheckReport::canPlay() const {
    return !songs.empty() && std::all_of(songs.begin(), songs.end(), [](const SongReport& s) { return s.canPlay(); }) &&
           std::none_of(setFindings.begin(), setFindings.end(),
                        [](const Finding& f) { return f.severity == Severity::error; });
}

int CheckReport::count(Severity s) const {
    int n = static_cast<int>(
        std::count_if(setFindings.begin(), setFindings.end(), [&](const Finding& f) { return f.severity == s; }));
    for (const SongReport& song : songs)
        n += song.count(s);
    return n;
}

int CheckReport::playableSongs() const {
    return static_cast<int>(std::count_if(songs.begin(), songs.end(), [](const SongReport& s) { return s.canPlay(); }));
}

CheckReport checkSource(const fs::path& source, const CheckProgress& progress, const ControllerCheck& controller) {
    CheckReport report;
    report.source = source;
    std::uint64_t done = 0;
    if (isSetFileName(source)) {
        SetFile set;
        try {
            set = loadSetFile(source);
        } catch (const Error& e) {
            SongReport s;
            s.source = source;
            s.title = source.filename().string();
            add(s, Severity::error, source, e.what(), "fix the set file (see the README's set-file section)");
            report.songs.push_back(std::move(s));
            return report;
        }
        report.setName = set.name;
        if (set.controllerName && controller) // by name: the caller finds it (the user's, else shipped)
            if (const std::string bad = controller(fs::path(*set.controllerName)); !bad.empty())
                report.setFindings.push_back({Severity::error, source.filename().string(), bad,
                                              "fix the controller: name in " + source.filename().string() +
                                                  " ('stemdeck devices' lists the shipped mappings)"});
        if (set.controller) { // play refuses a set whose mapping is missing or broken: so does check
            std::error_code ec;
            if (!fs::exists(*set.controller, ec))
                report.setFindings.push_back(
                    {Severity::error, set.controller->string(), "the set's controller mapping does not exist",
                     "fix the controller: path in " + source.filename().string() +
                         ", or learn into a new mapping with: stemdeck learn " + set.controller->string()});
            else if (const std::string bad = controller ? controller(*set.controller) : std::string(); !bad.empty())
                report.setFindings.push_back({Severity::error, set.controller->string(), bad,
                                              "fix the mapping (see the README's MIDI control section)"});
        }
        std::uint64_t total = 0;
        for (const SetSong& song : set.songs)
            if (song.error.empty()) total += folderBytes(song.source);
        for (const SetSong& song : set.songs) {
            if (!song.error.empty()) {
                SongReport s;
                s.source = song.source;
                s.title = song.source.filename().string();
                s.findings.push_back({Severity::error, source.string(), song.error, "fix this song's entry"});
                report.songs.push_back(std::move(s));
                continue;
            }
            report.songs.push_back(checkFolder(song.source, &song, done, total, progress));
        }
        return report;
    }
    report.songs.push_back(checkFolder(source, nullptr, done, folderBytes(source), progress));
    return report;
}

} // namespace stemdeck::set
