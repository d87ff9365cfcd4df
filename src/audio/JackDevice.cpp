#include "JackDevice.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include <jack/midiport.h>

#include "RealtimeCheck.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::audio {

struct JackDevice::Client {
    jack_client_t* handle = nullptr;
    std::vector<jack_port_t*> ports;
    std::vector<float*> buffers;     // per port, refilled every cycle (sized before activation)
    jack_port_t* midiPort = nullptr; // midi_out, if asked for
    int midiConnections = 0;         // audio thread: midi_out's connections in the last cycle's graph
    int midiChaseIn = 0;             // audio thread: cycles until the chase for a new connection
    std::atomic<std::uint64_t> midiLost{0};
    engine::Engine* engine = nullptr;
    audio::DeviceOutput* output = nullptr;
    bool active = false;
    RealtimeCheck realtime;
    // shared (atomic): written on JACK's threads, read on the control thread.
    std::atomic<int> block{0};
    std::atomic<int> xruns{0};
    std::atomic<int> latency{0};         // frames from our ports to the playback ports (Ableton Link's timing)
    std::int64_t linkOffset = 0;         // audio thread: CLOCK_MONOTONIC_RAW minus JACK's clock (µs)
    std::int64_t linkSpread = INT64_MAX; // how far apart the two JACK readings around it were
    int linkAge = 0;                     // cycles since it was read
    std::atomic<bool> halted{false};
    std::array<char, 256> reason{}; // written before halted is released
    // abandon() and process() meet here (both sequentially consistent): once abandon() has seen
    // `busy` false after setting `abandoned`, no callback of this client touches anything again.
    std::atomic<bool> abandoned{false};
    std::atomic<bool> busy{false};
};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

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

