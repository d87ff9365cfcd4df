// Tonight's running order: the songs in the order they play tonight, and its edits.
#include "stemdeck/set/RunningOrder.h"

#include <algorithm>

#include "stemdeck/common/Error.h"

namespace stemdeck::set {

RunningOrder RunningOrder::plan(int songs) {
    RunningOrder o;
    o.songs_ = std::max(0, songs);
    for (int i = 0; i < o.songs_; ++i)
        o.entries_.push_back({i, false, false});
    return o;
}

RunningOrder RunningOrder::of(std::vector<OrderEntry> entries, int songs) {
    RunningOrder o;
    o.songs_ = std::max(0, songs);
    std::vector<bool> seen(static_cast<std::size_t>(o.songs_), false);
    for (const OrderEntry& e : entries) {
        if (e.song < 0 || e.song >= o.songs_)
            throw Error("song " + std::to_string(e.song + 1) + " is not in the set (it has " +
                        std::to_string(o.songs_) + ")");
        if (seen[static_cast<std::size_t>(e.song)])
            throw Error("song " + std::to_string(e.song + 1) + " is in the running order twice");
        seen[static_cast<std::size_t>(e.song)] = true;
    }
    o.entries_ = std::move(entries);
    return o;
}

int RunningOrder::placeOf(int song) const noexcept {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].song == song) return static_cast<int>(i);
    return -1;
}

bool RunningOrder::skipped(int song) const noexcept {
    const int p = placeOf(song);
    return p >= 0 && entries_[static_cast<std::size_t>(p)].skipped;
}

bool RunningOrder::played(int song) const noexcept {
    const int p = placeOf(song);
    return p >= 0 && entries_[static_cast<std::size_t>(p)].played;
}

std::vector<int> RunningOrder::notTonight() const {
    std::vector<int> out;
    for (int s = 0; s < songs_; ++s)
        if (!tonight(s)) out.push_back(s);
    return out;
}

int RunningOrder::after(int song) const noexcept {
    const int from = song < 0 ? -1 : placeOf(song);
    for (std::size_t i = static_cast<std::size_t>(from + 1); i < entries_.size(); ++i)
        if (!entries_[i].skipped && !entries_[i].played) return entries_[i].song;
    return -1;
}

int RunningOrder::before(int song) const noexcept {
    const int from = placeOf(song);
    for (int i = from - 1; i >= 0; --i)
        if (!entries_[static_cast<std::size_t>(i)].skipped) return entries_[static_cast<std::size_t>(i)].song;
    return -1;
}

std::vector<int> RunningOrder::ahead(int song) const {
    std::vector<int> out;
    for (int s = after(song); s >= 0; s = after(s))
        out.push_back(s);
    return out;
}

std::string RunningOrder::outside(int song) const {
    if (song >= 0 && song < songs_) return "";
    return "there is no song " + std::to_string(song + 1) + "; the set has " + std::to_string(songs_);
}

std::string RunningOrder::move(int song, int place) {
    if (std::string bad = outside(song); !bad.empty()) return bad;
    if (place < 0) return "a place tonight counts from 1";
    OrderEntry e{song, false, false};
    if (const int p = placeOf(song); p >= 0) {
        e = entries_[static_cast<std::size_t>(p)];
        entries_.erase(entries_.begin() + p);
    }
    e.played = false;
    place = std::min(place, static_cast<int>(entries_.size()));
    entries_.insert(entries_.begin() + place, e);
    return "";
}

std::string RunningOrder::add(int song, int place) {
    if (std::string bad = outside(song); !bad.empty()) return bad;
    std::string r = move(song, place < 0 ? static_cast<int>(entries_.size()) : place); // (move clamps to the end)
    if (r.empty()) entries_[static_cast<std::size_t>(placeOf(song))].skipped = false;
    return r;
}

std::string RunningOrder::playAfter(int song, int after) {
    if (std::string bad = outside(song); !bad.empty()) return bad;
    if (tonight(song)) remove(song);
    return add(song, placeOf(after) + 1); // (its place once `song` is out)
}

OrderEntry* RunningOrder::entryOf(int song, std::string& error) {
    error = outside(song);
    if (!error.empty()) return nullptr;
    const int p = placeOf(song);
    if (p >= 0) return &entries_[static_cast<std::size_t>(p)];
    error = "song " + std::to_string(song + 1) + " is not in tonight's order (add_song puts it in)";
    return nullptr;
}

std::string RunningOrder::skip(int song, bool on) {
    std::string error;
    if (OrderEntry* e = entryOf(song, error)) e->skipped = on;
    return error;
}

std::string RunningOrder::markPlayed(int song, bool on) {
    std::string error;
    if (OrderEntry* e = entryOf(song, error)) e->played = on;
    return error;
}

std::string RunningOrder::remove(int song) {
    if (std::string bad = outside(song); !bad.empty()) return bad;
    const int p = placeOf(song);
    if (p < 0) return "song " + std::to_string(song + 1) + " is not in tonight's order";
    entries_.erase(entries_.begin() + p);
    return "";
}

} // namespace stemdeck::set
