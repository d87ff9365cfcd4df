#pragma once
// The song cued to follow the current one: put there by the control thread, taken by the audio
// thread (on a loadCued command, or at the current song's end when it runs on). One atomic word:
// the view's address with the run-on flag in its low bit.
#include <atomic>
#include <cstdint>

namespace stemdeck::engine {

struct SongView;

class SongSlot {
public:
    /// @thread control. The view must be complete before it is cued (release); nullptr empties it.
    void cue(const SongView* next, bool runOn) noexcept {
        const auto word = reinterpret_cast<std::uintptr_t>(next) | (next != nullptr && runOn ? 1u : 0u);
        word_.store(word, std::memory_order_release);
    }

    /// @thread control. Takes the cue back: the view that was cued and not yet taken (it may be
    /// freed now), or nullptr when nothing was cued or the audio thread already took it.
    const SongView* withdraw() noexcept { return view(word_.exchange(0, std::memory_order_acq_rel)); }

    /// @thread audio. Takes whatever is cued (nullptr: nothing).
    const SongView* take() noexcept { return view(word_.exchange(0, std::memory_order_acquire)); }

    /// @thread audio. Takes the cued song if it runs on (nullptr: nothing cued, or not to run on).
    const SongView* takeRunOn() noexcept {
        std::uintptr_t word = word_.load(std::memory_order_acquire);
        if ((word & 1u) != 0 && word_.compare_exchange_strong(word, 0, std::memory_order_acquire)) return view(word);
        return nullptr;
    }

    /// @thread control, audio not running.
    void clear() noexcept { word_.store(0, std::memory_order_relaxed); }

private:
    static const SongView* view(std::uintptr_t word) noexcept {
        return reinterpret_cast<const SongView*>(word & ~std::uintptr_t{1});
    }
    std::atomic<std::uintptr_t> word_{0};
    static_assert(std::atomic<std::uintptr_t>::is_always_lock_free);
};

} // namespace stemdeck::engine
