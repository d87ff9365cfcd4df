#pragma once
// The commands waiting in the engine for their frame: exact-frame commands, and quantised ones
// until their beat or bar. A fixed, sorted list; no allocation, no locks (audio thread only).
#include <array>
#include <cstddef>
#include <cstdint>

#include "stemdeck/engine/Command.h"
#include "stemdeck/engine/Constants.h"

namespace stemdeck::engine {

class CommandSchedule {
public:
    struct Entry {
        Command command;
        std::int64_t due = 0;  ///< output frame at which it is applied (or resolved, if quantised)
        std::uint64_t seq = 0; ///< keeps commands due on the same frame in arrival order
        bool resolved = false; ///< quantisation already turned into `due`
    };

    enum class Added : std::uint8_t {
        queued,     ///< in the list
        superseded, ///< an older move than the one already waiting for the same stem: left out
        full,       ///< no room: the caller counts and reports the drop
    };

    /// @thread audio. Puts `entry` in (due, seq) order. A gain or filter move bound with a
    /// quantize replaces the move still waiting for the same stem (the newer by seq stands: a
    /// fader sending 200 messages a second is one target for the bar line, not 200 waiting
    /// commands). Quantised commands never take the last kPendingReservedForNow places, so a
    /// command that applies now always finds room.
    Added add(const Entry& entry) noexcept;

    /// @thread audio. The sequence number for the next command to arrive.
    std::uint64_t nextSeq() noexcept { return seq_++; }

    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    /// The first entry's frame (the list must not be empty).
    [[nodiscard]] std::int64_t nextDue() const noexcept { return entries_[0].due; }
    [[nodiscard]] const Entry& operator[](std::size_t i) const noexcept { return entries_[i]; }

    /// @thread audio. Removes and returns the first entry (the list must not be empty).
    Entry pop() noexcept;

    /// @thread audio. Drops every quantised entry (a panic); exact-frame ones stay.
    void dropQuantised() noexcept;

    /// @thread audio. Quantised entries already resolved to a grid line are due `now` again, to be
    /// resolved afresh (the grid changed under them: a retime).
    void unresolve(std::int64_t now) noexcept;

    /// @thread control, audio not running.
    void clear() noexcept { count_ = 0; }

private:
    std::array<Entry, kMaxPendingCommands> entries_{};
    std::size_t count_ = 0;
    std::uint64_t seq_ = 0;
};

} // namespace stemdeck::engine
