// libFuzzer harness for the text parsers a user hands us: set files, stem-folder readmes and
// events scripts and controller mappings. Each must turn any input
// into either a result or a stemdeck::Error, never a crash, a hang or another exception.
// Built and run by tests/fuzz/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stemdeck/Error.h"
#include "stemdeck/control/EventScript.h"
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
#else
        (void)stemdeck::control::parseEventScript(text, "events.yaml", {{"Drums", "Bass", "Keys"}, 48000.0, true});
#endif
    } catch (const stemdeck::Error&) {
        // the expected outcome for bad input: a message for the user
    }
    return 0;
}
