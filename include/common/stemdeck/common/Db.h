#pragma once
// Decibels: the one conversion between linear gains or sample levels and dB, and the one way
// they are written for people ("-3.0 dBFS", "-inf").
#include <cmath>
#include <limits>
#include <string>

namespace stemdeck {

/// @thread any, wait-free. 20·log10(linear); `silence` (−∞ unless given) for 0 and below.
[[nodiscard]] inline double toDb(double linear, double silence = -std::numeric_limits<double>::infinity()) noexcept {
    return linear > 0.0 ? 20.0 * std::log10(linear) : silence;
}

/// @thread any, wait-free. The linear gain of `db` decibels.
[[nodiscard]] inline double fromDb(double db) noexcept {
    return std::pow(10.0, db / 20.0);
}

/// @thread control. `linear` in dB to a tenth ("+2.0", "-3.5"; without the plus sign unless
/// `plusSign`), then `unit` (" dBFS"); "-inf" and the unit for silence.
[[nodiscard]] std::string formatDb(double linear, const char* unit = "", bool plusSign = true);

} // namespace stemdeck
