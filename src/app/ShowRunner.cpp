#include "stemdeck/app/ShowRunner.h"

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Thread.h"

namespace stemdeck::app {

using Clock = std::chrono::steady_clock;

ShowRunner::ShowRunner(LiveSession& session, RunOptions options) : session_(session), options_(std::move(options)) {}

ShowRunner::~ShowRunner() {
    quit();
    join();
}

void ShowRunner::start() {
    thread_ = std::thread([this] { run(); });
}

void ShowRunner::join() {
    if (thread_.joinable()) thread_.join();
}

std::string ShowRunner::why() const {
    std::lock_guard lock(textMutex_);
    return why_;
}

std::string ShowRunner::summary() const {
    std::lock_guard lock(textMutex_);
    return summary_;
}

void ShowRunner::setWhy(const std::string& why) {
    std::lock_guard lock(textMutex_);
    why_ = why;
}

void ShowRunner::key(const Key& key) {
    keys_.enqueue(key);
}

std::vector<std::string> ShowRunner::takeMessages() {
    std::vector<std::string> lines;
    std::string line;
    while (messages_.try_dequeue(line))
        lines.push_back(std::move(line));
    return lines;
}

void ShowRunner::moveMessages() {
    for (std::string& line : session_.takeMessages())
        messages_.enqueue(std::move(line));
}

bool ShowRunner::openOrWait() {
    for (bool told = false;;) {
        std::string why;
        try {
            if (session_.open()) return true;
        } catch (const DeviceUnavailable& e) {
            if (!options_.waitDevice) throw;
            why = e.what();
        }
        if (!options_.waitDevice) {
            phase_.store(ShowPhase::noDevice, std::memory_order_release);
            return false;
        }
        setWhy(why);
        waited_.store(true, std::memory_order_release);
        std::vector<std::string> lines = session_.takeMessages(); // the same each second: said once
        if (!told) {
            told = true;
            for (std::string& line : lines)
                messages_.enqueue(std::move(line));
            if (!why.empty()) messages_.enqueue(why);
            messages_.enqueue("waiting for " + options_.waitedFor +
                              ": plug the interface in or start the JACK server (checked every second; Ctrl-C "
                              "stops)");
        }
        for (int i = 0; i < 20 && !quit_.load(std::memory_order_acquire); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (quit_.load(std::memory_order_acquire)) {
            phase_.store(ShowPhase::stoppedWaiting, std::memory_order_release);
            return false;
        }
    }
}

void ShowRunner::run() {
    setThreadName("stemdeck-show");
    try {
        if (!openOrWait()) return;
        setWhy("");
        if (quit_.load(std::memory_order_acquire)) { // quit while the set loaded: never start
            session_.close();
            moveMessages();
            phase_.store(ShowPhase::stoppedWaiting, std::memory_order_release);
            return;
        }
        const auto& songs = session_.songs();
        std::string header = "playing " + std::to_string(songs.size()) + " song" + (songs.size() == 1 ? "" : "s") +
                             " on " + session_.deviceDescription() + "; " + session_.routingDescription();
        if (const auto name = session_.setName()) header += " (set '" + *name + "')";
        messages_.enqueue(header);
        if (!options_.afterHeader.empty()) messages_.enqueue(options_.afterHeader);
        session_.start();
        moveMessages();
        phase_.store(ShowPhase::running, std::memory_order_release);
        // The show clock: a tick every few ms on a steady schedule (a late tick is not made up).
        auto next = Clock::now();
        bool quitAsked = false;
        while (!session_.finished()) {
            next += options_.tick;
            const auto now = Clock::now();
            if (next < now) next = now;
            std::this_thread::sleep_until(next);
            for (Key k; keys_.try_dequeue(k);)
                session_.key(k);
            if (quit_.load(std::memory_order_acquire) && !quitAsked) {
                quitAsked = true;
                session_.quit();
            }
            session_.tick();
            moveMessages();
            if (session_.quitOverdue()) break; // the stop fade never finished (device gone): leave anyway
        }
        session_.close();
        moveMessages();
        {
            std::lock_guard lock(textMutex_);
            summary_ = session_.summary();
        }
        messages_.enqueue(summary());
        phase_.store(ShowPhase::ended, std::memory_order_release);
    } catch (const Error& e) {
        closeAfterFailure();
        setWhy(e.what());
        phase_.store(ShowPhase::failed, std::memory_order_release);
    } catch (...) { // what no rule expected: the face rethrows it (main says "unexpected error")
        unexpected_ = std::current_exception();
        closeAfterFailure();
        setWhy("unexpected error");
        phase_.store(ShowPhase::failed, std::memory_order_release);
    }
}

void ShowRunner::closeAfterFailure() noexcept {
    try { // the device stops; a second failure in closing is said, never the end of the process
        session_.close();
        moveMessages();
    } catch (const std::exception& e) {
        messages_.enqueue(std::string("closing after the error failed too: ") + e.what());
    } catch (...) {
    }
}

void ShowRunner::finishShow() {
    join();
    if (unexpected_) std::rethrow_exception(unexpected_);
    if (phase() == ShowPhase::ended && session_.shutdownAsked()) {
        session_.shutDown();
        moveMessages();
    }
}

} // namespace stemdeck::app
