#pragma once
// The MIDI output under ALSA. JUCE's ALSA callback has no MIDI port beside it (JACK's has: see
// JackDevice), so the engine's messages leave the audio callback through a lock-free queue, each
// stamped with the time its frame reaches the output, and a thread of our own (stemdeck-midiout)
// hands them to an ALSA sequencer port, "CLIENT:midi_out", scheduled on a sequencer queue at that
// real time: the sequencer, not the thread's wake-up, decides when each leaves.
#include <alsa/asoundlib.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/engine/MidiOut.h"

namespace stemdeck::audio {

class AlsaMidiOut {
public:
    AlsaMidiOut() = default;
    ~AlsaMidiOut(); ///< stops the thread, closes the sequencer
    AlsaMidiOut(const AlsaMidiOut&) = delete;
    AlsaMidiOut& operator=(const AlsaMidiOut&) = delete;

    /// @thread control. Opens the sequencer as `clientName` with a port midi_out and a queue, and
    /// connects it to every port whose "client:port" name holds `connect` (any case; "" none).
    /// "" on success, else why not (no /dev/snd/seq here, say). `made`: the connections;
    /// `ports`: every port there is to connect to.
    [[nodiscard]] std::string open(const std::string& clientName, const std::string& connect,
                                   std::vector<std::string>& made, std::vector<std::string>& ports);
    [[nodiscard]] bool isOpen() const noexcept { return seq_ != nullptr; }

    /// @thread audio, wait-free, no allocation. The engine's messages of the block that began on
    /// the steady clock's `blockNs`: each due `latencyNs` plus its offset after that.
    void push(const engine::MidiOut& midi, std::int64_t blockNs, double sampleRate, std::int64_t latencyNs) noexcept;

    /// Messages the queue or the sequencer could not take, since open.
    [[nodiscard]] std::uint64_t lost() const noexcept { return lost_.load(std::memory_order_relaxed); }

    /// @thread control. Stops the thread and closes the sequencer. Safe to repeat.
    void close();

private:
    struct Item {
        std::int64_t dueNs = 0; ///< steady clock
        std::uint16_t size = 0; ///< bytes in this piece
        bool more = false;      ///< a SysEx continues in the next piece
        std::array<std::uint8_t, 20> bytes{};
    };
    void run(); // the sender thread

    snd_seq_t* seq_ = nullptr;
    int port_ = -1, queue_ = -1;
    std::int64_t queueStartNs_ = 0; ///< the steady clock when the sequencer queue's time was 0
    std::unique_ptr<moodycamel::ConcurrentQueue<Item>> items_;
    std::unique_ptr<moodycamel::ProducerToken> token_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> lost_{0};
    std::thread thread_; // last: joined before the rest goes
};

} // namespace stemdeck::audio
