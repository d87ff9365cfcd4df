// `check` of a .stem.mp4: its tracks scanned side by side (formats::scanStemFile), its facts, NI
// metadata, the tracks against the master and their quality.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "CheckSteps.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/NiStemFile.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/set/Readme.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

using detail::add;
using detail::addPlaysThrough;
using detail::clock;
using detail::qualityFindings;
using detail::seconds;

/// The file's size, asked once its tracks are open (as the scan always asked it).
class FileBytes {
public:
    explicit FileBytes(const fs::path& file) : file_(file) {}
    std::uint64_t operator()() {
        if (!bytes_) bytes_ = fs::file_size(file_);
        return *bytes_;
    }

private:
    const fs::path& file_;
    std::optional<std::uint64_t> bytes_;
};

/// What the tracks' scan found of their lengths: a track that decodes to nothing, or to less than
/// it declares, is an error (and its length is what decodes).
void trackLengths(SongReport& s, const fs::path& file, const formats::StemFileScan& scan) {
    // The length is what decodes, as for a folder's files: a copy cut short keeps its track table
    // (the lengths it declares) but not the audio. (AAC may end a frame early: not a cut.)
    constexpr std::int64_t kCodecSlack = 2048;
    for (std::size_t t = 0; t < scan.tracks.size(); ++t) {
        FileReport& track = t == 0 ? *s.reference : s.stems[t - 1];
        const std::int64_t decoded = scan.tracks[t].frames;
        const std::string name =
            (t == 0 ? std::string("the master") : track.name) + " (track " + std::to_string(t) + ")";
        if (decoded == 0) {
            add(s, Severity::error, file, name + " holds no audio", "copy or export the stem file again");
            track.frames = 0;
        } else if (decoded + kCodecSlack < track.frames) {
            addPlaysThrough(s, file,
                name + " declares " + clock(track.frames, track.sampleRate) + ", holds " +
                    clock(decoded, track.sampleRate) + ": the file is cut off",
                "copy or export it again; play and render play what there is, then silence");
            track.frames = decoded;
        }
    }
}

/// A stem file's tracks decoded side by side (formats::scanStemFile): each one's peak and real
/// length, and how far the stems' sum is from the master; the bytes of every file scanned so far
/// (`done` of `total`) reported as progress. False when a track cannot be opened (said in `s`).
bool scanTracks(SongReport& s, const fs::path& file, const formats::NiStemFileInfo& info, std::uint64_t& done,
                std::uint64_t total, const CheckProgress& progress) {
    const std::uint64_t start = done;
    FileBytes bytes(file);
    formats::ScanOptions options;
    options.progress = [&](double fraction) {
        const std::uint64_t size = bytes();
        if (!progress) return;
        done = start + static_cast<std::uint64_t>(static_cast<double>(size) * fraction);
        progress(file, done, total);
    };
    std::optional<formats::StemFileScan> scan;
    try {
        scan = formats::scanStemFile(file, static_cast<int>(info.stems.size()) + 1, options);
    } catch (const Error& e) {
        add(s, Severity::error, file, e.what(), "export the stem file again");
        return false;
    }
    if (!scan) return false; // (cancelled: check never asks)
    done = start + bytes();
    s.reference->peak = scan->tracks[0].peak;
    for (std::size_t k = 0; k < s.stems.size(); ++k)
        s.stems[k].peak = scan->tracks[k + 1].peak;
    trackLengths(s, file, *scan);
    s.stemSumResidualDb = scan->sumResidualDb;
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
    detail::checkLyrics(s, file, readmeInfo, plan); // (Song.lrc or Song.cho beside Song.stem.mp4)
}

} // namespace

namespace detail {

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
    // AAC's encoder delay: read where the file declares it (an edit list, iTunSMPB), else known for
    // FFmpeg's encoder, else assumed (Apple's 2112 frames, NI's Stem Creator's): said, once a file.
    if (info.master.primingAssumed ||
        std::any_of(info.stems.begin(), info.stems.end(), [](const auto& t) { return t.primingAssumed; }))
        add(s, Severity::warning, file,
            "its AAC tracks declare no encoder delay (no edit list, no iTunSMPB tag) and name no encoder: "
            "Apple's 2112 frames (44 ms at 48 kHz) are assumed, as NI's Stem Creator writes them",
            "if the song sits early or late against the click, have the tracks re-encoded by a tool that "
            "declares the delay (ffmpeg writes an edit list)");

    if (!scanTracks(s, file, info, done, total, progress)) return s;
    stemFileRules(s, file, info, readme, plan);
    return s;
}

} // namespace detail

} // namespace stemdeck::set
