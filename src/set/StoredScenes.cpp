// Scenes stored live (store_scene), kept beside the set file (NAME.scenes.yaml): written, read
// back over the set file's own scenes.
#include "stemdeck/set/SetFile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "SetFileParse.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Limits.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

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
    const yaml::Reader r(sidecar.string());
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
            r.fail(root, "expected a 'songs:' list of { song: PATH, scenes: { 1: { … } } }");
        r.checkKeys(root, {"songs"}, "the stored scenes");
        for (const auto& item : root["songs"]) {
            if (!item.IsMap() || !item["song"] || !item["scenes"] || !item["scenes"].IsMap())
                r.fail(item, "each entry is { song: PATH, scenes: { 1: { name: …, mute: […] } } }");
            r.checkKeys(item, {"song", "scenes"}, "a song entry");
            fs::path src(r.scalar(item["song"], "song"));
            if (src.is_relative()) src = base / src;
            src = src.lexically_normal();
            std::size_t index = songs.size();
            for (std::size_t i = 0; i < songs.size(); ++i)
                if (songs[i].source == src) index = i;
            if (index == songs.size()) {
                warnings.push_back(r.at(item["song"]) + ": the set has no song '" + item["song"].Scalar() +
                                   "'; its stored scenes are not used");
                continue;
            }
            for (const auto& kv : item["scenes"]) {
                const int slot = r.integer(kv.first, "scene number", 1, kMaxScenes) - 1;
                const YAML::Node name = kv.second.IsMap() ? kv.second["name"] : YAML::Node();
                SceneDef d = detail::parseScene(name ? r.scalar(name, "name") : "Scene " + std::to_string(slot + 1),
                                                slot, kv.second, r);
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
    const std::optional<std::string> text = readWholeFile(sidecar);
    if (!text) return {sidecar.string() + ": cannot be read; the stored scenes are not loaded"};
    return parseStoredScenes(*text, sidecar, set.songs, set.file);
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

} // namespace stemdeck::set
