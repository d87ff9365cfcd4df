// Songs levelled across a set: the trims toward a target, the fingerprint of what a song's main
// output depends on, and the accepted trims kept beside the set (NAME.loudness.yaml).
#include "stemdeck/set/Loudness.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/set/StemFolder.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

std::string fixed(double v, int decimals, bool sign = false) {
    char buf[64];
    std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
    return buf;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// The song `name` names: its title or its folder's name, case-insensitively; -1 when none does.
int findSong(const std::vector<SetSong>& songs, const std::string& name) {
    for (std::size_t i = 0; i < songs.size(); ++i)
        if ((songs[i].title && equalsIgnoreCase(*songs[i].title, name)) ||
            equalsIgnoreCase(songs[i].source.filename().string(), name))
            return static_cast<int>(i);
    return -1;
}

/// FNV-1a, 64 bits: a fingerprint, not a secret.
struct Fnv {
    std::uint64_t h = 1469598103934665603ull;
    void add(std::string_view s) {
        for (const char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ull;
        }
        h ^= 0xff; // (a separator: "ab","c" is not "a","bc")
        h *= 1099511628211ull;
    }
    [[nodiscard]] std::string hex() const {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        return buf;
    }
};

void addFile(Fnv& f, const fs::path& p) {
    std::error_code ec;
    f.add(p.filename().string());
    const auto size = fs::file_size(p, ec);
    f.add(ec ? "?" : std::to_string(size));
    const auto time = fs::last_write_time(p, ec);
    f.add(ec ? "?" : std::to_string(time.time_since_epoch().count()));
}

} // namespace

LoudnessPlan planLoudness(const std::vector<std::optional<LoudnessFigures>>& measured,
                          const std::vector<SetSong>& songs, const SetLoudness& setting) {
    LoudnessPlan plan;
    plan.trims.resize(songs.size());
    std::vector<double> levels;
    for (const auto& m : measured)
        if (m && !m->silent) levels.push_back(m->integrated);
    if (levels.empty()) {
        plan.error = "no song has anything to measure";
        for (SongTrim& t : plan.trims)
            t.limit = TrimLimit::unmeasured;
        return plan;
    }
    plan.spread = *std::max_element(levels.begin(), levels.end()) - *std::min_element(levels.begin(), levels.end());
    switch (setting.target) {
    case LoudnessTarget::median:
        plan.target = median(levels);
        plan.targetText = "the set's median, " + fixed(plan.target, 1) + " LUFS";
        break;
    case LoudnessTarget::absolute:
        plan.target = setting.lufs;
        plan.targetText = fixed(plan.target, 1) + " LUFS";
        break;
    case LoudnessTarget::song: {
        const int k = findSong(songs, setting.anchor);
        const auto ks = static_cast<std::size_t>(k);
        if (k < 0 || ks >= measured.size() || !measured[ks] || measured[ks]->silent) {
            plan.error = k < 0 ? "loudness: match names the song '" + setting.anchor +
                                     "', which the set does not have (name a song by its title or its folder)"
                               : "loudness: match names the song '" + setting.anchor +
                                     "', which has nothing to measure (it cannot play, or is silent)";
            for (SongTrim& t : plan.trims)
                t.limit = TrimLimit::unmeasured;
            return plan;
        }
        plan.target = measured[ks]->integrated;
        plan.targetText = "'" + setting.anchor + "', " + fixed(plan.target, 1) + " LUFS";
        break;
    }
    }
    std::vector<double> after;
    for (std::size_t i = 0; i < songs.size(); ++i) {
        SongTrim& t = plan.trims[i];
        const std::optional<LoudnessFigures>& m = i < measured.size() ? measured[i] : std::nullopt;
        if (!m || m->silent) {
            t.limit = TrimLimit::unmeasured;
            continue;
        }
        t.wanted = plan.target - m->integrated;
        if (songs[i].gainDb) {
            t.limit = TrimLimit::ownGain;
        } else {
            t.db = t.wanted;
            if (t.db > 0.0) { // raised: never past the ceiling (a song already above it stays as it is)
                const double room = std::max(0.0, setting.ceiling - m->truePeak);
                if (t.db > room) {
                    t.db = room;
                    t.limit = TrimLimit::ceiling;
                }
            }
            if (std::fabs(t.db) > setting.maxTrim) {
                t.db = std::copysign(setting.maxTrim, t.db);
                t.limit = TrimLimit::cap;
            }
        }
        after.push_back(m->integrated + t.db);
    }
    plan.spreadAfter = *std::max_element(after.begin(), after.end()) - *std::min_element(after.begin(), after.end());
    return plan;
}

