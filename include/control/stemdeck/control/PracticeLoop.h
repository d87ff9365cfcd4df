#pragma once
// The A-B practice loop's bars: where A and B fall for a press at a play head, a range of bars
// checked against the song, the bars and words shown for it, and both moved with the music when
// the song is retimed. Pure arithmetic on a song's grid, no engine: the set player asks it where
// the loop is and sends the engine's loop itself.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "stemdeck/engine/Timing.h"

namespace stemdeck::control {

/// @thread control.
class PracticeLoop {
public:
    /// A song's grid at the rate it plays.
    struct Grid {
        const engine::SongTiming& timing;
        double rate = 48000.0;
        std::int64_t songLength = 0; ///< frames
    };

    /// Song frames on the current song's timeline (-1: not set).
    [[nodiscard]] std::int64_t a() const noexcept { return a_; }
    [[nodiscard]] std::int64_t b() const noexcept { return b_; }
    [[nodiscard]] bool hasA() const noexcept { return a_ >= 0; }
    [[nodiscard]] bool hasB() const noexcept { return b_ >= 0; }
    /// A and B set; it loops once A is held in RAM.
    [[nodiscard]] bool waiting() const noexcept { return waiting_; }
    void setWaiting(bool waiting) noexcept { waiting_ = waiting; }
    /// Bars of count-in before each pass (0: none). It outlives A and B.
    [[nodiscard]] int countIn() const noexcept { return countIn_; }
    void setCountIn(int bars) noexcept { countIn_ = bars; }

    /// Reloads of the song tried to hold this A in RAM: at most kMaxReloads, then it loops from disk.
    static constexpr int kMaxReloads = 2;
    [[nodiscard]] bool mayReload() const noexcept { return reloads_ < kMaxReloads; }
    void reloading() noexcept { ++reloads_; }
    void giveUpReloads() noexcept { reloads_ = kMaxReloads; }

    /// A and B go (a new range, a song change); the count-in stays.
    void clear() noexcept;
    /// B goes (the loop let go): A stays.
    void releaseB() noexcept {
        b_ = -1;
        waiting_ = false;
    }
    /// A on the bar line at or before `here` (in a count-in: bar 1). A new range: B goes.
    void setA(const Grid& g, std::int64_t here);
    /// B for a press at `here` (at or after A): the bar line ending the bar the play head is in, a
    /// tenth of a second ahead at least, at least a bar after A, never past the song's end; pressed
    /// within half a beat after a bar line (the downbeat after the passage), that line. False (and
    /// nothing changes) when `here` is before A or A is not set.
    bool setB(const Grid& g, std::int64_t here);
    /// Bars `first` to `last` (1-based, both played). False (and nothing changes) when they are not
    /// in the song.
    bool setBars(const Grid& g, int first, int last);
    /// A as bar `firstBar` and, when `lastBar` > 0, B after bar `lastBar` (a resume).
    void restore(const Grid& g, int firstBar, int lastBar);
    /// The song was retimed from grid `was` to `now`: A and B stay where they were in the music.
    void retimed(const engine::SongTiming& was, const engine::SongTiming& now, double rate) noexcept;

    /// The loop's first and last bar (both played; 0 where A or B is not set).
    [[nodiscard]] std::pair<int, int> barNumbers(const Grid& g) const noexcept;
    /// "bar 17", "bars 17-24".
    [[nodiscard]] std::string rangeText(const Grid& g) const;
    /// For the status line: "A bar 17", "A-B bars 17-24 (on its way), 1-bar count-in",
    /// "A-B count-in 1 bar", "" when nothing is set.
    [[nodiscard]] std::string statusText(const Grid& g) const;
    /// The song's last bar (for a message naming the bars there are).
    [[nodiscard]] static std::int64_t lastBar(const Grid& g) noexcept;

private:
    std::int64_t a_ = -1, b_ = -1;
    bool waiting_ = false;
    int countIn_ = 0;
    int reloads_ = 0;
};

} // namespace stemdeck::control
