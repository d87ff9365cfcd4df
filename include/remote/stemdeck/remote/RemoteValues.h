#pragma once
// What every remote's values need, whichever protocol carried them: the show's names a value may
// use, and a number as the text a script would hold (control::parseValue reads both).
#include <string>

#include "stemdeck/control/Action.h"
#include "stemdeck/control/ShowState.h"

namespace stemdeck::remote {

/// @thread any. The names a value may use in the show as it is now (scenes, markers) and how many
/// songs there are: what control::parseValue needs to read a remote's value.
[[nodiscard]] control::ValueContext valueContext(const control::ShowState& state);

/// @thread any. A remote's number as a script writes it: "-6" + "dB", "0.25" (9 digits at most).
[[nodiscard]] std::string numberText(double value, const char* suffix = "");

} // namespace stemdeck::remote
