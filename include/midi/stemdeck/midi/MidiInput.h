#pragma once
// A controller's MIDI input through RtMidi (ALSA sequencer or JACK MIDI), translated by a mapping
// into actions that the MIDI thread hands to the router, stamped with the frame they land on, and
// the controller's LEDs kept in step with the engine.
#include <atomic>
#include <functional>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/control/Router.h"
#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/MidiMapper.h"

namespace stemdeck::midi {

struct MidiOptions {
    std::string api = "alsa"; ///< "alsa" (the sequencer) or "jack"
    std::string port;         ///< port-name part to open; "" = the mapping's ports
    std::string clientName = "stemdeck";
    double sampleRate = 48000.0; ///< of the frame clock's frames (long presses are timed in them)
};

class MidiInput {
public:
    /// Where a message lands: the engine output frame for "now" (the device's clock).
    using FrameClock = std::function<std::int64_t()>;

    /// @thread control. Never throws for a missing MIDI system or port: it says so on `log` and
    /// either waits for the port (hot-plug) or stays silent; playback goes on without MIDI.
    MidiInput(control::Router& router, Mapping mapping, MidiOptions options, FrameClock clock, std::ostream& log);
    ~MidiInput();
    MidiInput(const MidiInput&) = delete;
    MidiInput& operator=(const MidiInput&) = delete;

    /// @thread control. Updates the LEDs and checks about once a second that the controller is
    /// still there (or has come back).
    void poll();

    /// @thread control. MIDI learn: the next control touched is captured instead of played.
    void startLearn();
    void stopLearn();
    [[nodiscard]] bool learning() const noexcept;
    /// @thread control. The control touched since startLearn(), if one was.
    [[nodiscard]] std::optional<LearnedControl> learned() const;
    /// @thread control. Adds (or replaces) a binding, saves the mapping file atomically and puts
    /// the new mapping in use at once; ends learning. Returns what was learned, in words. Throws
    /// stemdeck::Error if the file cannot be saved (the old file and mapping stay).
    std::string learnBinding(Binding binding);
    /// @thread control. The mapping in use.
    [[nodiscard]] const Mapping& mapping() const;

    [[nodiscard]] bool connected() const noexcept;
    [[nodiscard]] std::uint64_t messages() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// @thread any. A MIDI message in words, for `stemdeck midi monitor`: "note on   ch 1  note 36 (C2)  velocity 100".
[[nodiscard]] std::string describeMessage(const std::vector<unsigned char>& message);

/// @thread control. MIDI input ports of an API ("alsa" / "jack"), one per line, or why there are none.
[[nodiscard]] std::string describeMidiPorts(const std::string& api);

} // namespace stemdeck::midi
