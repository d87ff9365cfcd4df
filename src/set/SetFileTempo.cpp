// A song's tempo and key as a set file (or the command line) writes them, and the rules a song's
// tempo, time signature and transposition must meet.
#include "stemdeck/set/SetFile.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "stemdeck/common/Error.h"
#include "stemdeck/formats/StretchedReader.h"

namespace stemdeck::set {

namespace {
/// `text` lower-cased with its spaces removed, and the number at its start; `rest` is what follows.
std::optional<double> leadingNumber(std::string_view text, std::string& rest) {
    std::string s;
    for (const char c : text)
        if (c != ' ') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.empty() || s.front() == '.' || s.find_first_of("0123456789") == std::string::npos) return std::nullopt;
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (!std::isfinite(v) || s.find_first_of("xpni", 0) < used) return std::nullopt; // no hex, inf, nan
        rest = s.substr(used);
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}
} // namespace

std::optional<TempoSetting> parseTempo(std::string_view text) {
    std::string rest;
    const auto v = leadingNumber(text, rest);
    if (!v || *v <= 0.0) return std::nullopt;
    if (rest == "%") return TempoSetting{*v / 100.0, false};
    if (rest == "bpm") return TempoSetting{*v, true};
    return std::nullopt;
}

std::optional<double> parseTranspose(std::string_view text) {
    std::string rest;
    const auto v = leadingNumber(text, rest);
    if (!v) return std::nullopt;
    if (rest.empty() || rest == "st" || rest == "semitone" || rest == "semitones") return *v;
    if (rest == "c" || rest == "cent" || rest == "cents") return *v / 100.0;
    return std::nullopt;
}

double tempoRatio(const TempoSetting& tempo, double songBpm, bool bpmKnown) {
    char buf[160];
    if (tempo.bpm && !bpmKnown) {
        std::snprintf(buf, sizeof buf,
                      "tempo %g BPM needs the song's own BPM, and it has none: give bpm: in the set file (or the "
                      "readme), or write the tempo as a share, e.g. tempo: 80%%",
                      tempo.value);
        throw Error(buf);
    }
    if (const std::string bad = tempoShareProblem(tempo); !bad.empty()) throw Error(bad);
    const double ratio = tempo.bpm ? tempo.value / songBpm : tempo.value;
    if (!(ratio >= formats::kMinTempo - 1e-9 && ratio <= formats::kMaxTempo + 1e-9)) {
        std::snprintf(buf, sizeof buf,
                      "tempo %g BPM is %.0f%% of the song's %g BPM; stemdeck plays a song at 50%% to 200%% of its "
                      "tempo",
                      tempo.value, ratio * 100.0, songBpm);
        throw Error(buf);
    }
    return ratio;
}

std::string tempoShareProblem(const TempoSetting& tempo) {
    if (tempo.bpm || (tempo.value >= formats::kMinTempo && tempo.value <= formats::kMaxTempo)) return {};
    char buf[120];
    std::snprintf(buf, sizeof buf, "tempo %g%% is out of range: stemdeck plays a song at 50%% to 200%% of its tempo",
                  tempo.value * 100.0);
    return buf;
}

std::string transposeProblem(double semitones) {
    if (std::fabs(semitones) <= formats::kMaxSemitones) return {};
    char buf[120];
    std::snprintf(buf, sizeof buf,
                  "transpose %+g semitones is out of range: stemdeck transposes up to an octave (12) "
                  "either way",
                  semitones);
    return buf;
}

std::string tempoProblem(double bpm, int beatsPerBar, int beatUnit) {
    const auto number = [](double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    if (!(bpm >= 1.0 && bpm <= 999.0))
        return "BPM " + number(bpm) + " is out of range (1-999); fix the readme's BPM or give bpm: in the set file";
    if (beatsPerBar < 1 || beatsPerBar > 32)
        return std::to_string(beatsPerBar) +
               " beats a bar is out of range (1-32); fix the time signature in the readme or the set file";
    if (beatUnit != 1 && beatUnit != 2 && beatUnit != 4 && beatUnit != 8 && beatUnit != 16 && beatUnit != 32)
        return "a beat unit of " + std::to_string(beatUnit) +
               " is not a note value (1, 2, 4, 8, 16 or 32); fix the time signature in the readme or the set file";
    return {};
}

} // namespace stemdeck::set
