// `check` of a stem folder: its stems probed and decoded whole (formats::scanStem), its readme's
// and the set file's facts, the stems against each other and the reference mix. A folder holding
// one .stem.mp4 (or the file itself) is checked as that file.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <vector>

#include "CheckSteps.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/StemFolder.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

using detail::add;
using detail::addPlaysThrough;
using detail::clock;
using detail::GuardedProgress;
using detail::qualityFindings;
using detail::seconds;

/// A whole-file scan (formats::scanStem), with the bytes of every file scanned so far (`done` of
/// `total`) reported as progress.
std::optional<formats::FileScan> scanFile(const fs::path& file, std::uint64_t& done, std::uint64_t total,
                                          const CheckProgress& progress, const std::atomic<bool>* cancel = nullptr) {
    std::error_code ec;
    const std::uint64_t bytes = fs::file_size(file, ec);
    const std::uint64_t start = done;
    formats::ScanOptions options;
    options.cancel = cancel;
    options.progress = [&](double fraction) {
        if (!progress) return;
        done = start + static_cast<std::uint64_t>(static_cast<double>(bytes) * fraction);
        progress(file, done, total);
    };
    std::optional<formats::FileScan> scan = formats::scanStem(file, options);
    if (scan && !ec) done = start + bytes;
    return scan;
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

/// A file's header and, when it is playable audio, its whole-file scan.
struct Scanned {
    FileReport report;
    std::optional<formats::FileScan> scan;
    std::uint64_t done = 0; ///< the bytes scanned so far, this file's included
    std::string stalled;    ///< what did not answer (NoAnswer::problem()); the header did if report.readable
};

/// probe() and scanFile() of one file, each in a watched worker: a file that stops answering
/// costs ioTimeout(), and the check goes on. `stem`: the stem rule (mono or stereo) applies.
Scanned scanWatched(const fs::path& p, const std::string& name, bool stem, std::uint64_t done, std::uint64_t total,
                    const CheckProgress& progress) {
    Scanned got;
    got.done = done;
    try {
        got.report = watchedIo([p, name] { return probe(p, name); });
    } catch (const NoAnswer& e) {
        got.report.path = p;
        got.report.name = name;
        got.report.problem = "no answer";
        got.stalled = e.problem();
        return got;
    }
    FileReport& r = got.report;
    if (stem && r.readable && (r.channels < 1 || r.channels > 2)) { // the same rule as the stem reader's
        r.readable = false;
        r.problem = std::to_string(r.channels) + " channels; a stem must be mono or stereo";
    }
    if (!r.readable) return got;
    GuardedProgress guard(progress);
    auto cancel = std::make_shared<std::atomic<bool>>(false); // a scan given up on stops at its next read
    try {
        auto [scan, scanned] = watchedIo([p, done, total, tell = guard.callback(), cancel] {
            std::uint64_t d = done;
            std::optional<formats::FileScan> result = scanFile(p, d, total, tell, cancel.get());
            return std::pair{std::move(result), d};
        });
        got.scan = std::move(scan);
        got.done = scanned;
    } catch (const NoAnswer& e) {
        guard.abandon();
        cancel->store(true);
        got.stalled = e.problem();
    }
    return got;
}

/// Every stem probed and decoded whole (the length is what decodes), and the reference mix.
void scanStems(SongReport& s, const std::vector<fs::path>& audio, const std::optional<fs::path>& reference,
               std::uint64_t& done, std::uint64_t total, const CheckProgress& progress) {
    bool stalled = false;
    for (const fs::path& p : audio) {
        Scanned got = scanWatched(p, stemNameFromFile(p), true, done, total, progress);
        done = got.done;
        FileReport& r = got.report;
        if (!got.stalled.empty()) {
            stalled = true;
            if (r.readable) // the header answered, the rest of the file did not
                addPlaysThrough(s, p, got.stalled + " part way through (not checked to its end)",
                                noAnswerFix() + "; on stage it plays until it stops answering, then is silent, "
                                                "and the others play");
            else
                addPlaysThrough(s, p, got.stalled + " (it was not checked)",
                                noAnswerFix() + "; on stage this stem stays silent while it does not answer, and the "
                                                "others play");
            s.stems.push_back(std::move(r));
            continue;
        }
        const std::optional<formats::FileScan>& scanned = got.scan;
        if (!r.readable) {
            // A delivery defect the song plays through: play and render keep the stem's number
            // and play the others (the song cannot play only when no stem can: below).
            addPlaysThrough(s, p, r.problem.empty() ? "cannot be read as audio" : r.problem,
                            "export it again (mono or stereo WAV, AIFF or FLAC); play and render keep this stem's "
                            "number, play it silent and play the others");
        } else if (const std::optional<formats::FileScan>& scan = scanned) {
            // The length is what decodes: check reads every sample, so it is the authority.
            r.peak = scan->peak;
            if (scan->frames == 0) {
                // "holds no audio" below: not a cut-off stem that plays part of itself
            } else if (scan->errorAt >= 0 && scan->frames < r.frames)
                addPlaysThrough(
                    s, p, "cannot be decoded past " + clock(scan->errorAt, r.sampleRate) + " (" + scan->error + ")",
                    "export it again; play and render play it up to there, then silence");
            else if (scan->frames < r.frames)
                addPlaysThrough(s, p,
                                "declares " + clock(r.frames, r.sampleRate) + ", holds " +
                                    clock(scan->frames, r.sampleRate) + ": the file is cut off",
                                "copy or export it again; play and render play what there is, then silence");
            r.frames = scan->frames;
            if (scan->frames == 0) {
                r.readable = false;
                addPlaysThrough(s, p, "holds no audio",
                                "export the stem again; play and render play it silent and play the others");
            }
        }
        s.stems.push_back(std::move(r));
    }
    if (std::none_of(s.stems.begin(), s.stems.end(), [](const FileReport& r) { return r.readable; }))
        add(s, Severity::error, audio.front().parent_path(),
            stalled ? "none of the stems answers or can be read" : "none of the stems can be read",
            (stalled ? noAnswerFix() + "; " : std::string("export the stems again; ")) +
                "play skips the song and render refuses it");
    if (reference) {
        Scanned got = scanWatched(*reference, "reference mix", false, done, total, progress);
        done = got.done;
        s.reference = std::move(got.report);
        if (got.scan) {
            s.reference->peak = got.scan->peak;
            s.reference->frames = got.scan->frames;
        }
        if (!got.stalled.empty()) {
            s.reference->readable = false;
            s.reference->problem = "no answer";
            add(s, Severity::warning, *reference, got.stalled,
                noAnswerFix() + "; A/B against the reference mix is off while it does not answer");
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
    if (s.reference && !s.reference->readable && s.reference->problem != "no answer") // (that one has its own)
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

} // namespace

namespace detail {

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
    checkLyrics(s, dir, info, plan);
    return s;
}

struct GuardedProgress::State {
    std::mutex mutex; // held while `to` runs: abandon() waits out a call under way
    bool abandoned = false;
    CheckProgress to;
};

GuardedProgress::GuardedProgress(const CheckProgress& to) : state_(std::make_shared<State>()) {
    state_->to = to;
}

CheckProgress GuardedProgress::callback() const {
    if (!state_->to) return {};
    return [state = state_](const fs::path& file, std::uint64_t done, std::uint64_t total) {
        std::lock_guard<std::mutex> lock(state->mutex);
        if (!state->abandoned) state->to(file, done, total);
    };
}

void GuardedProgress::abandon() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->abandoned = true;
    state_->to = nullptr;
}

SongReport checkFolderWatched(const fs::path& dir, const SetSong* plan, std::uint64_t& done, std::uint64_t total,
                              const CheckProgress& progress) {
    GuardedProgress guard(progress);
    std::optional<SetSong> entry; // the worker's own copy: it may outlive the set
    if (plan != nullptr) entry = *plan;
    try {
        auto [report, scanned] = watchedIo([dir, entry, done, total, tell = guard.callback()] {
            std::uint64_t d = done;
            SongReport r = checkFolder(dir, entry ? &*entry : nullptr, d, total, tell);
            return std::pair{std::move(r), d};
        });
        done = scanned;
        return std::move(report);
    } catch (const NoAnswer& e) {
        guard.abandon();
        SongReport s;
        s.source = dir;
        s.title = dir.filename().string();
        add(s, Severity::error, e.file().empty() ? dir : e.file(), e.problem() + " (the song was not checked)",
            noAnswerFix());
        return s;
    }
}

} // namespace detail

} // namespace stemdeck::set
