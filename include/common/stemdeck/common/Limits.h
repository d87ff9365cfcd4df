#pragma once
// The limits a set file, a stem folder and the engine must agree on. The engine sizes its slots
// from these; the set-file and folder rules refuse more than these, in words.

namespace stemdeck {

/// Stems per song: the stem-delivery convention (../shared/STEMS.md) is four to eight.
inline constexpr int kMaxStems = 8;

/// Scenes per song (a controller's pad row).
inline constexpr int kMaxScenes = 8;

} // namespace stemdeck
