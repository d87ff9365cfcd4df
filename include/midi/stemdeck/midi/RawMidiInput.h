#pragma once
// One MIDI input port opened for a tool (`stemdeck midi monitor`, `stemdeck learn`): raw messages,
// polled, through no mapping.
#include <memory>
#include <string>
#include <vector>

namespace stemdeck::midi {

class RawMidiInput {
public:
    struct Options {
        std::string api = "alsa";          ///< "alsa" (the sequencer) or "jack"
        std::string client;                ///< our client's name ("stemdeck-monitor")
        std::string port;                  ///< our port's name ("monitor_in")
        std::vector<std::string> patterns; ///< the ports to open, by part of their name; empty: any
        bool sysex = false;                ///< pass system-exclusive messages on
    };

    /// @thread control. Opens the first input port whose name holds one of `patterns`
    /// (case-insensitive; any port when there are none), leaving out stemdeck's own; when none
    /// does, listens on its own virtual port (client:port) for a controller to be connected to.
    /// Throws stemdeck::Error ("MIDI: …") when the MIDI system cannot be used.
    explicit RawMidiInput(const Options& options);
    ~RawMidiInput();
    RawMidiInput(const RawMidiInput&) = delete;
    RawMidiInput& operator=(const RawMidiInput&) = delete;

    /// The port it opened; "" when it listens on its own virtual port.
    [[nodiscard]] const std::string& portName() const noexcept;

    /// @thread the owner. The next waiting message into `message` (empty when none is waiting)
    /// and its time since the one before, in seconds. RtMidi's MIDI thread hands messages over
    /// through a lock-free queue; this never blocks and never throws.
    double next(std::vector<unsigned char>& message);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace stemdeck::midi
