// One song of a set file: its path, its facts (title, BPM, key, tempo, time signature …), its
// start state, markers and scenes.
#include "stemdeck/set/SetFile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "SetFileParse.h"
#include "stemdeck/common/Limits.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

const std::vector<std::string> kSongKeys = {"folder", "file",      "title",    "bpm",    "time_signature", "key",
                                            "tempo",  "transpose", "count_in", "at_end", "start",          "markers",
                                            "scenes", "cues",      "timecode", "guides",   "gain"};
const std::vector<std::string> kStartKeys = {"mute", "solo", "gain", "filter"};
const std::vector<std::string> kSceneKeys = {"mute", "solo", "gain", "filter", "name"};

std::vector<std::string> stemList(const YAML::Node& n, const yaml::Reader& r, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
        for (const auto& item : n)
            out.push_back(r.scalar(item, what + " entry"));
    } else {
        r.fail(n, what + " lists stems by name or number, e.g. " + what + ": [Vox, 3]");
    }
    return out;
}

/// A song's start state, one entry per stem named, found by name in constant time (a list of
/// thousands of names, e.g. through a YAML alias, stays linear).
struct StartBuilder {
    std::vector<StemStart>& start;
    std::unordered_map<std::string, std::size_t> index{};
    StemStart& operator()(const std::string& stem, const YAML::Node& at) {
        const auto [it, added] = index.try_emplace(detail::foldCase(stem), start.size());
        if (!added) return start[it->second];
        StemStart& s = start.emplace_back();
        s.stem = stem;
        s.line = at.Mark().line + 1;
        s.column = at.Mark().column + 1;
        return s;
    }
};

/// mute / solo / gain / filter of a song's start state or of a scene.
void parseStemStates(const YAML::Node& n, std::vector<StemStart>& states, const yaml::Reader& r) {
    StartBuilder startFor{states};
    if (const YAML::Node m = n["mute"])
        for (const std::string& s : stemList(m, r, "mute"))
            startFor(s, m).muted = true;
    if (const YAML::Node m = n["solo"])
        for (const std::string& s : stemList(m, r, "solo"))
            startFor(s, m).soloed = true;
    if (const YAML::Node g = n["gain"]) {
        if (!g.IsMap()) r.fail(g, "gain maps stems to levels, e.g. gain: { Bass: -3dB, 2: 0.5 }");
        for (const auto& kv : g) {
            const auto v = parseGain(r.scalar(kv.second, "gain"));
            if (!v)
                r.fail(kv.second,
                       "gain '" + kv.second.Scalar() + "' is not a level: write -6dB or 0.5 (at most +12 dB)");
            startFor(kv.first.Scalar(), kv.first).gain = *v;
        }
    }
    if (const YAML::Node f = n["filter"]) {
        if (!f.IsMap()) r.fail(f, "filter maps stems to knob positions, e.g. filter: { Drums: -0.5 }");
        for (const auto& kv : f)
            startFor(kv.first.Scalar(), kv.first).filter = static_cast<float>(r.number(kv.second, "filter", -1.0, 1.0));
    }
}

void parseStart(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    if (!n.IsMap()) r.fail(n, "start is a map, e.g. start: { mute: [Vox], gain: { Bass: -3dB } }");
    r.checkKeys(n, kStartKeys, "start");
    parseStemStates(n, song.start, r);
}

void parseScenes(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    if (!n.IsMap())
        r.fail(n, "scenes maps names to stem states, e.g. scenes: { Breakdown: { mute: [Drums, Bass] }, Full: {} }");
    std::unordered_set<std::string> names;
    for (const auto& kv : n) {
        const std::string name = r.scalar(kv.first, "scene name");
        if (static_cast<int>(song.scenes.size()) >= kMaxScenes)
            r.fail(kv.first, "a song holds at most " + std::to_string(kMaxScenes) +
                                 " scenes (one pad row); this is scene " + std::to_string(song.scenes.size() + 1));
        if (!names.insert(detail::foldCase(name)).second)
            r.fail(kv.first, "scene '" + name + "' is named twice; give each its own name");
        song.scenes.push_back(detail::parseScene(name, static_cast<int>(song.scenes.size()), kv.second, r));
    }
}

