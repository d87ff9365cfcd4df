// A device that went away (unplugged, its server quit) or hangs (no callback for a second), and
// reopened once it is back; a hung JACK server waited for, not reopened.
#include <cstdio>

#include "DeviceSession.h"

namespace stemdeck::audio {

bool DeviceSession::watch() {
    Impl& d = *impl_;
    if (d.engine == nullptr) return false;
    return d.lost ? d.reopen() : d.stillThere();
}

bool DeviceSession::Impl::stillThere() {
    const std::int64_t now = nowNs();
    const std::int64_t last = output.lastCallbackNs();
    if (deviceGone()) {
        lost = true;
        xrunsBefore += deviceXruns();
        std::string why = useJack ? jack.haltReason() : std::string();
        log << "error: audio device '" << deviceName << "' (" << typeName << ") stopped: unplugged, or its server quit"
            << (why.empty() ? "" : " (" + why + ")")
            << ". Waiting for it to come back; playback continues from where it stopped\n";
        closeDevice();
        nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        return false;
    }
    if (last != lastSeenNs) { // a new callback since the last look
        lastSeenNs = last;
        if (useJack) serverFrame = jack.serverCycleFrame();
    }
    if (!watchdog.hung(last, now)) {
        if (serverHung) {
            serverHung = false;
            log << "the JACK server runs cycles again; playing on\n";
        }
        return true;
    }
    // No callback for over a second, and no error: a hang. A JACK server that runs no cycles
    // itself cannot be reopened (a new client would wait on it too): it is waited for. Only
    // half a second of cycles run without this client says the server dropped it (a server
    // just woken has run a cycle or two, and calls the client in the next moment).
    char silent[32];
    std::snprintf(silent, sizeof silent, "%.1f s", static_cast<double>(watchdog.silentNs(last, now)) / 1e9);
    if (useJack && jack.serverCycleFrame() - serverFrame < static_cast<std::uint32_t>(rate / 2)) {
        if (!serverHung)
            log << "error: the JACK server '" << JackDevice::serverName() << "' has run no cycle for " << silent
                << " and has not quit: it hangs (or was stopped). Waiting for it; restart the server if it "
                   "does not come back\n";
        serverHung = true;
        return false;
    }
    lost = true;
    xrunsBefore += deviceXruns();
    log << "error: audio device '" << deviceName << "' (" << typeName << ") has not called back for " << silent
        << " and reports no error: it hangs. Reopening it; playback continues from where it stopped\n";
    closeDevice();
    nextTry = std::chrono::steady_clock::now(); // at once
    return false;
}

bool DeviceSession::Impl::reopen() {
    if (std::chrono::steady_clock::now() < nextTry) return false;
    nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    int got = 0;
    if (useJack) {
        if (!jack.open(options.clientName, channels, options.midiOut).empty()) return false;
        got = jack.sampleRate();
    } else {
        const juce::String err = openNow();
        juce::AudioIODevice* device = manager.getCurrentAudioDevice();
        if (err.isNotEmpty() || device == nullptr || !device->isOpen()) {
            manager.closeAudioDevice();
            return false;
        }
        got = static_cast<int>(device->getCurrentSampleRate());
    }
    if (got != rate) {
        log << "error: '" << deviceName << "' came back at " << got << " Hz; the set is playing at " << rate
            << " Hz. Set the device (or JACK server) back to " << rate << " Hz\n";
        closeDevice();
        nextTry = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        return false;
    }
    if (useJack) {
        startJack();
        block = jack.blockFrames();
    } else {
        block = manager.getCurrentAudioDevice()->getCurrentBufferSizeSamples();
    }
    lost = false;
    armWatchdog();
    ++reopened;
    log << "audio device '" << deviceName << "' is back (" << block << "-frame blocks); playing on\n";
    return !deviceGone();
}

bool DeviceSession::jackHangs() const {
    const Impl& d = *impl_;
    if (!d.useJack || d.engine == nullptr || !d.jack.isOpen()) return false;
    const std::int64_t silent = d.watchdog.silentNs(d.output.lastCallbackNs(), Impl::nowNs());
    return d.serverHung || silent > std::max<std::int64_t>(250'000'000, 2 * d.blockNs());
}

} // namespace stemdeck::audio
