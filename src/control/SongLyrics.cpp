// Lyrics as the show follows them: the line sung now, the markers from the sections, and
// tap-to-time (a line stamped at the play head, the file saved).
#include "stemdeck/control/SongLyrics.h"

#include <cmath>
#include <map>
#include <ostream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

namespace {

LyricShown shown(const set::LyricLine& l) {
    return {l.text, l.chords};
}

} // namespace

LyricsNow lyricsNow(const set::Lyrics& lyrics, double ownSeconds, double ownBpm, int beatsPerBar, double tempo,
                    std::optional<std::size_t> tapCursor) {
    LyricsNow n;
    n.present = true;
    n.file = lyrics.file.filename().string();
    n.count = static_cast<int>(lyrics.lines.size());
    n.untimed = lyrics.untimed();
    const std::optional<std::size_t> at = set::lyricLineAt(lyrics, ownSeconds, ownBpm, beatsPerBar);
    std::size_t nextIndex = 0;
    if (at) {
        const set::LyricLine& l = lyrics.lines[*at];
        n.index = static_cast<int>(*at);
        n.line = shown(l);
        n.section = l.section;
        nextIndex = *at + 1;
    }
    // The next line sung: the first after it with a time (untimed lines are not shown as the song
    // plays; tap-to-time shows them as the line a tap stamps).
    for (std::size_t i = nextIndex; i < lyrics.lines.size(); ++i) {
        const double t = lyrics.lines[i].time.secondsOn(ownBpm, beatsPerBar, 0.0);
        if (t < 0.0) continue;
        n.next = shown(lyrics.lines[i]);
        if (!at) n.section = lyrics.lines[i].section;
        if (tempo > 0.0) n.nextIn = (t - ownSeconds) / tempo;
        break;
    }
    if (const auto tap = set::nextLyricToTap(lyrics, ownSeconds, ownBpm, beatsPerBar, tapCursor)) {
        n.tapLine = static_cast<int>(*tap);
        n.tapText = lyrics.lines[*tap].text;
    }
    return n;
}

std::vector<set::Marker> sectionMarkers(const set::Lyrics& lyrics, double ownBpm, int beatsPerBar) {
    std::vector<set::Marker> markers;
    const double beatSeconds = 60.0 / ownBpm, barSeconds = beatSeconds * beatsPerBar;
    std::map<std::string, int> seen; // a name used again is numbered: "Chorus 2"
    for (const auto& [name, first] : lyrics.sections()) {
        // the section's first timed line (a section whose lines are not timed yet has no place)
        double at = -1.0;
        for (const set::LyricLine* l = first;
             l != lyrics.lines.data() + lyrics.lines.size() && l->sectionNumber == first->sectionNumber; ++l)
            if ((at = l->time.secondsOn(ownBpm, beatsPerBar, 0.0)) >= 0.0) break;
        if (at < 0.0) continue;
        const int bar = 1 + static_cast<int>(std::floor((at + beatSeconds) / barSeconds));
        if (!markers.empty() && markers.back().bar >= bar) continue;
        set::Marker m;
        const int n = ++seen[name];
        m.name = n == 1 ? name : name + " " + std::to_string(n);
        m.bar = bar;
        markers.push_back(std::move(m));
    }
    return markers;
}

void SetPlayer::tapLyric() {
    const int song = change_.current();
    const auto it = loaded_.find(song);
    if (it == loaded_.end()) return;
    Loaded& l = *it->second;
    if (!l.song.lyrics) {
        log_ << "this song has no lyrics to time: put a lyrics.lrc (one sung line a line) or a ChordPro file in "
                "its folder\n";
        return;
    }
    const double rate = engine_.sampleRate();
    const double tempo = engine_.timing().bpm / l.song.ownBpm;
    const double now = static_cast<double>(engine_.songFrame()) / rate * tempo; // song time at 100%
    if (!engine_.rolling() || now < 0.0) {
        log_ << "tap-to-time: play the song and tap as each line starts\n";
        return;
    }
    const int beats = engine_.timing().beatsPerBar;
    set::Lyrics lyrics = *l.song.lyrics;
    if (validUtf8(lyrics.original) != lyrics.original) { // (saved, its accents would be lost)
        log_ << "tap-to-time: " << lyrics.file.string()
             << " is not UTF-8 text; save it as UTF-8 in a text editor, then tap again\n";
        return;
    }
    const std::optional<std::size_t> cursor =
        tapSong_ == song && now >= tapAt_ ? std::optional<std::size_t>(tapNext_) : std::nullopt;
    const std::optional<std::size_t> line = set::nextLyricToTap(lyrics, now, l.song.ownBpm, beats, cursor);
    if (!line) {
        log_ << "tap-to-time: every line up to the end is timed (taps go on from the line at the play head after a "
                "jump back)\n";
        return;
    }
    const std::string stampedText = lyrics.lines[*line].text;
    set::stampLyricLine(lyrics, *line, now, l.song.ownBpm, beats);
    const std::string text = set::formatLyrics(lyrics);
    try {
        // (a few kilobytes on the control thread, as a stored scene is: written whole, then renamed)
        writeFileAtomically(lyrics.file, text, "the lyrics file");
        lyrics = lyrics.format == set::LyricsFormat::lrc ? set::parseLrc(text, lyrics.file)
                                                         : set::parseChordPro(text, lyrics.file);
    } catch (const Error& e) {
        log_ << "warning: tap-to-time: " << e.what() << "\n";
        return;
    }
    // The line tapped, as read back (a rest a tap left untimed is not written: the lines after it
    // move up one).
    std::size_t tapped = lyrics.lines.size();
    for (std::size_t i = 0; i < lyrics.lines.size() && tapped == lyrics.lines.size(); ++i)
        if (std::fabs(lyrics.lines[i].time.seconds - now) < 0.006 && lyrics.lines[i].text == stampedText) tapped = i;
    if (tapped == lyrics.lines.size()) return; // (never: the fuzz test writes and reads back every stamp)
    auto saved = std::make_shared<const set::Lyrics>(std::move(lyrics));
    l.song.lyrics = saved;
    if (retimeNext_ && retimeSong_ == song) retimeNext_->song.lyrics = saved; // (on its way: the same file)
    tapSong_ = song;
    tapNext_ = tapped + 1;
    tapAt_ = now;
    log_ << "lyrics: line " << tapped + 1 << " '" << saved->lines[tapped].text << "' from " << set::lyricTimeText(now)
         << " (song time at 100%), saved to " << saved->file.filename().string() << "\n";
}

} // namespace stemdeck::control
