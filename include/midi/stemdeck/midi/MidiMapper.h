#pragma once
// MIDI messages → actions through a mapping: toggles, hold-to-mute pads, fader taper, relative
// encoders, soft takeover and a shift layer. Pure translation: no I/O, so it is unit-tested
// message by message, and the MIDI callback thread runs it without allocating.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/Mapping.h"

namespace stemdeck::midi {

/// What one message does: the actions of every binding on its control (for the router).
struct Translation {
    std::array<control::ActionCall, engine::kMaxStems + 1> items{};
    int count = 0;
    void add(const control::ActionCall& call) noexcept {
        if (count < static_cast<int>(items.size())) items[static_cast<std::size_t>(count++)] = call;
    }
};

/// What the mapper needs to know of the engine for soft takeover and relative encoders.
struct StemValues {
    std::array<float, engine::kMaxStems> gain{1, 1, 1, 1, 1, 1, 1, 1};
    std::array<float, engine::kMaxStems> filter{};
    /// @thread any. The engine's current targets.
    static StemValues of(const engine::Engine& e) noexcept;
};

class MidiMapper {
public:
    /// Gain step of a relative encoder's tick, in dB; filter step is one 63rd of a side.
    static constexpr double kRelativeDbStep = 0.5;

    /// `sampleRate`: of the frames translate() is given (to time long presses).
    explicit MidiMapper(Mapping mapping, double sampleRate = 48000.0);

    /// @thread the MIDI thread, no allocation. One message (status, data1, data2) arriving for
    /// engine output frame `frame`; `values` is the engine's state for soft takeover.
    Translation translate(std::uint8_t status, std::uint8_t data1, std::uint8_t data2, std::int64_t frame,
                          const StemValues& values) noexcept;

    [[nodiscard]] const Mapping& mapping() const noexcept { return mapping_; }
    [[nodiscard]] bool shiftHeld() const noexcept { return shift_; }

private:
    /// A fader or knob bound by binding `i` moved to `value` (0…127): the stem's new gain or filter
    /// (relative: a step from where it is; absolute: where the control is, once soft takeover has
    /// caught it up), or nullopt (not caught up yet: nothing jumps).
    std::optional<float> follow(std::size_t i, int value, const StemValues& values) noexcept;
    /// A binding with a hold: true when it is let go after being held long enough.
    bool heldLongEnough(std::size_t i, bool pressed, std::int64_t frame) noexcept;
    struct Takeover {
        bool engaged = false;
        int lastPosition = -1; ///< the control's last physical position (0…127)
        float sent = -2.0f;    ///< the value we last sent (to notice changes made elsewhere)
        float before = -2.0f;  ///< the engine's value when we sent it (a quantised move waits on it)
    };
    Mapping mapping_;
    std::vector<Takeover> takeover_;      ///< per binding
    std::vector<std::int64_t> pressedAt_; ///< per binding with a hold: the frame it went down (-1: up)
    double sampleRate_;
    bool shift_ = false;
};

/// @thread any. Knob position 0…127 to the DJ filter's -1…+1 (64 = off).
[[nodiscard]] float knobToFilter(int value) noexcept;

} // namespace stemdeck::midi
