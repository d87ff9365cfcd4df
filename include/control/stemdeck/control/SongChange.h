#pragma once
// Which song is where on its way through the engine: the one playing, the one cued to follow it,
// a change sent and not yet arrived, a cue withdrawn too late (the audio thread took it) and a
// change asked for while another was on its way. One small state machine, no engine: the set
// player tells it what it did and what the engine said, and asks it what may happen next.
#include <optional>

namespace stemdeck::control {

/// @thread control.
class SongChange {
public:
    /// A change the engine's songChanged event let through: the song asked for meanwhile.
    struct Wanted {
        int song = -1;
        bool play = false;
        bool operator==(const Wanted&) const = default;
    };

    /// The first song is in the engine (no change: it was set before the engine ran).
    void started(int song) noexcept { current_ = song; }

    [[nodiscard]] int current() const noexcept { return current_; }
    /// The song cued in the engine to follow (the audio thread may take it at any moment), or -1.
    [[nodiscard]] int cued() const noexcept { return cued_; }
    /// A change sent (Op::loadCued) and not yet arrived, or -1.
    [[nodiscard]] int changing() const noexcept { return changing_; }
    /// A cue withdrawn too late: the audio thread took it and its songChanged follows, or -1.
    [[nodiscard]] int taken() const noexcept { return taken_; }

    /// A change is on its way (sent, or taken by the audio thread): nothing else may be cued.
    [[nodiscard]] bool busy() const noexcept { return changing_ >= 0 || taken_ >= 0; }
    /// Where "next song" and "previous song" count from: the song asked for last, else the one on
    /// its way, else the current one.
    [[nodiscard]] int heading() const noexcept {
        return wanted_ ? wanted_->song : changing_ >= 0 ? changing_ : current_;
    }
    /// The song that ends now runs on into the cued one (the engine takes it in the same block).
    [[nodiscard]] bool runningOn() const noexcept { return cuedRunOn_ && cued_ >= 0; }
    /// `song` is cued already, the same way.
    [[nodiscard]] bool isCued(int song, bool runOn) const noexcept { return cued_ == song && cuedRunOn_ == runOn; }
    /// The engine may still read `song` (playing, cued, on its way or taken): it must stay loaded.
    [[nodiscard]] bool holds(int song) const noexcept {
        return song == current_ || song == cued_ || song == changing_ || song == taken_;
    }

    /// Asked for `song` while a change is on its way: it waits (the last one asked for wins) and
    /// true; else false (go ahead).
    bool defer(int song, bool play) noexcept {
        if (!busy()) return false;
        wanted_ = Wanted{song, play};
        return true;
    }
    /// `song` was cued in the engine to follow.
    void cue(int song, bool runOn) noexcept {
        cued_ = song;
        cuedRunOn_ = runOn;
    }
    /// The cue was withdrawn; `tooLate`: the audio thread had taken it already.
    void withdrawn(bool tooLate) noexcept {
        if (tooLate) taken_ = cued_;
        cued_ = -1;
    }
    /// `song` was cued and a change to it sent (Op::loadCued).
    void sent(int song) noexcept {
        cue(song, false);
        changing_ = song;
    }
    /// The change was dropped by the engine (Op::loadCued not applied).
    void dropped() noexcept { changing_ = -1; }
    /// The engine's songChanged: `song` plays now. The song asked for meanwhile, if any, is
    /// handed back (once) for the player to change to.
    std::optional<Wanted> arrived(int song) noexcept {
        current_ = song;
        if (changing_ == song) changing_ = -1;
        if (taken_ == song) taken_ = -1;
        if (cued_ == song) cued_ = -1; // a run-on: the engine took the cue itself
        std::optional<Wanted> w = wanted_;
        wanted_.reset();
        return w;
    }

private:
    int current_ = -1;
    int cued_ = -1;
    bool cuedRunOn_ = false;
    int changing_ = -1;
    int taken_ = -1;
    std::optional<Wanted> wanted_;
};

} // namespace stemdeck::control
