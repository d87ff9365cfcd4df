#pragma once
// A controller's MIDI input through RtMidi (ALSA sequencer or JACK MIDI), translated by a mapping
// into engine commands (straight from the MIDI thread, stamped with the frame they land on) and
// player actions (handed to the control thread).
#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/MidiMapper.h"

namespace stemdeck::midi {

struct MidiOptions {
    std::string api = "alsa"; ///< "alsa" (the sequencer) or "jack"
    std::string port;         ///< port-name part to open; "" = the mapping's ports
    std::string clientName = "stemdeck";
};

class MidiInput {
public:
    /// Where a message lands: the engine output frame for "now" (the device's clock).
    using FrameClock = std::function<std::int64_t()>;

    /// @thread control. Never throws for a missing MIDI system or port: it says so on `log` and
    /// either waits for the port (hot-plug) or stays silent; playback goes on without MIDI.
    MidiInput(engine::Engine& engine, Mapping mapping, MidiOptions options, FrameClock clock, std::ostream& log);
    ~MidiInput();
    MidiInput(const MidiInput&) = delete;
    MidiInput& operator=(const MidiInput&) = delete;

    /// @thread control. Hands over player actions (song changes, markers, vamp, A/B) that arrived,
    /// and checks about once a second that the controller is still there (or has come back).
    void poll(const std::function<void(MapAction)>& perform);

    [[nodiscard]] bool connected() const noexcept;
    [[nodiscard]] std::uint64_t messages() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// @thread any. A MIDI message in words, for `stemdeck midi monitor`: "note on   ch 1  note 36 (C2)  velocity 100".
[[nodiscard]] std::string describeMessage(const std::vector<unsigned char>& message);

/// @thread control. `stemdeck midi monitor`: opens the first input port whose name contains
/// `port` (any, if empty; our own virtual port if none matches) and prints every message, decoded,
/// until `stop` is set. Returns 1 when the MIDI system cannot be used.
int monitorMidi(const std::string& api, const std::string& port, const std::atomic<bool>& stop, std::ostream& out);

/// @thread control. MIDI input ports of an API ("alsa" / "jack"), one per line, or why there are none.
[[nodiscard]] std::string describeMidiPorts(const std::string& api);

} // namespace stemdeck::midi
