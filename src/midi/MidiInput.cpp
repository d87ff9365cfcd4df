#include "stemdeck/midi/MidiInput.h"

#include <rtmidi/RtMidi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <istream>
#include <ostream>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/common/Thread.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/Leds.h"
#include "MidiApis.h"

namespace stemdeck::midi {

namespace {
RtMidi::Api apiOf(const std::string& name) {
    return equalsIgnoreCase(name, "jack") ? RtMidi::UNIX_JACK : RtMidi::LINUX_ALSA;
}

/// Index of the first port (of an input or an output) whose name holds one of `patterns`,
/// case-insensitive, leaving out our own ports (their names start with `ours`); -1 if none.
int matchingPort(RtMidi& midi, const std::vector<std::string>& patterns, const std::string& ours) {
    const unsigned n = midi.getPortCount();
    for (unsigned i = 0; i < n; ++i) {
        const std::string name = midi.getPortName(i);
        if (name.starts_with(ours)) continue;
        for (const std::string& p : patterns)
            if (!p.empty() && containsIgnoreCase(name, p)) return static_cast<int>(i);
    }
    return -1;
}

// RtMidi reports some problems through this callback instead of throwing; they are logged by poll().
void ignoreRtMidiError(RtMidiError::Type, const std::string&, void*) {}
} // namespace

struct MidiInput::Impl {
    control::Router& router;
    engine::Engine& engine;
    // The mapper in use. MIDI learn swaps in a new one from the control thread; the ones it
    // replaces stay alive (a message may still be in translation), one per learned control.
    std::vector<std::unique_ptr<MidiMapper>> mappers;
    std::atomic<MidiMapper*> mapper{nullptr};
    // MIDI learn: 0 = off, kLearnWaiting = waiting for a control, else kLearnGot | status << 8 | data1.
    static constexpr std::uint32_t kLearnWaiting = 1, kLearnGot = 0x1000000;
    std::atomic<std::uint32_t> learn{0};
    MidiOptions options;
    bool jackApi = false; // MIDI through JACK rather than the ALSA sequencer
    FrameClock clock;
    std::ostream& log;
    std::unique_ptr<RtMidiIn> in;
    std::unique_ptr<RtMidiOut> out; // LED feedback, to the controller's input port
    std::string outPortName;
    std::vector<int> ledSent; // per binding: the LED value last sent (-1: never)
    /// Every LED is sent again this long after a connect: the first round can go out before the
    /// server has the new connection in its graph, and is then lost (seen under load: a controller
    /// plugged in stayed dark until a pad changed). 0: nothing due.
    std::chrono::steady_clock::time_point ledsAgainAt{};
    std::string portName;     // the controller's port we opened ("" = none)
    bool virtualPort = false;
    std::unique_ptr<control::Router::Input> input; // the MIDI thread's way in
    std::atomic<std::uint64_t> count{0};
    std::chrono::steady_clock::time_point nextCheck{};

    Impl(control::Router& r, Mapping m, MidiOptions o, FrameClock c, std::ostream& l)
        : router(r), engine(r.engine()), options(std::move(o)), clock(std::move(c)), log(l),
          input(r.makeInput(control::Surface::midi)) {
        mappers.push_back(std::make_unique<MidiMapper>(std::move(m), options.sampleRate));
        mapper.store(mappers.back().get());
    }

    [[nodiscard]] const Mapping& mapping() const { return mapper.load()->mapping(); }

    /// @thread RtMidi's thread.
    static void onMessage(double, std::vector<unsigned char>* message, void* user) {
        auto* self = static_cast<Impl*>(user);
        if (message == nullptr || message->empty()) return;
        // RtMidi's ALSA thread is its own: named on its first message. (Under JACK the callback
        // runs in RtMidi's JACK client's process thread, which is JACK's to name.)
        static thread_local bool named = false;
        if (!named && !self->jackApi) setThreadName("stemdeck-midi");
        named = true;
        const std::uint8_t status = (*message)[0];
        const std::uint8_t d1 = message->size() > 1 ? (*message)[1] : 0, d2 = message->size() > 2 ? (*message)[2] : 0;
        self->count.fetch_add(1, std::memory_order_relaxed);
        if (const std::uint32_t learning = self->learn.load(std::memory_order_acquire); learning != 0) {
            // Learning: the first usable control is taken (and nothing is played); the rest of a
            // fader's move is ignored until the action is picked.
            const int type = status & 0xF0;
            const bool usable = (type == 0x90 && d2 > 0) || type == 0xB0 || type == 0xC0;
            if (learning == kLearnWaiting && usable)
                self->learn.store(kLearnGot | std::uint32_t{status} << 8 | d1, std::memory_order_release);
            return;
        }
        const Translation t = self->mapper.load(std::memory_order_acquire)
                                  ->translate(status, d1, d2, self->clock(), StemValues::of(self->engine));
        for (int i = 0; i < t.count; ++i)
            self->input->send(t.items[static_cast<std::size_t>(i)]);
    }

