#include "stemdeck/audio/JackDevice.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#ifdef STEMDECK_RTSAN_CALLBACK
extern "C" {
void __rtsan_realtime_enter();
void __rtsan_realtime_exit();
}
#endif

namespace stemdeck::audio {

namespace {

// libjack prints "Cannot connect to server socket…" for every failed open; we say what matters
// ourselves, once, in words a performer can act on.
extern "C" void ignoreJackMessage(const char*) {}

void quietJack() {
    jack_set_error_function(ignoreJackMessage);
    jack_set_info_function(ignoreJackMessage);
}

// jack_get_ports' array: freed with jack_free.
std::vector<std::string> takePortNames(const char** names) {
    std::vector<std::string> out;
    if (names == nullptr) return out;
    for (const char** p = names; *p != nullptr; ++p)
        out.emplace_back(*p);
    jack_free(static_cast<void*>(names));
    return out;
}

} // namespace

JackDevice::~JackDevice() {
    close();
}

std::string JackDevice::serverName() {
    const char* env = std::getenv("JACK_DEFAULT_SERVER");
    return env != nullptr && *env != '\0' ? env : "default";
}

bool JackDevice::serverRunning() {
    quietJack();
    jack_status_t status{};
    jack_client_t* probe = jack_client_open("stemdeck-probe", JackNoStartServer, &status);
    if (probe == nullptr) return false;
    jack_client_close(probe);
    return true;
}

std::vector<std::string> JackDevice::playbackPorts() {
    quietJack();
    jack_status_t status{};
    jack_client_t* probe = jack_client_open("stemdeck-probe", JackNoStartServer, &status);
    if (probe == nullptr) return {};
    auto ports =
        takePortNames(jack_get_ports(probe, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput));
    jack_client_close(probe);
    return ports;
}

std::string JackDevice::describe() {
    quietJack();
    jack_status_t status{};
    jack_client_t* probe = jack_client_open("stemdeck-probe", JackNoStartServer, &status);
    if (probe == nullptr) return {};
    const auto playback =
        takePortNames(jack_get_ports(probe, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput));
    std::string out = "server '" + serverName() + "', " + std::to_string(jack_get_sample_rate(probe)) + " Hz, " +
                      std::to_string(jack_get_buffer_size(probe)) +
                      "-frame blocks; stemdeck registers the outputs "
                      "its routing needs and connects the main pair to the first two playback ports (" +
                      std::to_string(playback.size()) + " here" +
                      (playback.empty() ? "" : ": " + playback.front() + (playback.size() > 1 ? " …" : "")) + ")";
    jack_client_close(probe);
    return out;
}

std::string JackDevice::open(const std::string& clientName, int outputs) {
    close();
    quietJack();
    halted_.store(false, std::memory_order_relaxed);
    reason_.fill('\0');
    jack_status_t status{};
    client_ = jack_client_open(clientName.c_str(), JackNoStartServer, &status);
    if (client_ == nullptr) {
        if ((status & JackServerFailed) != 0 || (status & JackServerError) != 0)
            return "no JACK server running (server '" + serverName() +
                   "'; start one with jackd or qjackctl, or play with --driver alsa)";
        if ((status & JackNameNotUnique) != 0) return "the JACK client name '" + clientName + "' is taken";
        return "the JACK server refused the client (status 0x" + std::to_string(static_cast<int>(status)) + ")";
    }
    name_ = jack_get_client_name(client_);
    rate_ = static_cast<int>(jack_get_sample_rate(client_));
    block_.store(static_cast<int>(jack_get_buffer_size(client_)), std::memory_order_relaxed);
    xruns_.store(0, std::memory_order_relaxed);
    ports_.clear();
    for (int i = 0; i < outputs; ++i) {
        jack_port_t* port = jack_port_register(client_, ("out_" + std::to_string(i + 1)).c_str(),
                                               JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
        if (port == nullptr) {
            const int got = i;
            close();
            return "the JACK server gave " + std::to_string(got) + (got == 1 ? " output" : " outputs") + " of the " +
                   std::to_string(outputs) + " the routing needs (port out_" + std::to_string(got + 1) +
                   " could not be registered)";
        }
        ports_.push_back(port);
    }
    buffers_.assign(ports_.size(), nullptr);
    jack_set_process_callback(client_, &JackDevice::process, this);
    jack_set_buffer_size_callback(client_, &JackDevice::bufferSize, this);
    jack_set_xrun_callback(client_, &JackDevice::xrun, this);
    jack_on_info_shutdown(client_, &JackDevice::shutdown, this);
    return {};
}

bool JackDevice::start(engine::Engine& engine, engine::DeviceOutput& output) {
    if (client_ == nullptr) return false;
    engine_ = &engine;
    output_ = &output;
#ifdef STEMDECK_RTSAN_CALLBACK
    canary_ = std::getenv("STEMDECK_RT_CANARY") != nullptr;
#endif
    active_ = jack_activate(client_) == 0;
    return active_;
}

std::vector<std::string> JackDevice::connectToPlayback(int first) {
    std::vector<std::string> made;
    if (client_ == nullptr || !active_) return made;
    const auto playback =
        takePortNames(jack_get_ports(client_, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput));
    for (int k = 0; k < 2; ++k) {
        const auto port = static_cast<std::size_t>(first + k);
        if (port >= ports_.size() || static_cast<std::size_t>(k) >= playback.size()) break;
        const char* ours = jack_port_name(ports_[port]);
        const int rc = jack_connect(client_, ours, playback[static_cast<std::size_t>(k)].c_str());
        if (rc == 0 || rc == EEXIST) made.push_back(std::string(ours) + " -> " + playback[static_cast<std::size_t>(k)]);
    }
    return made;
}

std::string JackDevice::haltReason() const {
    if (!halted()) return {};
    return std::string(reason_.data(), strnlen(reason_.data(), reason_.size()));
}

void JackDevice::close() {
    if (client_ == nullptr) return;
    // After a shutdown the server is gone: deactivating would only fail. jack_client_close still
    // frees the client and stops libjack's threads (the shutdown callback has returned by then, and
    // touches only our atomics, which outlive this call).
    if (active_ && !halted()) jack_deactivate(client_);
    jack_client_close(client_);
    client_ = nullptr;
    active_ = false;
    ports_.clear();
    buffers_.clear();
}

int JackDevice::process(jack_nframes_t n, void* self) {
    auto* d = static_cast<JackDevice*>(self);
#ifdef STEMDECK_RTSAN_CALLBACK
    __rtsan_realtime_enter(); // the real-time-safety build: anything forbidden below aborts
#endif
    for (std::size_t i = 0; i < d->ports_.size(); ++i)
        d->buffers_[i] = static_cast<float*>(jack_port_get_buffer(d->ports_[i], n));
    d->output_->process(*d->engine_, d->buffers_.data(), static_cast<int>(d->buffers_.size()), static_cast<int>(n));
#ifdef STEMDECK_RTSAN_CALLBACK
    if (d->canary_) d->canaryAllocation_ = std::make_unique<int>(static_cast<int>(n)); // must abort under RTSan
    __rtsan_realtime_exit();
#endif
    return 0;
}

int JackDevice::bufferSize(jack_nframes_t n, void* self) {
    static_cast<JackDevice*>(self)->block_.store(static_cast<int>(n), std::memory_order_relaxed);
    return 0;
}

int JackDevice::xrun(void* self) {
    static_cast<JackDevice*>(self)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

void JackDevice::shutdown(jack_status_t, const char* reason, void* self) {
    // libjack's thread, while the control thread may be anywhere: write our own fields only.
    auto* d = static_cast<JackDevice*>(self);
    if (reason != nullptr) {
        const std::size_t len = strnlen(reason, d->reason_.size() - 1);
        std::memcpy(d->reason_.data(), reason, len);
        d->reason_[len] = '\0';
    }
    d->halted_.store(true, std::memory_order_release);
}

} // namespace stemdeck::audio
