#include "stemdeck/app/PlayScreen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::app {

using control::PlayerStatus;
using control::StemLine;

namespace {

std::string meter(float peak, int width) {
    // −48 dBFS … 0 dBFS across the bar; '!' at the end when the stem clips.
    const double dbfs = toDb(peak, -120.0);
    const int filled = std::clamp(static_cast<int>(std::lround((dbfs + 48.0) / 48.0 * width)), 0, width);
    return std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(width - filled), '.') + (peak >= 1.0f ? "!" : " ");
}

const char* clickName(engine::ClickMode m) {
    switch (m) {
    case engine::ClickMode::off: return "off";
    case engine::ClickMode::countIn: return "count-in";
    case engine::ClickMode::always: return "on";
    }
    return "?";
}

/// Characters (UTF-8 code points) in the first `bytes` bytes: where a chord stands on screen.
std::size_t columns(const std::string& text, std::size_t bytes) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < std::min(bytes, text.size()); ++i)
        n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

/// A lyric line as a terminal shows it: its chords on a row above their syllables (none: no row).
void lyricRows(std::vector<std::string>& lines, const control::LyricShown& l, const std::string& lead) {
    if (!l.chords.empty()) {
        std::string row = std::string(columns(lead, lead.size()), ' ');
        const std::size_t base = row.size();
        for (const set::LyricChord& c : l.chords) {
            const std::size_t at = base + columns(l.text, c.at);
            row.append(at > row.size() ? at - row.size() : (row.size() > base ? 1 : 0), ' ');
            row += !c.name.empty() && c.name.front() == '*' ? c.name.substr(1) : c.name;
        }
        lines.push_back(row);
    }
    lines.push_back(lead + l.text);
}
} // namespace

std::vector<std::string> formatStatus(const PlayerStatus& s, std::uint64_t xruns, int width,
                                      const std::vector<std::string>& busLabels) {
    std::vector<std::string> lines;
    char buf[256];
    const std::string where = s.seconds < 0
                                  ? "count-in " + std::to_string(s.barBeat.beat)
                                  : "bar " + std::to_string(s.barBeat.bar) + "." + std::to_string(s.barBeat.beat);
    std::snprintf(buf, sizeof buf,
                  "%s %d/%d %s | %s | %s / %s (-%s) | %.1f BPM%s%s | click %s | underruns %llu | xruns %llu",
                  s.rolling ? ">" : "||", s.song, s.songs, s.title.c_str(), where.c_str(), clockText(s.seconds).c_str(),
                  clockText(s.lengthSeconds).c_str(), clockText(std::max(0.0, s.lengthSeconds - s.seconds)).c_str(),
                  s.bpm, s.stretch.empty() ? "" : " at ", s.stretch.c_str(), clickName(s.click),
                  static_cast<unsigned long long>(s.underruns), static_cast<unsigned long long>(xruns));
    std::string scene;
    auto sceneName = [&](int slot) {
        const auto k = static_cast<std::size_t>(slot);
        return std::to_string(slot + 1) + (k < s.scenes.size() && !s.scenes[k].empty() ? " " + s.scenes[k] : "");
    };
    if (s.scene >= 0) scene = " | scene " + sceneName(s.scene);
    if (s.sceneWaiting >= 0) scene += " | scene " + sceneName(s.sceneWaiting) + " on the bar";
    lines.emplace_back(std::string(s.locked ? "LOCKED (type unlock) | " : "") + buf +
                       (s.dropped > 0 ? " | COMMANDS LOST " + std::to_string(s.dropped) : "") + scene +
                       (s.practiceLoop.empty() ? (s.vamp ? " | VAMP" : "") : " | LOOP " + s.practiceLoop) +
                       (s.reference ? " | A/B: REFERENCE MIX" : ""));
    for (std::size_t i = 0; i < s.stems.size(); ++i) {
        const StemLine& l = s.stems[i];
        std::string route = "main";
        if (l.bus >= 0)
            route = static_cast<std::size_t>(l.bus) < busLabels.size() ? busLabels[static_cast<std::size_t>(l.bus)]
                                                                       : "direct " + std::to_string(l.bus + 1);
        std::snprintf(buf, sizeof buf, "%2zu %-14.14s %s %s %6s dB  filter %+5.2f  %s %s%s%s", i + 1, l.name.c_str(),
                      l.mix.muted ? "M" : "-", l.mix.soloed ? "S" : "-", formatDb(l.mix.gain).c_str(),
                      static_cast<double>(l.mix.filter), meter(l.peak, 16).c_str(), route.c_str(),
                      l.pending ? "  (change waits for the beat/bar)" : "", l.broken ? "  (file broken: silent)" : "");
        lines.emplace_back(buf);
    }
    if (const control::LyricsNow& ly = s.lyrics; ly.present) {
        const std::string head = ly.section.empty() ? "" : "[" + ly.section + "] ";
        if (ly.index >= 0 && !ly.line.text.empty())
            lyricRows(lines, ly.line, "  >> " + head);
        else
            lines.push_back("  >> " + head + "...");
        if (!ly.next.text.empty() || !ly.next.chords.empty()) {
            char in[32] = "";
            if (ly.nextIn >= 0.0 && ly.nextIn < 60.0) std::snprintf(in, sizeof in, " (in %.1f s)", ly.nextIn);
            lyricRows(lines, ly.next, std::string("     next") + in + ": ");
        }
        if (ly.untimed > 0 && ly.tapLine >= 0)
            lines.push_back("  lyrics: " + std::to_string(ly.untimed) + (ly.untimed == 1 ? " line" : " lines") +
                            " not timed yet; t as each starts (next: line " + std::to_string(ly.tapLine + 1) + " '" +
                            ly.tapText + "')");
    }
    for (std::string& line : lines)
        if (width > 0 && static_cast<int>(line.size()) > width) line.resize(static_cast<std::size_t>(width));
    return lines;
}

} // namespace stemdeck::app
