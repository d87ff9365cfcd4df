// Songs levelled across the set: measured by check on each song's main output, planned, shown,
// accepted beside the set; applied by play and render.
#include "stemdeck/app/Loudness.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/control/Loudness.h"
#include "stemdeck/control/Song.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

std::string fixed(double v, int decimals, bool sign = false) {
    char buf[64];
    std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
    return buf;
}

std::string titleOf(const set::SetSong& s) {
    return s.title ? *s.title : s.source.filename().string();
}

/// The song's main output, as play plays it at its own tempo and key (a rehearsal tempo changes
/// its loudness by hundredths of a LU and would cost a stretched render), untrimmed.
std::optional<set::LoudnessFigures> measureSong(const set::SetSong& written, const set::SetAudio& audio,
                                                std::string& error) {
    set::SetSong plan = written;
    plan.tempo.reset();
    plan.transpose.reset();
    plan.trimDb.reset();
    control::SongOptions options;
    options.offline = true;         // (a read fault is silence, the same run to run)
    options.keepBrokenStems = true; // (a broken stem is silent, as play plays it)
    try {
        control::Song song = control::loadSong(plan.source, control::optionsFor(plan, options));
        engine::SongView view = song.view();
        (void)control::applySetSong(plan, song, view, 0);
        // Stems on outputs of their own are not in the main mix: left out (muted) here.
        for (const auto& [stem, out] : audio.stemOuts)
            if (const auto k = song.findStem(stem)) view.start[static_cast<std::size_t>(*k)].muted = true;
        return control::measureMainOutput(view, song.sampleRate);
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

const char* limitWord(set::TrimLimit l) {
    switch (l) {
    case set::TrimLimit::none: return "none";
    case set::TrimLimit::ceiling: return "ceiling";
    case set::TrimLimit::cap: return "cap";
    case set::TrimLimit::ownGain: return "own_gain";
    case set::TrimLimit::unmeasured: return "unmeasured";
    }
    return "none";
}

} // namespace

void addLoudnessOption(CLI::App& cmd, std::string& loudness) {
    cmd.add_option("--loudness", loudness,
                   "match: each song at its accepted loudness trim (stemdeck check SET --accept-loudness); off: "
                   "none (default: the set file's loudness:)")
        ->check(CLI::IsMember({"match", "off"}));
}

void takeLoudnessArg(const std::string& loudness, set::SetFile& set) {
    if (loudness.empty()) return;
    set.loudness.match = loudness == "match";
}

void applyLoudness(set::SetFile& set, std::ostream& log) {
    for (const std::string& w : set::applyAcceptedTrims(set))
        log << "stemdeck: warning: " << w << "\n";
    if (!set.loudness.match) return;
    std::string line;
    for (std::size_t i = 0; i < set.songs.size(); ++i) {
        const set::SetSong& s = set.songs[i];
        line += (line.empty() ? "" : ", ") + std::to_string(i + 1) + " " + oneLine(titleOf(s)) + " " +
                (s.gainDb   ? "gain " + fixed(*s.gainDb, 1, true) + " dB (its own)"
                 : s.trimDb ? fixed(*s.trimDb, 1, true) + " dB"
                            : std::string("untrimmed"));
    }
    log << "stemdeck: loudness: match, on the main output (accepted in "
        << set::loudnessFile(set.file).filename().string() << "): " << line << "\n";
}

bool LoudnessReport::accepted() const {
    if (!acceptedFile || !plan.error.empty()) return false;
    for (std::size_t i = 0; i < songs.size(); ++i) {
        const set::SongTrim& t = plan.trims[i];
        if (t.limit == set::TrimLimit::unmeasured || t.limit == set::TrimLimit::ownGain) continue;
        if (!songs[i].acceptedTrim || std::fabs(*songs[i].acceptedTrim - t.db) > 0.05) return false;
    }
    return true;
}

LoudnessReport measureSetLoudness(const set::SetFile& set, const std::function<void(const std::string&)>& progress,
                                  const std::vector<std::string>& skip) {
    LoudnessReport r;
    r.setFile = set.file;
    r.setting = set.loudness;
    std::optional<set::StoredLoudnessFile> stored;
    try {
        stored = set::loadLoudnessFile(set.file);
    } catch (const Error& e) {
        r.fileError = e.what();
    }
    r.acceptedFile = stored.has_value();
    if (stored) r.acceptedTarget = stored->target;
    std::vector<std::optional<set::LoudnessFigures>> measured;
    for (const set::SetSong& s : set.songs) {
        SongLoudness row;
        row.title = titleOf(s);
        const std::size_t index = r.songs.size();
        if (!s.error.empty()) {
            row.error = "cannot play";
        } else if (index < skip.size() && !skip[index].empty()) {
            row.error = skip[index];
        } else {
            row.fingerprint = set::loudnessFingerprint(s, set.audio);
            row.sourceName = set::loudnessSongName(s.source, set.file);
            const set::StoredLoudness* st = stored ? stored->find(s, set.file, row.fingerprint) : nullptr;
            if (st != nullptr && st->fingerprint == row.fingerprint) {
                row.figures = st->figures;
                row.reused = true;
                row.acceptedTrim = st->trim;
            } else {
                if (progress) progress(row.title);
                row.figures = measureSong(s, set.audio, row.error);
            }
        }
        measured.push_back(row.figures);
        r.songs.push_back(std::move(row));
    }
    r.plan = set::planLoudness(measured, set.songs, set.loudness);
    return r;
}

LoudnessReport measureFolderLoudness(const fs::path& source) {
    set::SetFile one;
    set::SetSong s;
    s.source = source;
    one.songs.push_back(s);
    LoudnessReport r;
    SongLoudness row;
    row.title = source.filename().string();
    row.figures = measureSong(s, {}, row.error);
    r.songs.push_back(std::move(row));
    r.plan = set::planLoudness({r.songs.front().figures}, one.songs, r.setting);
    return r;
}

std::string formatLoudness(const LoudnessReport& r) {
    std::ostringstream out;
    char line[512];
    out << "Loudness (EBU R128, each song's main output" << (r.setting.match ? "; trims with loudness: match" : "")
        << "):\n";
    std::snprintf(line, sizeof line, "  %-3s %-24s %12s %9s %11s  %s\n", "#", "song", "integrated", "range",
                  "true peak", r.setting.match ? "trim" : "");
    out << line;
    for (std::size_t i = 0; i < r.songs.size(); ++i) {
        const SongLoudness& s = r.songs[i];
        const std::string title = oneLine(s.title);
        if (!s.figures) {
            std::snprintf(line, sizeof line, "  %-3zu %-24.24s (not measured: %s)\n", i + 1, title.c_str(),
                          oneLine(s.error).c_str());
        } else if (s.figures->silent) {
            std::snprintf(line, sizeof line, "  %-3zu %-24.24s %12s %9s %11s\n", i + 1, title.c_str(), "silent", "-",
                          fixed(s.figures->truePeak, 1).c_str());
        } else {
            const std::string trim = r.setting.match ? set::describeTrim(r.plan.trims[i], r.setting) : "";
            std::snprintf(line, sizeof line, "  %-3zu %-24.24s %7s LUFS %6s LU %6s dBTP  %s\n", i + 1, title.c_str(),
                          fixed(s.figures->integrated, 1).c_str(), fixed(s.figures->range, 1).c_str(),
                          fixed(s.figures->truePeak, 1).c_str(), trim.c_str());
        }
        out << line;
    }
    if (!r.plan.error.empty()) {
        out << "  " << oneLine(r.plan.error) << "\n";
        return out.str();
    }
    if (r.songs.size() > 1) out << "  Spread across the set: " << fixed(r.plan.spread, 1) << " LU";
    if (r.songs.size() > 1 && r.setting.match) out << "; with the trims " << fixed(r.plan.spreadAfter, 1) << " LU";
    if (r.songs.size() > 1) out << "\n";
    if (r.setFile.empty()) return out.str();
    const std::string accept = "stemdeck check " + r.setFile.string() + " --accept-loudness";
    if (!r.setting.match) {
        out << "  loudness: match is off: every song plays as delivered (the set file's loudness: match, or "
               "--loudness match, levels them toward the median)\n";
        return out.str();
    }
    out << "  Target: " << r.plan.targetText << "; true-peak ceiling " << fixed(r.setting.ceiling, 1)
        << " dBTP; at most " << fixed(r.setting.maxTrim, 1) << " dB either way\n";
    if (!r.fileError.empty()) {
        out << "  The accepted trims cannot be read (" << oneLine(r.fileError) << "): play and render play every "
            << "song untrimmed; accept them again: " << accept << "\n";
    } else if (!r.acceptedFile) {
        out << "  NOT ACCEPTED: play and render play every song untrimmed until you accept these trims: " << accept
            << "\n";
    } else if (!r.accepted()) {
        out << "  CHANGED since accepted (" << set::loudnessFile(r.setFile).filename().string() << "):";
        for (std::size_t i = 0; i < r.songs.size(); ++i) {
            const set::SongTrim& t = r.plan.trims[i];
            if (t.limit == set::TrimLimit::unmeasured || t.limit == set::TrimLimit::ownGain) continue;
            const SongLoudness& s = r.songs[i];
            if (!s.acceptedTrim)
                out << " song " << i + 1 << " now " << fixed(t.db, 1, true) << " dB (not accepted: played untrimmed);";
            else if (std::fabs(*s.acceptedTrim - t.db) > 0.05)
                out << " song " << i + 1 << " " << fixed(*s.acceptedTrim, 1, true) << " dB accepted, "
                    << fixed(t.db, 1, true) << " dB now;";
        }
        out << " play and render keep the accepted trims of songs whose stems did not change; accept again: " << accept
            << "\n";
    } else {
        out << "  Accepted (" << set::loudnessFile(r.setFile).filename().string()
            << "): play and render apply these trims\n";
    }
    return out.str();
}

std::string loudnessJson(const LoudnessReport& r) {
    using Json = nlohmann::ordered_json;
    Json songs = Json::array();
    for (std::size_t i = 0; i < r.songs.size(); ++i) {
        const SongLoudness& s = r.songs[i];
        const set::SongTrim& t = r.plan.trims[i];
        Json j{{"title", validUtf8(s.title)}, {"measured", s.figures.has_value()}};
        if (s.figures) {
            j["silent"] = s.figures->silent;
            j["integrated_lufs"] = s.figures->silent ? Json(nullptr) : Json(s.figures->integrated);
            j["range_lu"] = s.figures->range;
            j["true_peak_dbtp"] = s.figures->truePeak;
        } else {
            j["error"] = validUtf8(s.error);
        }
        j["trim_db"] = r.setting.match ? Json(t.db) : Json(nullptr);
        j["trim_wanted_db"] = t.wanted;
        j["trim_limit"] = limitWord(t.limit);
        j["accepted_trim_db"] = s.acceptedTrim ? Json(*s.acceptedTrim) : Json(nullptr);
        songs.push_back(std::move(j));
    }
    Json out{{"match", r.setting.match},
             {"target_lufs", r.plan.error.empty() ? Json(r.plan.target) : Json(nullptr)},
             {"target", validUtf8(r.plan.targetText)},
             {"ceiling_dbtp", r.setting.ceiling},
             {"max_trim_db", r.setting.maxTrim},
             {"spread_lu", r.plan.spread},
             {"spread_after_lu", r.plan.spreadAfter},
             {"accepted", r.setting.match ? Json(r.accepted()) : Json(nullptr)},
             {"error", r.plan.error.empty() ? Json(nullptr) : Json(validUtf8(r.plan.error))},
             {"songs", std::move(songs)}};
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void acceptLoudness(const LoudnessReport& r) {
    if (r.setFile.empty()) throw Error("--accept-loudness: trims are a set's; give a set file");
    if (!r.setting.match)
        throw Error("--accept-loudness: loudness: match is off for " + r.setFile.string() +
                    "; add loudness: match to the set file (or give --loudness match) to level its songs");
    if (!r.plan.error.empty()) throw Error("--accept-loudness: " + r.plan.error);
    set::StoredLoudnessFile file;
    file.target = r.plan.targetText;
    for (std::size_t i = 0; i < r.songs.size(); ++i) {
        const SongLoudness& s = r.songs[i];
        if (!s.figures) continue;
        set::StoredLoudness st;
        st.fingerprint = s.fingerprint;
        st.figures = *s.figures;
        st.trim = r.plan.trims[i].db;
        st.song = s.sourceName;
        file.songs.push_back(std::move(st));
    }
    set::saveLoudnessFile(r.setFile, file);
}

} // namespace stemdeck::app
