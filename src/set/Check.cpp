// `stemdeck check` of a source: a stem folder, a .stem.mp4 or a set file (its controller mapping
// and every song; CheckFolder.cpp and CheckStemFile.cpp check one song), and the rules every stem
// meets.
#include "stemdeck/set/Check.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "CheckSteps.h"
#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/SetFile.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

constexpr float kHeadroomPeak = 0.70794578f; // −3 dBFS
constexpr float kClipPeak = 0.99999f;        // 0 dBFS (a float file may go past it)

std::string dbfs(float linear) {
    return formatDb(linear, " dBFS");
}

std::uint64_t folderBytesNow(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) return fs::file_size(dir, ec);
    if (!fs::is_directory(dir, ec)) return 0;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file(ec) && (formats::isAudioFileName(e.path()) || formats::isStemFileName(e.path())))
            total += e.file_size(ec);
    return total;
}

/// The bytes to scan in these songs (for progress), in one watched job: a share that does not
/// answer costs one timeout here, and 0 (each song's own check then says what did not answer).
std::uint64_t folderBytes(const std::vector<fs::path>& dirs) {
    try {
        return watchedIo([dirs] {
            std::uint64_t total = 0;
            for (const fs::path& d : dirs)
                total += folderBytesNow(d);
            return total;
        });
    } catch (const NoAnswer&) {
        return 0;
    }
}

} // namespace

namespace detail {

std::string seconds(std::int64_t frames, int rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", rate > 0 ? static_cast<double>(frames) / rate : 0.0);
    return buf;
}

std::string clock(std::int64_t frames, int rate) {
    return clockText(static_cast<double>(frames) / std::max(1, rate));
}

void add(SongReport& s, Severity sev, const fs::path& file, std::string what, std::string fix) {
    s.findings.push_back({sev, file.string(), std::move(what), std::move(fix)});
}

void addPlaysThrough(SongReport& s, const fs::path& file, std::string what, std::string fix) {
    s.findings.push_back({Severity::error, file.string(), std::move(what), std::move(fix), true});
}

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

} // namespace detail

