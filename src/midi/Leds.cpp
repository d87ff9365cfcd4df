#include "stemdeck/midi/Leds.h"

#include <algorithm>

namespace stemdeck::midi {

std::optional<int> ledValue(const Binding& b, const engine::Engine& engine, bool locked, bool blinkPhase) {
    if ((!b.ledOn && !b.ledOff) || b.kind == MessageKind::program) return std::nullopt;
    bool lit = false, waiting = false;
    if (b.action == MapAction::scene) { // lit: the scene recalled last; blinking: one waiting for its bar
        lit = engine.lastScene() == static_cast<int>(b.preset.value);
        waiting = engine.pendingScene() == static_cast<int>(b.preset.value);
    } else if (b.action == MapAction::lock || b.action == MapAction::unlock) {
        lit = locked;
    } else if (!b.stems.empty()) {
        const bool soloAction =
            b.action == MapAction::solo || b.action == MapAction::unsolo || b.action == MapAction::toggleSolo;
        const engine::StemStatus& s = engine.stem(b.stems.front());
        lit = soloAction ? s.soloed.load(std::memory_order_relaxed) : s.muted.load(std::memory_order_relaxed);
        for (const int stem : b.stems)
            waiting = waiting || (engine.stem(stem).pending.load(std::memory_order_relaxed) &
                                  (soloAction ? engine::kPendingSolo : engine::kPendingMute)) != 0;
    } else {
        return std::nullopt;
    }
    const int on = b.ledOn.value_or(127), off = b.ledOff.value_or(0);
    if (waiting) return b.ledBlink ? *b.ledBlink : (blinkPhase ? on : off);
    return lit ? on : off;
}

std::vector<unsigned char> ledMessage(const Binding& b, int value) {
    const int channel = b.ledChannel >= 0 ? b.ledChannel : std::max(b.channel, 0);
    const int number = b.ledNumber >= 0 ? b.ledNumber : b.number;
    return {static_cast<unsigned char>((b.kind == MessageKind::note ? 0x90 : 0xB0) | channel),
            static_cast<unsigned char>(number), static_cast<unsigned char>(value)};
}

} // namespace stemdeck::midi
