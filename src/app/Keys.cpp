#include "stemdeck/app/Keys.h"

#include <cctype>

namespace stemdeck::app {

using control::Action;
using control::ActionCall;
using control::ActionInfo;

namespace {
// Shift + 1…8 on a US keyboard.
constexpr std::string_view kShiftedDigits = "!@#$%^&*";

ActionCall call(Action a, int stem = -1, float value = 0.0f) {
    ActionCall c;
    c.action = a;
    c.stem = static_cast<std::int8_t>(stem);
    c.value = value;
    return c;
}

/// The action whose key in the table is this one letter or sign (either case), if any.
std::optional<Action> tableKey(char c) {
    for (const ActionInfo& a : control::actions())
        if (a.key.size() == 1 &&
            std::tolower(static_cast<unsigned char>(a.key[0])) == std::tolower(static_cast<unsigned char>(c)))
            return a.action;
    return std::nullopt;
}
} // namespace

std::vector<Key> TerminalKeys::feed(std::string_view bytes) {
    std::vector<Key> keys;
    if (bytes.empty() && pending_ == "\x1b") { // an Escape alone for a whole read: the Escape key
        pending_.clear();
        keys.push_back(Key::named_(Key::Named::escape));
        return keys;
    }
    pending_.append(bytes);
    std::size_t i = 0;
    while (i < pending_.size()) {
        const char c = pending_[i];
        if (c != '\x1b') {
            keys.push_back(c == '\r' || c == '\n' ? Key::named_(Key::Named::enter) : Key::character(c));
            ++i;
            continue;
        }
        // ESC [ X or ESC O X (arrows, Home); also ESC [ 1 ~ / ESC [ H for Home.
        if (i + 1 >= pending_.size()) break; // wait for the rest (nothing more next read: the Escape key)
        const char kind = pending_[i + 1];
        if (kind != '[' && kind != 'O') { // a lone Escape, then another key
            keys.push_back(Key::named_(Key::Named::escape));
            ++i;
            continue;
        }
        std::size_t end = i + 2;
        while (end < pending_.size() && ((pending_[end] >= '0' && pending_[end] <= '9') || pending_[end] == ';'))
            ++end;
        if (end >= pending_.size()) break; // unfinished sequence
        const std::string_view params(pending_.data() + i + 2, end - i - 2);
        switch (pending_[end]) {
        case 'C': keys.push_back(Key::named_(Key::Named::right)); break;
        case 'D': keys.push_back(Key::named_(Key::Named::left)); break;
        case 'H': keys.push_back(Key::named_(Key::Named::home)); break;
        case '~':
            if (params == "1" || params == "7") keys.push_back(Key::named_(Key::Named::home));
            break;
        default: break; // other keys (up, down, F-keys) do nothing
        }
        i = end + 1;
    }
    pending_.erase(0, i);
    return keys;
}

std::optional<ActionCall> KeyDecoder::feed(const Key& key) {
    switch (key.named) {
    case Key::Named::right: prefix_ = Prefix::none; return call(Action::barForward);
    case Key::Named::left: prefix_ = Prefix::none; return call(Action::barBack);
    case Key::Named::home: prefix_ = Prefix::none; return call(Action::toStart);
    case Key::Named::escape: prefix_ = Prefix::none; return std::nullopt;
    case Key::Named::enter:
    case Key::Named::none: break;
    }
    const char c = key.asChar();
    if (prefix_ == Prefix::song || prefix_ == Prefix::playNext || prefix_ == Prefix::skip) {
        // g 1 2 Enter: go to song 12; u 7 Enter: song 7 plays next; x 4 Enter: song 4 cut (or back)
        if (c >= '0' && c <= '9' && number_ < 1000) {
            number_ = number_ * 10 + (c - '0');
            return std::nullopt;
        }
        const Prefix p = prefix_;
        prefix_ = Prefix::none;
        if (key.named != Key::Named::enter || number_ <= 0) return std::nullopt; // anything else cancels
        const Action a = p == Prefix::song       ? Action::goToSong
                         : p == Prefix::playNext ? Action::playNext
                                                 : Action::toggleSkip;
        return call(a, -1, static_cast<float>(number_ - 1));
    }
    if (c >= '1' && c <= '8') {
        const int n = c - '1';
        const Prefix p = prefix_;
        prefix_ = Prefix::none;
        switch (p) {
        case Prefix::solo: return call(Action::toggleSolo, n);
        case Prefix::scene: return call(Action::scene, -1, static_cast<float>(n));
        case Prefix::storeScene: return call(Action::storeScene, -1, static_cast<float>(n));
        default: return call(Action::toggleMute, n);
        }
    }
    prefix_ = Prefix::none;
    if (const auto at = kShiftedDigits.find(c); at != std::string_view::npos)
        return call(Action::toggleSolo, static_cast<int>(at));
    switch (c) {
    case ' ': return call(Action::togglePlay);
    case '0': return call(Action::toStart);
    case '+':
    case '=': return call(Action::tempoUp); // (= is + without shift)
    case 's':
    case 'S': prefix_ = Prefix::solo; return std::nullopt;
    case 'e':
    case 'E': prefix_ = Prefix::scene; return std::nullopt;
    case 'w':
    case 'W': prefix_ = Prefix::storeScene; return std::nullopt;
    case 'g':
    case 'G':
    case 'u':
    case 'U':
    case 'x':
    case 'X':
        prefix_ = c == 'g' || c == 'G' ? Prefix::song : c == 'u' || c == 'U' ? Prefix::playNext : Prefix::skip;
        number_ = 0;
        return std::nullopt;
    case '\x03': return call(Action::quit); // Ctrl-C, should raw mode swallow it
    default: break;
    }
    if (c == 0 || key.named == Key::Named::enter) return std::nullopt;
    if (const auto a = tableKey(c)) return call(*a);
    return std::nullopt;
}

std::vector<ActionCall> decodeKeys(TerminalKeys& terminal, KeyDecoder& keys, std::string_view bytes) {
    std::vector<ActionCall> calls;
    for (const Key& k : terminal.feed(bytes))
        if (const auto c = keys.feed(k)) calls.push_back(*c);
    return calls;
}

bool UnlockWord::feed(char c) noexcept {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == kWord[matched_])
        ++matched_;
    else
        matched_ = lower == kWord[0] ? 1 : 0;
    if (matched_ < kWord.size()) return false;
    matched_ = 0;
    return true;
}

} // namespace stemdeck::app
