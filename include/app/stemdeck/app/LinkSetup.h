#pragma once
// Ableton Link for a live show: play's --ableton-link options and the engine's options from them.
// (Not `--link`: one letter from `--lock`.)
#include <string>

#include "stemdeck/engine/LinkSync.h"

namespace CLI {
class App;
}

namespace stemdeck::app {

struct LinkArgs {
    bool on = false;        ///< --ableton-link
    std::string tempo;      ///< --ableton-link-tempo keep|follow ("": keep)
    bool startStop = false; ///< --ableton-link-start-stop
    [[nodiscard]] engine::LinkOptions options() const;
};

/// @thread main. play's Ableton Link options.
void addLinkOptions(CLI::App& command, LinkArgs& args);

} // namespace stemdeck::app
