#include "stemdeck/midi/MidiMapper.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "stemdeck/common/Db.h"

namespace stemdeck::midi {

using control::Action;
using control::ActionCall;

StemValues StemValues::of(const engine::Engine& e) noexcept {
    StemValues v;
    for (int i = 0; i < engine::kMaxStems; ++i) {
        v.gain[static_cast<std::size_t>(i)] = e.stem(i).gain.load(std::memory_order_relaxed);
        v.filter[static_cast<std::size_t>(i)] = e.stem(i).filter.load(std::memory_order_relaxed);
    }
    return v;
}

float knobToFilter(int value) noexcept {
    return std::clamp(static_cast<float>(value - 64) / 63.0f, -1.0f, 1.0f);
}

MidiMapper::MidiMapper(Mapping mapping, double sampleRate)
    : mapping_(std::move(mapping)), takeover_(mapping_.bindings.size()), pressedAt_(mapping_.bindings.size(), -1),
      sampleRate_(sampleRate) {}

namespace {
bool matches(const Binding& b, MessageKind kind, int channel, int number) {
    return b.kind == kind && (b.channel < 0 || b.channel == channel) &&
           (kind == MessageKind::program || b.number == number);
}

/// What a press of the binding sends: its action, value, stems and grid, on `frame`.
ActionCall callOf(const Binding& b, std::int64_t frame) {
    ActionCall c = b.preset;
    c.action = b.action;
    c.quantize = b.quantize;
    c.frame = frame;
    c.stem = static_cast<std::int8_t>(b.stems.empty() ? -1 : b.stems.front());
    c.stemMask = 0;
    for (const int s : b.stems)
        c.stemMask = static_cast<std::uint8_t>(c.stemMask | 1u << s);
    return c;
}
} // namespace

namespace {
/// A channel message as a binding sees it.
struct Incoming {
    MessageKind kind = MessageKind::note;
    int channel = 0, number = 0;
    bool pressed = false; ///< for buttons
    int value = 0;        ///< for faders and knobs
};

/// Notes, controllers and program changes (nullopt: clock, aftertouch, sysex…: not mapped).
std::optional<Incoming> decode(std::uint8_t status, std::uint8_t data1, std::uint8_t data2) noexcept {
    Incoming in;
    in.channel = status & 0x0F;
    in.number = data1;
    in.value = data2;
    switch (status & 0xF0) {
    case 0x90:
        in.kind = MessageKind::note;
        in.pressed = data2 > 0;
        break;
    case 0x80:
        in.kind = MessageKind::note;
        in.pressed = false;
        break;
    case 0xB0:
        in.kind = MessageKind::cc;
        in.pressed = data2 >= 64;
        break;
    case 0xC0:
        in.kind = MessageKind::program;
        in.pressed = true;
        in.value = data1;
        break;
    default: return std::nullopt;
    }
    return in;
}
} // namespace

Translation MidiMapper::translate(std::uint8_t status, std::uint8_t data1, std::uint8_t data2, std::int64_t frame,
                                  const StemValues& values) noexcept {
    Translation out;
    const std::optional<Incoming> in = decode(status, data1, data2);
    if (!in) return out;
    if (mapping_.shiftControl && matches(*mapping_.shiftControl, in->kind, in->channel, in->number)) {
        shift_ = in->pressed;
        return out;
    }
    for (std::size_t i = 0; i < mapping_.bindings.size(); ++i) {
        const Binding& b = mapping_.bindings[i];
        if (!matches(b, in->kind, in->channel, in->number) || b.shift != shift_) continue;
        ActionCall call = callOf(b, frame);
        if (b.followsControl()) {
            if (const std::optional<float> target = follow(i, in->value, values)) {
                call.value = *target;
                out.add(call);
            }
            continue;
        }
        if (b.holdSeconds > 0.0) { // a long press: let go after holding it long enough
            if (heldLongEnough(i, in->pressed, frame)) out.add(call);
            continue;
        }
        if (b.mode == ControlMode::momentary) { // held: the action; released: its opposite
            if (!in->pressed)
                call.action = b.action == MapAction::mute     ? Action::unmute
                              : b.action == MapAction::unmute ? Action::mute
                                                              : Action::unsolo;
            out.add(call);
        } else if (in->pressed) {
            out.add(call);
        }
    }
    return out;
}

std::optional<float> MidiMapper::follow(std::size_t i, int value, const StemValues& values) noexcept {
    const Binding& b = mapping_.bindings[i];
    const int stem = b.stems.empty() ? -1 : b.stems.front();
    const auto si = static_cast<std::size_t>(std::max(stem, 0));
    const bool isGain = b.action == MapAction::gain;
    const float current = isGain ? values.gain[si] : values.filter[si];
    if (b.mode == ControlMode::relative) {
        const int delta = value < 64 ? value : value - 128;
        if (!isGain) return std::clamp(current + static_cast<float>(delta) / 63.0f, -1.0f, 1.0f);
        const double db = toDb(current, b.minDb);
        const double next = std::clamp(db + delta * kRelativeDbStep, b.minDb, b.maxDb);
        return next <= b.minDb ? 0.0f : static_cast<float>(fromDb(next));
    }
    const float target = isGain ? faderGain(value, b.minDb, b.maxDb) : knobToFilter(value);
    Takeover& t = takeover_[i];
    if (b.softTakeover) {
        // Changed elsewhere since we last sent (keys, a script, another control)? A quantised move
        // of ours still waiting for its beat or bar leaves the engine where it was when we sent
        // it: that is no change made elsewhere.
        const bool ours = std::fabs(current - t.sent) <= 1e-4f ||
                          (b.quantize != engine::Quantize::none && std::fabs(current - t.before) <= 1e-4f);
        if (t.engaged && !ours) t.engaged = false;
        if (!t.engaged) {
            const double here = isGain ? faderPosition(current, b.minDb, b.maxDb) : 64.0 + current * 63.0;
            const double lo = std::min<double>(t.lastPosition < 0 ? value : t.lastPosition, value);
            const double hi = std::max<double>(t.lastPosition < 0 ? value : t.lastPosition, value);
            t.lastPosition = value;
            if (here < lo - 1.5 || here > hi + 1.5) return std::nullopt; // not there yet: nothing jumps
            t.engaged = true;
        }
    }
    t.lastPosition = value;
    t.sent = target;
    t.before = current;
    return target;
}

bool MidiMapper::heldLongEnough(std::size_t i, bool pressed, std::int64_t frame) noexcept {
    std::int64_t& down = pressedAt_[i];
    if (pressed) {
        if (down < 0) down = frame;
        return false;
    }
    if (down < 0) return false;
    const bool long_ = static_cast<double>(frame - down) >= mapping_.bindings[i].holdSeconds * sampleRate_;
    down = -1;
    return long_;
}

} // namespace stemdeck::midi
