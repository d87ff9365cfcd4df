#pragma once
// Playback on a real audio device through JUCE's AudioDeviceManager (ALSA and JACK on Linux).
#include <atomic>
#include <iosfwd>
#include <optional>
#include <string>

#include "stemdeck/engine/Engine.h"

namespace stemdeck::audio {

struct DeviceOptions {
    std::string driver;             ///< "alsa", "jack" or "" for the first that has a device
    std::string device;             ///< substring of the device name, case-insensitive; "" = default
    std::optional<int> sampleRate;  ///< default: the song's rate
    std::optional<int> blockFrames; ///< default: the device's
};

enum class PlayResult {
    finished,    ///< the song played to its end
    interrupted, ///< stopRequested was set (Ctrl-C, SIGTERM); stopped with a fade
    noDevice,    ///< no audio output device exists on this machine
};

/// @thread control. Opens the device, prepares the engine at the device's rate and block size,
/// loads the song and plays it until it ends or `stopRequested` becomes true, logging to `log`.
/// Throws stemdeck::Error when a requested driver or device does not exist (listing those that
/// do) or the device cannot run at the song's rate.
PlayResult playOnDevice(engine::Engine& engine, const engine::SongView& song, int songRate, const std::string& title,
                        const DeviceOptions& options, const std::atomic<bool>& stopRequested, std::ostream& log);

} // namespace stemdeck::audio
