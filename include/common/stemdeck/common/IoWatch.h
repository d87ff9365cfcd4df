#pragma once
// A file that never answers. A read on a hard NFS mount or a FUSE filesystem whose server went
// away sleeps in the kernel where no timeout reaches: the thread that asked cannot be woken or
// stopped. Work on files that must not hang the show (check, the preflight, the GUI's waveforms,
// a song's load) runs in a worker of its own, watched for progress: when it goes ioTimeout()
// without a beat, the caller gets NoAnswer naming the file it was on, and carries on. The worker
// is left behind, asleep in its read; it ends on its own if the read ever returns.
//
// Progress, not duration: a long file on a slow share that keeps answering is not a stall. The
// decoders beat after every read (ioBeat) and name the file they open (ioFile).
#include <atomic>
#include <chrono>
#include <concepts>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "stemdeck/common/Error.h"

namespace stemdeck {

/// How long a file may go without answering before it is called stalled. Process-wide, set once
/// at start (`--io-timeout SECONDS`; default 10 s).
[[nodiscard]] std::chrono::milliseconds ioTimeout() noexcept;
void setIoTimeout(std::chrono::milliseconds timeout) noexcept;

/// @thread any. The file the watched work on this thread is on now (named if it stops answering);
/// a beat too. Does nothing outside watched work.
void ioFile(const std::filesystem::path& file);
/// @thread any. A beat: the watched work on this thread has made progress (a read came back).
void ioBeat() noexcept;

/// "no answer from FILE in 10 s": the file, and what to do.
class NoAnswer : public Error {
public:
    NoAnswer(const std::filesystem::path& file, std::chrono::milliseconds after);
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
    /// What is wrong ("no answer from FILE in 10 s: the disk … has stopped answering"), without
    /// the fix (noAnswerFix()); what() is both.
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

private:
    std::filesystem::path file_;
    std::string problem_;
};

/// What to do about a file that does not answer.
[[nodiscard]] std::string noAnswerFix();
/// What is wrong with it: "no answer from FILE in 10 s: the disk … has stopped answering".
[[nodiscard]] std::string noAnswerProblem(const std::filesystem::path& file, std::chrono::milliseconds after);

/// Watched work waited for on this thread is given up on as soon as `cancel` is set (IoCancelled),
/// for as long as this scope lasts: the preflight's thread, told to stop, does not wait out a
/// stalled share's timeout.
class IoCancelScope {
public:
    explicit IoCancelScope(const std::atomic<bool>& cancel);
    ~IoCancelScope();
    IoCancelScope(const IoCancelScope&) = delete;
    IoCancelScope& operator=(const IoCancelScope&) = delete;

private:
    const std::atomic<bool>* previous_;
};

/// Watched work given up on because its waiter was told to stop (IoCancelScope).
class IoCancelled : public Error {
public:
    using Error::Error;
};

/// The words for a file that did not answer in `after` ("no answer from FILE in 10 s: …").
[[nodiscard]] std::string noAnswerText(const std::filesystem::path& file, std::chrono::milliseconds after);

namespace detail {
struct Watch;
/// Work on a thread of its own and what its caller needs to watch it (the untyped half of WatchedIo).
class WatchedRun {
public:
    /// Starts `work` on a new thread. `work` owns everything it touches (it may outlive the caller).
    explicit WatchedRun(std::function<void()> work);
    /// Waits until the work ends (rethrowing what it threw) or goes `timeout` without a beat (then
    /// throws NoAnswer and leaves the thread behind). While it waits, the caller counts as making
    /// progress for any watch around it: the inner watch answers for this stretch.
    void wait(std::chrono::milliseconds timeout);

private:
    std::shared_ptr<Watch> watch_;
};
} // namespace detail

/// Work started now on a thread of its own, watched for progress: get() returns what it returns,
/// throws what it throws, or throws NoAnswer when it has gone `timeout` without a beat. Several may
/// run at once (a song's stems, opened side by side): the time without progress is each one's own,
/// so N stalled files cost one timeout, not N. `job` must own what it uses (capture by value):
/// after a NoAnswer it runs on, unwatched, for as long as its read sleeps. Watched work may nest.
template <class R>
class WatchedIo {
public:
    template <class Job>
    requires std::invocable<Job&>
    explicit WatchedIo(Job job)
        : result_(std::make_shared<std::optional<R>>()),
          run_([result = result_, job = std::move(job)]() mutable { result->emplace(job()); }) {}
    R get(std::chrono::milliseconds timeout = ioTimeout()) {
        run_.wait(timeout);
        return std::move(**result_);
    }

private:
    std::shared_ptr<std::optional<R>> result_;
    detail::WatchedRun run_;
};

/// Runs `job` on a worker thread, watched (WatchedIo), and waits for it.
template <class Job>
auto watchedIo(Job job, std::chrono::milliseconds timeout = ioTimeout()) -> std::invoke_result_t<Job&> {
    using R = std::invoke_result_t<Job&>;
    if constexpr (std::is_void_v<R>) {
        detail::WatchedRun(std::move(job)).wait(timeout);
    } else {
        return WatchedIo<R>(std::move(job)).get(timeout);
    }
}

} // namespace stemdeck
