// The set file's loudness: section (songs levelled across the set) and a song's own gain:.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <initializer_list>

#include "SetFileParse.h"

namespace stemdeck::set::detail {

namespace {

const std::vector<std::string> kLoudnessKeys = {"match", "ceiling", "max_trim"};

/// A number with one of `units` (any case) after it or none: "-14 LUFS", "-1dBTP", "-3"; nullopt
/// when the text is not one.
std::optional<double> figure(std::string text, std::initializer_list<const char*> units) {
    std::string lower;
    for (const char c : text)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string unit : units)
        if (lower.size() >= unit.size() && lower.compare(lower.size() - unit.size(), unit.size(), unit) == 0) {
            text.resize(text.size() - unit.size());
            break;
        }
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    if (text.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// "-14 LUFS" (or LKFS, or a bare number).
std::optional<double> lufsFigure(const std::string& text) {
    return figure(text, {"lufs", "lkfs"});
}

/// "-1 dBTP", "-1 dB", "+3dB", "-1": in dB.
std::optional<double> dbFigure(const std::string& text) {
    return figure(text, {"dbtp", "db"});
}

void parseMatch(const YAML::Node& m, SetLoudness& l, const yaml::Reader& r) {
    const std::string text = r.scalar(m, "match");
    l.match = true;
    if (text == "median") {
        l.target = LoudnessTarget::median;
    } else if (const std::optional<double> v = lufsFigure(text)) {
        if (*v < -40.0 || *v > -5.0)
            r.fail(m, "match: " + text +
                          " is not a loudness target a show plays at; give one from -40 to -5 LUFS, "
                          "e.g. match: -14 LUFS");
        l.target = LoudnessTarget::absolute;
        l.lufs = *v;
    } else if (text.empty()) {
        r.fail(m, "match is median, a target such as -14 LUFS, or a song's title (its loudness for all)");
    } else {
        l.target = LoudnessTarget::song; // (checked against the songs when they are known)
        l.anchor = text;
    }
}

} // namespace

SetLoudness parseLoudness(const YAML::Node& n, const yaml::Reader& r) {
    SetLoudness l;
    l.present = true;
    l.line = n.Mark().line + 1;
    const char* example = "loudness is match (toward the set's median), off, or a map such as loudness: { match: -14 "
                          "LUFS, ceiling: -1 dBTP, max_trim: 6 dB }";
    if (n.IsScalar()) {
        if (n.Scalar() == "match") {
            l.match = true;
            return l;
        }
        if (const auto off = yaml::Reader::as<bool>(n); off && !*off) return l; // loudness: off
        r.fail(n, example);
    }
    if (!n.IsMap()) r.fail(n, example);
    r.checkKeys(n, kLoudnessKeys, "loudness");
    if (const YAML::Node m = n["match"]) {
        // match: false / true (unquoted: a song titled "Yes" is match: "Yes")
        if (const auto b = yaml::Reader::as<bool>(m); b && m.Tag() != "!")
            l.match = *b;
        else
            parseMatch(m, l, r);
    } else {
        l.match = true;
    }
    if (const YAML::Node c = n["ceiling"]) {
        const std::optional<double> v = dbFigure(r.scalar(c, "ceiling"));
        if (!v || *v > 0.0 || *v < -20.0)
            r.fail(c, "ceiling is the true peak no trim goes past, from -20 to 0 dBTP, e.g. ceiling: -1 dBTP");
        l.ceiling = *v;
    }
    if (const YAML::Node t = n["max_trim"]) {
        const std::optional<double> v = dbFigure(r.scalar(t, "max_trim"));
        if (!v || *v < 0.0 || *v > 24.0)
            r.fail(t, "max_trim is the most a trim moves a song either way, from 0 to 24 dB, e.g. max_trim: 6 dB");
        l.maxTrim = *v;
    }
    return l;
}

void parseSongGain(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    const std::string text = r.scalar(n, "gain");
    const std::optional<double> db = dbFigure(text); // (in dB: a bare number is dB too, never a factor)
    if (!db || *db < -40.0 || *db > 12.0)
        r.fail(n, "gain '" + text + "' is not a song's level; write it in dB from -40 to +12, e.g. gain: -3 dB");
    song.gainDb = *db;
}

} // namespace stemdeck::set::detail
