#pragma once
// The stemdeck command line's subcommands, one file each (src/app/cli/, play in PlayCommand.cpp).
// Each adds itself and its options to the CLI11 app and says how to run once the line is parsed.
#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>

namespace stemdeck::app {

struct Subcommand {
    CLI::App* cli = nullptr;  ///< true (operator bool) when the command line named this one
    std::function<int()> run; ///< @thread main. Its exit status; throws stemdeck::Error for bad input
};

/// Set by SIGINT and SIGTERM (and SIGHUP for play) once catchStopSignals() has run (Signals.cpp).
[[nodiscard]] std::atomic<bool>& stopRequested();
/// @thread main. Turns those signals into stopRequested() instead of an abrupt end.
void catchStopSignals(bool hangup);

Subcommand addRenderCommand(CLI::App& app);
Subcommand addPlayCommand(CLI::App& app);
Subcommand addDevicesCommand(CLI::App& app);
Subcommand addMidiCommand(CLI::App& app);
Subcommand addLearnCommand(CLI::App& app);
Subcommand addCheckCommand(CLI::App& app);
Subcommand addActionsCommand(CLI::App& app);
Subcommand addDemoCommand(CLI::App& app);
Subcommand addOscCommand(CLI::App& app);
/// stemdeck web: the web remote's tokens (--rotate) and join QR codes.
Subcommand addWebCommand(CLI::App& app);

} // namespace stemdeck::app
