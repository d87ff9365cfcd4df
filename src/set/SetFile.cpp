#include "stemdeck/set/SetFile.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "stemdeck/Error.h"
#include "stemdeck/Files.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/formats/StretchedReader.h"
#include "stemdeck/Limits.h"
#include "stemdeck/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

const std::vector<std::string> kTopKeys = {"name", "audio", "controller", "count_in", "at_end", "lock", "songs"};
const std::vector<std::string> kAudioKeys = {"driver", "device", "client_name", "connect",    "rate",
                                             "block",  "main",   "click",       "click_mode", "stem_outputs"};
const std::vector<std::string> kSongKeys = {"folder", "file",    "title",     "bpm",      "time_signature",
                                            "key",    "tempo",   "transpose", "count_in", "at_end",
                                            "start",  "markers", "scenes"};
const std::vector<std::string> kStartKeys = {"mute", "solo", "gain", "filter"};
const std::vector<std::string> kSceneKeys = {"mute", "solo", "gain", "filter", "name"};

/// Where a node is, as "file:line:column".
class Place {
public:
    explicit Place(std::string file) : file_(std::move(file)) {}
    [[nodiscard]] std::string at(const YAML::Node& node) const { return yaml::placeOf(file_, node); }
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        throw Error(at(node) + ": " + message);
    }

private:
    std::string file_;
};

void checkKeys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& where,
               const Place& place) {
    for (const auto& kv : map) {
        const std::string key = kv.first.Scalar();
        if (std::find(known.begin(), known.end(), key) == known.end())
            place.fail(kv.first, "unknown key '" + key + "' in " + where + didYouMean(key, known) +
                                     "; known keys: " + joinNames(known));
    }
}

std::string scalar(const YAML::Node& n, const Place& place, const std::string& what) {
    if (!n.IsScalar()) place.fail(n, what + " must be a single value, such as " + what + ": …");
    return n.Scalar();
}

double number(const YAML::Node& n, const Place& place, const std::string& what, double lo, double hi) {
    const std::string text = scalar(n, place, what);
    double v = 0.0;
    try {
        std::size_t used = 0;
        v = std::stod(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        place.fail(n, what + " must be a number, not '" + text + "'");
    }
    if (!std::isfinite(v) || v < lo || v > hi) {
        std::ostringstream range;
        range << lo << " to " << hi;
        place.fail(n, what + " " + text + " is out of range (" + range.str() + ")");
    }
    return v;
}

int integer(const YAML::Node& n, const Place& place, const std::string& what, int lo, int hi) {
    const double v = number(n, place, what, lo, hi);
    if (v != std::floor(v)) place.fail(n, what + " must be a whole number, not " + n.Scalar());
    return static_cast<int>(v);
}

SongEnd songEnd(const YAML::Node& n, const Place& place) {
    const std::string text = scalar(n, place, "at_end");
    if (auto e = parseSongEnd(text)) return *e;
    place.fail(n,
               "at_end '" + text + "' is not one of stop, next, run-on" + didYouMean(text, {"stop", "next", "run-on"}));
}

std::vector<std::string> stemList(const YAML::Node& n, const Place& place, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
        for (const auto& item : n)
            out.push_back(scalar(item, place, what + " entry"));
    } else {
        place.fail(n, what + " lists stems by name or number, e.g. " + what + ": [Vox, 3]");
    }
    return out;
}

