#include "AlsaMidiOut.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "stemdeck/common/Text.h"
#include "stemdeck/common/Thread.h"

namespace stemdeck::audio {

namespace {

constexpr std::size_t kQueueItems = 8192;

std::int64_t steadyNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

AlsaMidiOut::~AlsaMidiOut() {
    close();
}

std::string AlsaMidiOut::open(const std::string& clientName, const std::string& connect, std::vector<std::string>& made,
                              std::vector<std::string>& ports) {
    close();
    made.clear();
    ports.clear();
    if (const int rc = snd_seq_open(&seq_, "default", SND_SEQ_OPEN_OUTPUT, 0); rc < 0) {
        seq_ = nullptr;
        return std::string("no ALSA sequencer (") + snd_strerror(rc) + "; /dev/snd/seq: load it with modprobe snd-seq)";
    }
    snd_seq_set_client_name(seq_, clientName.c_str());
    port_ = snd_seq_create_simple_port(seq_, "midi_out", SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
                                       SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
    queue_ = snd_seq_alloc_named_queue(seq_, "stemdeck midi_out");
    if (port_ < 0 || queue_ < 0) {
        close();
        return "the ALSA sequencer would not give a port and a queue";
    }
    // Every port another client takes MIDI on, "client:port"; those holding `connect` are joined.
    snd_seq_client_info_t* client = nullptr;
    snd_seq_port_info_t* port = nullptr;
    snd_seq_client_info_alloca(&client);
    snd_seq_port_info_alloca(&port);
    snd_seq_client_info_set_client(client, -1);
    const int self = snd_seq_client_id(seq_);
    while (snd_seq_query_next_client(seq_, client) >= 0) {
        const int id = snd_seq_client_info_get_client(client);
        if (id == self || id == SND_SEQ_CLIENT_SYSTEM) continue;
        snd_seq_port_info_set_client(port, id);
        snd_seq_port_info_set_port(port, -1);
        while (snd_seq_query_next_port(seq_, port) >= 0) {
            const unsigned caps = snd_seq_port_info_get_capability(port);
            if ((caps & SND_SEQ_PORT_CAP_WRITE) == 0 || (caps & SND_SEQ_PORT_CAP_SUBS_WRITE) == 0) continue;
            const std::string name =
                std::string(snd_seq_client_info_get_name(client)) + ":" + snd_seq_port_info_get_name(port);
            ports.push_back(name);
            if (connect.empty() || !containsIgnoreCase(name, connect)) continue;
            if (snd_seq_connect_to(seq_, port_, id, snd_seq_port_info_get_port(port)) >= 0)
                made.push_back(clientName + ":midi_out -> " + name);
        }
    }
    snd_seq_start_queue(seq_, queue_, nullptr);
    snd_seq_drain_output(seq_);
    queueStartNs_ = steadyNs();
    items_ = std::make_unique<moodycamel::ConcurrentQueue<Item>>(kQueueItems, 1, 0);
    token_ = std::make_unique<moodycamel::ProducerToken>(*items_);
    stop_.store(false);
    thread_ = std::thread([this] { run(); });
    return {};
}

void AlsaMidiOut::push(const engine::MidiOut& midi, std::int64_t blockNs, double sampleRate,
                       std::int64_t latencyNs) noexcept {
    if (items_ == nullptr) return;
    for (std::size_t i = 0; i < midi.eventCount(); ++i) {
        const engine::MidiEvent& e = midi.events()[i];
        if (e.size == 0) continue; // an OSC cue: the control side's
        Item item;
        item.dueNs = blockNs + latencyNs + static_cast<std::int64_t>(static_cast<double>(e.offset) * 1e9 / sampleRate);
        const std::uint8_t* data = midi.bytes() + e.start;
        std::size_t left = e.size;
        while (left > 0) { // a SysEx in pieces, each a queue item
            item.size = static_cast<std::uint16_t>(std::min(left, item.bytes.size()));
            std::copy_n(data, item.size, item.bytes.data());
            data += item.size;
            left -= item.size;
            item.more = left > 0;
            if (!items_->try_enqueue(*token_, item)) {
                lost_.fetch_add(1, std::memory_order_relaxed);
                break;
            }
        }
    }
}

void AlsaMidiOut::run() {
    setThreadName("stemdeck-midiout");
    snd_midi_event_t* parser = nullptr;
    if (snd_midi_event_new(4096 + 16, &parser) < 0) return;
    std::vector<std::uint8_t> message;
    Item item;
    while (!stop_.load(std::memory_order_relaxed)) {
        bool any = false;
        while (items_->try_dequeue(item)) {
            any = true;
            message.insert(message.end(), item.bytes.begin(), item.bytes.begin() + item.size);
            if (item.more) continue;
            snd_seq_event_t ev;
            snd_seq_ev_clear(&ev);
            snd_midi_event_reset_encode(parser);
            const long used = snd_midi_event_encode(parser, message.data(), static_cast<long>(message.size()), &ev);
            message.clear();
            if (used <= 0 || ev.type == SND_SEQ_EVENT_NONE) {
                lost_.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            snd_seq_ev_set_source(&ev, static_cast<unsigned char>(port_));
            snd_seq_ev_set_subs(&ev);
            // On the sequencer queue at its real time (a moment already gone: now).
            const std::int64_t at = std::max<std::int64_t>(0, item.dueNs - queueStartNs_);
            snd_seq_real_time_t when{static_cast<unsigned>(at / 1'000'000'000),
                                     static_cast<unsigned>(at % 1'000'000'000)};
            snd_seq_ev_schedule_real(&ev, static_cast<unsigned char>(queue_), 0, &when);
            if (snd_seq_event_output(seq_, &ev) < 0) lost_.fetch_add(1, std::memory_order_relaxed);
        }
        if (any) snd_seq_drain_output(seq_);
        std::this_thread::sleep_for(std::chrono::milliseconds(1)); // the sequencer keeps the time, not this loop
    }
    snd_midi_event_free(parser);
}

void AlsaMidiOut::close() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    token_.reset();
    items_.reset();
    if (seq_ != nullptr) {
        if (queue_ >= 0) snd_seq_free_queue(seq_, queue_);
        snd_seq_close(seq_);
    }
    seq_ = nullptr;
    port_ = queue_ = -1;
}

} // namespace stemdeck::audio
