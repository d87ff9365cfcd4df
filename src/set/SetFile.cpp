// A set file as a whole: its keys, its audio: section, its songs: list (each song read by
// SetFileSongs.cpp), and reading it from disk.
#include "stemdeck/set/SetFile.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "SetFileParse.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

namespace {

const std::vector<std::string> kTopKeys = {"name",     "audio",  "controller", "count_in", "at_end", "lock",
                                           "midi_out", "timecode", "guides",   "loudness", "songs"};
const std::vector<std::string> kAudioKeys = {"driver",       "device", "client_name", "connect",    "rate",
                                             "block",        "main",   "click",       "ltc",        "click_mode",
                                             "stem_outputs", "guide",  "click_level", "guide_level"};

SetAudio parseAudio(const YAML::Node& n, const yaml::Reader& r) {
    SetAudio a;
    if (!n.IsMap()) r.fail(n, "audio is a map, e.g. audio: { driver: jack, block: 128 }");
    r.checkKeys(n, kAudioKeys, "audio");
    if (const YAML::Node d = n["driver"]) {
        a.driver = r.scalar(d, "driver");
        if (!equalsIgnoreCase(*a.driver, "alsa") && !equalsIgnoreCase(*a.driver, "jack"))
            r.fail(d, "driver '" + *a.driver + "' is not alsa or jack");
    }
    if (const YAML::Node d = n["device"]) a.device = r.scalar(d, "device");
    if (const YAML::Node d = n["client_name"]) a.clientName = r.scalar(d, "client_name");
    if (const YAML::Node c = n["connect"]) {
        const std::optional<bool> yes = yaml::Reader::as<bool>(c);
        if (!yes) r.fail(c, "connect is true or false (connect the main pair to the JACK playback ports)");
        a.connect = *yes;
    }
    if (const YAML::Node rate = n["rate"]) a.rate = r.integer(rate, "rate", 8000, 384000);
    if (const YAML::Node b = n["block"]) a.block = r.integer(b, "block", 16, 8192);
    if (const YAML::Node m = n["main"]) a.mainOut = r.integer(m, "main", 1, 255);
    if (const YAML::Node c = n["click"]) a.clickOut = r.integer(c, "click", 1, 255);
    if (const YAML::Node l = n["ltc"]) {
        a.ltcOut = r.integer(l, "ltc (LTC's output, mono)", 1, 255);
        a.ltcLine = l.Mark().line + 1;
    }
    if (const YAML::Node c = n["click_mode"]) {
        a.click = r.scalar(c, "click_mode");
        if (*a.click != "off" && *a.click != "count-in" && *a.click != "always")
            r.fail(c, "click_mode '" + *a.click + "' is not one of off, count-in, always" +
                          didYouMean(*a.click, {"off", "count-in", "always"}));
    }
    if (const YAML::Node g = n["guide"]) a.guideOut = r.integer(g, "guide (the spoken guide's pair)", 1, 255);
    if (const YAML::Node l = n["click_level"]) a.clickLevel = r.number(l, "click_level (dBFS)", -60.0, 0.0);
    if (const YAML::Node l = n["guide_level"]) a.guideLevel = r.number(l, "guide_level (dBFS)", -60.0, 0.0);
    if (const YAML::Node s = n["stem_outputs"]) {
        if (!s.IsMap()) r.fail(s, "stem_outputs maps stems to outputs, e.g. stem_outputs: { Drums: 5, Bass: 7 }");
        for (const auto& kv : s)
            a.stemOuts.emplace_back(kv.first.Scalar(), r.integer(kv.second, "stem output", 1, 255));
    }
    return a;
}

/// controller: a mapping by name (the user's, else a shipped one), or a path to one.
void parseController(const YAML::Node& c, const fs::path& base, SetFile& set, const yaml::Reader& r) {
    const std::string written = r.scalar(c, "controller");
    const fs::path p(written);
    // The app's rule for names (app::isMappingName): no '/', no .yaml or .yml at the end.
    if (written.find('/') == std::string::npos && p.extension() != ".yaml" && p.extension() != ".yml")
        set.controllerName = written;
    else
        set.controller = (p.is_relative() ? base / p : p).lexically_normal();
}

/// lock: true or false.
bool parseLock(const YAML::Node& l, const yaml::Reader& r) {
    const std::string value = r.scalar(l, "lock");
    if (value == "true" || value == "yes" || value == "on") return true;
    if (value == "false" || value == "no" || value == "off") return false;
    r.fail(l, "lock is true (the show starts locked: keyboard and mouse do nothing until 'unlock' is "
              "typed) or false");
}

/// The songs: list, each song read on its own: one that cannot play says why (SetSong::error)
/// and the others still load.
void parseSongs(const YAML::Node& songs, const fs::path& base, SetFile& set, const yaml::Reader& r) {
    // Each song's folder or file by its device and inode (what fs::equivalent compares), so a
    // repeat is found however it is spelled, in one stat per song rather than one per pair.
    std::map<std::pair<dev_t, ino_t>, std::size_t> seen;
    for (const auto& item : songs) {
        SetSong song;
        try {
            song = detail::parseSong(item, base, r);
            struct stat st {};
            if (::stat(song.source.c_str(), &st) == 0) {
                const auto [it, added] = seen.try_emplace({st.st_dev, st.st_ino}, set.songs.size());
                if (!added)
                    throw Error(r.at(item) + ": repeats song " + std::to_string(it->second + 1) + " (line " +
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
    const yaml::Reader r(file.string());
    YAML::Node root =
        yaml::parse(text, file.string(), "; a set file looks like\nname: Friday\nsongs:\n  - folder: songs/neon-drive");
    if (!root.IsMap())
        throw Error(file.string() + ":1:1: a set file is a map with a 'songs:' list, e.g.\nname: Friday\nsongs:\n"
                                    "  - folder: songs/neon-drive");
    r.checkKeys(root, kTopKeys, "the set file");
    SetFile set;
    set.file = file;
    const fs::path base = file.has_parent_path() ? file.parent_path() : fs::path(".");
    set.name = root["name"] ? r.scalar(root["name"], "name") : file.stem().string();
    if (const YAML::Node a = root["audio"]) set.audio = parseAudio(a, r);
    if (const YAML::Node m = root["midi_out"]) set.midiOut = detail::parseMidiOut(m, r);
    if (const YAML::Node t = root["timecode"]) set.timecode = detail::parseTimecode(t, r);
    if (const YAML::Node g = root["guides"]) set.guides = detail::parseGuides(g, base, r);
    if (const YAML::Node l = root["loudness"]) set.loudness = detail::parseLoudness(l, r);
    if (const YAML::Node c = root["controller"]) parseController(c, base, set, r);
    if (const YAML::Node c = root["count_in"]) set.countInBars = r.integer(c, "count_in", 0, 16);
    if (const YAML::Node e = root["at_end"]) set.atEnd = detail::songEnd(e, r);
    if (const YAML::Node l = root["lock"]) set.lock = parseLock(l, r);
    const YAML::Node songs = root["songs"];
    if (!songs || !songs.IsSequence() || songs.size() == 0)
        r.fail(songs ? songs : root, "the set needs a 'songs:' list with at least one song folder");
    parseSongs(songs, base, set, r);
    return set;
}

fs::path guidesCacheFolder(const fs::path& setFile) {
    return setFile.parent_path() / (setFile.stem().string() + ".guides");
}

SetFile loadSetFile(const fs::path& file) {
    std::error_code ec;
    const std::optional<std::string> text = fs::is_directory(file, ec) ? std::nullopt : readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot read the set file; check the path");
    return parseSetFile(*text, file);
}

} // namespace stemdeck::set
