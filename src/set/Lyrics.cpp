// Lyrics files: LRC and ChordPro, read into timed lines, and written back after tap-to-time.
// (No Debian package parses either: both are line formats, read here line by line. The LRC
// stamps and ChordPro's directive and chord syntax are as chordpro.org's 6.x reference says.)
#include "stemdeck/set/Lyrics.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::set {

namespace fs = std::filesystem;

namespace {

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

std::string lowered(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

[[noreturn]] void fail(const fs::path& file, int line, const std::string& what, const std::string& fix) {
    throw Error(file.string() + ":" + std::to_string(line) + ": " + what + "; " + fix);
}

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

/// "mm:ss", "mm:ss.xx", "mm:ss.xxx", "h:mm:ss.xx"; nullopt when it is not a time.
std::optional<double> parseClock(std::string_view s) {
    s = trimmed(s);
    double total = 0.0;
    int parts = 0;
    while (!s.empty()) {
        const auto colon = s.find(':');
        const std::string_view part = s.substr(0, colon);
        if (part.empty() || part.size() > 9) return std::nullopt;
        double v = 0.0;
        const bool last = colon == std::string_view::npos;
        if (!last || part.find('.') == std::string_view::npos) {
            int whole = 0;
            const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), whole);
            if (ec != std::errc() || p != part.data() + part.size() || whole < 0) return std::nullopt;
            v = whole;
        } else {
            const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
            if (ec != std::errc() || p != part.data() + part.size() || !(v >= 0.0) || part.front() == '.')
                return std::nullopt;
        }
        if (parts > 0 && v >= 60.0) return std::nullopt; // seconds (and minutes after hours) below 60
        total = total * 60.0 + v;
        ++parts;
        if (last) break;
        s.remove_prefix(colon + 1);
    }
    if (parts < 2 || parts > 3) return std::nullopt;
    return total;
}

/// A chord or annotation in square brackets taken out of the text: the words and where each stands.
void takeChords(std::string_view raw, LyricLine& line, const fs::path& file, int at) {
    std::string text;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '[') {
            text += raw[i];
            continue;
        }
        const auto close = raw.find(']', i);
        if (close == std::string_view::npos)
            fail(file, at, "a chord's '[' is never closed", "write the chord as [G] (or [*text] for an annotation)");
        const std::string_view name = trimmed(raw.substr(i + 1, close - i - 1));
        if (name.empty() || name == "*")
            fail(file, at, "an empty chord []", "write the chord's name between the brackets, or take them out");
        line.chords.push_back({text.size(), std::string(name)});
        i = close;
    }
    const std::size_t lead = std::min(text.size(), text.find_first_not_of(" \t"));
    line.text = validUtf8(trimmed(text));
    // (the words' leading blanks taken off; a chord after the text's end, "[G]" at the end of a
    // line, stands over its end)
    for (LyricChord& c : line.chords)
        c.at = std::min(c.at - std::min(c.at, lead), line.text.size());
}

void checkOrder(const std::vector<LyricLine>& lines, const fs::path& file) {
    const LyricLine* before = nullptr;
    for (const LyricLine& l : lines) {
        if (l.time.seconds < 0.0) continue; // (bars are checked where the song's grid is known)
        if (before != nullptr && l.time.seconds < before->time.seconds)
            fail(file, l.timeSourceLine != 0 ? l.timeSourceLine : l.sourceLine,
                 "this line's time " + lyricTimeText(l.time.seconds) + " is before line " +
                     std::to_string(before->sourceLine) + "'s " + lyricTimeText(before->time.seconds),
                 "the lines are sung in the order they are written: put the times in order");
        before = &l;
    }
}

} // namespace

double LyricTime::secondsOn(double bpm, int beatsPerBar, double downbeatSeconds) const noexcept {
    if (seconds >= 0.0) return seconds;
    if (bar <= 0 || !(bpm > 0.0)) return -1.0;
    return downbeatSeconds + ((bar - 1) * static_cast<double>(beatsPerBar) + (beat - 1.0)) * 60.0 / bpm;
}

std::vector<std::pair<std::string, const LyricLine*>> Lyrics::sections() const {
    std::vector<std::pair<std::string, const LyricLine*>> out;
    int last = 0;
    for (const LyricLine& l : lines) {
        if (!l.section.empty() && l.sectionNumber != last) out.emplace_back(l.section, &l);
        last = l.sectionNumber;
    }
    return out;
}

