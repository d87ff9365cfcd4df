#pragma once
// The show's lifecycle on its own control thread, written once for `play` and the stage GUI:
// wait for the device (with --wait-device), open (and resume), start, tick every few milliseconds
// until the set has played or the show was quit, close, sum up. The tick does not depend on
// anybody painting: the faces (the terminal's screen, the GUI's window) only read the published
// state and the messages, and hand over keys and a quit. What comes after the show — the shutdown
// command — is the face's, once it has given the terminal back (finishShow()).
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "stemdeck/app/Key.h"
#include "stemdeck/app/LiveSession.h"

namespace stemdeck::app {

enum class ShowPhase : std::uint8_t {
    waiting,        ///< for the audio device (why() says why)
    running,        ///< open and started: state() is there
    ended,          ///< closed after the set played or a quit; summary() says how it went
    noDevice,       ///< no audio output device at all, and not asked to wait
    stoppedWaiting, ///< quit while waiting for the device
    failed,         ///< an error no waiting mends (why() says it)
};

struct RunOptions {
    bool waitDevice = false; ///< wait for a device that is not there yet, checking every second
    std::string waitedFor;   ///< "the JACK server", for the waiting message
    std::string afterHeader; ///< a line said right after "playing N songs on …" (play's key help)
    std::chrono::milliseconds tick{5};
};

class ShowRunner {
public:
    /// @thread the face's. `session` must outlive the runner.
    ShowRunner(LiveSession& session, RunOptions options);
    ~ShowRunner(); ///< quits and joins, if still running
    ShowRunner(const ShowRunner&) = delete;
    ShowRunner& operator=(const ShowRunner&) = delete;

    /// @thread the face's. Starts the control thread, `stemdeck-show`.
    void start();
    /// @thread the face's. Waits for the control thread to end (after ended or a failure).
    void join();
    /// @thread the face's, after join(). Rethrows what no rule of the show expected (not an
    /// Error: a bad_alloc, a system error), as main's handler reports it; then, if the shutdown
    /// action was performed, runs the shutdown command. Its messages come with takeMessages().
    void finishShow();

    // @thread any (the faces); none of these waits for the control thread.
    [[nodiscard]] ShowPhase phase() const noexcept { return phase_.load(std::memory_order_acquire); }
    [[nodiscard]] bool over() const noexcept { return phase() != ShowPhase::waiting && phase() != ShowPhase::running; }
    [[nodiscard]] std::string why() const;     ///< what it waits for, or why it failed
    [[nodiscard]] std::string summary() const; ///< once ended: "finished in song 2 at 37 s; …"
    /// True once an open has failed and the runner waits (the waiting screen's reason is real).
    [[nodiscard]] bool waited() const noexcept { return waited_.load(std::memory_order_acquire); }
    /// A key pressed (the terminal's, the window's): decoded on the control thread.
    void key(const Key& key);
    /// Quit (Ctrl-C, SIGTERM, closing the window): a fade, then the end; while waiting, stop waiting.
    void quit() noexcept { quit_.store(true, std::memory_order_release); }
    /// Messages since the last call, one line each.
    [[nodiscard]] std::vector<std::string> takeMessages();

private:
    void run();
    bool openOrWait(); ///< false: the show never started (phase says why)
    void moveMessages();
    void closeAfterFailure() noexcept;
    void setWhy(const std::string& why);

    LiveSession& session_;
    RunOptions options_;
    std::thread thread_;
    std::atomic<ShowPhase> phase_{ShowPhase::waiting};
    std::atomic<bool> quit_{false};
    std::atomic<bool> waited_{false};
    std::exception_ptr unexpected_; // written by the control thread before it ends, read after join
    moodycamel::ConcurrentQueue<Key> keys_;
    moodycamel::ConcurrentQueue<std::string> messages_;
    // Written by the control thread only while waiting and at the end, never in the show's tick.
    mutable std::mutex textMutex_;
    std::string why_, summary_;
};

} // namespace stemdeck::app