void parseMarkers(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    std::unordered_set<std::string> names;
    auto add = [&](const std::string& name, const YAML::Node& bar) {
        if (!names.insert(detail::foldCase(name)).second)
            r.fail(bar, "marker '" + name + "' is named twice; give each its own name");
        Marker m;
        m.name = name;
        m.bar = r.integer(bar, "marker bar", 1, 100000);
        song.markers.push_back(m);
    };
    if (n.IsMap()) { // { Verse: 9, Drop: 33 }
        for (const auto& kv : n)
            add(kv.first.Scalar(), kv.second);
    } else if (n.IsSequence()) { // [ { name: Verse, bar: 9 } ]
        for (const auto& item : n) {
            if (!item.IsMap() || !item["name"] || !item["bar"]) r.fail(item, "each marker is { name: Drop, bar: 33 }");
            r.checkKeys(item, {"name", "bar", "cue"}, "a marker");
            add(r.scalar(item["name"], "marker name"), item["bar"]);
            if (const YAML::Node c = item["cue"]) { // what the spoken guide says (false, unquoted: nothing)
                const std::string text = r.scalar(c, "cue (what the guide says)");
                if (c.Tag() != "!" && text == "false")
                    song.markers.back().silent = true;
                else if (text.empty())
                    r.fail(c, "a marker's cue is the text the guide says (cue: Last chorus) or false (nothing)");
                else
                    song.markers.back().cue = text;
            }
        }
    } else {
        r.fail(n, "markers is a list like [ { name: Drop, bar: 33 } ] or a map like { Drop: 33 }");
    }
    std::sort(song.markers.begin(), song.markers.end(), [](const Marker& a, const Marker& b) { return a.bar < b.bar; });
}

/// tempo: a share of the song's own ("80%") or a target ("112 BPM").
void parseSongTempo(const YAML::Node& t, SetSong& song, const yaml::Reader& r) {
    song.tempo = parseTempo(r.scalar(t, "tempo"));
    if (!song.tempo)
        r.fail(t, "tempo '" + t.Scalar() +
                      "' is not a tempo; write a share of the song's own, tempo: 80%, or "
                      "a target, tempo: 112 BPM");
    if (const std::string bad = tempoShareProblem(*song.tempo); !bad.empty()) r.fail(t, bad);
}

/// transpose: semitones ("-2") or cents ("+30 c").
void parseSongTranspose(const YAML::Node& t, SetSong& song, const yaml::Reader& r) {
    song.transpose = parseTranspose(r.scalar(t, "transpose"));
    if (!song.transpose)
        r.fail(t, "transpose '" + t.Scalar() +
                      "' is not a transposition; write semitones, transpose: -2, or "
                      "cents, transpose: +30 c");
    if (const std::string bad = transposeProblem(*song.transpose); !bad.empty()) r.fail(t, bad);
}

/// time_signature: 4/4, 3/4, 6/8 …
void parseTimeSignature(const YAML::Node& ts, SetSong& song, const yaml::Reader& r) {
    const std::string text = r.scalar(ts, "time_signature");
    int beats = 0, unit = 0;
    char slash = 0, extra = 0;
    std::istringstream in(text);
    if (!(in >> beats >> slash >> unit) || slash != '/' || (in >> extra) || beats < 1 || beats > 32 ||
        (unit != 1 && unit != 2 && unit != 4 && unit != 8 && unit != 16))
        r.fail(ts, "time_signature '" + text + "' is not a time signature such as 4/4, 3/4 or 6/8");
    song.beatsPerBar = beats;
    song.beatUnit = unit;
}

