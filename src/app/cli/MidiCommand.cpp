// stemdeck midi monitor: every message a controller sends, decoded (for writing mappings).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "stemdeck/common/Error.h"
#include "stemdeck/app/Commands.h"
#include "stemdeck/midi/MidiInput.h"
#include "stemdeck/midi/RawMidiInput.h"

namespace stemdeck::app {

namespace {

/// Opens the first input port whose name holds `port` (any, if empty; our own virtual port if
/// none matches) and prints every message, decoded, until `stop` is set. 1 when MIDI cannot be used.
int monitorMidi(const std::string& api, const std::string& port, const std::atomic<bool>& stop, std::ostream& out) {
    try {
        midi::RawMidiInput in({api, "stemdeck-monitor", "monitor_in",
                               port.empty() ? std::vector<std::string>{} : std::vector<std::string>{port}, true});
        if (!in.portName().empty())
            out << "monitoring " << in.portName() << " (Ctrl-C stops)" << std::endl;
        else
            out << "no MIDI input" << (port.empty() ? "" : " matching '" + port + "'")
                << "; listening on stemdeck-monitor:monitor_in, connect a controller there (Ctrl-C stops)" << std::endl;
        std::vector<unsigned char> message;
        while (!stop.load()) {
            const double stamp = in.next(message);
            if (message.empty()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
                continue;
            }
            char t[32];
            std::snprintf(t, sizeof t, "%+9.3f ms  ", stamp * 1000.0);
            out << t << midi::describeMessage(message) << std::endl;
        }
        return 0;
    } catch (const Error& e) {
        out << e.what() << std::endl;
        return 1;
    }
}

} // namespace

Subcommand addMidiCommand(CLI::App& app) {
    struct Args {
        std::string port, api = "alsa";
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("midi", "MIDI tools");
    CLI::App* monitor = cmd->add_subcommand("monitor", "Print incoming MIDI messages, decoded (for writing mappings)");
    monitor->add_option("PORT", a->port, "Part of the input port's name (default: the first port)");
    monitor->add_option("--api", a->api, "alsa or jack")->check(CLI::IsMember({"alsa", "jack"}));
    cmd->require_subcommand(1);
    return {cmd, [a] {
                catchStopSignals(false);
                return monitorMidi(a->api, a->port, stopRequested(), std::cout);
            }};
}

} // namespace stemdeck::app
