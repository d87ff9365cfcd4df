// libFuzzer harness for the parsers a user's files reach: set files, stem-folder readmes,
// events scripts, controller mappings, and an MP4 stem file's box tree and NI metadata JSON.
// Each must turn any input
// into either a result or a stemdeck::Error, never a crash, a hang or another exception.
// Built and run by tests/fuzz/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/NiMetadata.h"
#include "stemdeck/midi/Mapping.h"
#include "stemdeck/set/Readme.h"
#include "stemdeck/set/SetFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
#if STEMDECK_FUZZ_TARGET == 1
        (void)stemdeck::set::parseSetFile(text, "/tmp/fuzz/set.yaml");
#elif STEMDECK_FUZZ_TARGET == 2
        (void)stemdeck::set::parseReadme(text);
#elif STEMDECK_FUZZ_TARGET == 4
        (void)stemdeck::midi::parseMapping(text, "/tmp/fuzz/mapping.yaml");
#elif STEMDECK_FUZZ_TARGET == 5
        // The bytes as an MP4 file: walk its boxes to the NI box, read what it holds; and the bytes
        // as that box's JSON directly.
        std::istringstream file{std::string(text)};
        if (const auto json =
                stemdeck::formats::findMp4Box(file, static_cast<std::int64_t>(size), {"moov", "udta", "stem"}))
            (void)stemdeck::formats::parseNiStemMetadata(*json);
        (void)stemdeck::formats::parseNiStemMetadata(text);
#else
        (void)stemdeck::control::parseEventScript(text, "events.yaml", {{"Drums", "Bass", "Keys"}, 48000.0, true});
#endif
    } catch (const stemdeck::Error&) {
        // the expected outcome for bad input: a message for the user
    }
    return 0;
}