int Lyrics::untimed() const {
    return static_cast<int>(
        std::count_if(lines.begin(), lines.end(), [](const LyricLine& l) { return !l.time.timed(); }));
}

std::optional<fs::path> findLyricsFile(const fs::path& folder) {
    std::error_code ec;
    if (fs::is_regular_file(folder / "lyrics.lrc", ec)) return folder / "lyrics.lrc";
    std::vector<fs::path> lrc, chordPro;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        // By name first: the stems are never stat'ed here (a stem on a share that stopped answering
        // would hang the song's load or check on a lyrics file it does not have; cli.stalled_share).
        // Not a dotfile: a Mac's AppleDouble "._lyrics.lrc" beside the real one on a stick.
        const fs::path& p = it->path();
        if (p.filename().string().starts_with(".")) continue;
        const std::string ext = lowered(p.extension().string());
        const bool isLrc = ext == ".lrc",
                   isChordPro = ext == ".cho" || ext == ".chordpro" || ext == ".chopro" || ext == ".crd";
        if ((!isLrc && !isChordPro) || !it->is_regular_file(ec)) continue;
        (isLrc ? lrc : chordPro).push_back(p);
    }
    std::sort(lrc.begin(), lrc.end());
    std::sort(chordPro.begin(), chordPro.end());
    if (!lrc.empty()) return lrc.front();
    if (!chordPro.empty()) return chordPro.front();
    return std::nullopt;
}

std::optional<fs::path> lyricsFileFor(const fs::path& source) {
    std::error_code ec;
    if (fs::is_directory(source, ec)) return findLyricsFile(source);
    std::string stem = source.filename().string();
    const std::string low = lowered(stem);
    for (const char* ext : {".stem.mp4", ".stem.m4a", ".mp4", ".m4a"})
        if (low.size() > std::string_view(ext).size() && low.ends_with(ext)) {
            stem.resize(stem.size() - std::string_view(ext).size());
            break;
        }
    for (const char* ext : {".lrc", ".cho", ".chordpro", ".chopro", ".crd"})
        if (const fs::path p = source.parent_path() / (stem + ext); fs::is_regular_file(p, ec)) return p;
    return std::nullopt;
}

