#include "stemdeck/audio/DevicePlayer.h"

#include <chrono>
#include <thread>

#include <algorithm>

#include "DeviceSession.h"
#include "stemdeck/common/Error.h"

namespace stemdeck::audio {

DeviceSession::DeviceSession(std::ostream& log) : impl_(std::make_unique<Impl>(log)) {}

DeviceSession::~DeviceSession() {
    close();
}

bool DeviceSession::open(const DeviceOptions& options, int preferredRate) {
    Impl& d = *impl_;
    d.options = options;
    if (d.openJack()) return true;
    juce::AudioIODeviceType* chosen = d.chooseDevice();
    if (chosen == nullptr) {
        if (options.driver.empty() && options.device.empty()) return false;
        std::string what = options.device.empty() ? "no output device" : "no device matching '" + options.device + "'";
        if (!options.driver.empty()) what += " for driver '" + options.driver + "'";
        throw Error(what + ". Devices here:" + deviceList(d.manager) +
                    "\nName one with --device (any part of its name) and --driver alsa|jack; "
                    "'stemdeck devices' lists them with their channels and rates");
    }
    d.openJuce(*chosen, preferredRate);
    return true;
}

bool DeviceSession::Impl::openJack() {
    const bool askJack = juce::String(options.driver).equalsIgnoreCase("jack");
    const bool askOther = !options.driver.empty() && !askJack;
    const int needed = std::max(1, options.channels.channelsNeeded());

    // JACK when asked for, or when nothing was asked for and a server runs (a machine running JACK
    // has given it the sound card): our own client, exactly the ports the routing needs (open()
    // registers them all or fails).
    if (askJack || (!askOther && (options.device.empty() || containsIgnoreCase("jack", options.device)))) {
        bool noServer = false;
        if (const std::string err = jack.open(options.clientName, needed, options.midiOut, &noServer); !err.empty()) {
            if (askJack || !noServer) throw Error(err);
        } else {
            useJack = true;
        }
    }
    if (useJack) {
        typeName = "JACK";
        deviceName = juce::String("JACK server '") + JackDevice::serverName() + "' as " + jack.clientName();
        rate = jack.sampleRate();
        block = jack.blockFrames();
        channels = jack.outputs();
        if (options.sampleRate && *options.sampleRate != rate)
            log << "note: the JACK server runs at " << rate << " Hz, not the " << *options.sampleRate
                << " Hz asked for (the server sets the rate); the stems are resampled to it\n";
        if (options.blockFrames && *options.blockFrames != block)
            log << "note: the JACK server uses " << block << "-frame blocks, not the " << *options.blockFrames
                << " asked for (the server sets the block size)\n";
        return true;
    }
    return false;
}

juce::AudioIODeviceType* DeviceSession::Impl::chooseDevice() {
    // A device type: the one asked for, else the first with an output device.
    juce::AudioIODeviceType* chosen = nullptr;
    for (auto* type : manager.getAvailableDeviceTypes()) {
        if (!options.driver.empty() && type->getTypeName().toLowerCase() != juce::String(options.driver).toLowerCase())
            continue;
        type->scanForDevices();
        for (const auto& n : type->getDeviceNames(false)) {
            if (options.device.empty() || containsIgnoreCase(n, options.device)) {
                chosen = type;
                deviceName = n;
                break;
            }
        }
        if (chosen != nullptr) break;
    }
    return chosen;
}

void DeviceSession::Impl::openJuce(juce::AudioIODeviceType& chosen, int preferredRate) {
    const int needed = std::max(1, options.channels.channelsNeeded());
    typeName = chosen.getTypeName();
    manager.setCurrentAudioDeviceType(typeName, true);

    // Probe the device's outputs first: the routing must fit.
    {
        std::unique_ptr<juce::AudioIODevice> probe(chosen.createDevice(deviceName, {}));
        const int outs = probe ? probe->getOutputChannelNames().size() : 0;
        if (const std::string bad = options.channels.check(outs); !bad.empty())
            throw Error("device '" + deviceName.toStdString() + "' (" + typeName.toStdString() + "): " + bad);
    }
    manager.getAudioDeviceSetup(setup);
    setup.outputDeviceName = deviceName;
    setup.inputDeviceName = {};
    setup.sampleRate = options.sampleRate.value_or(preferredRate);
    if (options.blockFrames) setup.bufferSize = *options.blockFrames;
    setup.useDefaultOutputChannels = false;
    setup.outputChannels.clear();
    setup.outputChannels.setRange(0, needed, true);
    setup.useDefaultInputChannels = false;
    setup.inputChannels.clear();
    const juce::String err = openNow();
    juce::AudioIODevice* device = manager.getCurrentAudioDevice();
    if (err.isNotEmpty() || device == nullptr)
        throw Error("cannot open audio device '" + deviceName.toStdString() + "' (" + typeName.toStdString() +
                    "): " + (err.isNotEmpty() ? err.toStdString() : "no device") +
                    ". Is another program holding it? Try another --device, --rate or --block");
    manager.getAudioDeviceSetup(setup); // what it really opened with
    rate = static_cast<int>(device->getCurrentSampleRate());
    block = device->getCurrentBufferSizeSamples();
    channels = device->getActiveOutputChannels().countNumberOfSetBits();
    // Every output the routing uses must be open (a mono device may carry the main mix alone).
    if (!options.channels.check(channels).empty()) {
        const std::string got = outputsText(channels);
        manager.closeAudioDevice();
        throw Error("audio device '" + deviceName.toStdString() + "' (" + typeName.toStdString() + ") opened " + got +
                    " where the routing needs " + outputsText(needed) +
                    "; choose another device or route to fewer outputs");
    }
    if (options.sampleRate && *options.sampleRate != rate)
        log << "note: " << deviceName << " runs at " << rate << " Hz, not the " << *options.sampleRate
            << " Hz asked for; the stems are resampled to it\n";
    if (options.blockFrames && *options.blockFrames != block)
        log << "note: " << deviceName << " uses " << block << "-frame blocks, not the " << *options.blockFrames
            << " asked for\n";
}

void DeviceSession::start(engine::Engine& engine) {
    Impl& d = *impl_;
    d.engine = &engine;
    d.output.prepare(d.options.channels, std::max(d.block, 8192));
    if (d.useJack) {
        d.startJack();
        d.armWatchdog();
        return;
    }
    if (d.options.midiOut) { // no MIDI port beside JUCE's callback: an ALSA sequencer port, fed by a thread
        d.alsaMidi = std::make_unique<AlsaMidiOut>();
        std::vector<std::string> made, ports;
        if (const std::string err = d.alsaMidi->open(d.options.clientName, d.options.midiConnect, made, ports);
            !err.empty()) {
            d.log << "warning: no MIDI output: " << err << "\n";
            d.alsaMidi.reset();
        } else {
            d.log << "MIDI out: the ALSA sequencer port " << d.options.clientName << ":midi_out\n";
            d.sayMidiConnections(made, ports, "ALSA MIDI port", d.options.clientName + ":midi_out yourself (aconnect)");
        }
    }
    d.callback = std::make_unique<EngineCallback>(engine, d.output, d.alsaMidi.get());
    d.manager.addAudioCallback(d.callback.get());
    d.armWatchdog();
}

void DeviceSession::close() {
    Impl& d = *impl_;
    if (d.engine != nullptr && d.options.midiOut && !d.lost && !jackHangs()) {
        // Two more blocks for the MIDI output's last messages (a Stop due on the song's last frame
        // goes out with the block after it): at most 100 ms.
        const std::int64_t from = d.engine->outputFrame();
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        while (d.engine->outputFrame() < from + 2 * std::max(d.block, 1) && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (d.engine != nullptr && !d.lost) d.xrunsBefore += d.deviceXruns();
    d.lost = true; // counted
    if (d.callback) d.manager.removeAudioCallback(d.callback.get());
    if (jackHangs()) d.jack.abandon(); // closing the client would wait on the hung server
    d.jack.close();
    d.manager.closeAudioDevice();
    d.callback.reset();
    d.alsaMidi.reset(); // (after the callback that feeds it)
    d.engine = nullptr;
}

std::uint64_t DeviceSession::midiLost() const noexcept {
    const Impl& d = *impl_;
    return d.jack.midiLost() + (d.alsaMidi ? d.alsaMidi->lost() : 0);
}

int DeviceSession::sampleRate() const noexcept {
    return impl_->rate;
}
int DeviceSession::blockFrames() const noexcept {
    return impl_->block;
}
int DeviceSession::outputChannels() const noexcept {
    return impl_->channels;
}
int DeviceSession::reopenings() const noexcept {
    return impl_->reopened;
}
const audio::CallbackTimer& DeviceSession::timer() const noexcept {
    return impl_->output.timer();
}
const audio::DeviceOutput& DeviceSession::output() const noexcept {
    return impl_->output;
}

int DeviceSession::xruns() const {
    const Impl& d = *impl_;
    return d.xrunsBefore + (d.engine != nullptr && !d.lost ? d.deviceXruns() : 0);
}

std::string DeviceSession::description() const {
    const Impl& d = *impl_;
    return d.deviceName.toStdString() + " [" + d.typeName.toStdString() + "], " + std::to_string(d.rate) + " Hz, " +
           std::to_string(d.block) + "-frame blocks, " + outputsText(d.channels);
}

} // namespace stemdeck::audio