/// The ASCII-lowercase form of a name: the key names are compared by (case-insensitively).
std::string foldCase(std::string_view name) {
    std::string out(name);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// A song's start state, one entry per stem named, found by name in constant time (a list of
/// thousands of names, e.g. through a YAML alias, stays linear).
struct StartBuilder {
    std::vector<StemStart>& start;
    std::unordered_map<std::string, std::size_t> index{};
    StemStart& operator()(const std::string& stem, const YAML::Node& at) {
        const auto [it, added] = index.try_emplace(foldCase(stem), start.size());
        if (!added) return start[it->second];
        StemStart& s = start.emplace_back();
        s.stem = stem;
        s.line = at.Mark().line + 1;
        s.column = at.Mark().column + 1;
        return s;
    }
};

/// mute / solo / gain / filter of a song's start state or of a scene.
void parseStemStates(const YAML::Node& n, std::vector<StemStart>& states, const Place& place) {
    StartBuilder startFor{states};
    if (const YAML::Node m = n["mute"])
        for (const std::string& s : stemList(m, place, "mute"))
            startFor(s, m).muted = true;
    if (const YAML::Node m = n["solo"])
        for (const std::string& s : stemList(m, place, "solo"))
            startFor(s, m).soloed = true;
    if (const YAML::Node g = n["gain"]) {
        if (!g.IsMap()) place.fail(g, "gain maps stems to levels, e.g. gain: { Bass: -3dB, 2: 0.5 }");
        for (const auto& kv : g) {
            const auto v = parseGain(scalar(kv.second, place, "gain"));
            if (!v)
                place.fail(kv.second,
                           "gain '" + kv.second.Scalar() + "' is not a level: write -6dB or 0.5 (at most +12 dB)");
            startFor(kv.first.Scalar(), kv.first).gain = *v;
        }
    }
    if (const YAML::Node f = n["filter"]) {
        if (!f.IsMap()) place.fail(f, "filter maps stems to knob positions, e.g. filter: { Drums: -0.5 }");
        for (const auto& kv : f)
            startFor(kv.first.Scalar(), kv.first).filter =
                static_cast<float>(number(kv.second, place, "filter", -1.0, 1.0));
    }
}

void parseStart(const YAML::Node& n, SetSong& song, const Place& place) {
    if (!n.IsMap()) place.fail(n, "start is a map, e.g. start: { mute: [Vox], gain: { Bass: -3dB } }");
    checkKeys(n, kStartKeys, "start", place);
    parseStemStates(n, song.start, place);
}

/// One scene's body: { mute: [Drums], gain: { Bass: -6dB }, filter: { Keys: -0.5 } } (or empty).
SceneDef parseScene(const std::string& name, int slot, const YAML::Node& body, const Place& place) {
    SceneDef d;
    d.name = name;
    d.slot = slot;
    d.line = body.Mark().line + 1;
    if (body.IsNull()) return d;
    if (!body.IsMap())
        place.fail(body, "a scene is a map such as { mute: [Drums, Bass], filter: { Keys: -0.5 } } (or {} for "
                         "every stem at unity)");
    checkKeys(body, kSceneKeys, "a scene", place);
    parseStemStates(body, d.stems, place);
    return d;
}

void parseScenes(const YAML::Node& n, SetSong& song, const Place& place) {
    if (!n.IsMap())
        place.fail(n,
                   "scenes maps names to stem states, e.g. scenes: { Breakdown: { mute: [Drums, Bass] }, Full: {} }");
    std::unordered_set<std::string> names;
    for (const auto& kv : n) {
        const std::string name = scalar(kv.first, place, "scene name");
        if (static_cast<int>(song.scenes.size()) >= kMaxScenes)
            place.fail(kv.first, "a song holds at most " + std::to_string(kMaxScenes) +
                                     " scenes (one pad row); this is scene " + std::to_string(song.scenes.size() + 1));
        if (!names.insert(foldCase(name)).second)
            place.fail(kv.first, "scene '" + name + "' is named twice; give each its own name");
        song.scenes.push_back(parseScene(name, static_cast<int>(song.scenes.size()), kv.second, place));
    }
}

void parseMarkers(const YAML::Node& n, SetSong& song, const Place& place) {
    std::unordered_set<std::string> names;
    auto add = [&](const std::string& name, const YAML::Node& bar) {
        if (!names.insert(foldCase(name)).second)
            place.fail(bar, "marker '" + name + "' is named twice; give each its own name");
        song.markers.push_back({name, integer(bar, place, "marker bar", 1, 100000)});
    };
    if (n.IsMap()) { // { Verse: 9, Drop: 33 }
        for (const auto& kv : n)
            add(kv.first.Scalar(), kv.second);
    } else if (n.IsSequence()) { // [ { name: Verse, bar: 9 } ]
        for (const auto& item : n) {
            if (!item.IsMap() || !item["name"] || !item["bar"])
                place.fail(item, "each marker is { name: Drop, bar: 33 }");
            checkKeys(item, {"name", "bar"}, "a marker", place);
            add(scalar(item["name"], place, "marker name"), item["bar"]);
        }
    } else {
        place.fail(n, "markers is a list like [ { name: Drop, bar: 33 } ] or a map like { Drop: 33 }");
    }
    std::sort(song.markers.begin(), song.markers.end(), [](const Marker& a, const Marker& b) { return a.bar < b.bar; });
}

SetSong parseSong(const YAML::Node& n, const fs::path& base, const Place& place) {
    SetSong song;
    song.line = n.Mark().line + 1;
    // (yaml-cpp nodes are references: assigning one node to another would overwrite the first,
    // so the path's node is chosen once, never reassigned.)
    const bool isMap = n.IsMap();
    const bool hasFolder = isMap && n["folder"];
    const YAML::Node where = !isMap ? n : hasFolder ? n["folder"] : n["file"];
    std::string path;
    if (n.IsScalar()) {
        path = n.Scalar();
    } else if (isMap) {
        checkKeys(n, kSongKeys, "a song", place);
        if (hasFolder && n["file"]) place.fail(n["file"], "a song has a folder or a file, not both");
        if (!where) place.fail(n, "a song needs its stem folder: folder: songs/neon-drive");
        path = scalar(where, place, hasFolder ? "folder" : "file");
        if (const YAML::Node t = n["title"]) song.title = scalar(t, place, "title");
        if (const YAML::Node b = n["bpm"]) song.bpm = number(b, place, "bpm", 1.0, 999.0);
        if (const YAML::Node k = n["key"]) song.key = scalar(k, place, "key");
        if (const YAML::Node t = n["tempo"]) {
            song.tempo = parseTempo(scalar(t, place, "tempo"));
            if (!song.tempo)
                place.fail(t, "tempo '" + t.Scalar() +
                                  "' is not a tempo; write a share of the song's own, tempo: 80%, or "
                                  "a target, tempo: 112 BPM");
            if (const std::string bad = tempoShareProblem(*song.tempo); !bad.empty()) place.fail(t, bad);
        }
        if (const YAML::Node t = n["transpose"]) {
            song.transpose = parseTranspose(scalar(t, place, "transpose"));
            if (!song.transpose)
                place.fail(t, "transpose '" + t.Scalar() +
                                  "' is not a transposition; write semitones, transpose: -2, or "
                                  "cents, transpose: +30 c");
            if (const std::string bad = transposeProblem(*song.transpose); !bad.empty()) place.fail(t, bad);
        }
        if (const YAML::Node c = n["count_in"]) song.countInBars = integer(c, place, "count_in", 0, 16);
        if (const YAML::Node e = n["at_end"]) song.atEnd = songEnd(e, place);
        if (const YAML::Node ts = n["time_signature"]) {
            const std::string text = scalar(ts, place, "time_signature");
            int beats = 0, unit = 0;
            char slash = 0, extra = 0;
            std::istringstream in(text);
            if (!(in >> beats >> slash >> unit) || slash != '/' || (in >> extra) || beats < 1 || beats > 32 ||
                (unit != 1 && unit != 2 && unit != 4 && unit != 8 && unit != 16))
                place.fail(ts, "time_signature '" + text + "' is not a time signature such as 4/4, 3/4 or 6/8");
            song.beatsPerBar = beats;
            song.beatUnit = unit;
        }
        if (const YAML::Node s = n["start"]) parseStart(s, song, place);
        if (const YAML::Node m = n["markers"]) parseMarkers(m, song, place);
        if (const YAML::Node sc = n["scenes"]) parseScenes(sc, song, place);
    } else {
        place.fail(n, "each song is a folder path, or a map such as { folder: songs/neon-drive, bpm: 124 }");
    }
    fs::path p(path);
    if (p.is_relative()) p = base / p;
    song.source = p.lexically_normal();
    std::error_code ec;
    if (!fs::exists(song.source, ec))
        place.fail(where, "'" + path + "' does not exist (looked for " + song.source.string() +
                              "); paths are relative to the set file");
    if (hasFolder && !fs::is_directory(song.source, ec))
        place.fail(where, "'" + path + "' is a file; folder: names the folder that holds the stems");
    if (isMap && !hasFolder && (!fs::is_regular_file(song.source, ec) || !formats::isStemFileName(song.source)))
        place.fail(where, "'" + path +
                              "': file: names a Native Instruments stem file (.stem.mp4); for a folder of "
                              "stems write folder:");
    return song;
}

SetAudio parseAudio(const YAML::Node& n, const Place& place) {
    SetAudio a;
    if (!n.IsMap()) place.fail(n, "audio is a map, e.g. audio: { driver: jack, block: 128 }");
    checkKeys(n, kAudioKeys, "audio", place);
    if (const YAML::Node d = n["driver"]) {
        a.driver = scalar(d, place, "driver");
        if (!equalsIgnoreCase(*a.driver, "alsa") && !equalsIgnoreCase(*a.driver, "jack"))
            place.fail(d, "driver '" + *a.driver + "' is not alsa or jack");
    }
    if (const YAML::Node d = n["device"]) a.device = scalar(d, place, "device");
    if (const YAML::Node d = n["client_name"]) a.clientName = scalar(d, place, "client_name");
    if (const YAML::Node c = n["connect"]) {
        bool yes = true;
        if (!c.IsScalar() || !YAML::convert<bool>::decode(c, yes))
            place.fail(c, "connect is true or false (connect the main pair to the JACK playback ports)");
        a.connect = yes;
    }
    if (const YAML::Node r = n["rate"]) a.rate = integer(r, place, "rate", 8000, 384000);
    if (const YAML::Node b = n["block"]) a.block = integer(b, place, "block", 16, 8192);
    if (const YAML::Node m = n["main"]) a.mainOut = integer(m, place, "main", 1, 255);
    if (const YAML::Node c = n["click"]) a.clickOut = integer(c, place, "click", 1, 255);
    if (const YAML::Node c = n["click_mode"]) {
        a.click = scalar(c, place, "click_mode");
        if (*a.click != "off" && *a.click != "count-in" && *a.click != "always")
            place.fail(c, "click_mode '" + *a.click + "' is not one of off, count-in, always" +
                              didYouMean(*a.click, {"off", "count-in", "always"}));
    }
    if (const YAML::Node s = n["stem_outputs"]) {
        if (!s.IsMap()) place.fail(s, "stem_outputs maps stems to outputs, e.g. stem_outputs: { Drums: 5, Bass: 7 }");
        for (const auto& kv : s)
            a.stemOuts.emplace_back(kv.first.Scalar(), integer(kv.second, place, "stem output", 1, 255));
    }
    return a;
}

} // namespace

