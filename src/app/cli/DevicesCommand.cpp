// stemdeck devices: the audio devices and MIDI inputs on this machine.
#include <iostream>

#include "stemdeck/app/Commands.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/midi/MidiInput.h"

namespace stemdeck::app {

Subcommand addDevicesCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("devices", "List audio devices: types, names, outputs, rates, block sizes");
    return {cmd, [] {
                std::cout << audio::describeDevices()
                          << "\nMIDI inputs (stemdeck play --controller NAME --midi-port PORT):"
                          << "\n  ALSA sequencer:" << midi::describeMidiPorts("alsa")
                          << "\n  JACK MIDI:" << midi::describeMidiPorts("jack") << "\n"
                          << "\nController mappings (--controller NAME), shipped in " << shareDir().string()
                          << "/controllers:\n";
                for (const std::string& name : shippedControllers())
                    std::cout << "  " << name << "\n";
                return 0;
            }};
}

} // namespace stemdeck::app
