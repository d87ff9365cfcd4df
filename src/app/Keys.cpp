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

std::vector<ActionCall> KeyDecoder::feed(std::string_view bytes) {
    pending_.append(bytes);
    std::vector<ActionCall> keys;
    std::size_t i = 0;
    while (i < pending_.size()) {
        const char c = pending_[i];
        if (c == '\x1b') {
            // ESC [ X or ESC O X (arrows, Home); also ESC [ 1 ~ / ESC [ H for Home.
            if (i + 1 >= pending_.size()) break; // wait for the rest
            const char kind = pending_[i + 1];
            if (kind != '[' && kind != 'O') { // a lone Escape: ignored
                ++i;
                continue;
            }
            std::size_t end = i + 2;
            while (end < pending_.size() && ((pending_[end] >= '0' && pending_[end] <= '9') || pending_[end] == ';'))
                ++end;
            if (end >= pending_.size()) break; // unfinished sequence
            const std::string_view params(pending_.data() + i + 2, end - i - 2);
            switch (pending_[end]) {
            case 'C': keys.push_back(call(Action::barForward)); break;
            case 'D': keys.push_back(call(Action::barBack)); break;
            case 'H': keys.push_back(call(Action::toStart)); break;
            case '~':
                if (params == "1" || params == "7") keys.push_back(call(Action::toStart));
                break;
            default: break; // other keys (↑, ↓, F-keys) do nothing
            }
            prefix_ = Prefix::none;
            i = end + 1;
            continue;
        }
        ++i;
        if (prefix_ == Prefix::song) { // g 1 2 Enter: go to song 12
            if (c >= '0' && c <= '9' && number_ < 1000) {
                number_ = number_ * 10 + (c - '0');
                continue;
            }
            prefix_ = Prefix::none;
            if ((c == '\r' || c == '\n') && number_ > 0)
                keys.push_back(call(Action::goToSong, -1, static_cast<float>(number_ - 1)));
            continue; // Enter, or anything else cancels
        }
        if (c >= '1' && c <= '8') {
            const int n = c - '1';
            switch (prefix_) {
            case Prefix::solo: keys.push_back(call(Action::toggleSolo, n)); break;
            case Prefix::scene: keys.push_back(call(Action::scene, -1, static_cast<float>(n))); break;
            case Prefix::storeScene: keys.push_back(call(Action::storeScene, -1, static_cast<float>(n))); break;
            default: keys.push_back(call(Action::toggleMute, n)); break;
            }
            prefix_ = Prefix::none;
            continue;
        }
        prefix_ = Prefix::none;
        if (const auto at = kShiftedDigits.find(c); at != std::string_view::npos) {
            keys.push_back(call(Action::toggleSolo, static_cast<int>(at)));
            continue;
        }
        switch (c) {
        case ' ': keys.push_back(call(Action::togglePlay)); continue;
        case '0': keys.push_back(call(Action::toStart)); continue;
        case '+':
        case '=': keys.push_back(call(Action::tempoUp)); continue; // (= is + without shift)
        case 's':
        case 'S': prefix_ = Prefix::solo; continue;
        case 'e':
        case 'E': prefix_ = Prefix::scene; continue;
        case 'w':
        case 'W': prefix_ = Prefix::storeScene; continue;
        case 'g':
        case 'G':
            prefix_ = Prefix::song;
            number_ = 0;
            continue;
        case '\x03': keys.push_back(call(Action::quit)); continue; // Ctrl-C, should raw mode swallow it
        default: break;
        }
        if (const auto a = tableKey(c)) keys.push_back(call(*a));
    }
    pending_.erase(0, i);
    return keys;
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
