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

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <thread>
#include <vector>

#include "stemdeck/Error.h"

namespace stemdeck::audio {

namespace {

// The device callback: the audio thread's whole job is Engine::process().
class EngineCallback final : public juce::AudioIODeviceCallback {
public:
    explicit EngineCallback(engine::Engine& engine) : engine_(engine) {}

    // The right channel of a mono device goes here (the engine always renders stereo).
    void prepare(int maxBlock) { spareRight_.assign(static_cast<std::size_t>(maxBlock), 0.0f); }

    /// @thread audio, non-blocking.
    void audioDeviceIOCallbackWithContext(const float* const*, int, float* const* outputs, int numOutputs,
                                          int numFrames, const juce::AudioIODeviceCallbackContext&) override {
        const auto spare = static_cast<int>(spareRight_.size());
        if (numFrames > spare || numOutputs == 0) { // a device that broke its promise: stay silent
            for (int c = 0; c < numOutputs; ++c)
                std::fill_n(outputs[c], numFrames, 0.0f);
            return;
        }
        float* left = outputs[0];
        float* right = numOutputs > 1 ? outputs[1] : spareRight_.data();
        engine_.process(left, right, numFrames);
        for (int c = 2; c < numOutputs; ++c)
            std::fill_n(outputs[c], numFrames, 0.0f);
    }
    void audioDeviceAboutToStart(juce::AudioIODevice*) override {}
    void audioDeviceStopped() override {}

private:
    engine::Engine& engine_;
    std::vector<float> spareRight_;
};

juce::String lower(const juce::String& s) {
    return s.toLowerCase();
}

// libjack prints "JACK server not running…" for every probe when no server runs; JUCE installs its
// own handler only after a client opens. Probing is expected to fail on most machines and we say
// so ourselves, so silence libjack (the same dlopen'd library JUCE uses) while devices are scanned.
extern "C" void ignoreJackMessage(const char*) {}
void quietJackProbes() {
    void* jack = dlopen("libjack.so.0", RTLD_LAZY);
    if (jack == nullptr) return;
    using SetHandler = void (*)(void (*)(const char*));
    for (const char* name : {"jack_set_error_function", "jack_set_info_function"})
        if (auto set = reinterpret_cast<SetHandler>(dlsym(jack, name))) set(ignoreJackMessage);
}

std::string listDevices(juce::AudioDeviceManager& manager) {
    std::string out;
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

} // namespace

PlayResult playOnDevice(engine::Engine& engine, const engine::SongView& song, int songRate, const std::string& title,
                        const DeviceOptions& options, const std::atomic<bool>& stopRequested, std::ostream& log) {
    juce::ScopedJuceInitialiser_GUI juceRuntime; // message manager for the device manager's notices
    quietJackProbes();
    juce::AudioDeviceManager manager;

    // Pick a device type: the one asked for, else the first with an output device.
    juce::AudioIODeviceType* chosen = nullptr;
    juce::String deviceName;
    for (auto* type : manager.getAvailableDeviceTypes()) {
        if (!options.driver.empty() && lower(type->getTypeName()) != juce::String(options.driver).toLowerCase())
            continue;
        type->scanForDevices();
        const auto names = type->getDeviceNames(false);
        for (const auto& n : names) {
            if (options.device.empty() || lower(n).contains(juce::String(options.device).toLowerCase())) {
                chosen = type;
                deviceName = n;
                break;
            }
        }
        if (chosen != nullptr) break;
    }
    if (chosen == nullptr) {
        if (options.driver.empty() && options.device.empty()) return PlayResult::noDevice;
        throw Error("no audio device matches driver '" + options.driver + "' device '" + options.device +
                    "'. Devices here:" + listDevices(manager));
    }
    manager.setCurrentAudioDeviceType(chosen->getTypeName(), true);

    juce::AudioDeviceManager::AudioDeviceSetup setup;
    manager.getAudioDeviceSetup(setup);
    setup.outputDeviceName = deviceName;
    setup.inputDeviceName = {};
    setup.sampleRate = options.sampleRate.value_or(songRate);
    if (options.blockFrames) setup.bufferSize = *options.blockFrames;
    setup.useDefaultOutputChannels = true;
    const juce::String err = manager.initialise(0, 2, nullptr, false, deviceName, &setup);
    juce::AudioIODevice* device = manager.getCurrentAudioDevice();
    if (err.isNotEmpty() || device == nullptr)
        throw Error("cannot open audio device '" + deviceName.toStdString() + "' (" +
                    chosen->getTypeName().toStdString() + "): " + err.toStdString());
    const int rate = static_cast<int>(device->getCurrentSampleRate());
    if (rate != songRate)
        throw Error("device '" + deviceName.toStdString() + "' runs at " + std::to_string(rate) +
                    " Hz but the song is " + std::to_string(songRate) + " Hz; choose a device or --rate at " +
                    std::to_string(songRate) + " Hz (sample-rate conversion comes with disk streaming)");
    const int block = device->getCurrentBufferSizeSamples();

    engine.prepare(rate, block);
    engine.setSong(song);
    EngineCallback callback(engine);
    callback.prepare(std::max(block, 8192));
    engine::CommandSender sender = engine.makeSender();
    log << "stemdeck: playing '" << title << "' (" << song.stemCount << " stems) on " << deviceName << " ["
        << chosen->getTypeName() << "], " << rate << " Hz, " << block << "-frame blocks. Ctrl-C stops.\n";
    manager.addAudioCallback(&callback);
    sender.send(engine::Command{engine::Action::play});

    PlayResult result = PlayResult::finished;
    bool stopping = false;
    auto stopDeadline = std::chrono::steady_clock::now();
    for (bool done = false; !done;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        engine::Event e;
        while (engine.nextEvent(e)) {
            if (e.type == engine::EventType::songEnded) done = true;
            if (e.type == engine::EventType::transportStopped && stopping) done = true;
        }
        if (stopRequested.load() && !stopping) {
            stopping = true;
            result = PlayResult::interrupted;
            sender.send(engine::Command{engine::Action::stop});
            stopDeadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
        }
        if (stopping && std::chrono::steady_clock::now() > stopDeadline) done = true; // device stalled
        if (!stopping && device->isPlaying() == false) {
            log << "stemdeck: the audio device stopped\n";
            done = true;
        }
    }
    const int xruns = device->getXRunCount();
    manager.removeAudioCallback(&callback);
    manager.closeAudioDevice();
    std::uint32_t underruns = 0;
    for (int i = 0; i < song.stemCount; ++i)
        underruns += engine.stem(i).underruns.load();
    log << "stemdeck: " << (result == PlayResult::finished ? "finished" : "stopped") << " at "
        << static_cast<double>(engine.songFrame()) / rate << " s; underruns " << underruns << ", device xruns " << xruns
        << "\n";
    return result;
}

} // namespace stemdeck::audio
