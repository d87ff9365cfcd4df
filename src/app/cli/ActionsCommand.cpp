// stemdeck actions: the action table as Markdown.
#include <iostream>
#include <memory>

#include "stemdeck/app/Commands.h"
#include "stemdeck/control/Action.h"

namespace stemdeck::app {

Subcommand addActionsCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "actions", "List every action (for scripts, mappings, keys, learn and remotes), as a Markdown table");
    return {cmd, [] {
                std::cout << control::actionsMarkdown();
                return 0;
            }};
}

} // namespace stemdeck::app
