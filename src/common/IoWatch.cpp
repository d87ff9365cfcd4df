#include "stemdeck/common/IoWatch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "stemdeck/common/Thread.h"

namespace stemdeck {

namespace fs = std::filesystem;

namespace {
std::atomic<long long> timeoutMs{10'000};

std::int64_t nowNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

thread_local std::shared_ptr<detail::Watch> current;
} // namespace

namespace detail {
/// One piece of watched work: when it last made progress and the file it is on, shared by the
/// worker and the one waiting for it (who may have given up: then only the worker holds it).
struct Watch {
    std::shared_ptr<Watch> outer; // watched work this one runs inside, if any: it gets our beats too
    std::atomic<std::int64_t> lastBeatNs{nowNs()};
    std::mutex mutex;
    std::condition_variable ended;
    bool done = false;
    std::exception_ptr error;
    fs::path file;
};
} // namespace detail

std::chrono::milliseconds ioTimeout() noexcept {
    return std::chrono::milliseconds(timeoutMs.load());
}
void setIoTimeout(std::chrono::milliseconds timeout) noexcept {
    timeoutMs.store(timeout.count());
}

void ioBeat() noexcept {
    if (current == nullptr) return; // (the disk thread, and all unwatched work: no clock read)
    const std::int64_t now = nowNs();
    for (detail::Watch* w = current.get(); w != nullptr; w = w->outer.get())
        w->lastBeatNs.store(now, std::memory_order_relaxed);
}

void ioFile(const fs::path& file) {
    for (detail::Watch* w = current.get(); w != nullptr; w = w->outer.get()) {
        std::lock_guard<std::mutex> lock(w->mutex);
        w->file = file;
    }
    ioBeat();
}

std::string noAnswerText(const fs::path& file, std::chrono::milliseconds after) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%g", static_cast<double>(after.count()) / 1000.0);
    return "no answer from " + (file.empty() ? std::string("the disk") : file.string()) + " in " + secs +
           " s: the disk or network share it is on has stopped answering; copy the songs to the laptop's own disk "
           "(a network share or USB stick can stall during a show), or wait longer with --io-timeout SECONDS";
}

NoAnswer::NoAnswer(const fs::path& file, std::chrono::milliseconds after)
    : Error(noAnswerText(file, after)), file_(file) {}

namespace detail {

WatchedRun::WatchedRun(std::function<void()> work) : watch_(std::make_shared<Watch>()) {
    watch_->outer = current;
    std::thread([watch = watch_, work = std::move(work)]() mutable {
        setThreadName("stemdeck-io");
        current = watch;
        try {
            work();
        } catch (...) {
            watch->error = std::current_exception();
        }
        work = nullptr; // what the job owned is freed here, on this thread, before the waiter hears of it
        current.reset();
        std::lock_guard<std::mutex> lock(watch->mutex);
        watch->done = true;
        watch->ended.notify_all();
    }).detach();
}

void WatchedRun::wait(std::chrono::milliseconds timeout) {
    // Looked at four times per timeout; in between, the caller beats for any watch around it (it
    // is not stalled: this wait ends within the timeout).
    const auto slice = std::max(timeout / 4, std::chrono::milliseconds(5));
    std::unique_lock<std::mutex> lock(watch_->mutex);
    while (!watch_->ended.wait_for(lock, slice, [&] { return watch_->done; })) {
        const std::int64_t quiet = nowNs() - watch_->lastBeatNs.load(std::memory_order_relaxed);
        if (quiet >= std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count())
            throw NoAnswer(watch_->file, timeout); // the worker sleeps on, holding its own `watch`
        ioBeat();
    }
    if (watch_->error) std::rethrow_exception(watch_->error);
}

} // namespace detail
} // namespace stemdeck