std::string describeTrim(const SongTrim& t, const SetLoudness& setting) {
    switch (t.limit) {
    case TrimLimit::none: return fixed(t.db, 1, true) + " dB";
    case TrimLimit::ceiling:
        return fixed(t.db, 1, true) + " dB (held at its true-peak ceiling, " + fixed(setting.ceiling, 1) +
               " dBTP: " + fixed(t.wanted, 1, true) + " dB would reach the target, " + fixed(t.wanted - t.db, 1) +
               " dB short)";
    case TrimLimit::cap:
        return fixed(t.db, 1, true) + " dB (capped at " + fixed(setting.maxTrim, 1) +
               " dB: " + fixed(t.wanted, 1, true) + " dB would reach the target)";
    case TrimLimit::ownGain:
        return "none (its own gain: in the set file wins; " + fixed(t.wanted, 1, true) + " dB would reach the target)";
    case TrimLimit::unmeasured: return "none (nothing measured)";
    }
    return {};
}

std::string loudnessFingerprint(const SetSong& song, const SetAudio& audio) {
    Fnv f;
    std::error_code ec;
    if (fs::is_directory(song.source, ec)) {
        try {
            const FolderListing l = listFolder(song.source);
            for (const fs::path& p : l.audio)
                addFile(f, p);
            for (const fs::path& p : l.stemFiles)
                addFile(f, p);
        } catch (const Error&) {
            f.add("(unlisted)");
        }
    } else {
        addFile(f, song.source);
    }
    for (const StemStart& s : song.start) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "|%d%d|%.6g|%.6g", s.muted ? 1 : 0, s.soloed ? 1 : 0,
                      s.gain ? static_cast<double>(*s.gain) : -1.0, s.filter ? static_cast<double>(*s.filter) : 9.0);
        f.add("start " + s.stem + buf);
    }
    // Which stems are on outputs of their own (not in the main mix), not which outputs: moving a
    // stem from output 5 to 7 does not change the main output.
    std::vector<std::string> own;
    for (const auto& [stem, out] : audio.stemOuts)
        own.push_back(stem);
    std::sort(own.begin(), own.end());
    for (const std::string& stem : own)
        f.add("own output " + stem);
    if (song.gainDb) f.add("gain " + fixed(*song.gainDb, 3));
    return f.hex();
}

std::string loudnessSongName(const fs::path& source, const fs::path& setFile) {
    // Both made absolute first: the same name whether the set (or a song) was given by a relative
    // or an absolute path, from whatever folder check and play were started in.
    std::error_code ec;
    const fs::path base = fs::absolute(setFile, ec).lexically_normal().parent_path();
    const fs::path song = fs::absolute(source, ec).lexically_normal();
    const fs::path rel = song.lexically_relative(base);
    return (rel.empty() ? song : rel).generic_string();
}

const StoredLoudness* StoredLoudnessFile::find(const SetSong& song, const fs::path& setFile,
                                               const std::string& fingerprint) const {
    const std::string name = loudnessSongName(song.source, setFile);
    const StoredLoudness* first = nullptr; // (the same folder twice, a reprise: the entry as it is now)
    for (const StoredLoudness& s : songs) {
        if (s.song != name) continue;
        if (s.fingerprint == fingerprint) return &s;
        if (first == nullptr) first = &s;
    }
    return first;
}

fs::path loudnessFile(const fs::path& setFile) {
    fs::path p = setFile;
    return p.replace_extension(".loudness.yaml");
}

