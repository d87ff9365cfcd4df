#pragma once
// Private to src/audio: the device session's state (DeviceSession::Impl), shared by its files:
// DevicePlayer.cpp (open, start, close), DeviceWatch.cpp (a lost or hung device, reopened) and
// DeviceList.cpp (what devices there are).
// JUCE's headers are not clean under our warning set; they are third-party code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <juce_audio_devices/juce_audio_devices.h>
#include <juce_events/juce_events.h>
#pragma GCC diagnostic pop

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "AlsaMidiOut.h"
#include "JackDevice.h"
#include "stemdeck/common/Text.h"
#include "RealtimeCheck.h"
#include "stemdeck/audio/DeviceOutput.h"
#include "stemdeck/audio/DevicePlayer.h"
#include "stemdeck/audio/Watchdog.h"

namespace stemdeck::audio {

// The device callback: the audio thread's whole job is DeviceOutput::process() (src/audio/DeviceOutput.cpp).
class EngineCallback final : public juce::AudioIODeviceCallback {
public:
    EngineCallback(engine::Engine& engine, audio::DeviceOutput& output, AlsaMidiOut* midi = nullptr)
        : engine_(engine), output_(output), midi_(midi) {}

    /// @thread audio, non-blocking.
    void audioDeviceIOCallbackWithContext(const float* const*, int, float* const* outputs, int numOutputs,
                                          int numFrames, const juce::AudioIODeviceCallbackContext&) override {
        realtime_.enter(); // the real-time-safety build: anything forbidden below aborts
        const std::int64_t before = engine_.outputFrame();
        output_.process(engine_, outputs, numOutputs, numFrames);
        if (midi_ != nullptr && engine_.outputFrame() != before) // the block's MIDI, stamped for the sender
            midi_->push(engine_.midiOut(), output_.lastCallbackNs(), rate_.load(std::memory_order_relaxed),
                        latencyNs_.load(std::memory_order_relaxed));
        realtime_.leave(numFrames);
    }
    /// @thread JUCE's. What the device says it adds after the callback: the MIDI's time to the output.
    void audioDeviceAboutToStart(juce::AudioIODevice* device) override {
        if (device == nullptr) return;
        const double rate = device->getCurrentSampleRate();
        if (rate <= 0) return;
        rate_.store(rate, std::memory_order_relaxed);
        latencyNs_.store(static_cast<std::int64_t>(device->getOutputLatencyInSamples() * 1e9 / rate),
                         std::memory_order_relaxed);
        engine_.link().setOutputLatency(device->getOutputLatencyInSamples()); // (Ableton Link: when it is heard)
    }
    void audioDeviceStopped() override {}
    void audioDeviceError(const juce::String&) override {}

private:
    engine::Engine& engine_;
    audio::DeviceOutput& output_;
    AlsaMidiOut* midi_;
    std::atomic<double> rate_{48000.0};
    std::atomic<std::int64_t> latencyNs_{0};
    RealtimeCheck realtime_;
};

/// "1 output", "4 outputs".
[[nodiscard]] std::string outputsText(int n);
/// `needle` in `haystack`, any case.
[[nodiscard]] bool containsIgnoreCase(const juce::String& haystack, const std::string& needle);
/// Every device there is, a line each (for an error naming the one that is not there).
[[nodiscard]] std::string deviceList(juce::AudioDeviceManager& manager);

struct DeviceSession::Impl {
    explicit Impl(std::ostream& l) : log(l) {}
    std::ostream& log;
    juce::ScopedJuceInitialiser_GUI juceRuntime; // message manager for the device manager's notices
    juce::AudioDeviceManager manager;            // ALSA (and whatever else JUCE offers) — not JACK
    juce::AudioDeviceManager::AudioDeviceSetup setup;
    JackDevice jack; // JACK: our own client (see JackDevice.h for why not JUCE's)
    bool useJack = false;
    juce::String typeName, deviceName;
    DeviceOptions options;
    audio::DeviceOutput output;
    engine::Engine* engine = nullptr;
    std::unique_ptr<AlsaMidiOut> alsaMidi; // ALSA: the MIDI output (JACK's is the client's port)
    std::unique_ptr<EngineCallback> callback;
    int rate = 0, block = 0, channels = 0;
    int xrunsBefore = 0; // xruns of devices that have gone
    int reopened = 0;
    bool lost = false;
    std::chrono::steady_clock::time_point nextTry;
    CallbackWatchdog watchdog;
    std::int64_t lastSeenNs = 0;   // the last callback start watch() saw
    std::uint32_t serverFrame = 0; // JACK: the server's cycle frame when watch() last saw a new callback
    bool serverHung = false;       // JACK: the server runs no cycles (nothing to reopen: waited for)

