#pragma once
// LED feedback: what a controller's pads show. A mute or solo pad is lit while its stem is muted
// (soloed); a scene pad while its scene was the last recalled; a lock pad while the show is
// locked. A pad whose quantised action waits for its beat or bar blinks until it lands.
#include <optional>
#include <vector>

#include "stemdeck/engine/Engine.h"
#include "stemdeck/midi/Mapping.h"

namespace stemdeck::midi {

/// @thread control. The LED value binding `b` should show now, or nullopt when it drives no LED.
/// `locked`: the show lock is on. `blinkPhase`: the on half of stemdeck's own blink (used when the
/// mapping gives no blink value of the controller's).
[[nodiscard]] std::optional<int> ledValue(const Binding& b, const engine::Engine& engine, bool locked, bool blinkPhase);

/// @thread any. The message that sets binding `b`'s LED to `value` (note on or CC, on the LED's
/// channel and number).
[[nodiscard]] std::vector<unsigned char> ledMessage(const Binding& b, int value);

} // namespace stemdeck::midi
