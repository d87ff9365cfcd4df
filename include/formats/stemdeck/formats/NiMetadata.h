#pragma once
// The parts of an MP4 stem file stemdeck reads itself, without FFmpeg: the box tree (to find
// Native Instruments' moov/udta/stem box) and the JSON in that box (stem names and colours).
// Both take any bytes a file can hold and never throw, crash or overflow; fuzzed by
// tests/fuzz/fuzz.sh (target "ni").
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::formats {

/// @thread control. The payload of the box at `path` (e.g. {"moov", "udta", "stem"}) in the MP4
/// byte stream `in` of `size` bytes; nullopt when there is none. A box whose size runs past its
/// parent, or is smaller than its header, ends the walk at that level (a damaged file has no
/// box there). Payloads beyond 1 MiB are cut to 1 MiB (NI's JSON is a few hundred bytes).
[[nodiscard]] std::optional<std::string> findMp4Box(std::istream& in, std::int64_t size,
                                                    const std::vector<std::string>& path);

/// What an NI 'stem' box says: per stem (after the master) a name and a colour, either "" where
/// the box gives none.
struct NiStemMetadata {
    struct Stem {
        std::string name, color;
    };
    std::vector<Stem> stems;
    std::string problem; ///< "" when the JSON is as NI writes it; else what is wrong, for `check`
};

/// @thread any. Reads the JSON of an NI 'stem' box. Never throws: what it cannot use is named in
/// `problem` and those stems keep "" (their track titles or numbers name them instead).
[[nodiscard]] NiStemMetadata parseNiStemMetadata(std::string_view json);

} // namespace stemdeck::formats