std::string JackDevice::open(const std::string& clientName, int outputs, bool midiOut, bool* noServer) {
    close();
    quietJack();
    jack_status_t status{};
    jack_client_t* handle = jack_client_open(clientName.c_str(), JackNoStartServer, &status);
    const bool missing = handle == nullptr && ((status & JackServerFailed) != 0 || (status & JackServerError) != 0);
    if (noServer != nullptr) *noServer = missing;
    if (handle == nullptr) {
        if (missing)
            return "no JACK server running (start one with jackd or qjackctl, or play with --driver alsa); "
                   "looked for server '" +
                   serverName() + "'";
        if ((status & JackNameNotUnique) != 0) return "the JACK client name '" + clientName + "' is taken";
        return "the JACK server refused the client (status 0x" + std::to_string(static_cast<int>(status)) + ")";
    }
    client_ = new Client;
    Client& c = *client_;
    c.handle = handle;
    name_ = jack_get_client_name(handle);
    rate_ = static_cast<int>(jack_get_sample_rate(handle));
    c.block.store(static_cast<int>(jack_get_buffer_size(handle)), std::memory_order_relaxed);
    for (int i = 0; i < outputs; ++i) {
        jack_port_t* port = jack_port_register(handle, ("out_" + std::to_string(i + 1)).c_str(),
                                               JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
        if (port == nullptr) {
            const int got = i;
            close();
            return "the JACK server gave " + std::to_string(got) + (got == 1 ? " output" : " outputs") + " of the " +
                   std::to_string(outputs) + " the routing needs (port out_" + std::to_string(got + 1) +
                   " could not be registered)";
        }
        c.ports.push_back(port);
    }
    c.buffers.assign(c.ports.size(), nullptr);
    if (midiOut) {
        c.midiPort =
            jack_port_register(handle, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
        if (c.midiPort == nullptr) {
            close();
            return "the JACK server would not register the MIDI output port midi_out";
        }
    }
    jack_set_process_callback(handle, &JackDevice::process, client_);
    jack_set_buffer_size_callback(handle, &JackDevice::bufferSize, client_);
    jack_set_xrun_callback(handle, &JackDevice::xrun, client_);
    jack_set_latency_callback(handle, &JackDevice::latency, client_);
    jack_on_info_shutdown(handle, &JackDevice::shutdown, client_);
    return {};
}

bool JackDevice::start(engine::Engine& engine, audio::DeviceOutput& output) {
    if (client_ == nullptr) return false;
    client_->engine = &engine;
    client_->output = &output;
    // JACK2 marks a client active before it asks the server, and returns the server's answer: under
    // load the answer can be a failure (late, lost) while the server activates the client anyway,
    // and then runs its callbacks. A second call returns 0 at once for a client JACK counts as
    // active: play on and connect. Should the server not call it after all, the device watchdog
    // sees cycles run without it and opens a new client.
    client_->active = jack_activate(client_->handle) == 0 || jack_activate(client_->handle) == 0;
    return client_->active;
}

std::vector<std::string> JackDevice::connectToPlayback(int first) {
    std::vector<std::string> made;
    if (client_ == nullptr || !client_->active) return made;
    const auto playback = takePortNames(
        jack_get_ports(client_->handle, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput));
    for (int k = 0; k < 2; ++k) {
        const auto port = static_cast<std::size_t>(first + k);
        if (port >= client_->ports.size() || static_cast<std::size_t>(k) >= playback.size()) break;
        const char* ours = jack_port_name(client_->ports[port]);
        const int rc = jack_connect(client_->handle, ours, playback[static_cast<std::size_t>(k)].c_str());
        if (rc == 0 || rc == EEXIST) made.push_back(std::string(ours) + " -> " + playback[static_cast<std::size_t>(k)]);
    }
    return made;
}

std::vector<std::string> JackDevice::connectMidi(const std::string& name, std::vector<std::string>& inputs) {
    std::vector<std::string> made;
    inputs.clear();
    if (client_ == nullptr || !client_->active || client_->midiPort == nullptr) return made;
    const std::string own = name_ + ":";
    for (const std::string& port :
         takePortNames(jack_get_ports(client_->handle, nullptr, JACK_DEFAULT_MIDI_TYPE, JackPortIsInput))) {
        if (port.rfind(own, 0) == 0) continue; // our own MIDI input (a controller's)
        inputs.push_back(port);
        if (name.empty() || !containsIgnoreCase(port, name)) continue;
        const char* ours = jack_port_name(client_->midiPort);
        const int rc = jack_connect(client_->handle, ours, port.c_str());
        if (rc == 0 || rc == EEXIST) made.push_back(std::string(ours) + " -> " + port);
    }
    return made;
}

std::uint64_t JackDevice::midiLost() const noexcept {
    return client_ != nullptr ? client_->midiLost.load(std::memory_order_relaxed) : 0;
}

bool JackDevice::halted() const noexcept {
    return client_ != nullptr && client_->halted.load(std::memory_order_acquire);
}

std::string JackDevice::haltReason() const {
    if (!halted()) return {};
    return std::string(client_->reason.data(), strnlen(client_->reason.data(), client_->reason.size()));
}

int JackDevice::blockFrames() const noexcept {
    return client_ != nullptr ? client_->block.load(std::memory_order_relaxed) : 0;
}
int JackDevice::outputs() const noexcept {
    return client_ != nullptr ? static_cast<int>(client_->ports.size()) : 0;
}
int JackDevice::xruns() const noexcept {
    return client_ != nullptr ? client_->xruns.load(std::memory_order_relaxed) : 0;
}

std::uint32_t JackDevice::serverCycleFrame() const noexcept {
    // jack_last_frame_time is documented for the process thread; libjack (jack2) reads it from the
    // server's shared engine control, so it is safe here and never waits on the server.
    return client_ != nullptr && !halted() ? jack_last_frame_time(client_->handle) : 0;
}

void JackDevice::abandon() {
    if (client_ == nullptr) return;
    client_->abandoned.store(true);
    while (client_->busy.load()) // a callback already under way finishes first (microseconds)
        std::this_thread::yield();
    // Kept reachable (not a leak to LeakSanitizer); its callbacks see `abandoned` and return.
    static auto* abandoned = new std::vector<std::unique_ptr<Client>>; // never destroyed either
    abandoned->emplace_back(client_);
    client_ = nullptr;
}

void JackDevice::close() {
    if (client_ == nullptr) return;
    if (client_->halted.load(std::memory_order_acquire)) { // the server is gone: see the header
        abandon();
        return;
    }
    if (client_->active) jack_deactivate(client_->handle);
    jack_client_close(client_->handle);
    delete client_;
    client_ = nullptr;
}

int JackDevice::process(jack_nframes_t n, void* arg) {
    auto* c = static_cast<Client*>(arg);
    c->busy.store(true);
    if (c->abandoned.load() || c->halted.load(std::memory_order_acquire) || c->output == nullptr) {
        c->busy.store(false); // a dead server's last cycle, or a hung one's first after we left
        return 0;
    }
    c->realtime.enter(); // the real-time-safety build: anything forbidden below aborts
    for (std::size_t i = 0; i < c->ports.size(); ++i)
        c->buffers[i] = static_cast<float*>(jack_port_get_buffer(c->ports[i], n));
    if (c->midiPort != nullptr) {
        // Someone new listens (a synth switched on and connected, qjackctl): the song's program
        // changes and controllers go out again. jack_port_connected reads the cycle's graph from
        // shared memory, without a wait; the chase waits two cycles more, for the server to order
        // the new listener after us (in the first cycles a message to it can still be lost).
        const int connections = jack_port_connected(c->midiPort);
        if (connections > c->midiConnections) c->midiChaseIn = 3;
        c->midiConnections = connections;
        if (c->midiChaseIn > 0 && --c->midiChaseIn == 0) c->engine->requestMidiChase();
    }
    c->engine->link().setOutputLatency(c->latency.load(std::memory_order_relaxed)); // (Link: when it is heard)
    if (c->engine->link().on()) linkTime(*c, n);
    const std::int64_t before = c->engine->outputFrame();
    c->output->process(*c->engine, c->buffers.data(), static_cast<int>(c->buffers.size()), static_cast<int>(n));
    if (c->midiPort != nullptr) writeMidi(*c, n, c->engine->outputFrame() != before);
    c->realtime.leave(static_cast<int>(n));
    c->busy.store(false);
    return 0;
}

/// Ableton Link: when this cycle began, by JACK's own filter of the driver's clock (the callback's
/// wake-up, late by milliseconds on a loaded machine, is not), on Link's clock. Link's clock on
/// Linux is CLOCK_MONOTONIC_RAW; JACK's is its own (jack_get_time): the two are read side by side,
/// the pair read closest together kept (a preemption between them would put milliseconds in it).
void JackDevice::linkTime(Client& c, jack_nframes_t n) noexcept {
    jack_nframes_t frames = 0;
    jack_time_t usecs = 0, next = 0;
    float period = 0.0f;
    if (jack_get_cycle_times(c.handle, &frames, &usecs, &next, &period) != 0 || next <= usecs || n == 0) return;
    const jack_time_t before = jack_get_time();
    timespec raw{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &raw);
    const jack_time_t after = jack_get_time();
    const std::int64_t rawMicros = static_cast<std::int64_t>(raw.tv_sec) * 1'000'000 + raw.tv_nsec / 1000;
    const auto offset = rawMicros - static_cast<std::int64_t>(before + (after - before) / 2);
    const auto spread = static_cast<std::int64_t>(after - before);
    // The offset moves by parts per million (the two clocks' rates): a tight reading replaces it,
    // a loose one only when the kept one is old (a second of cycles).
    if (spread <= c.linkSpread || ++c.linkAge > 200) {
        c.linkOffset = offset;
        c.linkSpread = spread;
        c.linkAge = 0;
    } else {
        c.linkSpread += 1; // (an older reading counts for a little less each cycle)
    }
    c.engine->link().deviceTime(static_cast<std::int64_t>(usecs) + c.linkOffset,
                                static_cast<double>(next - usecs) / static_cast<double>(n));
}

/// The engine's MIDI messages of this cycle into the MIDI port, each on its frame (`rendered`:
/// the engine ran this cycle; else the port stays empty).
void JackDevice::writeMidi(Client& c, jack_nframes_t n, bool rendered) noexcept {
    void* buffer = jack_port_get_buffer(c.midiPort, n);
    jack_midi_clear_buffer(buffer);
    if (!rendered) return;
    const engine::MidiOut& midi = c.engine->midiOut();
    for (std::size_t i = 0; i < midi.eventCount(); ++i) {
        const engine::MidiEvent& e = midi.events()[i];
        if (e.size == 0) continue; // an OSC cue: the control side's
        if (e.offset < 0 || static_cast<jack_nframes_t>(e.offset) >= n ||
            jack_midi_event_write(buffer, static_cast<jack_nframes_t>(e.offset), midi.bytes() + e.start, e.size) != 0)
            c.midiLost.fetch_add(1, std::memory_order_relaxed);
    }
}

int JackDevice::bufferSize(jack_nframes_t n, void* arg) {
    static_cast<Client*>(arg)->block.store(static_cast<int>(n), std::memory_order_relaxed);
    return 0;
}

void JackDevice::latency(jack_latency_callback_mode_t mode, void* arg) {
    // The graph changed: the longest way from our outputs to a playback port, as JACK computes it.
    if (mode != JackPlaybackLatency) return;
    auto* c = static_cast<Client*>(arg);
    jack_nframes_t most = 0;
    for (jack_port_t* port : c->ports) {
        jack_latency_range_t range{};
        jack_port_get_latency_range(port, JackPlaybackLatency, &range);
        most = std::max(most, range.max);
    }
    c->latency.store(static_cast<int>(most), std::memory_order_relaxed);
}

int JackDevice::xrun(void* arg) {
    static_cast<Client*>(arg)->xruns.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

void JackDevice::shutdown(jack_status_t, const char* reason, void* arg) {
    // libjack's thread, while the control thread may be anywhere: this client's own fields only.
    auto* c = static_cast<Client*>(arg);
    if (reason != nullptr) {
        const std::size_t len = strnlen(reason, c->reason.size() - 1);
        std::memcpy(c->reason.data(), reason, len);
        c->reason[len] = '\0';
    }
    c->halted.store(true, std::memory_order_release);
}

} // namespace stemdeck::audio
