#pragma once
// Small text helpers shared by the parsers (set files, event scripts, mappings).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck {

/// @thread any. Case-insensitive equality (ASCII).
[[nodiscard]] bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept;

/// @thread any. True when `needle` occurs in `haystack`, case-insensitive (ASCII).
[[nodiscard]] bool containsIgnoreCase(std::string_view haystack, std::string_view needle) noexcept;

/// @thread any. The candidate closest to `word` by edit distance (case-insensitive), if it is
/// close enough to be the intended word (a typo, not a different word).
[[nodiscard]] std::optional<std::string> nearestName(std::string_view word, const std::vector<std::string>& candidates);

/// @thread any. " (did you mean 'x'?)" or "", for error messages.
[[nodiscard]] std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates);

/// @thread any. "a, b, c" for error messages.
[[nodiscard]] std::string joinNames(const std::vector<std::string>& names);

/// @thread any. 0-based index of a stem given as a 1-based number ("2") or a name
/// (case-insensitive, "drums"); nullopt when there is none.
[[nodiscard]] std::optional<int> findStemIndex(const std::vector<std::string>& stemNames,
                                               std::string_view numberOrName);

/// @thread any. A position or length as a musician reads it: "1:23.4", "-0:01.5" (a count-in).
[[nodiscard]] std::string clockText(double seconds);

/// @thread any. `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD (a file
/// name from another system's encoding), so it can go into JSON or a UTF-8 terminal as it is.
[[nodiscard]] std::string validUtf8(std::string_view text);

/// @thread any. `text` for one line of a table or message: valid UTF-8 (as validUtf8) with control
/// characters (a newline or tab in a file name) shown as '?', so they cannot break the layout.
[[nodiscard]] std::string oneLine(std::string_view text);

/// @thread any. Parses a gain value: "-6dB", "+3 dB", "-inf dB" or a linear factor ("0.5").
/// Returns the linear factor; nullopt when the text is not a gain (or is above +12 dB).
[[nodiscard]] std::optional<float> parseGain(std::string_view text);

} // namespace stemdeck