Lyrics parseLrc(std::string_view text, const fs::path& file) {
    Lyrics out;
    out.file = file;
    out.format = LyricsFormat::lrc;
    out.original = std::string(text);
    double offset = 0.0;
    std::vector<LyricLine> timed, untimed;
    const std::vector<std::string_view> lines = splitLines(text);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const int at = static_cast<int>(n) + 1;
        std::string_view rest = trimmed(lines[n]);
        if (n == 0 && rest.substr(0, 3) == "\xEF\xBB\xBF") rest = trimmed(rest.substr(3)); // a BOM
        if (rest.empty()) continue;
        std::vector<double> stamps;
        bool tag = false;
        while (!rest.empty() && rest.front() == '[') {
            const auto close = rest.find(']');
            if (close == std::string_view::npos)
                fail(file, at, "a '[' is never closed", "a time is written [01:23.45] at the start of the line");
            const std::string_view inside = trimmed(rest.substr(1, close - 1));
            if (const auto t = parseClock(inside)) {
                stamps.push_back(*t);
            } else if (const auto colon = inside.find(':'); stamps.empty() && colon != std::string_view::npos &&
                                                            colon > 0 &&
                                                            std::isalpha(static_cast<unsigned char>(inside.front()))) {
                // An ID tag: [ar:Artist], [ti:Title], [offset:+250] …
                const std::string name = lowered(trimmed(inside.substr(0, colon)));
                const std::string_view value = trimmed(inside.substr(colon + 1));
                if (name == "offset") {
                    int ms = 0;
                    const std::string_view v = !value.empty() && value.front() == '+' ? value.substr(1) : value;
                    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
                    if (ec != std::errc() || p != v.data() + v.size())
                        fail(file, at, "[offset:" + std::string(value) + "] is not a whole number of milliseconds",
                             "write e.g. [offset:+250] (the lines come 250 ms earlier) or take it out");
                    offset = ms / 1000.0;
                }
                if (name == "ti") out.title = validUtf8(value);
                // (the offset is in the times read: written back, they are the times, without it)
                if (name != "offset") out.header.push_back("[" + validUtf8(inside) + "]");
                tag = true;
            } else {
                // (LRC cannot tell words opening with a bracket from a time or a tag: refused, not
                // guessed, so a file written back reads the same)
                fail(file, at, "[" + std::string(inside) + "] is not a time",
                     "a time is minutes:seconds, [01:23.45] or [01:23]; a tag, on a line of its own, is [ar:Name]; "
                     "words cannot open with '['");
            }
            rest = trimmed(rest.substr(close + 1));
        }
        if (tag && stamps.empty()) continue;
        // Enhanced LRC's word stamps <01:23.45> are dropped: a line is shown whole.
        std::string words;
        for (std::size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] == '<') {
                const auto close = rest.find('>', i);
                if (close != std::string_view::npos && parseClock(rest.substr(i + 1, close - i - 1))) {
                    i = close;
                    continue;
                }
            }
            words += rest[i];
        }
        LyricLine line;
        line.sourceLine = at;
        line.text = validUtf8(trimmed(words)); // (LRC has no chords: brackets after the times are words)
        if (stamps.empty()) {
            untimed.push_back(std::move(line));
            continue;
        }
        for (const double s : stamps) {
            LyricLine copy = line;
            copy.time.seconds = std::max(0.0, s - offset);
            timed.push_back(std::move(copy));
        }
    }
    // Several stamps on a line (a chorus sung twice) put it in more than one place: by time. An
    // untimed line (tap-to-time fills them in in order) stays after the line written before it.
    std::vector<std::pair<double, LyricLine>> keyed;
    for (LyricLine& l : timed)
        keyed.emplace_back(l.time.seconds, std::move(l));
    for (LyricLine& u : untimed) {
        double after = -1.0; // the first time of the timed line written last before it
        int source = 0;
        for (const auto& [t, l] : keyed)
            if (l.sourceLine < u.sourceLine && l.sourceLine >= source && l.time.seconds >= 0.0) {
                if (l.sourceLine > source)
                    after = t;
                else
                    after = std::min(after, t);
                source = l.sourceLine;
            }
        keyed.emplace_back(after, std::move(u));
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return a.second.sourceLine < b.second.sourceLine; // (an untimed line after the timed one it follows)
    });
    for (auto& [t, l] : keyed)
        out.lines.push_back(std::move(l));
    return out;
}

