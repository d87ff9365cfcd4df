#include "stemdeck/midi/RawMidiInput.h"

#include <concurrentqueue/concurrentqueue.h>
#include <rtmidi/RtMidi.h>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "MidiApis.h"

namespace stemdeck::midi {

namespace {
// RtMidi reports some problems through this callback instead of throwing; a tool ignores them.
void ignoreRtMidiError(RtMidiError::Type, const std::string&, void*) {}
} // namespace

// Messages come through a callback into a queue of our own, not RtMidi's getMessage(): RtMidi
// 5.0's own input queue moves plain (not atomic) indices between its MIDI thread and the reader,
// a data race (thestk/rtmidi#352). With a callback set RtMidi never touches that queue.
struct RawMidiInput::Impl {
    struct Message {
        double delta = 0.0;
        std::vector<unsigned char> bytes;
    };
    moodycamel::ConcurrentQueue<Message> queue; // (before `in`: the MIDI thread stops first)
    std::unique_ptr<RtMidiIn> in;
    std::string portName;

    static void onMessage(double delta, std::vector<unsigned char>* bytes, void* self) {
        if (bytes != nullptr) static_cast<Impl*>(self)->queue.enqueue({delta, *bytes});
    }
};

RawMidiInput::RawMidiInput(const Options& o) : impl_(std::make_unique<Impl>()) {
    if (const std::string why = midiApiProblem(o.api); !why.empty()) throw Error("MIDI: " + why);
    try {
        impl_->in = std::make_unique<RtMidiIn>(equalsIgnoreCase(o.api, "jack") ? RtMidi::UNIX_JACK : RtMidi::LINUX_ALSA,
                                               o.client, 1024);
        RtMidiIn& in = *impl_->in;
        in.setErrorCallback(&ignoreRtMidiError, nullptr);
        in.ignoreTypes(!o.sysex, true, true);
        in.setCallback(&Impl::onMessage, impl_.get()); // before a port opens
        int index = -1; // the first port that matches and is not one of stemdeck's own
        for (unsigned i = 0; i < in.getPortCount() && index < 0; ++i) {
            const std::string name = in.getPortName(i);
            if (containsIgnoreCase(name, "stemdeck")) continue;
            bool match = o.patterns.empty();
            for (const std::string& p : o.patterns)
                match = match || (!p.empty() && containsIgnoreCase(name, p));
            if (match) index = static_cast<int>(i);
        }
        if (index >= 0) {
            impl_->portName = in.getPortName(static_cast<unsigned>(index));
            in.openPort(static_cast<unsigned>(index), o.port);
        } else {
            in.openVirtualPort(o.port);
        }
    } catch (const RtMidiError& e) {
        throw Error("MIDI: " + e.getMessage());
    }
}

RawMidiInput::~RawMidiInput() = default;

const std::string& RawMidiInput::portName() const noexcept {
    return impl_->portName;
}

double RawMidiInput::next(std::vector<unsigned char>& message) {
    Impl::Message m;
    if (!impl_->queue.try_dequeue(m)) {
        message.clear();
        return 0.0;
    }
    message = std::move(m.bytes);
    return m.delta;
}

} // namespace stemdeck::midi
