#include "stemdeck/app/Settings.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "stemdeck/Error.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/Files.h"
#include "stemdeck/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::app {

namespace {
const std::vector<std::string> kKeys = {"driver", "device",       "rate",       "block",     "main",
                                        "click",  "stem_outputs", "controller", "midi_port", "midi_api"};

[[noreturn]] void fail(const std::filesystem::path& file, const YAML::Node& n, const std::string& what) {
    yaml::failAt(file.string(), n, what);
}

int integer(const std::filesystem::path& file, const YAML::Node& n, const char* key, int lo, int hi) {
    try {
        const int v = n.as<int>();
        if (v >= lo && v <= hi) return v;
    } catch (const YAML::Exception&) {
    }
    fail(file, n, std::string(key) + " is a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
}

std::string text(const std::filesystem::path& file, const YAML::Node& n, const char* key) {
    if (!n.IsScalar()) fail(file, n, std::string(key) + " is a piece of text");
    return n.Scalar();
}
} // namespace

std::filesystem::path defaultSettingsPath() {
    return configDir() / "gui.yaml";
}

LiveSettings parseLiveSettings(const std::string& yaml, const std::filesystem::path& file) {
    YAML::Node root = yaml::parse(yaml, file.string(), "; delete the file to start from the defaults");
    LiveSettings s;
    if (root.IsNull()) return s;
    if (!root.IsMap()) throw Error(file.string() + ":1:1: the settings are a map such as 'driver: jack'");
    for (const auto& kv : root) {
        const std::string key = kv.first.Scalar();
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
            fail(file, kv.first,
                 "unknown setting '" + key + "'" + didYouMean(key, kKeys) + "; settings are " + joinNames(kKeys));
    }
    if (const auto n = root["driver"]) {
        s.driver = text(file, n, "driver");
        if (*s.driver != "alsa" && *s.driver != "jack") fail(file, n, "driver is alsa or jack");
    }
    if (const auto n = root["device"]) s.device = text(file, n, "device");
    if (const auto n = root["rate"]) s.rate = integer(file, n, "rate", 8000, 384000);
    if (const auto n = root["block"]) s.block = integer(file, n, "block", 16, 8192);
    if (const auto n = root["main"]) s.mainOut = integer(file, n, "main", 1, 255);
    if (const auto n = root["click"]) s.clickOut = integer(file, n, "click", 1, 255);
    if (const auto n = root["stem_outputs"]) {
        if (!n.IsSequence()) fail(file, n, "stem_outputs is a list such as [drums=5, bass=7]");
        for (const auto& item : n)
            s.stemOuts.push_back(text(file, item, "stem_outputs"));
    }
    if (const auto n = root["controller"]) s.controller = text(file, n, "controller");
    if (const auto n = root["midi_port"]) s.midiPort = text(file, n, "midi_port");
    if (const auto n = root["midi_api"]) {
        s.midiApi = text(file, n, "midi_api");
        if (*s.midiApi != "alsa" && *s.midiApi != "jack") fail(file, n, "midi_api is alsa or jack");
    }
    return s;
}

LiveSettings loadLiveSettings(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return {};
    std::ostringstream t;
    t << in.rdbuf();
    return parseLiveSettings(t.str(), file);
}

std::string formatLiveSettings(const LiveSettings& s) {
    std::ostringstream out;
    out << "# stemdeck-gui settings for this machine (written by its settings dialog).\n"
           "# The command line wins over these; these win over a set file's audio section.\n";
    if (s.driver) out << "driver: " << *s.driver << "\n";
    if (s.device) out << "device: " << yaml::quoted(*s.device) << "\n";
    if (s.rate) out << "rate: " << *s.rate << "\n";
    if (s.block) out << "block: " << *s.block << "\n";
    if (s.mainOut) out << "main: " << *s.mainOut << "\n";
    if (s.clickOut) out << "click: " << *s.clickOut << "\n";
    if (!s.stemOuts.empty()) {
        out << "stem_outputs: [";
        for (std::size_t i = 0; i < s.stemOuts.size(); ++i)
            out << (i ? ", " : "") << yaml::quoted(s.stemOuts[i]);
        out << "]\n";
    }
    if (s.controller) out << "controller: " << yaml::quoted(*s.controller) << "\n";
    if (s.midiPort) out << "midi_port: " << yaml::quoted(*s.midiPort) << "\n";
    if (s.midiApi) out << "midi_api: " << *s.midiApi << "\n";
    return out.str();
}

void saveLiveSettings(const LiveSettings& settings, const std::filesystem::path& file) {
    const std::string text = formatLiveSettings(settings);
    (void)parseLiveSettings(text, file); // never write what would not load
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    writeFileAtomically(file, text, "the settings");
}

} // namespace stemdeck::app
