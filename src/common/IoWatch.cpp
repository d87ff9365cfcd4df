#include "stemdeck/common/IoWatch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "stemdeck/common/Clock.h"
#include "stemdeck/common/Thread.h"

namespace stemdeck {

namespace fs = std::filesystem;

namespace {
std::atomic<long long> timeoutMs{10'000};

thread_local std::shared_ptr<detail::Watch> current;
} // namespace

namespace detail {
/// One piece of watched work: when it last made progress and the file it is on, shared by the
/// worker and the one waiting for it (who may have given up: then only the worker holds it).
struct Watch {
    std::shared_ptr<Watch> outer; // watched work this one runs inside, if any: it gets our beats too
    std::atomic<std::int64_t> lastBeatNs{steadyNs()};
    std::atomic<bool> abandoned{false}; // its waiter gave up: its beats count for nobody any more
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
    const std::int64_t now = steadyNs();
    // (work given up on beats for nobody: a read that comes back late must not make the work
    // around it look alive, nor name its file)
    for (detail::Watch* w = current.get(); w != nullptr && !w->abandoned.load(std::memory_order_relaxed);
         w = w->outer.get())
        w->lastBeatNs.store(now, std::memory_order_relaxed);
}

void ioFile(const fs::path& file) {
    for (detail::Watch* w = current.get(); w != nullptr && !w->abandoned.load(std::memory_order_relaxed);
         w = w->outer.get()) {
        std::lock_guard<std::mutex> lock(w->mutex);
        w->file = file;
    }
    ioBeat();
}

std::string noAnswerProblem(const fs::path& file, std::chrono::milliseconds after) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%g", static_cast<double>(after.count()) / 1000.0);
    return "no answer from " + (file.empty() ? std::string("the disk") : file.string()) + " in " + secs +
           " s: the disk or network share it is on has stopped answering";
}

std::string noAnswerFix() {
    return "copy the songs to the laptop's own disk (a network share or USB stick can stall during a show), or "
           "wait longer with --io-timeout SECONDS";
}

std::string noAnswerText(const fs::path& file, std::chrono::milliseconds after) {
    return noAnswerProblem(file, after) + "; " + noAnswerFix();
}

NoAnswer::NoAnswer(const fs::path& file, std::chrono::milliseconds after)
    : Error(noAnswerText(file, after)), file_(file), problem_(noAnswerProblem(file, after)) {}

namespace {
thread_local const std::atomic<bool>* cancelFlag = nullptr;
} // namespace

IoCancelScope::IoCancelScope(const std::atomic<bool>& cancel) : previous_(cancelFlag) {
    cancelFlag = &cancel;
}
IoCancelScope::~IoCancelScope() {
    cancelFlag = previous_;
}

namespace detail {

WatchedRun::WatchedRun(std::function<void()> work) : watch_(std::make_shared<Watch>()) {
    watch_->outer = current;
    auto run = [watch = watch_, work = std::move(work)]() mutable {
        const std::shared_ptr<Watch> outer = std::exchange(current, watch); // (run inline: the caller's)
        try {
            work();
        } catch (...) {
            watch->error = std::current_exception();
        }
        work = nullptr; // what the job owned is freed here, on this thread, before the waiter hears of it
        current = outer;
        std::lock_guard<std::mutex> lock(watch->mutex);
        watch->done = true;
        watch->ended.notify_all();
    };
    try {
        std::thread([r = run]() mutable { // (a copy: `run` stays whole for the fallback below)
            setThreadName("stemdeck-io");
            r();
        })
            .detach();
    } catch (const std::system_error&) {
        // No thread to be had (the process's limit): the work runs here, unwatched, rather than
        // not at all.
        run();
    }
}

void WatchedRun::wait(std::chrono::milliseconds timeout) {
    // Looked at four times per timeout; in between, the caller beats for any watch around it (it
    // is not stalled: this wait ends within the timeout).
    // The quiet time is the work's own, from its last beat: several jobs started together and
    // waited for one after another all give up at their own timeout, not one after another.
    const std::int64_t limit = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    const std::int64_t slice = std::max<std::int64_t>(limit / 4, 5'000'000);
    const std::atomic<bool>* cancel = cancelFlag;
    std::unique_lock<std::mutex> lock(watch_->mutex);
    for (;;) {
        const std::int64_t quiet = steadyNs() - watch_->lastBeatNs.load(std::memory_order_relaxed);
        const bool cancelled = cancel != nullptr && cancel->load(std::memory_order_relaxed);
        if (!watch_->done && (quiet >= limit || cancelled)) {
            watch_->abandoned.store(true, std::memory_order_relaxed);
            if (cancelled) throw IoCancelled("stopped while waiting for " + watch_->file.string());
            throw NoAnswer(watch_->file, timeout); // the worker sleeps on, holding its own `watch`
        }
        const auto wait = std::chrono::nanoseconds(std::clamp<std::int64_t>(limit - quiet, 1'000'000, slice));
        if (watch_->ended.wait_for(lock, wait, [&] { return watch_->done; })) break;
        ioBeat();
    }
    if (watch_->error) std::rethrow_exception(watch_->error);
}

} // namespace detail
} // namespace stemdeck
