#pragma once
// Timed actions for the offline renderer (EVENTS.yaml). The vocabulary is the one MIDI mappings
// and the GUI use too.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/Text.h"
#include "stemdeck/engine/Command.h"

namespace stemdeck::control {

/// One scripted action, issued at an output frame (frames since the render started).
struct ScriptEvent {
    std::int64_t frame = 0;
    engine::Command command;
    int line = 0; ///< 1-based line in the script, for messages
};

/// What the script needs to know about the song it will drive.
struct ScriptContext {
    std::vector<std::string> stemNames;
    double sampleRate = 48000.0;
    bool bpmKnown = false; ///< quantise needs a BPM from the readme or --bpm
};

/// @thread any. The action names the scripts, mappings and GUI share ("toggle_mute", …).
[[nodiscard]] const std::vector<std::string>& actionNames();

/// @thread any. The action called `name` (as in the scripts), if there is one.
[[nodiscard]] std::optional<engine::Action> actionFromName(std::string_view name);

/// @thread any. The script name of an action.
[[nodiscard]] std::string_view actionName(engine::Action action);

/// @thread control. Parses a script's text. Events come back sorted by frame (stable). Throws
/// stemdeck::Error as "FILE:LINE:COLUMN: what is wrong; how to fix it".
[[nodiscard]] std::vector<ScriptEvent> parseEventScript(std::string_view yaml, const std::string& fileName,
                                                        const ScriptContext& context);

/// @thread any. The song frames a script jumps to — its seek targets, and its loops' starts less
/// the loop crossfade (read while the loop's end blends into them) — to load as cue points, so
/// every scripted jump reads from RAM on the exact frame and a render never waits on the disk
/// for one (the same render, run to run, on any machine load).
[[nodiscard]] std::vector<std::int64_t> cueFrames(const std::vector<ScriptEvent>& events, double sampleRate);

/// @thread control. Reads and parses a script file.
[[nodiscard]] std::vector<ScriptEvent> loadEventScript(const std::filesystem::path& file, const ScriptContext& context);

} // namespace stemdeck::control
