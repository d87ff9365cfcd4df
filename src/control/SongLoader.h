#pragma once
// Loads a song on a thread of its own ("stemdeck-load"), so the control thread never waits for a
// decoder, a stretcher or a RAM head: a live tempo or key step, or the A-B loop's reload, is
// asked for here and picked up by a later tick once it is ready. One load at a time, in order.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stemdeck/control/Song.h"

namespace stemdeck::control {

class SongLoader {
public:
    /// A load asked for: the folder, its options, and song frames to hold in RAM (cues).
    struct Job {
        std::filesystem::path source;
        SongOptions options;
        std::vector<std::int64_t> cues;
    };
    /// What came of it.
    struct Result {
        std::optional<Song> song; ///< nullopt: it failed (error says why)
        std::string error;
        double seconds = 0.0; ///< how long the load took
    };

    SongLoader();
    ~SongLoader(); ///< waits for a load under way, then stops the thread

    SongLoader(const SongLoader&) = delete;
    SongLoader& operator=(const SongLoader&) = delete;

    /// @thread control. Starts a load (false while one is under way or not yet taken).
    bool start(Job job);
    /// @thread control, non-blocking. The finished load, once (nullopt while it runs or if none).
    [[nodiscard]] std::optional<Result> take();
    /// @thread control. True from start() until take() has returned its result.
    [[nodiscard]] bool busy() const;
    /// @thread control (offline runs and tests, which drive the engine faster than real time):
    /// waits until a load under way has finished; false after `timeoutSeconds`.
    bool waitUntilDone(double timeoutSeconds) const;

private:
    void run();

    mutable std::mutex mutex_; // held for moving a job or a result, never during a load
    mutable std::condition_variable changed_;
    std::optional<Job> job_;
    std::optional<Result> result_;
    bool running_ = false; // a job is being loaded
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace stemdeck::control
