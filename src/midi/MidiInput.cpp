#include "stemdeck/midi/MidiInput.h"

#include <rtmidi/RtMidi.h>

#include <chrono>
#include <ostream>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/Text.h"

namespace stemdeck::midi {

namespace {
RtMidi::Api apiOf(const std::string& name) {
    return equalsIgnoreCase(name, "jack") ? RtMidi::UNIX_JACK : RtMidi::LINUX_ALSA;
}

// RtMidi reports some problems through this callback instead of throwing; they are logged by poll().
void ignoreRtMidiError(RtMidiError::Type, const std::string&, void*) {}
} // namespace

struct MidiInput::Impl {
    engine::Engine& engine;
    MidiMapper mapper;
    MidiOptions options;
    FrameClock clock;
    std::ostream& log;
    std::unique_ptr<RtMidiIn> in;
    std::string portName; // the controller's port we opened ("" = none)
    bool virtualPort = false;
    engine::CommandSender sender;
    moodycamel::ConcurrentQueue<MapAction> playerActions{64};
    std::atomic<std::uint64_t> count{0};
    std::chrono::steady_clock::time_point nextCheck{};

    Impl(engine::Engine& e, Mapping m, MidiOptions o, FrameClock c, std::ostream& l)
        : engine(e), mapper(std::move(m)), options(std::move(o)), clock(std::move(c)), log(l), sender(e.makeSender()) {}

    /// @thread RtMidi's thread.
    static void onMessage(double, std::vector<unsigned char>* message, void* user) {
        auto* self = static_cast<Impl*>(user);
        if (message == nullptr || message->empty()) return;
        const std::uint8_t status = (*message)[0];
        const std::uint8_t d1 = message->size() > 1 ? (*message)[1] : 0, d2 = message->size() > 2 ? (*message)[2] : 0;
        self->count.fetch_add(1, std::memory_order_relaxed);
        const Translation t = self->mapper.translate(status, d1, d2, self->clock(), StemValues::of(self->engine));
        for (int i = 0; i < t.count; ++i) {
            const Translated& x = t.items[static_cast<std::size_t>(i)];
            if (x.toEngine)
                self->sender.send(x.command);
            else
                self->playerActions.try_enqueue(x.playerAction);
        }
    }

    std::vector<std::string> patterns() const {
        if (!options.port.empty()) return {options.port};
        return mapper.mapping().ports;
    }

    /// Index of a port matching the mapping, if one is there.
    int findPort() {
        const unsigned n = in->getPortCount();
        for (unsigned i = 0; i < n; ++i) {
            const std::string name = in->getPortName(i);
            std::string lower = name;
            for (char& ch : lower)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            for (std::string p : patterns()) {
                for (char& ch : p)
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (!p.empty() && lower.find(p) != std::string::npos && name.find(options.clientName) != 0)
                    return static_cast<int>(i);
            }
        }
        return -1;
    }

    bool stillThere() {
        const unsigned n = in->getPortCount();
        for (unsigned i = 0; i < n; ++i)
            if (in->getPortName(i) == portName) return true;
        return false;
    }

    void tryOpen(bool announce) {
        const int index = findPort();
        if (index < 0) {
            if (announce) {
                const std::string wanted = joinNames(patterns());
                if (!virtualPort) {
                    // Nothing to connect to yet: offer our own port (JACK / ALSA) and keep looking.
                    in->openVirtualPort("midi_in");
                    virtualPort = true;
                }
                log << "MIDI: no port matching " << (wanted.empty() ? "the mapping" : "'" + wanted + "'")
                    << " yet; listening on " << options.clientName << "-midi:midi_in (connect a controller there) "
                    << "and checking for it every second\n";
            }
            return;
        }
        if (virtualPort) {
            in->closePort();
            virtualPort = false;
        }
        portName = in->getPortName(static_cast<unsigned>(index));
        in->openPort(static_cast<unsigned>(index), "midi_in");
        log << "MIDI: '" << mapper.mapping().name << "' on " << portName << "\n";
    }
};

MidiInput::MidiInput(engine::Engine& engine, Mapping mapping, MidiOptions options, FrameClock clock, std::ostream& log)
    : impl_(std::make_unique<Impl>(engine, std::move(mapping), std::move(options), std::move(clock), log)) {
    Impl& d = *impl_;
    try {
        d.in = std::make_unique<RtMidiIn>(apiOf(d.options.api), d.options.clientName + "-midi", 256);
        d.in->setErrorCallback(&ignoreRtMidiError, nullptr);
        d.in->ignoreTypes(true, true, true); // no sysex, clock or active sensing
        d.in->setCallback(&Impl::onMessage, impl_.get());
        d.tryOpen(true);
    } catch (const RtMidiError& e) {
        d.in.reset();
        log << "MIDI: cannot use " << (equalsIgnoreCase(d.options.api, "jack") ? "JACK MIDI" : "the ALSA sequencer")
            << " (" << e.getMessage() << "); playing on without MIDI control\n";
    }
    d.nextCheck = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

MidiInput::~MidiInput() {
    if (impl_->in) impl_->in->cancelCallback();
}

void MidiInput::poll(const std::function<void(MapAction)>& perform) {
    Impl& d = *impl_;
    MapAction a;
    while (d.playerActions.try_dequeue(a))
        perform(a);
    if (!d.in || std::chrono::steady_clock::now() < d.nextCheck) return;
    d.nextCheck = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    try {
        if (!d.portName.empty() && !d.stillThere()) { // unplugged: nothing audible changes
            d.log << "MIDI: " << d.portName << " is gone; waiting for it to come back\n";
            d.in->closePort();
            d.portName.clear();
        } else if (d.portName.empty()) {
            d.tryOpen(false);
        }
    } catch (const RtMidiError& e) {
        d.log << "MIDI: " << e.getMessage() << "\n";
    }
}

bool MidiInput::connected() const noexcept {
    return !impl_->portName.empty();
}

std::uint64_t MidiInput::messages() const noexcept {
    return impl_->count.load(std::memory_order_relaxed);
}

std::string describeMidiPorts(const std::string& api) {
    try {
        RtMidiIn in(apiOf(api), "stemdeck-list");
        in.setErrorCallback(&ignoreRtMidiError, nullptr);
        std::string out;
        for (unsigned i = 0; i < in.getPortCount(); ++i)
            out += "\n    " + in.getPortName(i);
        return out.empty() ? " (none)" : out;
    } catch (const RtMidiError& e) {
        return " (unavailable: " + e.getMessage() + ")";
    }
}

} // namespace stemdeck::midi
