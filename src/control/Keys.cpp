#include "stemdeck/control/Keys.h"

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

namespace {
// Shift + 1…8 on a US keyboard.
constexpr std::string_view kShiftedDigits = "!@#$%^&*";
} // namespace

std::vector<Key> KeyDecoder::feed(std::string_view bytes) {
    pending_.append(bytes);
    std::vector<Key> keys;
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
            case 'C': keys.push_back({KeyAction::seekForward}); break;
            case 'D': keys.push_back({KeyAction::seekBack}); break;
            case 'H': keys.push_back({KeyAction::toStart}); break;
            case '~':
                if (params == "1" || params == "7") keys.push_back({KeyAction::toStart});
                break;
            default: break; // other keys (↑, ↓, F-keys) do nothing
            }
            i = end + 1;
            continue;
        }
        ++i;
        if (gotoPrefix_) { // g 1 2 Enter: go to song 12
            if (c >= '0' && c <= '9' && gotoNumber_ < 1000) {
                gotoNumber_ = gotoNumber_ * 10 + (c - '0');
                continue;
            }
            gotoPrefix_ = false;
            if ((c == '\r' || c == '\n') && gotoNumber_ > 0) keys.push_back({KeyAction::goToSong, gotoNumber_ - 1});
            continue; // Enter, or anything else cancels
        }
        if (c >= '1' && c <= '8') {
            keys.push_back({soloPrefix_ ? KeyAction::toggleSolo : KeyAction::toggleMute, c - '1'});
            soloPrefix_ = false;
            continue;
        }
        soloPrefix_ = false;
        if (const auto at = kShiftedDigits.find(c); at != std::string_view::npos) {
            keys.push_back({KeyAction::toggleSolo, static_cast<int>(at)});
            continue;
        }
        switch (c) {
        case ' ': keys.push_back({KeyAction::togglePlay}); break;
        case 's':
        case 'S': soloPrefix_ = true; break;
        case 'g':
        case 'G':
            gotoPrefix_ = true;
            gotoNumber_ = 0;
            break;
        case 'n':
        case 'N': keys.push_back({KeyAction::nextSong}); break;
        case 'p':
        case 'P': keys.push_back({KeyAction::previousSong}); break;
        case '0': keys.push_back({KeyAction::toStart}); break;
        case ']': keys.push_back({KeyAction::nextMarker}); break;
        case '[': keys.push_back({KeyAction::previousMarker}); break;
        case 'r':
        case 'R': keys.push_back({KeyAction::toggleReference}); break;
        case 'v':
        case 'V': keys.push_back({KeyAction::toggleVamp}); break;
        case 'c':
        case 'C': keys.push_back({KeyAction::cycleClick}); break;
        case 'l':
        case 'L': keys.push_back({KeyAction::learn}); break;
        case 'q':
        case 'Q':
        case '\x03': keys.push_back({KeyAction::quit}); break; // Ctrl-C, should raw mode swallow it
        default: break;
        }
    }
    pending_.erase(0, i);
    return keys;
}

void applyKey(SetPlayer& player, const Key& key) {
    switch (key.action) {
    case KeyAction::togglePlay: player.togglePlay(); break;
    case KeyAction::toggleMute: player.toggleMute(key.stem); break;
    case KeyAction::toggleSolo: player.toggleSolo(key.stem); break;
    case KeyAction::nextSong: player.nextSong(); break;
    case KeyAction::previousSong: player.previousSong(); break;
    case KeyAction::seekBack: player.seekBars(-1); break;
    case KeyAction::seekForward: player.seekBars(1); break;
    case KeyAction::toStart: player.seekTo(0); break;
    case KeyAction::cycleClick: player.cycleClick(); break;
    case KeyAction::nextMarker: player.nextMarker(); break;
    case KeyAction::previousMarker: player.previousMarker(); break;
    case KeyAction::toggleReference: player.toggleReference(); break;
    case KeyAction::toggleVamp: player.toggleVamp(); break;
    case KeyAction::goToSong: player.goToSong(key.stem); break;
    case KeyAction::quit: player.quit(); break;
    case KeyAction::learn: break; // MIDI learn belongs to the MIDI input, not the player
    }
}

const char* keyHelp() {
    return "keys: space play/stop | 1-8 mute | shift-1-8 (or s then 1-8) solo | n/p next/previous song | "
           "g N Enter song N | <-/-> a bar back/on | [ ] marker | v vamp | r A/B reference | 0 start | c click | "
           "l MIDI learn | q quit";
}

} // namespace stemdeck::control
