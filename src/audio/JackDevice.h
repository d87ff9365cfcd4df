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

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stemdeck/audio/DeviceOutput.h"
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
    /// One line per server fact, for `stemdeck devices`; "" with no server.
    [[nodiscard]] static std::string describe();

    /// Opens a client named `clientName` (JACK may append a number if it is taken) with `outputs`
    /// output ports out_1 … out_N, and with `midiOut` a MIDI output port midi_out (the engine's
    /// MidiOut, written frame-exactly each cycle); it never starts a server. Empty on success,
    /// else why not; `noServer` (if given) says whether that was because no server runs.
    [[nodiscard]] std::string open(const std::string& clientName, int outputs, bool midiOut = false,
                                   bool* noServer = nullptr);

    /// Starts the process callback: every cycle `output` lays the engine's buses on the ports.
    /// `output` and `engine` must outlive the client (close() first). False if JACK refused.
    bool start(engine::Engine& engine, audio::DeviceOutput& output);

    /// Connects out_(first+1), out_(first+2) to the server's first physical playback ports, as
    /// JACK applications do. Returns the connections made ("stemdeck:out_1 -> system:playback_1").
    std::vector<std::string> connectToPlayback(int first);

    /// Connects midi_out to every MIDI input whose name holds `name` (any case; not our own). The
    /// connections made ("stemdeck:midi_out -> Helix:midi_in"); `inputs` gets every MIDI input there is.
    std::vector<std::string> connectMidi(const std::string& name, std::vector<std::string>& inputs);

    /// Messages the MIDI port could not take (JACK's buffer full), since open.
    [[nodiscard]] std::uint64_t midiLost() const noexcept;

    /// True once the server has shut the client down (it quit, or dropped us): close() and reopen.
    [[nodiscard]] bool halted() const noexcept;
    [[nodiscard]] std::string haltReason() const;

    /// The frame time at the start of the server's last cycle (shared memory, never blocks): it
    /// stands still while the server itself hangs, and moves on when only this client is not run.
    [[nodiscard]] std::uint32_t serverCycleFrame() const noexcept;

    /// Deactivates and closes the client. A client whose server has gone is abandoned instead:
    /// libjack's jack_client_close can wait forever for a process thread parked on the dead
    /// server's semaphore (as Ardour does, the handle is dropped; it costs a few KB per server
    /// stop). Safe to repeat.
    void close();

    /// Drops the client without a word to the server: for a server that hangs (it would never
    /// answer jack_deactivate). If the server ever runs again, the client's callbacks touch nothing.
    void abandon();

    [[nodiscard]] bool isOpen() const noexcept { return client_ != nullptr; }
    [[nodiscard]] int sampleRate() const noexcept { return rate_; }
    [[nodiscard]] int blockFrames() const noexcept;
    [[nodiscard]] int outputs() const noexcept;
    [[nodiscard]] const std::string& clientName() const noexcept { return name_; }
    [[nodiscard]] int xruns() const noexcept;

private:
    // One per jack_client_open (JackDevice.cpp): libjack's callbacks get it, never the
    // JackDevice, so a client abandoned after its server died can never reach a newer one's state.
    struct Client;

    static int process(jack_nframes_t n, void* client);                         // @thread audio
    static void writeMidi(Client& c, jack_nframes_t n, bool rendered) noexcept; // @thread audio
    static void linkTime(Client& c, jack_nframes_t n) noexcept;                 // @thread audio
    static int bufferSize(jack_nframes_t n, void* client);                      // @thread JACK's
    static int xrun(void* client);                                              // @thread JACK's
    static void latency(jack_latency_callback_mode_t mode, void* client);        // @thread JACK's
    static void shutdown(jack_status_t code, const char* reason, void* client); // @thread JACK's

    Client* client_ = nullptr; // owned, unless abandoned by close()
    std::string name_;
    int rate_ = 0;
};

} // namespace stemdeck::audio