Lyrics parseChordPro(std::string_view text, const fs::path& file) {
    Lyrics out;
    out.file = file;
    out.format = LyricsFormat::chordPro;
    out.original = std::string(text);
    std::string section;
    int sectionNumber = 0;
    LyricTime pending;
    int pendingAt = 0;
    bool inTab = false;
    const std::vector<std::string_view> physical = splitLines(text);
    for (std::size_t n = 0; n < physical.size(); ++n) {
        const int at = static_cast<int>(n) + 1;
        std::string joined(physical[n]);
        if (n == 0 && joined.rfind("\xEF\xBB\xBF", 0) == 0) joined.erase(0, 3);
        while (!joined.empty() && joined.back() == '\\' && n + 1 < physical.size()) { // a continued line
            joined.pop_back();
            joined += trimmed(physical[++n]);
        }
        const std::string_view line = trimmed(joined);
        if (!line.empty() && line.front() == '#') continue;
        if (!line.empty() && line.front() == '{') {
            if (line.back() != '}')
                fail(file, at, "a directive's '{' is not closed at the line's end",
                     "a directive stands alone on its line: {title: Song}");
            std::string_view body = trimmed(line.substr(1, line.size() - 2));
            const auto sep = body.find_first_of(": \t");
            std::string name = lowered(body.substr(0, sep));
            std::string_view value = sep == std::string_view::npos ? std::string_view{} : trimmed(body.substr(sep + 1));
            if (!value.empty() && value.front() == ':') value = trimmed(value.substr(1));
            if (const auto dash = name.find('-'); dash != std::string::npos && dash > 0)
                name.erase(dash); // a conditional directive ({title-guitar}): taken as the plain one
            if (name == "x_time" || name == "x_bar") {
                if (pendingAt != 0)
                    fail(file, at,
                         "two times in a row (the one on line " + std::to_string(pendingAt) + " times no line)",
                         "put one {x_time} or {x_bar} just before each line it times");
                pending = {};
                if (name == "x_time") {
                    const auto t = parseClock(value);
                    if (!t)
                        fail(file, at, "{x_time: " + std::string(value) + "} is not a time",
                             "write minutes:seconds at 100% tempo, e.g. {x_time: 1:23.45}");
                    pending.seconds = *t;
                } else {
                    double bar = 0.0, beat = 1.0;
                    const std::string v(value);
                    const auto dot = v.find('.');
                    const std::string barText = v.substr(0, dot);
                    const std::string beatText = dot == std::string::npos ? "" : v.substr(dot + 1);
                    const auto [p, ec] = std::from_chars(barText.data(), barText.data() + barText.size(), bar);
                    bool ok = ec == std::errc() && p == barText.data() + barText.size() && bar >= 1 &&
                              bar == std::floor(bar) && bar < 100000;
                    if (ok && !beatText.empty()) {
                        const auto [q, ec2] = std::from_chars(beatText.data(), beatText.data() + beatText.size(), beat);
                        ok = ec2 == std::errc() && q == beatText.data() + beatText.size() && beat >= 1 && beat < 64;
                    }
                    if (!ok)
                        fail(file, at, "{x_bar: " + std::string(value) + "} is not a bar",
                             "write the bar the line starts on, {x_bar: 9}, or bar and beat, {x_bar: 9.3}");
                    pending.bar = static_cast<int>(bar);
                    pending.beat = beat;
                }
                pendingAt = at;
            } else if (name == "title" || name == "t") {
                out.title = validUtf8(value);
            } else if (name.rfind("start_of_", 0) == 0 || name == "soc" || name == "sov" || name == "sob" ||
                       name == "sot" || name == "sog") {
                std::string kind = name == "soc"   ? "chorus"
                                   : name == "sov" ? "verse"
                                   : name == "sob" ? "bridge"
                                   : name == "sot" ? "tab"
                                   : name == "sog" ? "grid"
                                                   : name.substr(9);
                // tablature, chord grids and other notation (ABC, LilyPond, SVG, text blocks) are not sung
                inTab = kind == "tab" || kind == "grid" || kind == "abc" || kind == "ly" || kind == "svg" ||
                        kind == "textblock";
                std::string label(value);
                if (label.rfind("label=", 0) == 0) label = label.substr(6);
                if (label.size() >= 2 && (label.front() == '"' || label.front() == '\'') &&
                    label.back() == label.front())
                    label = label.substr(1, label.size() - 2);
                if (label.empty()) {
                    std::replace(kind.begin(), kind.end(), '_', ' ');
                    if (!kind.empty()) kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
                    label = kind;
                }
                section = validUtf8(label);
                ++sectionNumber;
            } else if (name.rfind("end_of_", 0) == 0 || name == "eoc" || name == "eov" || name == "eob" ||
                       name == "eot" || name == "eog") {
                section.clear();
                inTab = false;
            }
            // Any other directive (metadata, layout, x_ of another tool) has nothing to show here.
            continue;
        }
        if (line.empty() || inTab) continue;
        LyricLine l;
        l.sourceLine = at;
        takeChords(line, l, file, at);
        l.section = section;
        l.sectionNumber = section.empty() ? 0 : sectionNumber;
        if (pendingAt != 0) {
            l.time = pending;
            l.timeSourceLine = pendingAt;
            pendingAt = 0;
        }
        out.lines.push_back(std::move(l));
    }
    if (pendingAt != 0)
        fail(file, pendingAt, "this time has no line after it to time",
             "put {x_time} or {x_bar} just before the line it times, or take it out");
    checkOrder(out.lines, file);
    return out;
}

Lyrics readLyrics(const fs::path& file) {
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot be read; check that it exists and its permissions");
    return lowered(file.extension().string()) == ".lrc" ? parseLrc(*text, file) : parseChordPro(*text, file);
}

std::string lyricTimeText(double seconds) {
    const auto hundredths = static_cast<long long>(std::llround(std::max(0.0, seconds) * 100.0));
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld.%02lld", hundredths / 6000, (hundredths / 100) % 60,
                  hundredths % 100);
    return text;
}

