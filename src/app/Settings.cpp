#include "stemdeck/app/Settings.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::app {

namespace {
const std::vector<std::string> kKeys = {"driver", "device",       "rate",       "block",     "main",
                                        "click",  "stem_outputs", "controller", "midi_port", "midi_api"};

int integer(const yaml::Reader& r, const YAML::Node& n, const char* key, int lo, int hi) {
    if (const std::optional<int> v = yaml::Reader::as<int>(n); v && *v >= lo && *v <= hi) return *v;
    r.fail(n, std::string(key) + " is a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
}

std::string text(const yaml::Reader& r, const YAML::Node& n, const char* key) {
    if (!n.IsScalar()) r.fail(n, std::string(key) + " is a piece of text");
    return n.Scalar();
}
} // namespace

std::filesystem::path defaultSettingsPath() {
    return configDir() / "gui.yaml";
}

LiveSettings parseLiveSettings(const std::string& yaml, const std::filesystem::path& file) {
    const yaml::Reader r(file.string());
    YAML::Node root = yaml::parse(yaml, file.string(), "; delete the file to start from the defaults");
    LiveSettings s;
    if (root.IsNull()) return s;
    if (!root.IsMap()) throw Error(file.string() + ":1:1: the settings are a map such as 'driver: jack'");
    if (const std::optional<YAML::Node> unknown = yaml::Reader::unknownKey(root, kKeys)) {
        const std::string key = unknown->Scalar();
        r.fail(*unknown,
               "unknown setting '" + key + "'" + didYouMean(key, kKeys) + "; settings are " + joinNames(kKeys));
    }
    if (const auto n = root["driver"]) {
        s.driver = text(r, n, "driver");
        if (*s.driver != "alsa" && *s.driver != "jack") r.fail(n, "driver is alsa or jack");
    }
    if (const auto n = root["device"]) s.device = text(r, n, "device");
    if (const auto n = root["rate"]) s.rate = integer(r, n, "rate", 8000, 384000);
    if (const auto n = root["block"]) s.block = integer(r, n, "block", 16, 8192);
    if (const auto n = root["main"]) s.mainOut = integer(r, n, "main", 1, 255);
    if (const auto n = root["click"]) s.clickOut = integer(r, n, "click", 1, 255);
    if (const auto n = root["stem_outputs"]) {
        if (!n.IsSequence()) r.fail(n, "stem_outputs is a list such as [drums=5, bass=7]");
        for (const auto& item : n)
            s.stemOuts.push_back(text(r, item, "stem_outputs"));
    }
    if (const auto n = root["controller"]) s.controller = text(r, n, "controller");
    if (const auto n = root["midi_port"]) s.midiPort = text(r, n, "midi_port");
    if (const auto n = root["midi_api"]) {
        s.midiApi = text(r, n, "midi_api");
        if (*s.midiApi != "alsa" && *s.midiApi != "jack") r.fail(n, "midi_api is alsa or jack");
    }
    return s;
}

LiveSettings loadLiveSettings(const std::filesystem::path& file) {
    const std::optional<std::string> saved = readWholeFile(file);
    if (!saved) return {};
    return parseLiveSettings(*saved, file);
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
