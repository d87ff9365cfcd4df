#pragma once
// Controller mappings (controllers/*.yaml): which MIDI messages drive which actions, and how.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/Action.h"

namespace stemdeck::midi {

/// What a control does: an action of the one table (stemdeck/control/Action.h).
using MapAction = control::Action;

enum class MessageKind : std::uint8_t { note, cc, program };

/// How a pad or knob behaves.
enum class ControlMode : std::uint8_t {
    toggle,    ///< a press toggles (mute/solo); for faders and knobs: absolute position
    momentary, ///< pressed: the action; released: its opposite (hold to mute)
    relative,  ///< an endless encoder: 1…63 up, 65…127 down (two's complement around 64)
};

struct Binding {
    MessageKind kind = MessageKind::note;
    int number = 0;   ///< note or CC number (ignored for program change)
    int channel = -1; ///< 0…15, -1 = any (a binding without one takes the mapping's `channel:`)
    MapAction action = MapAction::toggleMute;
    std::vector<int> stems;     ///< 0-based; one for most actions, several for drop
    std::string value;          ///< the value as written (`value: 2` for scene 2), "" if none
    control::ActionCall preset; ///< `value` parsed (value, from, to): what a press sends
    /// gain / filter with no `value:`: the action follows the fader or knob (a cc)
    [[nodiscard]] bool followsControl() const noexcept {
        return value.empty() && (action == MapAction::gain || action == MapAction::filter);
    }
    ControlMode mode = ControlMode::toggle;
    engine::Quantize quantize = engine::Quantize::none;
    bool shift = false;               ///< only while the shift control is held
    bool softTakeover = true;         ///< faders and knobs: take over only once they pass the value
    double minDb = -60.0;             ///< fader taper: dB at the bottom (−inf below the first step)
    double maxDb = 6.0;               ///< … and at the top
    std::optional<int> ledOn, ledOff; ///< LED velocities sent back for this pad's state
    int ledChannel = -1;              ///< 0…15 for the LED messages (-1: the binding's channel, else 1)
    std::optional<int> ledBlink;      ///< the controller's own blink value, shown while a quantised action waits
                                      ///< (without it stemdeck blinks the LED itself, between on and off)
    int ledNumber = -1;               ///< the LED's note or CC if it differs from the control's (-1: the same)
    /// A long press: the action happens when the control is let go after at least this long
    /// (seconds); a shorter press does nothing. 0: on the press.
    double holdSeconds = 0.0;
    int line = 0;
};

struct Mapping {
    std::filesystem::path file;
    std::string name;
    std::string source;             ///< where the layout comes from (the maker's documentation)
    std::vector<std::string> ports; ///< port-name substrings it matches
    std::optional<Binding> shiftControl;
    std::vector<Binding> bindings;
};

/// @thread control. Parses a mapping; every error names file:line:col and the fix.
[[nodiscard]] Mapping parseMapping(std::string_view yaml, const std::filesystem::path& file);
[[nodiscard]] Mapping loadMapping(const std::filesystem::path& file);

/// @thread any. The action's name in mapping files ("toggle_mute"): the table's.
[[nodiscard]] inline std::string_view actionName(MapAction action) noexcept {
    return control::info(action).name;
}

/// @thread any. The fader law: a 7-bit position to a linear gain (0 at the bottom; dB-linear above).
[[nodiscard]] float faderGain(int value, double minDb, double maxDb) noexcept;

/// @thread any. A gain back to the fader position that gives it (for soft takeover).
[[nodiscard]] double faderPosition(float gain, double minDb, double maxDb) noexcept;

} // namespace stemdeck::midi