std::optional<SongEnd> parseSongEnd(std::string_view text) {
    if (text == "stop") return SongEnd::stop;
    if (text == "next") return SongEnd::next;
    if (text == "run-on" || text == "run_on") return SongEnd::runOn;
    return std::nullopt;
}

bool isSetFileName(const fs::path& path) {
    const std::string ext = path.extension().string();
    return equalsIgnoreCase(ext, ".yaml") || equalsIgnoreCase(ext, ".yml");
}

std::vector<std::string> SetFile::errors() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < songs.size(); ++i)
        if (!songs[i].error.empty()) out.push_back("song " + std::to_string(i + 1) + " cannot play: " + songs[i].error);
    return out;
}

SetFile parseSetFile(std::string_view text, const fs::path& file) {
    const Place place(file.string());
    YAML::Node root =
        yaml::parse(text, file.string(), "; a set file looks like\nname: Friday\nsongs:\n  - folder: songs/neon-drive");
    if (!root.IsMap())
        throw Error(file.string() + ":1:1: a set file is a map with a 'songs:' list, e.g.\nname: Friday\nsongs:\n"
                                    "  - folder: songs/neon-drive");
    checkKeys(root, kTopKeys, "the set file", place);
    SetFile set;
    set.file = file;
    const fs::path base = file.has_parent_path() ? file.parent_path() : fs::path(".");
    set.name = root["name"] ? scalar(root["name"], place, "name") : file.stem().string();
    if (const YAML::Node a = root["audio"]) set.audio = parseAudio(a, place);
    if (const YAML::Node c = root["controller"]) {
        const std::string written = scalar(c, place, "controller");
        const fs::path p(written);
        // The app's rule for names (app::isMappingName): no '/', no .yaml or .yml at the end.
        if (written.find('/') == std::string::npos && p.extension() != ".yaml" && p.extension() != ".yml")
            set.controllerName = written;
        else
            set.controller = (p.is_relative() ? base / p : p).lexically_normal();
    }
    if (const YAML::Node c = root["count_in"]) set.countInBars = integer(c, place, "count_in", 0, 16);
    if (const YAML::Node e = root["at_end"]) set.atEnd = songEnd(e, place);
    if (const YAML::Node l = root["lock"]) {
        const std::string value = scalar(l, place, "lock");
        if (value == "true" || value == "yes" || value == "on")
            set.lock = true;
        else if (value == "false" || value == "no" || value == "off")
            set.lock = false;
        else
            place.fail(l, "lock is true (the show starts locked: keyboard and mouse do nothing until 'unlock' is "
                          "typed) or false");
    }
    const YAML::Node songs = root["songs"];
    if (!songs || !songs.IsSequence() || songs.size() == 0)
        place.fail(songs ? songs : root, "the set needs a 'songs:' list with at least one song folder");
    // Each song's folder or file by its device and inode (what fs::equivalent compares), so a
    // repeat is found however it is spelled, in one stat per song rather than one per pair.
    std::map<std::pair<dev_t, ino_t>, std::size_t> seen;
    for (const auto& item : songs) {
        SetSong song;
        try {
            song = parseSong(item, base, place);
            struct stat st {};
            if (::stat(song.source.c_str(), &st) == 0) {
                const auto [it, added] = seen.try_emplace({st.st_dev, st.st_ino}, set.songs.size());
                if (!added)
                    throw Error(place.at(item) + ": repeats song " + std::to_string(it->second + 1) + " (line " +
                                std::to_string(set.songs[it->second].line) + "); list each song once");
            }
        } catch (const Error& e) { // this song cannot play; the others still load
            song = SetSong{};
            song.line = item.Mark().line + 1;
            song.error = e.what();
            if (item.IsScalar())
                song.source = item.Scalar();
            else if (item.IsMap() && item["folder"] && item["folder"].IsScalar())
                song.source = item["folder"].Scalar();
        }
        set.songs.push_back(std::move(song));
    }
    return set;
}

