#pragma once
// What `stemdeck check` prints: the report as a table for people, or as JSON for tools.
#include <string>

#include "stemdeck/set/Check.h"

namespace stemdeck::app {

/// @thread any. The human report: a table per song, its findings, a summary line. Names come from
/// file names, which may hold anything: one line each, valid UTF-8.
[[nodiscard]] std::string formatCheckReport(const set::CheckReport& report);

/// @thread any. The same as JSON (one object, keys in a fixed order), for tools.
[[nodiscard]] std::string checkReportJson(const set::CheckReport& report);

} // namespace stemdeck::app