    std::vector<std::string> patterns() const {
        if (!options.port.empty()) return {options.port};
        return mapping().ports;
    }

    /// Index of a port matching the mapping, if one is there.
    int findPort() { return matchingPort(*in, patterns(), options.clientName); }

    /// Opens the controller's input port for LED feedback, if it has one we can find.
    void tryOpenOut() {
        if (!out || !outPortName.empty()) return;
        const int index = matchingPort(*out, patterns(), options.clientName);
        if (index < 0) return;
        outPortName = out->getPortName(static_cast<unsigned>(index));
        out->openPort(static_cast<unsigned>(index), "leds_out");
        std::fill(ledSent.begin(), ledSent.end(), -1); // connected: send every LED
        ledsAgainAt = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    }

    /// Sends the LEDs whose state changed (all of them after a connect). A pad whose quantised
    /// action waits for its beat or bar blinks until it lands: with the controller's own blink
    /// value if the mapping gives one, else by stemdeck switching it on and off four times a second.
    void updateLeds() {
        if (!out || outPortName.empty()) return;
        if (ledsAgainAt != std::chrono::steady_clock::time_point{} && std::chrono::steady_clock::now() >= ledsAgainAt) {
            std::fill(ledSent.begin(), ledSent.end(), -1); // once more, now the connection is surely in place
            ledsAgainAt = {};
        }
        const auto& bindings = mapping().bindings;
        ledSent.resize(bindings.size(), -1); // a learned binding is new
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch());
        const bool blinkPhase = (ms.count() / 125) % 2 == 0;
        for (std::size_t i = 0; i < bindings.size(); ++i) {
            const std::optional<int> value = ledValue(bindings[i], engine, router.locked(), blinkPhase);
            if (!value || ledSent[i] == *value) continue;
            const std::vector<unsigned char> msg = ledMessage(bindings[i], *value);
            out->sendMessage(&msg);
            ledSent[i] = *value;
        }
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
        log << "MIDI: '" << mapping().name << "' on " << portName << "\n";
    }
};

MidiInput::MidiInput(control::Router& router, Mapping mapping, MidiOptions options, FrameClock clock, std::ostream& log)
    : impl_(std::make_unique<Impl>(router, std::move(mapping), std::move(options), std::move(clock), log)) {
    Impl& d = *impl_;
    d.jackApi = equalsIgnoreCase(d.options.api, "jack");
    d.nextCheck = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    // No ALSA sequencer: said in our words, not RtMidi's and alsa-lib's. (JACK MIDI is made even
    // without a server: RtMidi connects when one comes, and the ports are looked for every second.)
    if (const std::string why = d.jackApi ? std::string() : midiApiProblem(d.options.api); !why.empty()) {
        log << "MIDI: cannot use the ALSA sequencer (" << why << "); playing on without MIDI control\n";
        return;
    }
    try {
        d.in = std::make_unique<RtMidiIn>(apiOf(d.options.api), d.options.clientName + "-midi", 256);
        d.in->setErrorCallback(&ignoreRtMidiError, nullptr);
        d.in->ignoreTypes(true, true, true); // no sysex, clock or active sensing
        d.in->setCallback(&Impl::onMessage, impl_.get());
        d.tryOpen(true);
        d.out = std::make_unique<RtMidiOut>(apiOf(d.options.api), d.options.clientName + "-leds");
        d.out->setErrorCallback(&ignoreRtMidiError, nullptr);
        d.ledSent.assign(d.mapping().bindings.size(), -1);
        d.tryOpenOut();
    } catch (const RtMidiError& e) {
        d.in.reset();
        log << "MIDI: cannot use " << (d.jackApi ? "JACK MIDI" : "the ALSA sequencer") << " (" << e.getMessage()
            << "); playing on without MIDI control\n";
    }
}

MidiInput::~MidiInput() {
    // RtMidi's input goes first, while what its callback uses (the router input, declared after
    // it) still lives: its destructor closes the port and waits for the MIDI thread (ALSA joins
    // it; JACK closes the client). cancelCallback() alone raced that thread: it writes plain
    // flags the thread reads, and a callback under way went on into the freed router input.
    impl_->in.reset();
}