    static std::int64_t nowNs() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    [[nodiscard]] std::int64_t blockNs() const {
        return rate > 0 ? static_cast<std::int64_t>(block) * 1'000'000'000 / rate : 0;
    }
    void armWatchdog() {
        watchdog.arm(nowNs(), blockNs());
        serverHung = false;
    }
    void closeDevice() {
        if (useJack)
            jack.close();
        else
            manager.closeAudioDevice();
    }

    /// JACK when asked for, or when nothing was asked for and a server runs: true when opened.
    bool openJack();
    /// The device type and name asked for (else the first with an output device), or nullptr.
    juce::AudioIODeviceType* chooseDevice();
    /// Opens `chosen`'s device (deviceName) for the routing; throws what is wrong.
    void openJuce(juce::AudioIODeviceType& chosen, int preferredRate);

    /// watch(), the device open: true while it plays; a device gone or hung is closed (lost, to be
    /// reopened) and a JACK server that runs no cycles is waited for (false meanwhile).
    bool stillThere();
    /// watch(), the device lost: tries to open it again (at most once a second); true once it plays.
    bool reopen();

    juce::String openNow() {
        manager.setCurrentAudioDeviceType(typeName, true);
        if (auto* type = manager.getCurrentDeviceTypeObject()) type->scanForDevices();
        return manager.setAudioDeviceSetup(setup, true);
    }

    /// Activates the open JACK client and (unless told not to) connects its main pair.
    void startJack() {
        if (!jack.start(*engine, output)) {
            log << "error: the JACK server would not activate client '" << jack.clientName() << "'\n";
            return;
        }
        connectMidi();
        if (!options.connect) return;
        const auto made = jack.connectToPlayback(options.channels.mainFirst);
        if (made.empty())
            log << "note: the JACK server has no playback ports to connect the main mix to; connect "
                << jack.clientName() << ":out_" << options.channels.mainFirst + 1 << " yourself\n";
        for (const auto& c : made)
            log << "connected " << c << "\n";
    }
    /// --midi-out NAME: the MIDI output connected to the inputs whose names hold NAME.
    void connectMidi() {
        if (!options.midiOut || options.midiConnect.empty()) return;
        std::vector<std::string> inputs;
        const auto made = jack.connectMidi(options.midiConnect, inputs);
        sayMidiConnections(made, inputs, "JACK MIDI input",
                           jack.clientName() +
                               ":midi_out yourself (the song's program changes go out again when you do)");
    }
    /// The MIDI output's connections made for --midi-out NAME (JACK's or ALSA's), or that none
    /// was: which ports there are, and `yourself` (how to connect by hand).
    void sayMidiConnections(const std::vector<std::string>& made, const std::vector<std::string>& ports,
                            const std::string& kind, const std::string& yourself) {
        for (const auto& c : made)
            log << "connected " << c << "\n";
        if (!made.empty() || options.midiConnect.empty()) return;
        log << "warning: no " << kind << "'s name holds '" << options.midiConnect << "' ("
            << (ports.empty() ? "there are none" : "there are: " + joinNames(ports)) << "); connect " << yourself
            << "\n";
    }
    bool deviceGone() const {
        if (useJack) return jack.halted() || !jack.isOpen();
        juce::AudioIODevice* device = manager.getCurrentAudioDevice();
        return device == nullptr || !device->isPlaying();
    }
    int deviceXruns() const {
        if (useJack) return jack.xruns();
        auto* device = manager.getCurrentAudioDevice();
        return device != nullptr ? device->getXRunCount() : 0;
    }
};

} // namespace stemdeck::audio
