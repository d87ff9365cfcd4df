#pragma once
// The play screen's keys, the same in a terminal and in the stage window: Keys (Key.h) turned
// into actions of the one table (Action.h). Single-letter keys come from the table's key column;
// digits, arrows and the prefix keys (s, g, u, x, e, w) are decoded here. A terminal's bytes become Keys
// first (TerminalKeys); the window's key presses are Keys already.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/app/Key.h"
#include "stemdeck/control/Action.h"

namespace stemdeck::app {

/// A raw-mode terminal's byte stream into Keys. Escape sequences (arrow keys) may arrive split
/// across reads; the unfinished part waits for the next feed(). An Escape with nothing after it
/// for a whole read (feed with no bytes: the reader reads every few ms) is the Escape key.
class TerminalKeys {
public:
    /// @thread the terminal's reader.
    std::vector<Key> feed(std::string_view bytes);

private:
    std::string pending_;
};

/// Keys into actions, one key at a time (a prefix key waits for the digit that follows it).
class KeyDecoder {
public:
    /// @thread control. The action this key completes, if any.
    std::optional<control::ActionCall> feed(const Key& key);

private:
    enum class Prefix : unsigned char { none, solo, song, playNext, skip, scene, storeScene };
    Prefix prefix_ = Prefix::none;
    int number_ = 0; ///< after g, u or x: the song's number so far
};

/// @thread any. A terminal's bytes decoded into actions at once (tests, tools): TerminalKeys, then
/// KeyDecoder.
[[nodiscard]] std::vector<control::ActionCall> decodeKeys(TerminalKeys& terminal, KeyDecoder& keys,
                                                          std::string_view bytes);

/// Types the word that ends the show lock, one byte at a time: true once "unlock" has been typed
/// (any case; anything else starts the word again).
class UnlockWord {
public:
    static constexpr std::string_view kWord = "unlock";
    bool feed(char c) noexcept;

private:
    std::size_t matched_ = 0;
};

} // namespace stemdeck::app
