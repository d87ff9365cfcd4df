// The set's timecode (`timecode:`, and `ltc:` in audio:) and a song's own start (`timecode:` in
// its entry), read from a set file with file:line:column errors; and what `check` and `play` find
// wrong with the songs' starts at the rate in use.
#include <map>

#include "SetFileParse.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::set {

namespace {
const std::vector<std::string> kTimecodeKeys = {"mtc", "fps", "level", "preroll", "tempo"};
constexpr int kWrapHours = 24;
} // namespace

namespace detail {

SetTimecode parseTimecode(const YAML::Node& n, const yaml::Reader& r) {
    if (!n.IsMap())
        r.fail(n, "timecode is a map, e.g. timecode: { mtc: true, fps: 25 } (LTC's output is audio: { ltc: 7 })");
    r.checkKeys(n, kTimecodeKeys, "timecode");
    SetTimecode t;
    t.present = true;
    t.line = n.Mark().line + 1;
    if (const YAML::Node m = n["mtc"]) {
        const std::optional<bool> yes = yaml::Reader::as<bool>(m);
        if (!yes) r.fail(m, "mtc is true or false (MIDI timecode on the MIDI output)");
        t.mtc = *yes;
    }
    if (const YAML::Node f = n["fps"]) {
        const std::string text = r.scalar(f, "fps");
        t.rate = parseTimecodeRate(text);
        if (!t.rate) r.fail(f, "fps '" + text + "' is not one of 24, 25, 29.97df, 30, 23.976 (23.976: LTC only)");
    }
    if (const YAML::Node l = n["level"]) t.ltcLevel = r.number(l, "level (LTC's peak in dBFS)", -60.0, 0.0);
    if (const YAML::Node p = n["preroll"]) t.preroll = r.number(p, "preroll (seconds)", 0.0, 30.0);
    if (const YAML::Node m = n["tempo"]) {
        const std::string text = r.scalar(m, "tempo");
        if (text == "follow")
            t.tempo = TimecodeTempo::follow;
        else if (text == "wall")
            t.tempo = TimecodeTempo::wall;
        else if (text == "stop")
            t.tempo = TimecodeTempo::stop;
        else
            r.fail(m, "tempo '" + text +
                          "' is not one of follow (the song's position, at its speed), wall (real time from bar 1), "
                          "stop (no timecode at another tempo)" +
                          didYouMean(text, {"follow", "wall", "stop"}));
    }
    return t;
}

void parseSongTimecode(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    const std::string text = r.scalar(n, "timecode");
    // (30: the most frames a second any rate has; the rate in use checks again: timecodeProblems)
    const std::optional<TimecodeLabel> label = parseTimecodeLabel(text, 30);
    if (!label)
        r.fail(n, "timecode '" + text +
                      "' is not a start such as 03:00:00:00 (hours 00-23, minutes and seconds 00-59, frames); "
                      "quote it if YAML reads it as a number");
    song.timecode = label;
    song.timecodeLine = n.Mark().line + 1;
}

} // namespace detail

std::optional<TimecodeLabel> songTimecode(const SetSong& song, int number, TimecodeRate rate) {
    if (song.timecode) return song.timecode->frames < rate.nominal() ? song.timecode : std::nullopt;
    if (number < 1 || number >= kWrapHours) return std::nullopt;
    return TimecodeLabel{number, 0, 0, 0};
}

std::vector<std::string> timecodeProblems(const std::vector<SetSong>& songs, TimecodeRate rate) {
    std::vector<std::string> out;
    std::map<std::int64_t, int> starts; // timecode frame → song number
    for (std::size_t i = 0; i < songs.size(); ++i) {
        const SetSong& s = songs[i];
        const int number = static_cast<int>(i) + 1;
        const std::string song = "song " + std::to_string(number) + " (line " + std::to_string(s.line) + ")";
        if (s.timecode && s.timecode->frames >= rate.nominal()) {
            out.push_back(song + ": timecode " + timecodeText(rate, *s.timecode) + " has frame " +
                          std::to_string(s.timecode->frames) + ", but " + std::string(rate.name()) + " fps counts 0-" +
                          std::to_string(rate.nominal() - 1) + ": it plays without timecode");
            continue;
        }
        const std::optional<TimecodeLabel> start = songTimecode(s, number, rate);
        if (!start) {
            out.push_back(song + " has no timecode start (hours wrap at 24, so from song 24 on each needs its own, "
                                 "e.g. timecode: 00:30:00:00): it plays without timecode");
            continue;
        }
        const auto [it, added] = starts.try_emplace(timecodeIndex(rate, *start), number);
        if (!added)
            out.push_back(song + " starts on " + timecodeText(rate, *start) + " like song " +
                          std::to_string(it->second) + ": a lighting desk could not tell them apart");
    }
    return out;
}

} // namespace stemdeck::set
