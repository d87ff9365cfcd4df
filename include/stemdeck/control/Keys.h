#pragma once
// Rehearsal keys in the terminal: bytes from a raw-mode terminal turned into player actions.
#include <string>
#include <string_view>
#include <vector>

namespace stemdeck::control {

class SetPlayer;

enum class KeyAction {
    togglePlay,      ///< space
    toggleMute,      ///< 1–8
    toggleSolo,      ///< shift-1–8 (! @ # $ % ^ & * on a US layout), or s then 1–8 on any layout
    nextSong,        ///< n
    previousSong,    ///< p
    seekBack,        ///< ← (one bar)
    seekForward,     ///< → (one bar)
    toStart,         ///< Home, or 0
    cycleClick,      ///< c
    nextMarker,      ///< ] (on the next bar line)
    previousMarker,  ///< [ (on the next bar line)
    toggleReference, ///< r (A/B against the reference mix)
    toggleVamp,      ///< v (loop the current marker section until released)
    goToSong,        ///< g, the song's number, Enter (Key::stem holds the 0-based song)
    learn,           ///< l (MIDI learn: touch a control, then pick its action)
    quit,            ///< q
};

struct Key {
    KeyAction action = KeyAction::togglePlay;
    int stem = -1; ///< 0-based, for mute and solo
};

/// Decodes a terminal's byte stream. Escape sequences (arrow keys) may arrive split across reads;
/// the decoder keeps the unfinished part for the next feed().
class KeyDecoder {
public:
    /// @thread control.
    std::vector<Key> feed(std::string_view bytes);

private:
    std::string pending_;
    bool soloPrefix_ = false;
    bool gotoPrefix_ = false; ///< after g: digits until Enter
    int gotoNumber_ = 0;
};

/// @thread control. Does what the key says on the player.
void applyKey(SetPlayer& player, const Key& key);

/// The key help, one line, for the play screen and --help.
[[nodiscard]] const char* keyHelp();

} // namespace stemdeck::control
