#include "stemdeck/app/GuideSetup.h"

#include <CLI/CLI.hpp>

#include <cstdlib>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

control::GuideOptions GuideArgs::options() const {
    control::GuideOptions o;
    o.markers = set.markers.value_or(true);
    o.countIn = set.countIn.value_or(true);
    o.voice = !voice.empty() ? voice : set.voice.value_or("en");
    o.peak = static_cast<float>(fromDb(level.value_or(-6.0)));
    if (set.folder) o.folder = *set.folder;
    o.cache = cache.empty() ? userGuideCache() : cache;
    return o;
}

std::string GuideArgs::describe(std::optional<int> clickOut) const {
    const control::GuideOptions o = options();
    std::string where =
        out        ? "on outputs " + std::to_string(*out) + "-" + std::to_string(*out + 1)
        : clickOut ? "on the click's outputs (" + std::to_string(*clickOut) + "-" + std::to_string(*clickOut + 1) + ")"
                   : "with no outputs (give --guide OUTPUT or --click OUTPUT)";
    return "spoken guide: " + where + ", " + formatDb(o.peak, " dBFS", false) + ", voice " + o.voice +
           (o.markers ? ", markers named" : "") + (o.countIn ? ", count-ins counted" : "") + " (key h: off/on)";
}

void addGuideOptions(CLI::App& cmd, GuideArgs& a, bool outputs) {
    cmd.add_flag("--guides", a.on,
                 "Spoken guide cues: each marker's name before it (\"Chorus\"), the count-in counted aloud; on the "
                 "click's outputs unless --guide gives them their own");
    cmd.add_flag("--no-guides", a.off, "No spoken guide cues, whatever the set file says");
    if (outputs)
        cmd.add_option("--guide", a.out, "First output of the spoken guide's own pair (default: the click's)")
            ->check(CLI::Range(1, 255));
    cmd.add_option("--guide-level", a.level, "The spoken guide's peak in dBFS (default -6)")
        ->check(CLI::Range(-60.0, 0.0));
    cmd.add_option("--click-level", a.clickLevel, "The click's loudest tick, in dBFS (default -6)")
        ->check(CLI::Range(-60.0, 0.0));
    cmd.add_option("--guide-voice", a.voice, "eSpeak NG's voice for the guide (default en; espeak-ng --voices)")
        ->check([](const std::string& v) { return set::guideVoiceProblem(v); });
}

void takeSetGuides(GuideArgs& a, const set::SetFile& s) {
    a.set = s.guides;
    if (!a.out) a.out = s.audio.guideOut;
    if (!a.level) a.level = s.audio.guideLevel;
    if (!a.clickLevel) a.clickLevel = s.audio.clickLevel;
    a.cache = set::guidesCacheFolder(s.file);
}

fs::path userGuideCache() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
        return fs::path(xdg) / "stemdeck" / "guides";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return fs::path(home) / ".cache" / "stemdeck" / "guides";
    return {};
}

std::shared_ptr<const control::GuideVoices> prepareGuides(const GuideArgs& args, const std::vector<set::SetSong>& songs,
                                                          int sampleRate, std::ostream& log) {
    if (!args.wanted()) return nullptr;
    try {
        auto voices = control::GuideVoices::prepare(songs, args.options(), sampleRate);
        log << voices->describe() << "\n";
        for (const std::string& w : voices->warnings())
            log << "warning: spoken guide: " << w << "\n";
        return voices;
    } catch (const std::exception& e) { // (the show goes on without it)
        log << "warning: the spoken guide is off: " << e.what() << "\n";
        return nullptr;
    }
}

} // namespace stemdeck::app
