#pragma once
// stemdeck's own OSC address space, generated from the action table (control/Action.h) so that it
// cannot drift from it: /stemdeck/<action> [stem] [value] [quantize=bar|beat] [token=…] [uuid=…],
// the stem mixer's own addresses (/stemdeck/stem/N/mute|solo|gain|fader|filter, the same a
// subscriber is sent), and subscribe, unsubscribe and get. Every value goes through the action
// table's own parser (control::parseValue): an OSC number or string becomes the text a script
// would hold ("-6" for a gain becomes "-6dB"), so one rule book says what a value may be.
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/control/Action.h"
#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/Osc.h"

namespace stemdeck::remote {

/// Where every native address starts.
inline constexpr std::string_view kOscPrefix = "/stemdeck/";

/// The remote fader's taper, as a MIDI fader's by default: 0 is silence, then -60 dB … +6 dB.
inline constexpr double kFaderMinDb = -60.0, kFaderMaxDb = 6.0;
[[nodiscard]] float faderToGain(double position) noexcept;
[[nodiscard]] double gainToFader(float gain) noexcept;

/// What a message asks for, once understood.
struct OscRequest {
    enum class Kind { action, subscribe, unsubscribe, dump };
    Kind kind = Kind::action;
    control::ActionCall call; ///< Kind::action
    std::string token;        ///< token=… (any message)
    std::string uuid;         ///< uuid=… (any message: applied once)
    std::optional<int> port;  ///< subscribe: the port to send to (else the sender's own)
    std::string host;         ///< subscribe: a host named in it ("" or "auto": the sender's)
};

/// A message understood, or why not (what is wrong and what to send instead).
struct OscTranslation {
    std::optional<OscRequest> request;
    std::string error;
};

/// @thread any (the OSC thread). Stem names, marker and scene names and song titles are looked up
/// in `state` (the show as it is now).
[[nodiscard]] OscTranslation translateNative(const OscMessage& message, const control::ShowState& state);

/// Actions no remote may send: they end the show or wait for a person at the laptop.
[[nodiscard]] bool offTheNetwork(control::Action action) noexcept;

/// @thread any. The address space and the value table as Markdown, as the manual prints them
/// (docs/manual/osc.md; a test keeps the manual's copy the same) and `stemdeck osc` shows them.
[[nodiscard]] std::string oscAddressesMarkdown();
[[nodiscard]] std::string oscValuesMarkdown();

} // namespace stemdeck::remote
