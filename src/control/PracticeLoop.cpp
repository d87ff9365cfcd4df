#include "stemdeck/control/PracticeLoop.h"

#include <algorithm>

namespace stemdeck::control {

using engine::Quantize;

namespace {
std::int64_t barLine(const PracticeLoop::Grid& g, std::int64_t k) {
    return engine::gridFrame(g.timing, g.rate, Quantize::bar, k);
}
std::int64_t barOf(const PracticeLoop::Grid& g, std::int64_t frame) {
    return engine::toBarBeat(g.timing, g.rate, frame).bar;
}
} // namespace

void PracticeLoop::clear() noexcept {
    a_ = b_ = -1;
    waiting_ = false;
    reloads_ = 0;
}

void PracticeLoop::setA(const Grid& g, std::int64_t here) {
    clear();
    a_ = std::max<std::int64_t>(0, barLine(g, std::max<std::int64_t>(1, barOf(g, here)) - 1));
}

bool PracticeLoop::setB(const Grid& g, std::int64_t here) {
    if (a_ < 0 || here < a_) return false;
    const std::int64_t atLeast = barLine(g, barOf(g, a_));
    const std::int64_t behind = barLine(g, barOf(g, here) - 1);
    std::int64_t b =
        engine::nextGridFrame(g.timing, g.rate, Quantize::bar, here + static_cast<std::int64_t>(g.rate / 10));
    if (static_cast<double>(here - behind) < engine::framesPerBeat(g.timing, g.rate) / 2 && behind >= atLeast)
        b = behind;
    b = std::max(b, atLeast);
    b_ = std::min(b, g.songLength);
    return true;
}

bool PracticeLoop::setBars(const Grid& g, int first, int last) {
    const std::int64_t a = barLine(g, first - 1);
    const std::int64_t b = std::min(barLine(g, last), g.songLength);
    if (first < 1 || last < first || a >= g.songLength) return false;
    clear();
    a_ = a;
    b_ = b;
    return true;
}

void PracticeLoop::restore(const Grid& g, int firstBar, int lastBar) {
    clear();
    if (firstBar <= 0) return;
    a_ = barLine(g, firstBar - 1);
    if (lastBar > 0) b_ = std::min(barLine(g, lastBar), g.songLength);
}

void PracticeLoop::retimed(const engine::SongTiming& was, const engine::SongTiming& now, double rate) noexcept {
    for (std::int64_t* f : {&a_, &b_})
        if (*f >= 0) *f = engine::retimedFrame(was, now, rate, *f);
}

std::pair<int, int> PracticeLoop::barNumbers(const Grid& g) const noexcept {
    const int first = a_ < 0 ? 0 : static_cast<int>(barOf(g, a_));
    const int last = b_ < 0 ? 0 : static_cast<int>(barOf(g, b_) - 1); // B: the next bar's line
    return {first, last};
}

std::string PracticeLoop::rangeText(const Grid& g) const {
    const auto [first, last] = barNumbers(g);
    return first == last ? "bar " + std::to_string(first)
                         : "bars " + std::to_string(first) + "-" + std::to_string(last);
}

std::string PracticeLoop::statusText(const Grid& g) const {
    std::string text;
    if (a_ >= 0) {
        text = b_ < 0 ? "A bar " + std::to_string(barOf(g, a_))
                      : "A-B " + rangeText(g) + (waiting_ ? " (on its way)" : "");
        if (countIn_ > 0) text += ", " + std::to_string(countIn_) + "-bar count-in";
    } else if (countIn_ > 0) {
        text = "A-B count-in " + std::to_string(countIn_) + " bar";
    }
    return text;
}

std::int64_t PracticeLoop::lastBar(const Grid& g) noexcept {
    return barOf(g, std::max<std::int64_t>(0, g.songLength - 1));
}

} // namespace stemdeck::control
