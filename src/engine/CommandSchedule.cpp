#include "stemdeck/engine/CommandSchedule.h"

#include <algorithm>

namespace stemdeck::engine {

CommandSchedule::Added CommandSchedule::add(const Entry& e) noexcept {
    const Command& c = e.command;
    const bool quantised = c.quantize != Quantize::none;
    if (quantised && (c.op == Op::gain || c.op == Op::filter))
        for (std::size_t i = 0; i < count_; ++i) {
            const Command& w = entries_[i].command;
            if (w.op == c.op && w.stem == c.stem && w.quantize == c.quantize) {
                if (entries_[i].seq > e.seq) return Added::superseded; // re-inserting an older move
                std::copy(entries_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                          entries_.begin() + static_cast<std::ptrdiff_t>(count_),
                          entries_.begin() + static_cast<std::ptrdiff_t>(i));
                --count_;
                break; // at most one waits by construction
            }
        }
    const std::size_t room = quantised ? entries_.size() - kPendingReservedForNow : entries_.size();
    if (count_ >= room) return Added::full;
    // Sorted by (due, seq): the list is short and nearly always appended to.
    std::size_t i = count_;
    while (i > 0 && (entries_[i - 1].due > e.due || (entries_[i - 1].due == e.due && entries_[i - 1].seq > e.seq))) {
        entries_[i] = entries_[i - 1];
        --i;
    }
    entries_[i] = e;
    ++count_;
    return Added::queued;
}

CommandSchedule::Entry CommandSchedule::pop() noexcept {
    const Entry first = entries_[0];
    std::copy(entries_.begin() + 1, entries_.begin() + static_cast<std::ptrdiff_t>(count_), entries_.begin());
    --count_;
    return first;
}

void CommandSchedule::dropQuantised() noexcept {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count_; ++i)
        if (entries_[i].command.quantize == Quantize::none) entries_[kept++] = entries_[i];
    count_ = kept;
}

void CommandSchedule::unresolve(std::int64_t now) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
        if (Entry& e = entries_[i]; e.resolved) {
            e.resolved = false;
            e.due = now;
        }
    // Back into (due, seq) order: an insertion sort, in place (at most kMaxPendingCommands).
    for (std::size_t i = 1; i < count_; ++i) {
        const Entry e = entries_[i];
        std::size_t j = i;
        while (j > 0 &&
               (entries_[j - 1].due > e.due || (entries_[j - 1].due == e.due && entries_[j - 1].seq > e.seq))) {
            entries_[j] = entries_[j - 1];
            --j;
        }
        entries_[j] = e;
    }
}

} // namespace stemdeck::engine
