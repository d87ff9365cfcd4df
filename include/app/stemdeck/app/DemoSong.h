#pragma once
// The bundled demo song, synthesised by stemdeck itself (deterministic; nothing is downloaded).
#include <filesystem>

namespace stemdeck::app {

/// Tempo and shape of the demo: 120 BPM, 4/4, A minor, 32 bars (intro, build, breakdown with a
/// riser, drop) plus a two-second tail.
inline constexpr double kDemoBpm = 120.0;
inline constexpr int kDemoBars = 32;

/// @thread control. Writes a delivery-convention stem folder into `dir` (created if missing):
/// 01_Drums … 06_Vox as 24-bit stereo WAV, 00_MIX_REFERENCE.wav (the exact sum of the stems) and
/// readme.txt with BPM and key. The same input always writes the same samples.
void writeDemoSong(const std::filesystem::path& dir, int sampleRate = 48000);

/// @thread control. True when `dir` already holds a complete demo song.
[[nodiscard]] bool demoSongPresent(const std::filesystem::path& dir);

} // namespace stemdeck::app
