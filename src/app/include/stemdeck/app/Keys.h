#pragma once
// The play screen's keys: bytes from a raw-mode terminal (or the GUI window, which feeds the same
// bytes) turned into actions of the one table (Action.h). Single-letter keys come from the table's
// key column; digits, arrows and the prefix keys (s, g, e, w) are decoded here.
#include <string>
#include <string_view>
#include <vector>

#include "stemdeck/control/Action.h"

namespace stemdeck::app {

/// Decodes a terminal's byte stream. Escape sequences (arrow keys) may arrive split across reads;
/// the decoder keeps the unfinished part for the next feed().
class KeyDecoder {
public:
    /// @thread control.
    std::vector<control::ActionCall> feed(std::string_view bytes);

private:
    enum class Prefix : unsigned char { none, solo, song, scene, storeScene };
    std::string pending_;
    Prefix prefix_ = Prefix::none;
    int number_ = 0; ///< after g: the song's number so far
};

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
