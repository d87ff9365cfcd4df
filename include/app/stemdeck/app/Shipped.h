#pragma once
// Where stemdeck finds what it ships (controller mappings, example sets) and what the user keeps
// (learned mappings, settings), installed or run from the build tree.
#include <filesystem>
#include <string>
#include <vector>

#include "stemdeck/midi/Mapping.h"

namespace stemdeck::app {

/// @thread any. The folder of shipped data: `<prefix>/share/stemdeck` beside the running
/// program's `bin/` when it is installed there, else the source tree it was built from.
[[nodiscard]] std::filesystem::path shareDir();

/// @thread any. The user's stemdeck folder: $XDG_CONFIG_HOME/stemdeck, else ~/.config/stemdeck.
[[nodiscard]] std::filesystem::path configDir();

/// @thread any. Where a show keeps what it must find again after a restart (the journal, the web
/// remote's tokens): $XDG_STATE_HOME/stemdeck, else ~/.local/state/stemdeck.
[[nodiscard]] std::filesystem::path stateDir();

/// The names of the shipped controller mappings (akai-apc-mini-mk2, …), sorted.
[[nodiscard]] std::vector<std::string> shippedControllers();

/// Where a controller mapping named on the command line or in a set is read from and where
/// learned controls are written.
struct MappingFiles {
    std::filesystem::path read;  ///< may not exist yet: a new mapping to learn into
    std::filesystem::path write; ///< the same file, or the user's copy of a shipped one
};

/// @thread control. A path (it holds a '/' or ends in .yaml) is used as given. A bare name
/// (`akai-apc-mini-mk2`) is the user's mapping of that name (configDir()/controllers/NAME.yaml)
/// if there is one, else the shipped one (read from shareDir(), learned into the user's copy, so
/// the shipped file never changes), else a new mapping of the user's to learn into.
[[nodiscard]] MappingFiles locateMapping(const std::string& nameOrPath);

/// @thread any. A bare name (`akai-apc-mini-mk2`) rather than a path (a '/', or .yaml at the end).
[[nodiscard]] bool isMappingName(const std::string& nameOrPath);

/// @thread control. "" when a mapping of that name is the user's or shipped; else what is wrong,
/// listing the shipped names (a set file naming a controller must name one that is there).
[[nodiscard]] std::string namedMappingProblem(const std::string& name);

/// @thread control. The mapping `locateMapping` finds, loaded (or new and empty), with `file`
/// set to where learning writes. Throws stemdeck::Error naming the file when it is broken.
[[nodiscard]] midi::Mapping openMapping(const std::string& nameOrPath);

} // namespace stemdeck::app
