#pragma once
// The offline renderer: the same Engine a device drives, driven block by block with no device.
#include <cstdint>
#include <functional>
#include <vector>

#include "stemdeck/control/EventScript.h"
#include "stemdeck/engine/Engine.h"

namespace stemdeck::control {

/// Where rendered audio goes. @thread the render thread (never inside process()).
class RenderSink {
public:
    virtual ~RenderSink() = default;
    virtual void write(const float* left, const float* right, int n) = 0;
};

/// Keeps the render in memory (tests, analysis).
class MemorySink final : public RenderSink {
public:
    void write(const float* left, const float* right, int n) override {
        left_.insert(left_.end(), left, left + n);
        right_.insert(right_.end(), right, right + n);
    }
    std::vector<float> left_, right_;
};

/// Brackets every Engine::process() call: the real-time-safety test enters RealtimeSanitizer's
/// real-time context here. Both calls run on the render (audio) thread.
class ProcessObserver {
public:
    virtual ~ProcessObserver() = default;
    virtual void beforeProcess() noexcept = 0;
    virtual void afterProcess() noexcept = 0;
};

struct RenderOptions {
    int blockFrames = 128;
    std::vector<int> blockPattern; ///< if set, block sizes cycle through it (random-size tests)
    bool autoPlay = true;          ///< press play on the first frame
    std::int64_t maxFrames = 0;    ///< 0: song length + last event + 60 s, a guard against loops
    ProcessObserver* observer = nullptr;
    /// Wait before each block until every stem can supply it (an offline render must not outrun
    /// the disk). Off for renders paced like a device, which must show underruns instead.
    bool waitForDisk = true;
    /// Called before each block with the output frame it starts at (tests: faults mid-render).
    std::function<void(std::int64_t)> beforeBlock;
    /// Sleep so that blocks are rendered no faster than real time (a device's pace).
    bool realTimePace = false;
    /// Called after each block with the output frame it started at, its length and the frame the
    /// render ends on (-1: not yet known; once known, no block follows): `render --midi-out` takes
    /// the block's MIDI messages here.
    std::function<void(const engine::Engine&, std::int64_t blockStart, int n, std::int64_t end)> afterBlock;
    /// Called once the engine is prepared, before the song is set (the MIDI output's options).
    std::function<void(engine::Engine&)> onPrepared;
    /// Set: the engine renders its LTC bus too, and this gets each block's LTC (as many frames as
    /// the sink gets: `render --ltc`).
    std::function<void(const float* ltc, int n)> ltcSink;
    /// Set: the engine renders its click bus (and the spoken guide on it, unless guideSink is set
    /// too), and this gets each block's (`render --click-output`).
    std::function<void(const float* click, int n)> clickSink;
    /// Set: the spoken guide on its own bus, and this gets each block's (`render --guide-output`).
    std::function<void(const float* guide, int n)> guideSink;
    engine::ClickMode click = engine::ClickMode::off; ///< what the click bus plays (sent before play)
};

struct RenderReport {
    std::int64_t frames = 0; ///< frames written to the sink
    bool songEnded = false;
    std::uint64_t droppedCommands = 0; ///< commands the queue or the engine could not take
    std::uint64_t underruns = 0;       ///< blocks in which a stem came back short (one per stem and block), all songs
    std::vector<std::int64_t> songStarts; ///< output frame where each song began
    std::vector<engine::Event> events;    ///< everything the engine reported, in order
};

/// @thread control (it plays the audio thread's part itself). Prepares the engine at sampleRate,
/// loads the song, issues each scripted command just before the block it falls in (as a MIDI or
/// UI thread would), and renders until the song ends or it is stopped with no events left. The
/// output ends exactly on the song's last frame or on the frame the stop fade finished.
RenderReport renderSong(engine::Engine& engine, const engine::SongView& song, double sampleRate,
                        const std::vector<control::ScriptEvent>& script, RenderSink& sink,
                        const RenderOptions& options = {});

/// @thread control. Renders songs back to back, each run on into the next with no gap (each is
/// cued while the one before plays), until the last one ends or is stopped for good. Script
/// frames count from the start of the whole render.
RenderReport renderSongs(engine::Engine& engine, const std::vector<engine::SongView>& songs, double sampleRate,
                         const std::vector<control::ScriptEvent>& script, RenderSink& sink,
                         const RenderOptions& options = {});

} // namespace stemdeck::control
