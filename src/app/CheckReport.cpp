#include "stemdeck/app/CheckReport.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::app {

using set::CheckReport;
using set::FileReport;
using set::Finding;
using set::Severity;
using set::SongReport;

std::string formatCheckReport(const CheckReport& r) {
    std::ostringstream out;
    char line[512];
    for (const Finding& f : r.setFindings) {
        out << "Set " << oneLine(r.source.filename().string()) << ":\n  "
            << (f.severity == Severity::error ? "error: " : "warning: ") << oneLine(f.file) << ": " << oneLine(f.what)
            << "\n      fix: " << oneLine(f.fix) << "\n\n";
    }
    for (std::size_t i = 0; i < r.songs.size(); ++i) {
        const SongReport& s = r.songs[i];
        // Names come from file names, which may hold anything: one line each, valid UTF-8.
        out << "Song " << i + 1 << "/" << r.songs.size() << ": " << oneLine(s.title) << " ("
            << oneLine(s.source.string()) << ")";
        if (s.bpm) out << ", " << *s.bpm << " BPM";
        if (s.key) out << ", " << oneLine(*s.key);
        out << " - "
            << (!s.canPlay()                   ? "CANNOT PLAY"
                : s.count(Severity::error) > 0 ? "PLAYS, WITH ERRORS"
                : s.findings.empty()           ? "ready"
                                               : "plays, with warnings")
            << "\n";
        if (!s.stems.empty()) {
            std::snprintf(line, sizeof line, "  %-3s %-22s %-24s %7s %3s %15s %11s\n", "#", "stem", "format", "rate",
                          "ch", "length (frames)", "peak");
            out << line;
            auto row = [&](const std::string& num, const FileReport& f) {
                const std::string name = oneLine(f.name);
                if (!f.readable) {
                    std::snprintf(line, sizeof line, "  %-3s %-22.22s %s\n", num.c_str(), name.c_str(),
                                  "(cannot be read)");
                } else {
                    std::snprintf(line, sizeof line, "  %-3s %-22.22s %-24.24s %7d %3d %15lld %11s\n", num.c_str(),
                                  name.c_str(), f.format.c_str(), f.sampleRate, f.channels,
                                  static_cast<long long>(f.frames), f.peak ? formatDb(*f.peak, " dBFS").c_str() : "?");
                }
                out << line;
            };
            for (std::size_t k = 0; k < s.stems.size(); ++k)
                row(std::to_string(k + 1), s.stems[k]);
            if (s.reference) row("ref", *s.reference);
        }
        if (s.stemSumResidualDb) {
            std::snprintf(line, sizeof line, "  stems summed against the master: difference %.1f dB below it (%s)\n",
                          *s.stemSumResidualDb,
                          *s.stemSumResidualDb <= set::kStemSumToleranceDb ? "they match" : "they differ");
            out << line;
        }
        if (!s.timecode.empty()) out << "  timecode: bar 1 at " << s.timecode << "\n";
        if (!s.cues.empty()) out << "  cues:\n";
        for (const std::string& c : s.cues)
            out << "    " << oneLine(c) << "\n";
        for (const Finding& f : s.findings)
            out << "  " << (f.severity == Severity::error ? "error: " : "warning: ") << oneLine(f.file) << ": "
                << oneLine(f.what) << "\n      fix: " << oneLine(f.fix) << "\n";
        out << "\n";
    }
    const int errors = r.count(Severity::error), warnings = r.count(Severity::warning);
    out << "Summary: " << r.songs.size() << " song" << (r.songs.size() == 1 ? "" : "s") << ", " << errors << " error"
        << (errors == 1 ? "" : "s") << ", " << warnings << " warning" << (warnings == 1 ? "" : "s") << ". ";
    switch (r.verdict()) {
    case set::SetVerdict::asDelivered: out << "The set can play.\n"; break;
    case set::SetVerdict::playsWithErrors:
        out << "The set plays, but not all of it as delivered; fix the errors above before the show.\n";
        break;
    case set::SetVerdict::cannotPlay:
        out << "The set cannot play as delivered; fix the errors above before the show.\n";
        break;
    case set::SetVerdict::someSongsCannot:
        out << r.playableSongs() << " of " << r.songs.size()
            << " songs can play; fix the errors above before the show.\n";
        break;
    }
    return out.str();
}

std::string checkReportJson(const CheckReport& r) {
    using Json = nlohmann::ordered_json;
    // Names come from file names: valid UTF-8 whatever their encoding (validUtf8), so the JSON is too.
    auto str = [](const std::string& raw) { return Json(validUtf8(raw)); };
    auto finding = [&](const Finding& f) {
        return Json{{"severity", f.severity == Severity::error ? "error" : "warning"},
                    {"file", str(f.file)},
                    {"what", str(f.what)},
                    {"fix", str(f.fix)},
                    {"song_plays", f.severity == Severity::warning || f.songPlays}};
    };
    auto file = [&](const FileReport& f, bool reference) {
        return Json{{"path", str(f.path.string())},
                    {"name", str(f.name)},
                    {"reference", reference},
                    {"readable", f.readable},
                    {"format", str(f.format)},
                    {"sample_rate", f.sampleRate},
                    {"channels", f.channels},
                    {"bit_depth", f.bitDepth},
                    {"lossy", f.lossy},
                    {"frames", f.frames},
                    {"peak_dbfs", f.peak && *f.peak > 0.0f ? Json(toDb(*f.peak)) : Json(nullptr)}};
    };
    // can_play: every song plays (some perhaps not as delivered); errors: delivery defects, 0 for a
    // set as delivered (check's exit status is 0 exactly then).
    Json out{{"source", str(r.source.string())},
             {"set", str(r.setName)},
             {"can_play", r.canPlay()},
             {"errors", r.count(Severity::error)}};
    out["set_findings"] = Json::array();
    for (const Finding& f : r.setFindings)
        out["set_findings"].push_back(finding(f));
    out["songs"] = Json::array();
    for (const SongReport& s : r.songs) {
        Json song{{"source", str(s.source.string())},
                  {"title", str(s.title)},
                  {"bpm", s.bpm ? Json(*s.bpm) : Json(nullptr)},
                  {"key", s.key ? str(*s.key) : Json(nullptr)},
                  {"can_play", s.canPlay()},
                  {"errors", s.count(Severity::error)}};
        song["files"] = Json::array();
        for (const FileReport& f : s.stems)
            song["files"].push_back(file(f, false));
        if (s.reference) song["files"].push_back(file(*s.reference, true));
        song["timecode"] = s.timecode.empty() ? Json(nullptr) : str(s.timecode);
        song["cues"] = Json::array();
        for (const std::string& c : s.cues)
            song["cues"].push_back(str(c));
        song["findings"] = Json::array();
        for (const Finding& f : s.findings)
            song["findings"].push_back(finding(f));
        out["songs"].push_back(std::move(song));
    }
    return out.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace stemdeck::app
