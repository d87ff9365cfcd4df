#include "stemdeck/control/ShowState.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

namespace stemdeck::control {

namespace {
/// The player's status without what moves by itself (the position and the meters).
PlayerStatus withoutMotion(PlayerStatus s) {
    s.seconds = 0.0;
    s.barBeat = {};
    s.mainPeak = 0.0f;
    for (StemLine& line : s.stems)
        line.peak = 0.0f;
    return s;
}
} // namespace

bool showChanged(const ShowState& a, const ShowState& b) {
    return a.setName != b.setName || a.songs != b.songs || a.notTonight != b.notTonight || a.cuedSong != b.cuedSong ||
           a.currentPlace != b.currentPlace || a.health != b.health || a.locked != b.locked ||
           a.learning != b.learning || a.finished != b.finished || a.clock.rolling != b.clock.rolling ||
           a.midiOut.said != b.midiOut.said || a.timecode.said != b.timecode.said ||
           a.link.said != b.link.said || a.link.peers != b.link.peers || a.link.waiting != b.link.waiting ||
           std::lround(a.link.tempo * 10.0) != std::lround(b.link.tempo * 10.0) || a.clock.tempo != b.clock.tempo ||
           a.clock.transpose != b.clock.transpose || !(withoutMotion(a.player) == withoutMotion(b.player));
}

std::string describeMix(const ShowState& state) {
    const PlayerStatus& p = state.player;
    std::string out = "song " + std::to_string(p.song) + " '" + p.title + "':";
    char text[96];
    for (std::size_t i = 0; i < p.stems.size(); ++i) {
        const engine::StemMix& st = p.stems[i].mix;
        const double db = st.gain > 0.0f ? 20.0 * std::log10(static_cast<double>(st.gain)) : -144.0;
        std::snprintf(text, sizeof text, "%s %zu %s%s%s %.1f dB", i == 0 ? "" : ";", i + 1, p.stems[i].name.c_str(),
                      st.muted ? " muted" : "", st.soloed ? " solo" : "", db);
        out += text;
        if (st.filter != 0.0f) {
            std::snprintf(text, sizeof text, " filter %+.2f", static_cast<double>(st.filter));
            out += text;
        }
    }
    if (p.scene >= 0) out += "; scene " + std::to_string(p.scene + 1);
    if (p.reference) out += "; reference";
    if (state.locked) out += "; locked";
    return out;
}

ShowStatePublisher::ShowStatePublisher() : latest_(std::make_shared<const ShowState>()), newest_(latest_) {}

void ShowStatePublisher::publish(ShowState next) {
    const ShowState& before = *newest_;
    next.version = before.version + 1;
    next.changes = before.changes + (before.version == 0 || showChanged(before, next) ? 1 : 0);
    newest_ = std::make_shared<const ShowState>(std::move(next));
    std::unique_lock lock(pointerMutex_, std::try_to_lock);
    if (!lock.owns_lock()) return; // a reader is copying the pointer: the next publish swaps it in
    swapIn(lock);
}

void ShowStatePublisher::flush() {
    std::unique_lock lock(pointerMutex_);
    if (latest_ != newest_) swapIn(lock);
}

void ShowStatePublisher::swapIn(std::unique_lock<std::mutex>& lock) {
    std::shared_ptr<const ShowState> old = std::exchange(latest_, newest_);
    lock.unlock();
    version_.store(newest_->version, std::memory_order_release);
    changed_.notify_all();
    // `old` goes here, outside the lock (or with the last reader that still holds it).
}

std::shared_ptr<const ShowState> ShowStatePublisher::latest() const {
    std::lock_guard lock(pointerMutex_);
    return latest_;
}

std::shared_ptr<const ShowState> ShowStatePublisher::waitForVersion(std::uint64_t seen, int timeoutMs) const {
    using Clock = std::chrono::steady_clock;
    const auto until = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (version_.load(std::memory_order_acquire) <= seen) {
        const auto now = Clock::now();
        if (now >= until) break;
        std::unique_lock lock(waitMutex_);
        changed_.wait_for(lock, std::min<Clock::duration>(until - now, std::chrono::milliseconds(kWaitStepMs)),
                          [&] { return version_.load(std::memory_order_acquire) > seen; });
    }
    return latest();
}

} // namespace stemdeck::control
