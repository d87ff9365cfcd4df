#pragma once
// AbleSet's OSC interface, as Bitfocus Companion's AbleSet module speaks it
// (companion-module-leolabs-ableset): stemdeck answers on UDP 39051 as if it were AbleSet, so a
// Stream Deck page made for AbleSet drives stemdeck. One stemdeck song is one AbleSet song; the
// song's markers are its sections; its stems are the mixer's groups (by name, lower case).
// Positions are in quarter-note beats from the song's bar 1; times in seconds.
#include <string>
#include <vector>

#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/OscAddresses.h"

namespace stemdeck::remote {

/// The port the module sends to (hard-coded in it).
inline constexpr int kAbleSetPort = 39051;

/// What an AbleSet message asks for: an action (or two: stop goes back to the start), a
/// subscription, a dump; `calls` empty with no error: nothing to do (a jump to where it is).
struct AbleSetRequest {
    OscRequest::Kind kind = OscRequest::Kind::action;
    std::vector<control::ActionCall> calls;
    std::string uuid;
    std::optional<int> port; ///< subscribe, getValues: where to send
    std::string host;        ///< subscribe: "auto" or a host named in it
    bool fine = false;       ///< subscribe: finePosition wanted
};
struct AbleSetTranslation {
    std::optional<AbleSetRequest> request;
    std::string error;
};

/// @thread any (the OSC thread). `vampWanted`: what a loop command sent less than a second ago
/// asked for (the state may not show it yet).
[[nodiscard]] AbleSetTranslation translateAbleSet(const OscMessage& message, const control::ShowState& state,
                                                  std::optional<bool> vampWanted = std::nullopt);

/// @thread any. The state in AbleSet's addresses (but for the position).
[[nodiscard]] std::vector<OscMessage> ableSetState(const control::ShowState& state);
/// @thread any. /global/beatsPosition, /global/humanPosition and the remaining times; with `fine`,
/// /global/finePosition too.
[[nodiscard]] std::vector<OscMessage> ableSetPosition(const control::ShowState& state, bool fine);

/// @thread any. The profile's commands and feedback as Markdown (the manual, `stemdeck osc`).
[[nodiscard]] std::string ableSetMarkdown();

} // namespace stemdeck::remote