std::string formatLyrics(const Lyrics& lyrics) {
    std::ostringstream out;
    if (lyrics.format == LyricsFormat::lrc) {
        for (const std::string& h : lyrics.header)
            out << h << "\n";
        for (const LyricLine& l : lyrics.lines) {
            if (l.time.seconds >= 0.0) out << "[" << lyricTimeText(l.time.seconds) << "]";
            std::string text = l.text;
            for (auto c = l.chords.rbegin(); c != l.chords.rend(); ++c) // (back to front: offsets hold)
                text.insert(std::min(c->at, text.size()), "[" + c->name + "]");
            out << text << "\n";
        }
        return out.str();
    }
    // ChordPro: the file as it was, each line timed in seconds preceded by its x_time (the directive
    // that timed it before replaced or, for a line made untimed, taken out), lines timed by bar
    // kept with theirs.
    const std::vector<std::string_view> lines = splitLines(lyrics.original);
    const char* eol = lyrics.original.find("\r\n") != std::string::npos ? "\r\n" : "\n"; // (as it was)
    std::vector<const LyricLine*> bySource(lines.size() + 2, nullptr);
    std::vector<bool> drop(lines.size() + 2, false);
    for (const LyricLine& l : lyrics.lines) {
        if (l.sourceLine > 0 && static_cast<std::size_t>(l.sourceLine) < bySource.size()) bySource[l.sourceLine] = &l;
        if (l.time.bar == 0 && l.timeSourceLine > 0 && static_cast<std::size_t>(l.timeSourceLine) < drop.size())
            drop[l.timeSourceLine] = true;
    }
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::size_t at = n + 1;
        if (drop[at]) continue;
        std::string_view text = lines[n];
        if (n == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // (no BOM mid-file)
        if (const LyricLine* l = bySource[at]; l != nullptr && l->time.seconds >= 0.0)
            out << "{x_time: " << lyricTimeText(l->time.seconds) << "}" << eol;
        out << text << eol;
    }
    return out.str();
}

namespace {
bool rest(const LyricLine& l) {
    return l.text.empty() && l.chords.empty();
}
} // namespace

void stampLyricLine(Lyrics& lyrics, std::size_t index, double seconds, double bpm, int beatsPerBar) {
    if (index >= lyrics.lines.size()) return;
    const auto at = [&](const LyricLine& l) { return l.time.secondsOn(bpm, beatsPerBar, 0.0); };
    for (std::size_t i = 0; i < lyrics.lines.size(); ++i) {
        LyricLine& l = lyrics.lines[i];
        if (i == index) {
            l.time = {};
            l.time.seconds = std::max(0.0, seconds);
        } else if ((i < index && at(l) > seconds) || (i > index && l.time.timed() && at(l) < seconds)) {
            l.time = {}; // (a rest so untimed is not written: it held no words)
        }
    }
}

std::optional<std::size_t> nextLyricToTap(const Lyrics& lyrics, double seconds, double bpm, int beatsPerBar,
                                          std::optional<std::size_t> cursor) {
    const auto sung = [&](std::size_t i) { return !rest(lyrics.lines[i]); };
    if (cursor) { // the line after the last one tapped (a rest passed over)
        for (std::size_t i = *cursor; i < lyrics.lines.size(); ++i)
            if (sung(i)) return i;
        return std::nullopt;
    }
    // No tap yet here: the lines timed over a second before now are sung; the first after them
    // that is not timed yet, or timed later (re-timing it), is next.
    std::size_t from = 0;
    for (std::size_t i = 0; i < lyrics.lines.size(); ++i)
        if (const double t = lyrics.lines[i].time.secondsOn(bpm, beatsPerBar, 0.0); t >= 0.0 && t < seconds - 1.0)
            from = i + 1;
    for (std::size_t i = from; i < lyrics.lines.size(); ++i)
        if (sung(i)) return i;
    return std::nullopt;
}

std::optional<std::size_t> lyricLineAt(const Lyrics& lyrics, double seconds, double bpm, int beatsPerBar) {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < lyrics.lines.size(); ++i) {
        const double at = lyrics.lines[i].time.secondsOn(bpm, beatsPerBar, 0.0);
        if (at < 0.0) continue;
        if (at > seconds) break;
        found = i;
    }
    return found;
}

} // namespace stemdeck::set
