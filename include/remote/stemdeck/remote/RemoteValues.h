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

/// @thread any. A number a remote sent for a value of `kind`, as a script writes that value: a
/// level in dB ("-6dB"), a tempo in percent ("90%"), a click mode 0, 1 or 2 as its word; any other
/// kind as the number. "" and `error` for a click number that is none of the three.
[[nodiscard]] std::string numberValueText(control::ValueKind kind, double value, std::string& error);

/// @thread any. The number from 1 (as text) of tonight's song called `title` (any case); "" if none.
[[nodiscard]] std::string songNumberByTitle(const control::ShowState& state, std::string_view title);

} // namespace stemdeck::remote
