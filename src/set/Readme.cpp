#include "stemdeck/set/Readme.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"

namespace stemdeck::set {

namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

/// A number as written ("128", "44,1"), or nullopt when it is not a finite number that fits
/// (readmes are typed by hand: "BPM: 99999999…" must not throw).
std::optional<double> toNumber(std::string text) {
    std::replace(text.begin(), text.end(), ',', '.');
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<int> toInt(const std::string& text) {
    const auto v = toNumber(text);
    if (!v || *v < 0 || *v > 1000) return std::nullopt;
    return static_cast<int>(*v);
}

std::optional<double> firstNumber(const std::string& line, const std::regex& re) {
    std::smatch m;
    if (std::regex_search(line, m, re)) return toNumber(m[1].str());
    return std::nullopt;
}

} // namespace

ReadmeInfo parseReadme(std::string_view text) {
    using std::regex;
    const auto icase = regex::ECMAScript | regex::icase;
    // With an exponent, so "BPM: 1e308" is read as what it says (and refused), not as 1.
    static const regex bpmBefore(R"((?:\bbpm|\btempo)\s*[:=]?\s*(\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?))", icase);
    static const regex bpmAfter(R"((\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*bpm\b)", icase);
    static const regex key(R"(\bkey\s*[:=]?\s*([A-G](?:#|b|♯|♭)?(?:\s*(?:major|minor|maj|min|m)\b)?))", icase);
    static const regex rate(R"(\bsample\s*-?\s*rate\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(khz|hz)?)", icase);
    static const regex tuning(R"(\bA\s*4?\s*=\s*(\d+(?:\.\d+)?)\s*(?:hz)?)", icase);
    static const regex timeSig(R"((?:time\s*signature|time\s*sig|meter)\s*[:=]?\s*(\d+)\s*/\s*(\d+))", icase);
    static const regex title(R"(^\s*(?:title|song)\s*[:=]\s*(.+)$)", icase);

    ReadmeInfo info;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        // std::regex recurses per character: a huge line (a binary file named .txt) must not be
        // able to exhaust the stack. Real readme lines are short.
        if (line.size() > 512) line.resize(512);
        std::smatch m;
        if (!info.bpm) {
            if (auto v = firstNumber(line, bpmBefore))
                info.bpm = v;
            else if (auto w = firstNumber(line, bpmAfter))
                info.bpm = w;
        }
        if (!info.key && std::regex_search(line, m, key)) info.key = trim(m[1].str());
        if (!info.sampleRate && std::regex_search(line, m, rate)) {
            if (auto hz = toNumber(m[1].str())) {
                const std::string unit = m[2].str();
                if ((!unit.empty() && (unit[0] == 'k' || unit[0] == 'K')) || *hz < 1000.0) *hz *= 1000.0;
                info.sampleRate = hz;
            }
        }
        if (!info.tuningHz && std::regex_search(line, m, tuning)) info.tuningHz = toNumber(m[1].str());
        if (!info.beatsPerBar && std::regex_search(line, m, timeSig)) {
            const auto beats = toInt(m[1].str()), unit = toInt(m[2].str());
            if (beats && unit) {
                info.beatsPerBar = beats;
                info.beatUnit = unit;
            }
        }
        if (!info.title && std::regex_search(line, m, title)) info.title = trim(m[1].str());
    }
    return info;
}

ReadmeInfo readReadme(const std::filesystem::path& file) {
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot read the readme; check its permissions");
    return parseReadme(*text);
}

} // namespace stemdeck::set
