#include "SongLoader.h"

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Thread.h"

namespace stemdeck::control {

SongLoader::SongLoader() : thread_([this] { run(); }) {}

SongLoader::~SongLoader() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

bool SongLoader::start(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (job_ || running_ || result_) return false;
        job_ = std::move(job);
    }
    changed_.notify_all();
    return true;
}

std::optional<SongLoader::Result> SongLoader::take() {
    std::lock_guard lock(mutex_);
    std::optional<Result> r = std::move(result_);
    result_.reset();
    return r;
}

bool SongLoader::busy() const {
    std::lock_guard lock(mutex_);
    return job_.has_value() || running_ || result_.has_value();
}

bool SongLoader::waitUntilDone(double timeoutSeconds) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(timeoutSeconds),
                             [this] { return !job_ && !running_; });
}

void SongLoader::run() {
    setThreadName("stemdeck-load");
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || job_.has_value(); });
            if (stopping_) return;
            job = std::move(*job_);
            job_.reset();
            running_ = true;
        }
        Result r;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            Song song = loadSong(job.source, job.options);
            for (const std::int64_t frame : job.cues)
                song.addCue(frame);
            r.song = std::move(song);
        } catch (const Error& e) {
            r.error = e.what();
        } catch (const std::exception& e) { // (a bad_alloc: said, never the end of the show)
            r.error = e.what();
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        {
            std::lock_guard lock(mutex_);
            result_ = std::move(r);
            running_ = false;
        }
        changed_.notify_all();
    }
}

} // namespace stemdeck::control