const SceneDef* SetSong::sceneAt(int slot) const {
    for (const SceneDef& d : scenes)
        if (d.slot == slot) return &d;
    return nullptr;
}

std::vector<std::string> SetSong::sceneNames() const {
    std::vector<std::string> names(static_cast<std::size_t>(kMaxScenes));
    for (const SceneDef& d : scenes)
        if (d.slot >= 0 && d.slot < kMaxScenes) names[static_cast<std::size_t>(d.slot)] = d.name;
    return names;
}

fs::path storedScenesFile(const fs::path& setFile) {
    fs::path p = setFile;
    return p.replace_extension(".scenes.yaml");
}

namespace {
/// A song as the sidecar names it: its path relative to the set file's folder.
std::string sidecarSource(const fs::path& source, const fs::path& base) {
    const fs::path rel = source.lexically_relative(base);
    return (rel.empty() ? source : rel).generic_string();
}
} // namespace

std::string formatStoredScenes(const std::vector<SetSong>& songs, const fs::path& setFile) {
    const fs::path base = setFile.has_parent_path() ? setFile.parent_path() : fs::path(".");
    std::ostringstream out;
    out << "# Scenes stored live with store_scene, for " << setFile.filename().generic_string()
        << ". stemdeck loads them over the\n# set file's own scenes; edit them or delete this file to go back.\n";
    bool any = false;
    for (const SetSong& song : songs) {
        bool header = false;
        for (const SceneDef& d : song.scenes) {
            if (!d.stored) continue;
            if (!any) out << "songs:\n";
            any = true;
            if (!header) out << "  - song: " << yaml::quoted(sidecarSource(song.source, base)) << "\n    scenes:\n";
            header = true;
            out << "      " << d.slot + 1 << ": { name: " << yaml::quoted(d.name);
            std::string mute, solo, gain, filter;
            auto add = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
            for (const StemStart& st : d.stems) {
                if (st.muted) add(mute, yaml::quoted(st.stem));
                if (st.soloed) add(solo, yaml::quoted(st.stem));
                char buf[64];
                if (st.gain) {
                    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(*st.gain));
                    add(gain, yaml::quoted(st.stem) + ": " + buf);
                }
                if (st.filter) {
                    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(*st.filter));
                    add(filter, yaml::quoted(st.stem) + ": " + buf);
                }
            }
            out << ", mute: [" << mute << "], solo: [" << solo << "], gain: {" << gain << "}, filter: {" << filter
                << "} }\n";
        }
    }
    if (!any) out << "songs: []\n";
    return out.str();
}

