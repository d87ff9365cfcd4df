#pragma once
// What an OSC subscriber is sent: the show state as messages whose addresses say what they carry,
// and the cache that turns a new state into only the messages that changed.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/ShowState.h"
#include "stemdeck/remote/Osc.h"

namespace stemdeck::remote {

/// @thread any. The whole state in stemdeck's own addresses (/stemdeck/playing, /stemdeck/song,
/// /stemdeck/stem/N/mute …), but for the position (positionMessages).
[[nodiscard]] std::vector<OscMessage> nativeState(const control::ShowState& state);
/// @thread any. /stemdeck/position BAR BEAT SECONDS (sent at most 10 times a second).
[[nodiscard]] std::vector<OscMessage> nativePosition(const control::ShowState& state);

/// @thread any. The feedback addresses as Markdown (the manual, `stemdeck osc`).
[[nodiscard]] std::string nativeFeedbackMarkdown();

/// The messages last sent for each address: a new full set gives back only what changed.
class FeedCache {
public:
    /// The messages of `full` that differ from what was last sent (all of them the first time),
    /// remembered as sent. An address sent before that `full` no longer has and that starts with
    /// `cleared` (a stem the new song does not have: "/stemdeck/stem/", "/mixer/") is sent once
    /// more with its values emptied (0, "", F), so that no client keeps showing it muted.
    [[nodiscard]] std::vector<OscMessage> changed(const std::vector<OscMessage>& full, std::string_view cleared = {});
    void clear() { last_.clear(); }

private:
    std::map<std::string, std::vector<OscValue>> last_;
};

} // namespace stemdeck::remote
