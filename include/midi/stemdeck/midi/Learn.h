#pragma once
// MIDI learn: a control that was moved, plus an action picked on the keyboard, becomes a binding
// in a mapping file. Shared by `stemdeck learn` and the learn key in `stemdeck play`.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stemdeck/midi/Mapping.h"

namespace stemdeck::midi {

/// A control that was touched: the kind, number and channel of its first message.
struct LearnedControl {
    MessageKind kind = MessageKind::note;
    int number = 0;
    int channel = 0;                            ///< 0…15
    [[nodiscard]] std::string describe() const; ///< "note 36 on channel 10"
};

/// @thread any. The control a message comes from, if it is one a binding can use (a note-on, a
/// control change or a program change); note-offs and everything else give nothing.
[[nodiscard]] std::optional<LearnedControl> controlOf(const std::vector<unsigned char>& message);

/// What to do with a learned control, picked one key at a time: an action letter, then (for the
/// per-stem actions) the stem's digit, or (for scene and store_scene) the scene's. See learnMenu()
/// for the letters (the action table's).
class LearnChoice {
public:
    enum class State : std::uint8_t { choosing, needsStem, needsScene, done, cancelled };
    /// @thread control. Takes one typed character; unknown keys are ignored (and say so in error()).
    State feed(char c);
    [[nodiscard]] State state() const noexcept { return state_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    /// @thread control. The binding for `control` (valid once done).
    [[nodiscard]] Binding binding(const LearnedControl& control) const;

private:
    State state_ = State::choosing;
    MapAction action_ = MapAction::toggleMute;
    ControlMode mode_ = ControlMode::toggle;
    int stem_ = -1;
    std::string error_;
};

/// @thread any. The action letters, one line: "m mute  h hold-mute  s solo  g gain …".
[[nodiscard]] std::string learnMenu();

/// @thread control. Adds a binding, replacing the one already on the same control and layer.
/// Returns the line of the binding it replaced, or 0.
int addBinding(Mapping& mapping, Binding binding);

/// @thread control. Adds (or replaces) a learned binding and, if `file` is not empty, saves the
/// mapping there (saveMapping). Returns what was learned, in words: "note 36 on channel 1 ->
/// toggle_mute stem 1 (replacing its old binding)". Throws stemdeck::Error if the save fails.
std::string learnInto(Mapping& mapping, Binding binding, const std::filesystem::path& file);

/// @thread control. The mapping as YAML that parseMapping reads back to the same bindings.
[[nodiscard]] std::string formatMapping(const Mapping& mapping);

/// @thread control. Writes the mapping to a temporary file beside `file`, flushes it to disk and
/// renames it over `file`, so a crash leaves either the old file or the new one, never half of
/// one. Throws stemdeck::Error (naming the file) when it cannot.
void saveMapping(const Mapping& mapping, const std::filesystem::path& file);

/// @thread control. The mapping in `file`, or a new empty one named after it if there is no such
/// file yet (a broken file is an error: it is not overwritten).
[[nodiscard]] Mapping loadOrNewMapping(const std::filesystem::path& file);

} // namespace stemdeck::midi
