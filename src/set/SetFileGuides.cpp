// The set file's spoken guide cues: the set's `guides:` section (on, the voice, a folder of
// recorded cues) and a song's `guides:` list (a cue on any bar).
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "SetFileParse.h"

namespace fs = std::filesystem;

namespace stemdeck::set::detail {

namespace {
const std::vector<std::string> kGuideKeys = {"on", "markers", "count_in", "voice", "folder"};
} // namespace

SetGuides parseGuides(const YAML::Node& n, const fs::path& base, const yaml::Reader& r) {
    SetGuides g;
    g.present = true;
    g.line = n.Mark().line + 1;
    if (n.IsScalar()) { // guides: on
        g.on = flag(n, "guides (spoken guide cues: on, off, or a map such as guides: { voice: en-us })", r);
        return g;
    }
    if (!n.IsMap())
        r.fail(n, "guides is on, off, or a map such as guides: { voice: en-us, folder: cues, count_in: true }");
    r.checkKeys(n, kGuideKeys, "guides");
    g.on = n["on"] ? flag(n["on"], "on", r) : true;
    if (const YAML::Node m = n["markers"]) g.markers = flag(m, "markers (say each marker's name)", r);
    if (const YAML::Node c = n["count_in"]) g.countIn = flag(c, "count_in (count the count-in aloud)", r);
    if (const YAML::Node v = n["voice"]) {
        g.voice = r.scalar(v, "voice");
        if (const std::string bad = guideVoiceProblem(*g.voice); !bad.empty()) r.fail(v, bad);
    }
    if (const YAML::Node f = n["folder"]) {
        const fs::path p(r.scalar(f, "folder"));
        g.folder = (p.is_relative() ? base / p : p).lexically_normal();
        std::error_code ec;
        if (!fs::is_directory(*g.folder, ec))
            r.fail(f, "guides folder '" + g.folder->string() +
                          "' is not a folder; give the folder of recorded cues (Chorus.wav, Verse.wav …)");
    }
    return g;
}

void parseSongGuides(const YAML::Node& n, SetSong& song, const yaml::Reader& r) {
    if (!n.IsSequence()) r.fail(n, "guides is a list of spoken cues, e.g. guides: [ { bar: 33, say: Key change } ]");
    for (const auto& item : n) {
        if (!item.IsMap() || !item["bar"] || !item["say"])
            r.fail(item, "each spoken cue is { bar: 33, say: Key change } (beat: 3 for another beat than the first)");
        r.checkKeys(item, {"bar", "beat", "say"}, "a spoken cue");
        GuideLine g;
        g.bar = r.integer(item["bar"], "bar", 1, 100000);
        if (const YAML::Node b = item["beat"]) g.beat = r.integer(b, "beat", 1, 32);
        g.say = r.scalar(item["say"], "say");
        if (g.say.empty()) r.fail(item["say"], "say is the text the guide says, e.g. say: Key change");
        g.line = item.Mark().line + 1;
        song.guides.push_back(std::move(g));
    }
    std::stable_sort(song.guides.begin(), song.guides.end(), [](const GuideLine& a, const GuideLine& b) {
        return a.bar != b.bar ? a.bar < b.bar : a.beat < b.beat;
    });
}

} // namespace stemdeck::set::detail

namespace stemdeck::set {

std::string guideVoiceProblem(std::string_view voice) {
    if (voice.empty() || voice.find_first_of("/\\") != std::string_view::npos)
        return "a voice is an eSpeak NG voice name such as en, en-us or de ('espeak-ng --voices' lists them)";
    return {};
}

} // namespace stemdeck::set
