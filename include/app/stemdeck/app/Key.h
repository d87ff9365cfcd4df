#pragma once
// A key the performer pressed, from a terminal or from the stage window: a character, or one of
// the few named keys the play screen uses. The terminal's bytes are decoded into Keys
// (TerminalKeys), the window's key presses are Keys already; KeyDecoder (Keys.h) turns them into
// actions.
#include <cstdint>

namespace stemdeck::app {

struct Key {
    enum class Named : std::uint8_t { none, left, right, home, escape, enter };
    Named named = Named::none;
    char ch = 0; ///< the character typed, for Named::none

    [[nodiscard]] static constexpr Key character(char c) noexcept { return {Named::none, c}; }
    [[nodiscard]] static constexpr Key named_(Named n) noexcept { return {n, 0}; }
    /// The byte MIDI learn's menu and the unlock word read: the character, 27 for Escape, '\n'
    /// for Enter, 0 for the arrows and Home.
    [[nodiscard]] constexpr char asChar() const noexcept {
        switch (named) {
        case Named::none: return ch;
        case Named::escape: return 27;
        case Named::enter: return '\n';
        default: return 0;
        }
    }
    bool operator==(const Key&) const = default;
};

} // namespace stemdeck::app
