// Tonight's running order, edited live: what plays next follows every edit at once (the song cued
// after the playing one is withdrawn and the new one cued), the playing song is never cut, and each
// change is written beside the set file (atomically) for the next start, and to the journal.
#include <ostream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/formats/Formats.h"

namespace fs = std::filesystem;

namespace stemdeck::control {

std::string SetPlayer::songName(int song) const {
    if (song < 0 || song >= static_cast<int>(songs_.size())) return "song " + std::to_string(song + 1);
    const set::SetSong& s = songs_[static_cast<std::size_t>(song)];
    return "song " + std::to_string(song + 1) + " '" + oneLine(s.title ? *s.title : s.source.filename().string()) + "'";
}

bool SetPlayer::leftStart(int song) const {
    if (song != change_.current() && song != change_.changing() && song != change_.taken()) return false;
    return song != change_.current() || engine_.rolling() || engine_.songFrame() > 0;
}

void SetPlayer::orderChanged() {
    if (!options_.orderFile.empty()) {
        try {
            set::saveRunningOrder(order_, songs_, options_.setSongs, options_.setFile, options_.orderFile);
            orderSaveTold_ = false;
        } catch (const Error& e) {
            if (!orderSaveTold_) log_ << "warning: tonight's order cannot be saved: " << e.what() << "\n";
            orderSaveTold_ = true; // said once until it works again (the journal still keeps it)
        }
    }
    if (!change_.busy()) cueFollowing(); // a change on its way cues the following song when it arrives
}

void SetPlayer::playNext(int song) {
    const int cur = change_.heading();
    if (song == cur) {
        log_ << songName(song) << " is the song playing; play_next names the song to follow it\n";
        return;
    }
    if (const std::string bad = order_.playAfter(song, cur); !bad.empty()) {
        log_ << "play_next: " << bad << "\n";
        return;
    }
    log_ << "tonight: " << songName(song) << " plays next\n";
    orderChanged();
}

int SetPlayer::placeAhead(int song, int place) const {
    // Tonight runs forwards from the song playing: a song put at or before it would never play.
    const int cur = order_.placeOf(change_.heading());
    if (cur < 0 || song == change_.heading()) return place;
    const int from = order_.placeOf(song);
    const int curAfter = from >= 0 && from < cur ? cur - 1 : cur; // its place once `song` is out
    if (place >= 0 && place <= curAfter) {
        log_ << songName(song) << " would go before the song playing and never play: it goes right after it\n";
        return curAfter + 1;
    }
    return place;
}

void SetPlayer::moveSong(int song, int place) {
    if (song == change_.heading() && song >= 0) {
        log_ << songName(song) << " is the current song: it stays where it is (move the others, or go_to_song "
             << "another)\n";
        return;
    }
    if (const std::string bad = order_.move(song, placeAhead(song, place)); !bad.empty()) {
        log_ << "move_song: " << bad << "\n";
        return;
    }
    log_ << "tonight: " << songName(song) << " to place " << order_.placeOf(song) + 1 << "\n";
    orderChanged();
}

void SetPlayer::addSong(int song, int place) {
    if (song == change_.current() && leftStart(song)) {
        log_ << songName(song) << " is playing; add it again once it has played (it then plays again)\n";
        return;
    }
    const bool was = order_.tonight(song);
    if (const std::string bad = order_.add(song, place < 0 ? place : placeAhead(song, place)); !bad.empty()) {
        log_ << "add_song: " << bad << "\n";
        return;
    }
    log_ << "tonight: " << songName(song) << (was ? " moved to place " : " added at place ") << order_.placeOf(song) + 1
         << "\n";
    orderChanged();
}

void SetPlayer::skipSong(int song, bool on) {
    if (on && leftStart(song)) {
        log_ << songName(song)
             << " is playing and plays on: an edit never cuts the playing song (next_song leaves it)\n";
        return;
    }
    if (order_.skipped(song) == on && order_.tonight(song)) return;
    if (const std::string bad = order_.skip(song, on); !bad.empty()) {
        log_ << (on ? "skip_song: " : "unskip_song: ") << bad << "\n";
        return;
    }
    log_ << "tonight: " << songName(song) << (on ? " cut" : " back in") << "\n";
    orderChanged();
    // The song waiting at its start (stopped, not begun) was cut: the next one waits instead.
    if (on && song == change_.current() && !change_.busy())
        if (const int next = order_.after(song); next >= 0) changeTo(next, false);
}

void SetPlayer::toggleSkip(int song) {
    skipSong(song, !order_.skipped(song));
}

void SetPlayer::markPlayed(int song, bool on) {
    if (const std::string bad = order_.markPlayed(song, on); !bad.empty()) {
        log_ << "toggle_played: " << bad << "\n";
        return;
    }
    log_ << "tonight: " << songName(song) << (on ? " marked played" : " marked to play") << "\n";
    orderChanged();
}

void SetPlayer::togglePlayed(int song) {
    markPlayed(song, !order_.played(song));
}

int SetPlayer::addFolder(const fs::path& folder, int place) {
    std::error_code ec;
    const fs::path p = fs::absolute(folder, ec).lexically_normal();
    if (!fs::is_directory(p, ec) && !(formats::isStemFileName(p) && fs::is_regular_file(p, ec))) {
        log_ << folder.string() << ": not a stem folder or a .stem.mp4; nothing added\n";
        return -1;
    }
    for (std::size_t i = 0; i < songs_.size(); ++i)
        if (fs::absolute(songs_[i].source, ec).lexically_normal() ==
            p) { // a song of the catalogue already: added as one
            addSong(static_cast<int>(i), place < 0 ? order_.placeOf(change_.heading()) + 1 : place);
            return static_cast<int>(i);
        }
    set::SetSong song;
    song.source = p;
    songs_.push_back(song);
    broken_.push_back(false);
    const int index = order_.grow();
    if (place < 0)
        order_.playAfter(index, change_.heading());
    else
        order_.add(index, place);
    log_ << "tonight: " << songName(index) << " added from " << p.string() << " at place " << order_.placeOf(index) + 1
         << "\n";
    orderChanged();
    return index;
}

} // namespace stemdeck::control