bool SongReport::canPlay() const {
    return std::none_of(findings.begin(), findings.end(),
                        [](const Finding& f) { return f.severity == Severity::error && !f.songPlays; });
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

SetVerdict CheckReport::verdict() const {
    if (canPlay()) return count(Severity::error) == 0 ? SetVerdict::asDelivered : SetVerdict::playsWithErrors;
    return playableSongs() == static_cast<int>(songs.size()) ? SetVerdict::cannotPlay : SetVerdict::someSongsCannot;
}

int CheckReport::playableSongs() const {
    return static_cast<int>(std::count_if(songs.begin(), songs.end(), [](const SongReport& s) { return s.canPlay(); }));
}

namespace {

using detail::add;
using detail::checkFolderWatched;

/// The set's controller mapping, by name or by path: play refuses a set whose mapping is missing
/// or broken, and so does check.
void controllerFindings(CheckReport& report, const SetFile& set, const fs::path& source,
                        const ControllerCheck& controller) {
    if (set.controllerName && controller) // by name: the caller finds it (the user's, else shipped)
        if (const std::string bad = controller(fs::path(*set.controllerName)); !bad.empty())
            report.setFindings.push_back({Severity::error, source.filename().string(), bad,
                                          "fix the controller: name in " + source.filename().string() +
                                              " ('stemdeck devices' lists the shipped mappings)"});
    if (set.controller) {
        std::error_code ec;
        if (!fs::exists(*set.controller, ec))
            report.setFindings.push_back(
                {Severity::error, set.controller->string(), "the set's controller mapping does not exist",
                 "fix the controller: path in " + source.filename().string() +
                     ", or learn into a new mapping with: stemdeck learn " + set.controller->string()});
        else if (const std::string bad = controller ? controller(*set.controller) : std::string(); !bad.empty())
            report.setFindings.push_back(
                {Severity::error, set.controller->string(), bad,
                 "fix the mapping (see the manual's controllers page, docs/manual/controllers.md)"});
    }
}

/// A song's cues, listed; a SysEx cue long enough to hold a DIN MIDI line (31 250 baud) past one
/// tick of MIDI clock at the song's tempo is a warning: the clock's next tick waits behind it.
void checkCues(SongReport& s, const SetSong& song, const fs::path& setFile) {
    const double bpm = song.bpm ? *song.bpm : s.bpm.value_or(120.0);
    const int unit = song.beatUnit.value_or(4);
    const double tickSeconds = 60.0 / (bpm * 4.0 / unit) / 24.0; // MIDI clock: 24 a quarter note
    for (const Cue& c : song.cues) {
        s.cues.push_back(c.where() + ": " + c.what() + (c.everyPass ? " (every repeat)" : ""));
        const double busy = dinSeconds(c.sysex.size());
        if (c.sysex.empty() || busy <= tickSeconds) continue;
        char what[200];
        std::snprintf(what, sizeof what,
                      "the SysEx cue at %s is %zu bytes: on a DIN MIDI cable it takes %.1f ms, longer than a tick of "
                      "MIDI clock at %.4g BPM (%.1f ms), so the clock's next ticks wait behind it",
                      c.where().c_str(), c.sysex.size(), busy * 1000.0, bpm, tickSeconds * 1000.0);
        s.findings.push_back({Severity::warning, setFile.string() + ":" + std::to_string(c.line), what,
                              "send it where no clock listens on that cable, shorten it, or put it where a tempo "
                              "hiccup does not matter (at: current, before the song starts)"});
    }
}

/// A set made for timecode (a timecode: section, or an LTC output): every song's start, and LTC on
/// an output of its own (LTC into the PA is a loud buzz).
void timecodeFindings(CheckReport& report, const SetFile& set, const fs::path& source) {
    if (!set.timecode.present && !set.audio.ltcOut) return;
    const TimecodeRate rate = set.timecode.rate.value_or(TimecodeRate{});
    const std::string at = source.string() + ":" + std::to_string(set.timecode.line);
    for (const std::string& p : timecodeProblems(set.songs, rate))
        report.setFindings.push_back(
            {Severity::error, source.string(), p, "give the song its own start: timecode: HH:MM:SS:FF in its entry"});
    if (set.timecode.mtc.value_or(false) && rate.mtcCode() < 0)
        report.setFindings.push_back({Severity::error, at,
                                      "MTC has no 23.976 rate (MIDI timecode knows 24, 25, "
                                      "29.97 drop-frame and 30)",
                                      "use fps: 24 for MTC, or keep 23.976 for LTC alone (mtc: false)"});
    for (std::size_t i = 0; i < set.songs.size() && i < report.songs.size(); ++i)
        if (const auto start = songTimecode(set.songs[i], static_cast<int>(i) + 1, rate))
            report.songs[i].timecode = timecodeText(rate, *start);
    if (!set.audio.ltcOut) return;
    const int ltc = *set.audio.ltcOut;
    std::vector<std::pair<std::string, int>> pairs = {{"main", set.audio.mainOut.value_or(1)}};
    if (set.audio.clickOut) pairs.emplace_back("click", *set.audio.clickOut);
    for (const auto& [stem, first] : set.audio.stemOuts)
        pairs.emplace_back("stem '" + stem + "'", first);
    for (const auto& [name, first] : pairs)
        if (ltc == first || ltc == first + 1)
            report.setFindings.push_back({Severity::error, source.string() + ":" + std::to_string(set.audio.ltcLine),
                                          "LTC's output " + std::to_string(ltc) + " is also " + name + "'s (outputs " +
                                              std::to_string(first) + "-" + std::to_string(first + 1) +
                                              "): LTC in a mix is a loud buzz",
                                          "give LTC an output of its own (audio: { ltc: N })"});
}

/// A set file: its controller mapping and every song (one that cannot play is an error of its own).
void checkSet(CheckReport& report, const fs::path& source, const CheckProgress& progress,
              const ControllerCheck& controller) {
    SetFile set;
    try {
        set = loadSetFile(source);
    } catch (const Error& e) {
        SongReport s;
        s.source = source;
        s.title = source.filename().string();
        add(s, Severity::error, source, e.what(),
            "fix the set file (see the manual's page on sets, docs/manual/sets-and-stem-folders.md)");
        report.songs.push_back(std::move(s));
        return;
    }
    report.setName = set.name;
    controllerFindings(report, set, source, controller);
    std::uint64_t done = 0;
    std::vector<fs::path> sources;
    for (const SetSong& song : set.songs)
        if (song.error.empty()) sources.push_back(song.source);
    const std::uint64_t total = folderBytes(sources);
    for (const SetSong& song : set.songs) {
        if (!song.error.empty()) {
            SongReport s;
            s.source = song.source;
            s.title = song.source.filename().string();
            s.findings.push_back({Severity::error, source.string(), song.error, "fix this song's entry"});
            report.songs.push_back(std::move(s));
            continue;
        }
        report.songs.push_back(checkFolderWatched(song.source, &song, done, total, progress));
        checkCues(report.songs.back(), song, source);
    }
    timecodeFindings(report, set, source);
}

} // namespace

CheckReport checkSource(const fs::path& source, const CheckProgress& progress, const ControllerCheck& controller) {
    CheckReport report;
    report.source = source;
    if (isSetFileName(source)) {
        checkSet(report, source, progress, controller);
        return report;
    }
    std::uint64_t done = 0;
    report.songs.push_back(checkFolderWatched(source, nullptr, done, folderBytes({source}), progress));
    return report;
}

} // namespace stemdeck::set
