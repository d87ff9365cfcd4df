#pragma once
// Audio devices: JACK through our own client (JackDevice), ALSA (and whatever else JUCE offers)
// through JUCE's AudioDeviceManager: listing them, opening one, feeding it from the engine, and coming back after a
// loss.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "stemdeck/audio/DeviceOutput.h"
#include "stemdeck/engine/Engine.h"

namespace stemdeck::audio {

struct DeviceOptions {
    std::string driver;                  ///< "alsa", "jack" or "" for the first that has a device
    std::string device;                  ///< substring of the device name, case-insensitive; "" = default
    std::optional<int> sampleRate;       ///< default: the songs' rate (JACK: always the server's)
    std::optional<int> blockFrames;      ///< default: the device's
    std::string clientName = "stemdeck"; ///< the JACK client name
    bool connect = true;                 ///< JACK: connect the main pair to the first playback ports
    audio::ChannelMap channels;          ///< where the main mix, click and direct stems go
    /// A MIDI output of the client's own (JACK: CLIENT:midi_out), fed from the engine's MidiOut
    /// frame-exactly in the same callback as the audio.
    bool midiOut = false;
    std::string midiConnect; ///< connect it to the MIDI inputs whose names hold this (any case); "" none
};

/// @thread control. Every device type, its output devices, their channels, rates and buffer sizes.
[[nodiscard]] std::string describeDevices();

/// One open audio device driven by an engine. @thread control, all of it.
class DeviceSession {
public:
    explicit DeviceSession(std::ostream& log);
    ~DeviceSession(); ///< closes the device
    DeviceSession(const DeviceSession&) = delete;
    DeviceSession& operator=(const DeviceSession&) = delete;

    /// Opens the device the options ask for, at `preferredRate` unless they say otherwise. With no
    /// driver asked for, a running JACK server wins (it holds the sound card), else the first ALSA
    /// device. False when no driver or device was asked for and the machine has no output device
    /// at all. Throws stemdeck::Error when the asked-for one is not there (listing those that
    /// are), cannot be opened, or does not open exactly the outputs the routing needs.
    bool open(const DeviceOptions& options, int preferredRate);

    /// Starts the callback: the engine (prepared at sampleRate()) renders every block.
    void start(engine::Engine& engine);

    /// Keeps watch: call every few ms. When the device has gone (unplugged, JACK server quit) it
    /// says so once and tries to reopen it every second; the engine's song position waits where
    /// it was and playback continues when the device is back. True while the device plays.
    bool watch();

    /// Stops the callback and closes the device (a client of a JACK server that hangs is dropped
    /// instead: closing it would wait for the server forever).
    void close();

    /// True while JACK runs no cycle (the callback silent for a quarter second or more, with no
    /// error): another JACK client of this process (the MIDI input) must not be closed now either.
    [[nodiscard]] bool jackHangs() const;

    [[nodiscard]] int sampleRate() const noexcept;
    [[nodiscard]] int blockFrames() const noexcept;
    [[nodiscard]] int outputChannels() const noexcept;
    [[nodiscard]] std::string description() const; ///< "system [JACK], 48000 Hz, 128-frame blocks, 8 outputs"
    [[nodiscard]] int xruns() const;               ///< the device's xrun count, summed over reopenings
    [[nodiscard]] int reopenings() const noexcept;
    /// MIDI output messages the device's port could not take (JACK's buffer full, the ALSA
    /// sender's queue full), since open.
    [[nodiscard]] std::uint64_t midiLost() const noexcept;
    [[nodiscard]] const audio::CallbackTimer& timer() const noexcept;
    /// The callback's clock, for placing MIDI messages on frames.
    [[nodiscard]] const audio::DeviceOutput& output() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace stemdeck::audio