/// A song map's keys after its path, in the order they are checked.
void parseSongKeys(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    if (const YAML::Node t = n["title"]) song.title = r.scalar(t, "title");
    if (const YAML::Node b = n["bpm"]) song.bpm = r.number(b, "bpm", 1.0, 999.0);
    if (const YAML::Node k = n["key"]) song.key = r.scalar(k, "key");
    if (const YAML::Node t = n["tempo"]) parseSongTempo(t, song, r);
    if (const YAML::Node t = n["transpose"]) parseSongTranspose(t, song, r);
    if (const YAML::Node c = n["count_in"]) song.countInBars = r.integer(c, "count_in", 0, 16);
    if (const YAML::Node e = n["at_end"]) song.atEnd = detail::songEnd(e, r);
    if (const YAML::Node ts = n["time_signature"]) parseTimeSignature(ts, song, r);
    if (const YAML::Node s = n["start"]) parseStart(s, song, r);
    if (const YAML::Node m = n["markers"]) parseMarkers(m, song, r);
    if (const YAML::Node sc = n["scenes"]) parseScenes(sc, song, r);
    if (const YAML::Node c = n["cues"]) detail::parseCues(c, song, r);
    if (const YAML::Node t = n["timecode"]) detail::parseSongTimecode(t, song, r);
    if (const YAML::Node g = n["guides"]) detail::parseSongGuides(g, song, r);
    if (const YAML::Node g = n["gain"]) detail::parseSongGain(g, song, r);
}

} // namespace

namespace detail {

std::string foldCase(std::string_view name) {
    std::string out(name);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

SongEnd songEnd(const YAML::Node& n, const yaml::Reader& r) {
    const std::string text = r.scalar(n, "at_end");
    if (auto e = parseSongEnd(text)) return *e;
    r.fail(n, "at_end '" + text + "' is not one of stop, next, run-on" + didYouMean(text, {"stop", "next", "run-on"}));
}

SceneDef parseScene(const std::string& name, int slot, const YAML::Node& body, const yaml::Reader& r) {
    SceneDef d;
    d.name = name;
    d.slot = slot;
    d.line = body.Mark().line + 1;
    if (body.IsNull()) return d;
    if (!body.IsMap())
        r.fail(body, "a scene is a map such as { mute: [Drums, Bass], filter: { Keys: -0.5 } } (or {} for "
                     "every stem at unity)");
    r.checkKeys(body, kSceneKeys, "a scene");
    parseStemStates(body, d.stems, r);
    return d;
}

SetSong parseSong(const YAML::Node& n, const fs::path& base, const yaml::Reader& r) {
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
        r.checkKeys(n, kSongKeys, "a song");
        if (hasFolder && n["file"]) r.fail(n["file"], "a song has a folder or a file, not both");
        if (!where) r.fail(n, "a song needs its stem folder: folder: songs/neon-drive");
        path = r.scalar(where, hasFolder ? "folder" : "file");
        parseSongKeys(n, song, r);
    } else {
        r.fail(n, "each song is a folder path, or a map such as { folder: songs/neon-drive, bpm: 124 }");
    }
    fs::path p(path);
    if (p.is_relative()) p = base / p;
    song.source = p.lexically_normal();
    std::error_code ec;
    if (!fs::exists(song.source, ec))
        r.fail(where, "'" + path + "' does not exist (looked for " + song.source.string() +
                          "); paths are relative to the set file");
    if (hasFolder && !fs::is_directory(song.source, ec))
        r.fail(where, "'" + path + "' is a file; folder: names the folder that holds the stems");
    if (isMap && !hasFolder && (!fs::is_regular_file(song.source, ec) || !formats::isStemFileName(song.source)))
        r.fail(where, "'" + path +
                          "': file: names a Native Instruments stem file (.stem.mp4); for a folder of "
                          "stems write folder:");
    return song;
}

} // namespace detail

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

} // namespace stemdeck::set