void MidiInput::poll() {
    Impl& d = *impl_;
    try {
        d.updateLeds(); // every poll: a mute from the keys or a script lights the pad too
    } catch (const RtMidiError&) {
        d.outPortName.clear();
    }
    if (!d.in || std::chrono::steady_clock::now() < d.nextCheck) return;
    d.nextCheck = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    try {
        if (!d.portName.empty() && !d.stillThere()) { // unplugged: nothing audible changes
            d.log << "MIDI: " << d.portName << " is gone; waiting for it to come back\n";
            d.in->closePort();
            d.portName.clear();
            if (d.out && !d.outPortName.empty()) {
                d.out->closePort();
                d.outPortName.clear();
            }
        } else if (d.portName.empty()) {
            d.tryOpen(false);
        }
        if (d.out && d.outPortName.empty() && !d.portName.empty()) d.tryOpenOut(); // LEDs restored on return
    } catch (const RtMidiError& e) {
        d.log << "MIDI: " << e.getMessage() << "\n";
    }
}

void MidiInput::startLearn() {
    impl_->learn.store(Impl::kLearnWaiting, std::memory_order_release);
}

void MidiInput::stopLearn() {
    impl_->learn.store(0, std::memory_order_release);
}

bool MidiInput::learning() const noexcept {
    return impl_->learn.load(std::memory_order_acquire) != 0;
}

std::optional<LearnedControl> MidiInput::learned() const {
    const std::uint32_t v = impl_->learn.load(std::memory_order_acquire);
    if ((v & Impl::kLearnGot) == 0) return std::nullopt;
    return controlOf({static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v), 127});
}

std::string MidiInput::learnBinding(Binding binding) {
    Impl& d = *impl_;
    Mapping m = d.mapping();
    // Saved first: if that throws, the old file and the old mapping stay.
    const std::string what = learnInto(m, std::move(binding), m.file);
    const std::string where =
        m.file.empty() ? " (kept in memory only: this mapping has no file)" : ", saved to " + m.file.string();
    d.mappers.push_back(std::make_unique<MidiMapper>(std::move(m), d.options.sampleRate));
    d.mapper.store(d.mappers.back().get(), std::memory_order_release);
    d.learn.store(0, std::memory_order_release);
    std::fill(d.ledSent.begin(), d.ledSent.end(), -1);
    return what + where;
}

const Mapping& MidiInput::mapping() const {
    return impl_->mapping();
}

bool MidiInput::connected() const noexcept {
    return !impl_->portName.empty();
}

std::uint64_t MidiInput::messages() const noexcept {
    return impl_->count.load(std::memory_order_relaxed);
}

std::string describeMessage(const std::vector<unsigned char>& m) {
    if (m.empty()) return "(empty)";
    static const char* const kNames[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    const int status = m[0], type = status & 0xF0, channel = (status & 0x0F) + 1;
    const int d1 = m.size() > 1 ? m[1] : 0, d2 = m.size() > 2 ? m[2] : 0;
    char buf[160];
    const std::string note = std::string(kNames[d1 % 12]) + std::to_string(d1 / 12 - 1);
    switch (type) {
    case 0x90:
        std::snprintf(buf, sizeof buf, "%-12s ch %-2d  note %3d (%s)  velocity %d", d2 > 0 ? "note on" : "note off",
                      channel, d1, note.c_str(), d2);
        break;
    case 0x80:
        std::snprintf(buf, sizeof buf, "%-12s ch %-2d  note %3d (%s)", "note off", channel, d1, note.c_str());
        break;
    case 0xB0: std::snprintf(buf, sizeof buf, "%-12s ch %-2d  cc %3d  value %d", "control", channel, d1, d2); break;
    case 0xC0: std::snprintf(buf, sizeof buf, "%-12s ch %-2d  program %d", "program", channel, d1); break;
    case 0xE0: std::snprintf(buf, sizeof buf, "%-12s ch %-2d  %d", "pitch bend", channel, (d2 << 7 | d1) - 8192); break;
    case 0xA0:
        std::snprintf(buf, sizeof buf, "%-12s ch %-2d  note %3d  pressure %d", "aftertouch", channel, d1, d2);
        break;
    case 0xD0: std::snprintf(buf, sizeof buf, "%-12s ch %-2d  pressure %d", "ch pressure", channel, d1); break;
    default: std::snprintf(buf, sizeof buf, "system       0x%02X (%zu bytes)", status, m.size()); break;
    }
    return buf;
}

std::string describeMidiPorts(const std::string& api) {
    if (const std::string why = midiApiProblem(api); !why.empty()) return " (unavailable: " + why + ")";
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