std::optional<StoredLoudnessFile> loadLoudnessFile(const fs::path& setFile) {
    const fs::path file = loudnessFile(setFile);
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot read the accepted loudness trims");
    const yaml::Reader r(file.string());
    const YAML::Node root =
        yaml::parse(*text, file.string(), "; accept the trims again (stemdeck check SET --accept-loudness)");
    if (!root.IsMap() || !root["songs"] || !root["songs"].IsSequence())
        throw Error(file.string() + ":1:1: not a file of accepted loudness trims (a map with target: and songs:); "
                                    "accept the trims again with stemdeck check SET --accept-loudness");
    StoredLoudnessFile out;
    if (root["target"]) out.target = r.scalar(root["target"], "target");
    for (const auto& n : root["songs"]) {
        if (!n.IsMap()) r.fail(n, "each song is a map { song:, fingerprint:, integrated:, range:, true_peak:, trim: }");
        r.checkKeys(n, {"song", "fingerprint", "integrated", "range", "true_peak", "trim"}, "a song's loudness");
        for (const char* key : {"song", "fingerprint", "integrated", "range", "true_peak", "trim"})
            if (!n[key]) r.fail(n, std::string("a song's loudness needs ") + key + ":");
        StoredLoudness s;
        s.song = r.scalar(n["song"], "song");
        s.fingerprint = r.scalar(n["fingerprint"], "fingerprint");
        s.figures.integrated = r.number(n["integrated"], "integrated", -200.0, 30.0);
        s.figures.range = r.number(n["range"], "range", 0.0, 200.0);
        s.figures.truePeak = r.number(n["true_peak"], "true_peak", -200.0, 60.0);
        s.trim = r.number(n["trim"], "trim", -60.0, 60.0);
        out.songs.push_back(std::move(s));
    }
    return out;
}

void saveLoudnessFile(const fs::path& setFile, const StoredLoudnessFile& file) {
    std::ostringstream out;
    out << "# Loudness trims for " << setFile.filename().generic_string() << ", accepted with `stemdeck check "
        << setFile.filename().generic_string() << " --accept-loudness`.\n"
        << "# Measured on each song's main output (EBU R128: integrated LUFS, range LU, true peak dBTP). With\n"
        << "# loudness: match, play and render apply a song's trim while its fingerprint (its stem files, its\n"
        << "# start state, its outputs, its own gain) is as it was measured; delete this file to take them back.\n";
    out << "target: " << yaml::quoted(file.target) << "\nsongs:\n";
    for (const StoredLoudness& s : file.songs)
        out << "  - song: " << yaml::quoted(s.song) << "\n    fingerprint: " << yaml::quoted(s.fingerprint)
            << "\n    integrated: " << fixed(s.figures.integrated, 2) << "\n    range: " << fixed(s.figures.range, 2)
            << "\n    true_peak: " << fixed(s.figures.truePeak, 2) << "\n    trim: " << fixed(s.trim, 2) << "\n";
    writeFileAtomically(loudnessFile(setFile), out.str(), "the accepted loudness trims");
}

std::vector<std::string> applyAcceptedTrims(SetFile& set) {
    std::vector<std::string> warnings;
    for (SetSong& s : set.songs)
        s.trimDb.reset();
    if (!set.loudness.match) return warnings;
    const std::string accept = "stemdeck check " + set.file.string() + " --accept-loudness";
    std::optional<StoredLoudnessFile> stored;
    try {
        stored = loadLoudnessFile(set.file);
    } catch (const Error& e) {
        warnings.push_back(std::string(e.what()) + ": every song plays untrimmed (run " + accept + ")");
        return warnings;
    }
    if (!stored) {
        warnings.push_back("loudness: match, but no trims were accepted for this set: every song plays untrimmed "
                           "(measure and accept them: " +
                           accept + ")");
        return warnings;
    }
    std::vector<std::string> untrimmed;
    for (std::size_t i = 0; i < set.songs.size(); ++i) {
        SetSong& s = set.songs[i];
        if (!s.error.empty() || s.gainDb) continue; // (cannot play; its own gain wins)
        const std::string fingerprint = loudnessFingerprint(s, set.audio);
        const StoredLoudness* st = stored->find(s, set.file, fingerprint);
        const std::string title = s.title ? *s.title : s.source.filename().string();
        if (st == nullptr) {
            untrimmed.push_back("song " + std::to_string(i + 1) + " '" + title + "' (not measured when accepted)");
        } else if (st->fingerprint != fingerprint) {
            untrimmed.push_back("song " + std::to_string(i + 1) + " '" + title +
                                "' (its stems or settings changed since the trims were accepted)");
        } else {
            s.trimDb = st->trim;
        }
    }
    if (!untrimmed.empty()) {
        std::string list;
        for (const std::string& u : untrimmed)
            list += (list.empty() ? "" : ", ") + u;
        warnings.push_back("loudness: played untrimmed: " + list + "; measure and accept again: " + accept);
    }
    return warnings;
}

} // namespace stemdeck::set
