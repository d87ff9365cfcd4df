#pragma once
// The play screen's text: what `stemdeck play` shows in a terminal, from the player's status.
#include <cstdint>
#include <string>
#include <vector>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::app {

/// @thread any. The status display: one header line and one line per stem, `width` columns.
/// busLabels name the direct buses ("out 5-6") for stems routed there.
[[nodiscard]] std::vector<std::string> formatStatus(const control::PlayerStatus& s, std::uint64_t xruns, int width,
                                                    const std::vector<std::string>& busLabels = {});

} // namespace stemdeck::app
