#include "stemdeck/midi/RawMidiInput.h"

#include <rtmidi/RtMidi.h>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "MidiApis.h"

namespace stemdeck::midi {

namespace {
// RtMidi reports some problems through this callback instead of throwing; a tool ignores them.
void ignoreRtMidiError(RtMidiError::Type, const std::string&, void*) {}
} // namespace

struct RawMidiInput::Impl {
    std::unique_ptr<RtMidiIn> in;
    std::string portName;
};

RawMidiInput::RawMidiInput(const Options& o) : impl_(std::make_unique<Impl>()) {
    if (const std::string why = midiApiProblem(o.api); !why.empty()) throw Error("MIDI: " + why);
    try {
        impl_->in = std::make_unique<RtMidiIn>(equalsIgnoreCase(o.api, "jack") ? RtMidi::UNIX_JACK : RtMidi::LINUX_ALSA,
                                               o.client, 1024);
        RtMidiIn& in = *impl_->in;
        in.setErrorCallback(&ignoreRtMidiError, nullptr);
        in.ignoreTypes(!o.sysex, true, true);
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
    try {
        return impl_->in->getMessage(&message);
    } catch (const RtMidiError& e) {
        throw Error("MIDI: " + e.getMessage());
    }
}

} // namespace stemdeck::midi
