#include "stemdeck/audio/DevicePlayer.h"

// JUCE's headers are not clean under our warning set; they are third-party code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <juce_audio_devices/juce_audio_devices.h>
#include <juce_events/juce_events.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "RealtimeCheck.h"
#include "stemdeck/Error.h"
#include "JackDevice.h"
#include "stemdeck/audio/Watchdog.h"

namespace stemdeck::audio {

namespace {

// The device callback: the audio thread's whole job is DeviceOutput::process() (src/audio/DeviceOutput.cpp).
class EngineCallback final : public juce::AudioIODeviceCallback {
public:
    EngineCallback(engine::Engine& engine, audio::DeviceOutput& output) : engine_(engine), output_(output) {}

    /// @thread audio, non-blocking.
    void audioDeviceIOCallbackWithContext(const float* const*, int, float* const* outputs, int numOutputs,
                                          int numFrames, const juce::AudioIODeviceCallbackContext&) override {
        realtime_.enter(); // the real-time-safety build: anything forbidden below aborts
        output_.process(engine_, outputs, numOutputs, numFrames);
        realtime_.leave(numFrames);
    }
    void audioDeviceAboutToStart(juce::AudioIODevice*) override {}
    void audioDeviceStopped() override {}
    void audioDeviceError(const juce::String&) override {}

private:
    engine::Engine& engine_;
    audio::DeviceOutput& output_;
    RealtimeCheck realtime_;
};

std::string outputsText(int n) {
    return std::to_string(n) + (n == 1 ? " output" : " outputs");
}

bool containsIgnoreCase(const juce::String& haystack, const std::string& needle) {
    return haystack.toLowerCase().contains(juce::String(needle).toLowerCase());
}

std::string deviceList(juce::AudioDeviceManager& manager) {
    const std::string jack = JackDevice::describe();
    std::string out = "\n  JACK: " + (jack.empty() ? "no JACK server running" : jack);
    for (auto* type : manager.getAvailableDeviceTypes()) {
        type->scanForDevices();
        out += "\n  " + type->getTypeName().toStdString() + ":";
        const auto names = type->getDeviceNames(false);
        if (names.isEmpty()) out += " (none)";
        for (const auto& n : names)
            out += "\n    " + n.toStdString();
    }
    return out;
}

std::string summariseRates(const juce::Array<double>& rates) {
    std::string s;
    for (double r : rates) {
        if (!s.empty()) s += ", ";
        s += std::to_string(static_cast<int>(r));
    }
    return s.empty() ? "?" : s;
}

std::string summariseSizes(const juce::Array<int>& sizes, int preferred) {
    if (sizes.isEmpty()) return "?";
    // Appended piece by piece: GCC 12 at -O3 sees a false -Wrestrict in "-" + to_string(…) here.
    std::string s = std::to_string(sizes.getFirst());
    if (sizes.size() > 1) {
        s += '-';
        s += std::to_string(sizes.getLast());
    }
    s += " frames (default ";
    s += std::to_string(preferred);
    s += ')';
    return s;
}

} // namespace

std::string describeDevices() {
    juce::ScopedJuceInitialiser_GUI juceRuntime;
    juce::AudioDeviceManager manager;
    std::string out = "Audio devices (stemdeck play --driver TYPE --device NAME):";
    const std::string jack = JackDevice::describe();
    out += "\n  JACK (--driver jack): " + (jack.empty() ? "no JACK server running" : jack);
    for (auto* type : manager.getAvailableDeviceTypes()) {
        type->scanForDevices();
        const auto names = type->getDeviceNames(false);
        out += "\n  " + type->getTypeName().toStdString() + " (--driver " +
               type->getTypeName().toLowerCase().toStdString() + "):";
        if (names.isEmpty()) out += " no output devices";
        for (const auto& n : names) {
            out += "\n    " + n.toStdString();
            std::unique_ptr<juce::AudioIODevice> device(type->createDevice(n, {}));
            if (!device) {
                out += "  (cannot be opened)";
                continue;
            }
            out += "\n      outputs " + std::to_string(device->getOutputChannelNames().size()) + ", rates " +
                   summariseRates(device->getAvailableSampleRates()) + " Hz, blocks " +
                   summariseSizes(device->getAvailableBufferSizes(), device->getDefaultBufferSize());
        }
    }
    return out;
}

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
        if (!options.connect) return;
        const auto made = jack.connectToPlayback(options.channels.mainFirst);
        if (made.empty())
            log << "note: the JACK server has no playback ports to connect the main mix to; connect "
                << jack.clientName() << ":out_" << options.channels.mainFirst + 1 << " yourself\n";
        for (const auto& c : made)
            log << "connected " << c << "\n";
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

DeviceSession::DeviceSession(std::ostream& log) : impl_(std::make_unique<Impl>(log)) {}

DeviceSession::~DeviceSession() {
    close();
}

bool DeviceSession::open(const DeviceOptions& options, int preferredRate) {
    Impl& d = *impl_;
    d.options = options;
    const bool askJack = juce::String(options.driver).equalsIgnoreCase("jack");
    const bool askOther = !options.driver.empty() && !askJack;
    const int needed = std::max(1, options.channels.channelsNeeded());

    // JACK when asked for, or when nothing was asked for and a server runs (a machine running JACK
    // has given it the sound card): our own client, exactly the ports the routing needs (open()
    // registers them all or fails).
    if (askJack || (!askOther && (options.device.empty() || containsIgnoreCase("jack", options.device)))) {
        bool noServer = false;
        if (const std::string err = d.jack.open(options.clientName, needed, &noServer); !err.empty()) {
            if (askJack || !noServer) throw Error(err);
        } else {
            d.useJack = true;
        }
    }
    if (d.useJack) {
        d.typeName = "JACK";
        d.deviceName = juce::String("JACK server '") + JackDevice::serverName() + "' as " + d.jack.clientName();
        d.rate = d.jack.sampleRate();
        d.block = d.jack.blockFrames();
        d.channels = d.jack.outputs();
        if (options.sampleRate && *options.sampleRate != d.rate)
            d.log << "note: the JACK server runs at " << d.rate << " Hz, not the " << *options.sampleRate
                  << " Hz asked for (the server sets the rate); the stems are resampled to it\n";
        if (options.blockFrames && *options.blockFrames != d.block)
            d.log << "note: the JACK server uses " << d.block << "-frame blocks, not the " << *options.blockFrames
                  << " asked for (the server sets the block size)\n";
        return true;
    }

    // A device type: the one asked for, else the first with an output device.
    juce::AudioIODeviceType* chosen = nullptr;
    for (auto* type : d.manager.getAvailableDeviceTypes()) {
        if (!options.driver.empty() && type->getTypeName().toLowerCase() != juce::String(options.driver).toLowerCase())
            continue;
        type->scanForDevices();
        for (const auto& n : type->getDeviceNames(false)) {
            if (options.device.empty() || containsIgnoreCase(n, options.device)) {
                chosen = type;
                d.deviceName = n;
                break;
            }
        }
        if (chosen != nullptr) break;
    }
    if (chosen == nullptr) {
        if (options.driver.empty() && options.device.empty()) return false;
        std::string what = options.device.empty() ? "no output device" : "no device matching '" + options.device + "'";
        if (!options.driver.empty()) what += " for driver '" + options.driver + "'";
        throw Error(what + ". Devices here:" + deviceList(d.manager) +
                    "\nName one with --device (any part of its name) and --driver alsa|jack; "
                    "'stemdeck devices' lists them with their channels and rates");
    }
    d.typeName = chosen->getTypeName();
    d.manager.setCurrentAudioDeviceType(d.typeName, true);

    // Probe the device's outputs first: the routing must fit.
    {
        std::unique_ptr<juce::AudioIODevice> probe(chosen->createDevice(d.deviceName, {}));
        const int outs = probe ? probe->getOutputChannelNames().size() : 0;
        if (const std::string bad = options.channels.check(outs); !bad.empty())
            throw Error("device '" + d.deviceName.toStdString() + "' (" + d.typeName.toStdString() + "): " + bad);
    }
    d.manager.getAudioDeviceSetup(d.setup);
    d.setup.outputDeviceName = d.deviceName;
    d.setup.inputDeviceName = {};
    d.setup.sampleRate = options.sampleRate.value_or(preferredRate);
    if (options.blockFrames) d.setup.bufferSize = *options.blockFrames;
    d.setup.useDefaultOutputChannels = false;
    d.setup.outputChannels.clear();
    d.setup.outputChannels.setRange(0, needed, true);
    d.setup.useDefaultInputChannels = false;
    d.setup.inputChannels.clear();
    const juce::String err = d.openNow();
    juce::AudioIODevice* device = d.manager.getCurrentAudioDevice();
    if (err.isNotEmpty() || device == nullptr)
        throw Error("cannot open audio device '" + d.deviceName.toStdString() + "' (" + d.typeName.toStdString() +
                    "): " + (err.isNotEmpty() ? err.toStdString() : "no device") +
                    ". Is another program holding it? Try another --device, --rate or --block");
    d.manager.getAudioDeviceSetup(d.setup); // what it really opened with
    d.rate = static_cast<int>(device->getCurrentSampleRate());
    d.block = device->getCurrentBufferSizeSamples();
    d.channels = device->getActiveOutputChannels().countNumberOfSetBits();
    // Every output the routing uses must be open (a mono device may carry the main mix alone).
    if (!options.channels.check(d.channels).empty()) {
        const std::string got = outputsText(d.channels);
        d.manager.closeAudioDevice();
        throw Error("audio device '" + d.deviceName.toStdString() + "' (" + d.typeName.toStdString() + ") opened " +
                    got + " where the routing needs " + outputsText(needed) +
                    "; choose another device or route to fewer outputs");
    }
    if (options.sampleRate && *options.sampleRate != d.rate)
        d.log << "note: " << d.deviceName << " runs at " << d.rate << " Hz, not the " << *options.sampleRate
              << " Hz asked for; the stems are resampled to it\n";
    if (options.blockFrames && *options.blockFrames != d.block)
        d.log << "note: " << d.deviceName << " uses " << d.block << "-frame blocks, not the " << *options.blockFrames
              << " asked for\n";
    return true;
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
    d.callback = std::make_unique<EngineCallback>(engine, d.output);
    d.manager.addAudioCallback(d.callback.get());
    d.armWatchdog();
}

bool DeviceSession::watch() {
    Impl& d = *impl_;
    if (d.engine == nullptr) return false;
    if (!d.lost) {
        const std::int64_t now = Impl::nowNs();
        const std::int64_t last = d.output.lastCallbackNs();
        if (d.deviceGone()) {
            d.lost = true;
            d.xrunsBefore += d.deviceXruns();
            std::string why = d.useJack ? d.jack.haltReason() : std::string();
            d.log << "error: audio device '" << d.deviceName << "' (" << d.typeName
                  << ") stopped: unplugged, or its server quit" << (why.empty() ? "" : " (" + why + ")")
                  << ". Waiting for it to come back; playback continues from where it stopped\n";
            d.closeDevice();
            d.nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            return false;
        }
        if (last != d.lastSeenNs) { // a new callback since the last look
            d.lastSeenNs = last;
            if (d.useJack) d.serverFrame = d.jack.serverCycleFrame();
        }
        if (!d.watchdog.hung(last, now)) {
            if (d.serverHung) {
                d.serverHung = false;
                d.log << "the JACK server runs cycles again; playing on\n";
            }
            return true;
        }
        // No callback for over a second, and no error: a hang. A JACK server that runs no cycles
        // itself cannot be reopened (a new client would wait on it too): it is waited for. Only
        // half a second of cycles run without this client says the server dropped it (a server
        // just woken has run a cycle or two, and calls the client in the next moment).
        char silent[32];
        std::snprintf(silent, sizeof silent, "%.1f s", static_cast<double>(d.watchdog.silentNs(last, now)) / 1e9);
        if (d.useJack && d.jack.serverCycleFrame() - d.serverFrame < static_cast<std::uint32_t>(d.rate / 2)) {
            if (!d.serverHung)
                d.log << "error: the JACK server '" << JackDevice::serverName() << "' has run no cycle for " << silent
                      << " and has not quit: it hangs (or was stopped). Waiting for it; restart the server if it "
                         "does not come back\n";
            d.serverHung = true;
            return false;
        }
        d.lost = true;
        d.xrunsBefore += d.deviceXruns();
        d.log << "error: audio device '" << d.deviceName << "' (" << d.typeName << ") has not called back for "
              << silent << " and reports no error: it hangs. Reopening it; playback continues from where it stopped\n";
        d.closeDevice();
        d.nextTry = std::chrono::steady_clock::now(); // at once
        return false;
    }
    if (std::chrono::steady_clock::now() < d.nextTry) return false;
    d.nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    int rate = 0;
    if (d.useJack) {
        if (!d.jack.open(d.options.clientName, d.channels).empty()) return false;
        rate = d.jack.sampleRate();
    } else {
        const juce::String err = d.openNow();
        juce::AudioIODevice* device = d.manager.getCurrentAudioDevice();
        if (err.isNotEmpty() || device == nullptr || !device->isOpen()) {
            d.manager.closeAudioDevice();
            return false;
        }
        rate = static_cast<int>(device->getCurrentSampleRate());
    }
    if (rate != d.rate) {
        d.log << "error: '" << d.deviceName << "' came back at " << rate << " Hz; the set is playing at " << d.rate
              << " Hz. Set the device (or JACK server) back to " << d.rate << " Hz\n";
        d.closeDevice();
        d.nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        return false;
    }
    if (d.useJack) {
        d.startJack();
        d.block = d.jack.blockFrames();
    } else {
        d.block = d.manager.getCurrentAudioDevice()->getCurrentBufferSizeSamples();
    }
    d.lost = false;
    d.armWatchdog();
    ++d.reopened;
    d.log << "audio device '" << d.deviceName << "' is back (" << d.block << "-frame blocks); playing on\n";
    return !d.deviceGone();
}

bool DeviceSession::jackHangs() const {
    const Impl& d = *impl_;
    if (!d.useJack || d.engine == nullptr || !d.jack.isOpen()) return false;
    const std::int64_t silent = d.watchdog.silentNs(d.output.lastCallbackNs(), Impl::nowNs());
    return d.serverHung || silent > std::max<std::int64_t>(250'000'000, 2 * d.blockNs());
}

void DeviceSession::close() {
    Impl& d = *impl_;
    if (d.engine != nullptr && !d.lost) d.xrunsBefore += d.deviceXruns();
    d.lost = true; // counted
    if (d.callback) d.manager.removeAudioCallback(d.callback.get());
    if (jackHangs()) d.jack.abandon(); // closing the client would wait on the hung server
    d.jack.close();
    d.manager.closeAudioDevice();
    d.callback.reset();
    d.engine = nullptr;
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
