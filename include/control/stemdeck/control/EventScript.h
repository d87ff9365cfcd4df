#pragma once
// Timed actions (EVENTS.yaml) for the offline renderer and `play --events`. Names and values are
// the action table's (Action.h), as in controller mappings, keys and the GUI.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/Action.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::control {

/// One scripted action, issued at an output frame (frames since the render started).
struct ScriptEvent {
    std::int64_t frame = 0;
    ActionCall call; ///< call.frame: the same frame
    int line = 0;    ///< 1-based line in the script, for messages
};

/// What the script needs to know about the song it will drive.
struct ScriptContext {
    ScriptContext() = default;
    ScriptContext(std::vector<std::string> stems, double rate, bool bpm, ValueContext v = {})
        : stemNames(std::move(stems)), sampleRate(rate), bpmKnown(bpm), values(std::move(v)) {}
    std::vector<std::string> stemNames;
    double sampleRate = 48000.0;
    bool bpmKnown = false; ///< quantise needs a BPM from the readme or --bpm
    ValueContext values;   ///< the song's scene and marker names, the set's song count
};

/// @thread control. Parses a script's text. Events come back sorted by frame (stable). Throws
/// stemdeck::Error as "FILE:LINE:COLUMN: what is wrong; how to fix it".
[[nodiscard]] std::vector<ScriptEvent> parseEventScript(std::string_view yaml, const std::string& fileName,
                                                        const ScriptContext& context);

/// @thread any. The song frames a script jumps to — its seek targets, and its loops' starts less
/// the loop crossfade (read while the loop's end blends into them) — to load as cue points, so
/// every scripted jump reads from RAM on the exact frame and a render never waits on the disk
/// for one (the same render, run to run, on any machine load).
[[nodiscard]] std::vector<std::int64_t> cueFrames(const std::vector<ScriptEvent>& events, double sampleRate);

/// @thread any. Throws stemdeck::Error (file:line) for the first event that only the live player
/// can carry out (next_song, marker, store_scene, lock…): a render plays engine actions only.
void requireEngineActions(const std::vector<ScriptEvent>& events, const std::string& fileName);

/// @thread control. Reads and parses a script file.
[[nodiscard]] std::vector<ScriptEvent> loadEventScript(const std::filesystem::path& file, const ScriptContext& context);

} // namespace stemdeck::control
