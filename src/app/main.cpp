// stemdeck: the command line. Each subcommand is one file (src/app/cli/, play in
// src/app/PlayCommand.cpp), a thin layer over the modules (docs/ARCHITECTURE.md).
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

#include "stemdeck/common/Error.h"
#include "stemdeck/app/Commands.h"
#include "stemdeck/app/PlayCommand.h"

int main(int argc, char** argv) {
    using namespace stemdeck;
    CLI::App cli{"stemdeck: a live stem player. Plays up to eight stems per song in sample-accurate sync,\n"
                 "with per-stem mute, solo, gain and DJ filter from a controller or a script."};
    cli.require_subcommand(1);
    // Options of stemdeck itself (--io-timeout) may also follow the subcommand's name.
    cli.fallthrough();
    app::addIoTimeoutOption(cli);
    cli.set_version_flag("--version", "stemdeck " STEMDECK_VERSION);
    const std::vector<app::Subcommand> commands{
        app::addRenderCommand(cli), app::addPlayCommand(cli),  app::addDevicesCommand(cli), app::addMidiCommand(cli),
        app::addLearnCommand(cli),  app::addCheckCommand(cli), app::addActionsCommand(cli), app::addDemoCommand(cli),
        app::addOscCommand(cli),    app::addWebCommand(cli)};
    CLI11_PARSE(cli, argc, argv);
    try {
        for (const app::Subcommand& c : commands)
            if (*c.cli) return c.run();
    } catch (const Error& e) {
        std::cerr << "stemdeck: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "stemdeck: unexpected error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
