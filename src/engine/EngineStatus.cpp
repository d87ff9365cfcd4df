// What the engine tells the rest: events (one queue, never blocking) and the state published once a
// block (atomics: meters, stems, transport, waiting commands).
#include "stemdeck/engine/Engine.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

bool Engine::nextEvent(Event& event) noexcept {
    return events_->try_dequeue(event);
}

void Engine::emit(EventType type, std::int64_t frame, std::int8_t stem, std::uint8_t action) noexcept {
    const Event e{type, action, stem, frame, transport_.position(), song_.id};
    if (!events_->try_enqueue(*eventToken_, e)) lostEvents_.fetch_add(1, std::memory_order_relaxed);
}

void Engine::emitCue(std::int64_t frame, std::int32_t cue, std::int32_t song) noexcept {
    Event e{EventType::oscCue, 0, -1, frame, transport_.position(), song};
    e.cue = cue;
    if (!events_->try_enqueue(*eventToken_, e)) lostEvents_.fetch_add(1, std::memory_order_relaxed);
}

void Engine::publish(float* left, float* right, int n) noexcept {
    std::array<std::uint8_t, kMaxStems> waiting{}; // per stem: quantised commands still waiting for their grid line
    int sceneWaiting = -1;
    for (std::size_t k = 0; k < schedule_.size(); ++k) {
        const Command& c = schedule_[k].command;
        if (c.op == Op::scene && c.quantize != Quantize::none) sceneWaiting = static_cast<int>(c.value);
        if (c.quantize == Quantize::none || c.stem < 0 || c.stem >= kMaxStems) continue;
        const bool mute = c.op == Op::mute || c.op == Op::unmute || c.op == Op::toggleMute;
        const bool solo = c.op == Op::solo || c.op == Op::unsolo || c.op == Op::toggleSolo;
        waiting[static_cast<std::size_t>(c.stem)] |= mute ? kPendingMute : solo ? kPendingSolo : kPendingOther;
    }
    for (int i = 0; i < song_.stemCount; ++i) {
        const auto si = static_cast<std::size_t>(i);
        Channel& c = chains_.channel(i);
        float peak = 0.0f;
        double sum = 0.0;
        long frames = 0;
        c.takeMeter(peak, sum, frames);
        StemStatus& s = stems_[si];
        s.peak.store(peak, std::memory_order_relaxed);
        s.rms.store(frames > 0 ? static_cast<float>(std::sqrt(sum / static_cast<double>(frames))) : 0.0f,
                    std::memory_order_relaxed);
        s.store({c.muted(), c.soloed(), c.gain(), chains_.filters().targetKnob(i)});
        s.pending.store(waiting[si], std::memory_order_relaxed);
    }
    float peak = 0.0f, sum = 0.0f;
#pragma omp simd reduction(max : peak) reduction(+ : sum)
    for (int i = 0; i < n; ++i) {
        const float a = std::fabs(left[i]) > std::fabs(right[i]) ? std::fabs(left[i]) : std::fabs(right[i]);
        peak = a > peak ? a : peak;
        sum += 0.5f * (left[i] * left[i] + right[i] * right[i]);
    }
    mainPeak_.store(peak, std::memory_order_relaxed);
    mainRms_.store(n > 0 ? std::sqrt(sum / static_cast<float>(n)) : 0.0f, std::memory_order_relaxed);
    pendingScene_.store(sceneWaiting, std::memory_order_relaxed);
    loopStart_.store(vamp_.on() ? vamp_.start() : -1, std::memory_order_relaxed);
    songFrame_.store(transport_.position(), std::memory_order_relaxed);
    readFrame_.store(std::max(transport_.position(), silentBefore_), std::memory_order_relaxed);
    // A start held for Link's bar counts as rolling: the control side's toggles, song changes and
    // quit treat it as playing (a second press cancels the wait, quit stops it).
    rolling_.store(transport_.rolling() || linkHold_, std::memory_order_relaxed);
    outputFrame_.store(outFrame_, std::memory_order_relaxed);
}

} // namespace stemdeck::engine
