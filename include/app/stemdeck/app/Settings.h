#pragma once
// The stage GUI's settings (audio device, rate, block size, routing, MIDI port and mapping),
// kept per machine in the user's config directory. The command line wins over them; they win
// over a set file's audio section (the set is the show's, the settings are this laptop's).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stemdeck::app {

struct LiveSettings {
    std::optional<std::string> driver; ///< alsa | jack
    std::optional<std::string> device; ///< part of the device's name
    std::optional<int> rate, block;
    std::optional<int> mainOut, clickOut;  ///< first output of the pair, 1-based
    std::vector<std::string> stemOuts;     ///< "STEM=OUTPUT"
    std::optional<std::string> controller; ///< mapping file
    std::optional<std::string> midiPort, midiApi;
};

/// @thread any. $XDG_CONFIG_HOME/stemdeck/gui.yaml, else ~/.config/stemdeck/gui.yaml.
[[nodiscard]] std::filesystem::path defaultSettingsPath();

/// @thread control. Parses settings; errors name file:line:col and the fix.
[[nodiscard]] LiveSettings parseLiveSettings(const std::string& yaml, const std::filesystem::path& file);
/// @thread control. The settings in `file`, or none if it does not exist yet.
[[nodiscard]] LiveSettings loadLiveSettings(const std::filesystem::path& file);
/// @thread control. YAML that parseLiveSettings reads back to the same settings.
[[nodiscard]] std::string formatLiveSettings(const LiveSettings& settings);
/// @thread control. Writes them atomically (creating the folder); throws stemdeck::Error naming the file.
void saveLiveSettings(const LiveSettings& settings, const std::filesystem::path& file);

} // namespace stemdeck::app
