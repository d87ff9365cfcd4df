// check's lyrics step: the song's lyrics file (LRC or ChordPro) read as play reads it, each
// problem at its file:line, lines timed past the song's end, lines not timed yet.
#include <algorithm>
#include <string>

#include "CheckSteps.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/set/Lyrics.h"

namespace stemdeck::set::detail {

namespace fs = std::filesystem;

namespace {

/// "FILE:LINE: what; fix" (Lyrics.cpp's errors) as a finding at FILE:LINE.
Finding lyricsFinding(const fs::path& file, const std::string& message) {
    Finding f;
    f.severity = Severity::error;
    f.songPlays = true; // the song plays; its lyrics are not shown
    std::string rest = message;
    f.file = file.string();
    if (rest.rfind(f.file + ":", 0) == 0) {
        const std::string::size_type end = rest.find(": ", f.file.size() + 1);
        if (end != std::string::npos) {
            f.file = rest.substr(0, end);
            rest = rest.substr(end + 2);
        }
    }
    const std::string::size_type cut = rest.find("; ");
    f.what = rest.substr(0, cut);
    f.fix = (cut == std::string::npos ? std::string() : rest.substr(cut + 2) + "; ") +
            "until then the song plays without its lyrics on screen";
    return f;
}

} // namespace

void checkLyrics(SongReport& s, const fs::path& source, const ReadmeInfo& info, const SetSong* plan) {
    const std::optional<fs::path> file = lyricsFileFor(source);
    if (!file) return;
    Lyrics lyrics;
    try {
        lyrics = watchedIo([f = *file] { return readLyrics(f); });
    } catch (const Error& e) {
        s.findings.push_back(lyricsFinding(*file, e.what()));
        return;
    }
    // The song's length: its longest stem (as play counts it), and its grid for lines timed by bar.
    double length = 0.0;
    for (const FileReport& r : s.stems)
        if (r.readable && r.sampleRate > 0) length = std::max(length, static_cast<double>(r.frames) / r.sampleRate);
    const double bpm = s.bpm.value_or(120.0);
    const int beats = plan != nullptr && plan->beatsPerBar ? *plan->beatsPerBar : info.beatsPerBar.value_or(4);
    int late = 0;
    double before = -1.0;
    const LyricLine* previous = nullptr;
    for (const LyricLine& l : lyrics.lines) {
        const double at = l.time.secondsOn(bpm, beats, 0.0);
        if (at < 0.0) continue;
        const std::string where =
            file->string() + ":" + std::to_string(l.timeSourceLine != 0 ? l.timeSourceLine : l.sourceLine);
        if (length > 0.0 && at >= length && ++late <= 3)
            s.findings.push_back({Severity::warning, where,
                                  "'" + l.text + "' is timed at " + lyricTimeText(at) + ", after the song's end (" +
                                      lyricTimeText(length) + ")",
                                  "time it within the song (times are song time at 100% tempo), or take the line out"});
        if (previous != nullptr && at < before)
            s.findings.push_back({Severity::warning, where,
                                  "this line (at " + lyricTimeText(at) + " on the song's grid) comes before line " +
                                      std::to_string(previous->sourceLine) + " (at " + lyricTimeText(before) + ")",
                                  "the lines are sung in the order written: check the bar numbers and times"});
        before = at;
        previous = &l;
    }
    if (late > 3)
        s.findings.push_back({Severity::warning, file->string(),
                              std::to_string(late - 3) + " more lines are timed after the song's end", "as above"});
    if (lyrics.lines.empty())
        s.findings.push_back({Severity::warning, file->string(), "holds no lines to show",
                              "write the lyrics into it, one sung line a line, or take the file out"});
    else if (const int untimed = lyrics.untimed(); untimed > 0)
        s.findings.push_back({Severity::warning, file->string(),
                              std::to_string(untimed) + " of " + std::to_string(lyrics.lines.size()) +
                                  " lines have no time yet (they are not shown as the song plays)",
                              "time them in a rehearsal: play the song and press t (lyrics_tap) as each line starts"});
}

} // namespace stemdeck::set::detail