std::vector<std::string> parseStoredScenes(std::string_view text, const fs::path& sidecar, std::vector<SetSong>& songs,
                                           const fs::path& setFile) {
    const Place place(sidecar.string());
    const fs::path base = setFile.has_parent_path() ? setFile.parent_path() : fs::path(".");
    std::vector<std::string> warnings;
    YAML::Node root;
    try {
        root = yaml::parse(text, sidecar.string(), "; the stored scenes are not loaded (fix or delete the file)");
    } catch (const Error& e) {
        return {e.what()};
    }
    std::vector<std::pair<std::size_t, SceneDef>> found;
    try {
        if (!root.IsMap() || !root["songs"] || !root["songs"].IsSequence())
            place.fail(root, "expected a 'songs:' list of { song: PATH, scenes: { 1: { … } } }");
        checkKeys(root, {"songs"}, "the stored scenes", place);
        for (const auto& item : root["songs"]) {
            if (!item.IsMap() || !item["song"] || !item["scenes"] || !item["scenes"].IsMap())
                place.fail(item, "each entry is { song: PATH, scenes: { 1: { name: …, mute: […] } } }");
            checkKeys(item, {"song", "scenes"}, "a song entry", place);
            fs::path src(scalar(item["song"], place, "song"));
            if (src.is_relative()) src = base / src;
            src = src.lexically_normal();
            std::size_t index = songs.size();
            for (std::size_t i = 0; i < songs.size(); ++i)
                if (songs[i].source == src) index = i;
            if (index == songs.size()) {
                warnings.push_back(place.at(item["song"]) + ": the set has no song '" + item["song"].Scalar() +
                                   "'; its stored scenes are not used");
                continue;
            }
            for (const auto& kv : item["scenes"]) {
                const int slot = integer(kv.first, place, "scene number", 1, kMaxScenes) - 1;
                const YAML::Node name = kv.second.IsMap() ? kv.second["name"] : YAML::Node();
                SceneDef d = parseScene(name ? scalar(name, place, "name") : "Scene " + std::to_string(slot + 1), slot,
                                        kv.second, place);
                d.stored = true;
                found.emplace_back(index, std::move(d));
            }
        }
    } catch (const Error& e) {
        return {std::string(e.what()) + "; the stored scenes are not loaded (fix or delete the file)"};
    }
    for (auto& [index, d] : found) { // a stored scene takes its slot over from the set file's
        auto& scenes = songs[index].scenes;
        const int slot = d.slot;
        std::erase_if(scenes, [slot](const SceneDef& o) { return o.slot == slot; });
        scenes.push_back(std::move(d));
        std::sort(scenes.begin(), scenes.end(), [](const SceneDef& a, const SceneDef& b) { return a.slot < b.slot; });
    }
    return warnings;
}

