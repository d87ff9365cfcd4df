#include "stemdeck/stream/DiskStreamer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "stemdeck/common/Thread.h"

namespace stemdeck::stream {

DiskStreamer::DiskStreamer(const char* threadName) : threadName_(threadName), thread_([this] { run(); }) {}

DiskStreamer::~DiskStreamer() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void DiskStreamer::add(std::shared_ptr<StreamedStem> stem) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stems_.push_back(std::move(stem));
    }
    wake_.notify_all();
}

void DiskStreamer::wake() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void DiskStreamer::remove(const StreamedStem* stem) {
    std::shared_ptr<StreamedStem> dropped; // released outside the lock
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = std::find_if(stems_.begin(), stems_.end(), [&](const auto& s) { return s.get() == stem; });
    if (it == stems_.end()) return;
    dropped = std::move(*it);
    stems_.erase(it);
}

void DiskStreamer::run() {
    setThreadName(threadName_);
    const bool raised = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNice) == 0; // this thread only
    priority_.store(raised ? Priority::raised : Priority::normal, std::memory_order_release);
    std::vector<float> scratch;
    std::vector<std::shared_ptr<StreamedStem>> local;
    auto idle = kMinPoll;
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) return;
            local = stems_;
        }
        bool worked = false;
        for (const auto& s : local)
            worked = s->service(scratch) || worked;
        local.clear(); // a stem removed meanwhile is freed here, on the disk thread
        if (worked) {
            idle = kMinPoll;
        } else {
            // Nothing had room for a chunk. The audio thread does not signal us (it must not make
            // system calls), so poll, backing off from 1 ms to 8 ms while nothing happens: the
            // rings hold seconds, and a seek or play from the control side wakes us at once.
            std::unique_lock<std::mutex> lock(mutex_);
            woken_ = false;
            wake_.wait_for(lock, idle, [this] { return stopping_ || woken_; });
            idle = woken_ ? kMinPoll : std::min(idle * 2, kMaxPoll);
        }
    }
}

} // namespace stemdeck::stream
