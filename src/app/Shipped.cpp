#include "stemdeck/app/Shipped.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "stemdeck/midi/Learn.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

fs::path shareDir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share" / "stemdeck";
        if (exe.parent_path().filename() == "bin" && fs::is_directory(installed / "controllers", ec)) return installed;
    }
    return fs::path(STEMDECK_SOURCE_DIR); // run from the build tree
}

fs::path configDir() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0')
        return fs::path(xdg) / "stemdeck";
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr && *home != '\0' ? home : ".") / ".config" / "stemdeck";
}

fs::path stateDir() {
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "stemdeck";
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr && *home != '\0' ? home : ".") / ".local" / "state" / "stemdeck";
}

std::vector<std::string> shippedControllers() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(shareDir() / "controllers", ec))
        if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool isMappingName(const std::string& nameOrPath) {
    const std::string ext = fs::path(nameOrPath).extension().string();
    return !nameOrPath.empty() && nameOrPath.find('/') == std::string::npos && ext != ".yaml" && ext != ".yml";
}

std::string namedMappingProblem(const std::string& name) {
    std::error_code ec;
    if (fs::exists(locateMapping(name).read, ec)) return {};
    std::string shipped;
    for (const std::string& n : shippedControllers())
        shipped += (shipped.empty() ? "" : ", ") + n;
    return "no controller mapping named '" + name + "': neither yours (" +
           (configDir() / "controllers" / (name + ".yaml")).string() + ") nor a shipped one (" + shipped + ")";
}

MappingFiles locateMapping(const std::string& nameOrPath) {
    const fs::path given(nameOrPath);
    if (!isMappingName(nameOrPath)) return {given, given};
    const fs::path user = configDir() / "controllers" / (nameOrPath + ".yaml");
    const fs::path shipped = shareDir() / "controllers" / (nameOrPath + ".yaml");
    std::error_code ec;
    if (fs::exists(user, ec)) return {user, user};
    if (fs::exists(shipped, ec)) return {shipped, user};
    return {user, user};
}

midi::Mapping openMapping(const std::string& nameOrPath) {
    const MappingFiles files = locateMapping(nameOrPath);
    midi::Mapping m = midi::loadOrNewMapping(files.read);
    m.file = files.write; // learning saves there (the folder is made by the first save)
    return m;
}

} // namespace stemdeck::app
