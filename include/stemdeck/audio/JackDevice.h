#pragma once
// A JACK client of our own (libjack, no JUCE in between): exactly the output ports the routing
// needs, registered in order before the client is activated, so what opens never depends on what
// happens to be connected; the server's shutdown is a flag the control thread reads.
//
// Why not JUCE's JACK device: it counts as active only the ports connected when it opens and
// applies later connections on the message thread (which `play` never runs), so a start on a
// loaded machine could come up with 0 or 1 outputs, silently; and its shutdown callback touches the
// device on libjack's thread while the control thread deletes it (a crash when the server quits).
#include <jack/jack.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stemdeck/engine/DeviceOutput.h"
#include "stemdeck/engine/Engine.h"

namespace stemdeck::audio {

/// One JACK client feeding the engine. @thread control for every member function.
class JackDevice {
public:
    JackDevice() = default;
    ~JackDevice(); ///< closes the client
    JackDevice(const JackDevice&) = delete;
    JackDevice& operator=(const JackDevice&) = delete;

    /// The name of the server clients here connect to ($JACK_DEFAULT_SERVER, else "default").
    [[nodiscard]] static std::string serverName();
    /// True when a JACK server is running (a probe client opens; it never starts a server).
    [[nodiscard]] static bool serverRunning();
    /// The server's physical playback ports ("system:playback_1" …), or {} with no server.
    [[nodiscard]] static std::vector<std::string> playbackPorts();
    /// One line per server fact, for `stemdeck devices`; "" with no server.
    [[nodiscard]] static std::string describe();

    /// Opens a client named `clientName` (JACK may append a number if it is taken) with `outputs`
    /// output ports out_1 … out_N. Empty on success, else why not (no server, refused).
    [[nodiscard]] std::string open(const std::string& clientName, int outputs);

    /// Starts the process callback: every cycle `output` lays the engine's buses on the ports.
    /// `output` and `engine` must outlive the client (close() first). False if JACK refused.
    bool start(engine::Engine& engine, engine::DeviceOutput& output);

    /// Connects out_(first+1), out_(first+2) to the server's first physical playback ports, as
    /// JACK applications do. Returns the connections made ("stemdeck:out_1 -> system:playback_1").
    std::vector<std::string> connectToPlayback(int first);

    /// True once the server has shut the client down (it quit, or dropped us): close() and reopen.
    [[nodiscard]] bool halted() const noexcept { return halted_.load(std::memory_order_acquire); }
    [[nodiscard]] std::string haltReason() const;

    /// Deactivates and closes the client (also after the server has gone). Safe to repeat.
    void close();

    [[nodiscard]] bool isOpen() const noexcept { return client_ != nullptr; }
    [[nodiscard]] int sampleRate() const noexcept { return rate_; }
    [[nodiscard]] int blockFrames() const noexcept { return block_.load(std::memory_order_relaxed); }
    [[nodiscard]] int outputs() const noexcept { return static_cast<int>(ports_.size()); }
    [[nodiscard]] const std::string& clientName() const noexcept { return name_; }
    [[nodiscard]] int xruns() const noexcept { return xruns_.load(std::memory_order_relaxed); }

private:
    static int process(jack_nframes_t n, void* self);                         // @thread audio
    static int bufferSize(jack_nframes_t n, void* self);                      // @thread JACK's
    static int xrun(void* self);                                              // @thread JACK's
    static void shutdown(jack_status_t code, const char* reason, void* self); // @thread JACK's

    jack_client_t* client_ = nullptr;
    std::vector<jack_port_t*> ports_;
    std::vector<float*> buffers_; // per port, refilled every cycle (sized before activation)
    std::string name_;
    int rate_ = 0;
    engine::Engine* engine_ = nullptr;
    engine::DeviceOutput* output_ = nullptr;
    bool active_ = false;
    // shared (atomic): written on JACK's threads, read on the control thread.
    std::atomic<int> block_{0};
    std::atomic<int> xruns_{0};
    std::atomic<bool> halted_{false};
    std::array<char, 256> reason_{}; // written before halted_ is released
    static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
    // The real-time-safety build only: STEMDECK_RT_CANARY set allocates in the callback, which
    // RealtimeSanitizer must catch (proves the check can fail).
    bool canary_ = false;
    std::unique_ptr<int> canaryAllocation_;
};

} // namespace stemdeck::audio