std::vector<std::string> loadStoredScenes(SetFile& set) {
    const fs::path sidecar = storedScenesFile(set.file);
    std::error_code ec;
    if (!fs::exists(sidecar, ec)) return {};
    std::ifstream in(sidecar, std::ios::binary);
    if (!in) return {sidecar.string() + ": cannot be read; the stored scenes are not loaded"};
    std::ostringstream text;
    text << in.rdbuf();
    return parseStoredScenes(text.str(), sidecar, set.songs, set.file);
}

void saveStoredScenes(const std::vector<SetSong>& songs, const fs::path& setFile) {
    const std::string text = formatStoredScenes(songs, setFile);
    std::vector<SetSong> check = songs; // never write a file that would not load back the same
    for (SetSong& s : check)
        std::erase_if(s.scenes, [](const SceneDef& d) { return d.stored; });
    const std::vector<std::string> problems = parseStoredScenes(text, storedScenesFile(setFile), check, setFile);
    if (!problems.empty()) throw Error(problems.front());
    writeFileAtomically(storedScenesFile(setFile), text, "the stored scenes");
}

SetFile loadSetFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || fs::is_directory(file, ec)) throw Error(file.string() + ": cannot read the set file; check the path");
    std::ostringstream text;
    text << in.rdbuf();
    return parseSetFile(text.str(), file);
}

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
