#include "stemdeck/stream/DiskStreamer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "stemdeck/common/Clock.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/common/Thread.h"

namespace stemdeck::stream {

namespace {
constexpr auto kWatchEvery = std::chrono::milliseconds(100);
} // namespace

/// One disk thread. Its fields are guarded by Shared::mutex.
struct DiskStreamer::Worker {
    std::thread thread;
    const StreamedStem* busy = nullptr; ///< the stem it is servicing now
    std::int64_t sinceNs = 0;           ///< since when
    bool retired = false;               ///< left behind in a read: ends when the read comes back
    bool finished = false;              ///< its loop has ended
};

/// What the disk threads and the watcher share; every disk thread holds it, so one left behind in
/// a read that never returns outlives the streamer safely.
struct DiskStreamer::Shared {
    explicit Shared(const char* n) : name(n) {}
    std::mutex mutex; // control, disk and watcher threads, never the audio thread
    std::condition_variable wake;
    std::condition_variable finished; // a worker's loop ended
    std::vector<std::shared_ptr<StreamedStem>> stems;
    bool stopping = false;
    bool woken = false;
    std::shared_ptr<Worker> active; // the disk thread that services every stem not stuck
    struct Stuck {
        const StreamedStem* stem;
        std::int64_t sinceNs;
        bool told; // its stem has said "no answer"
    };
    std::vector<Stuck> stuck; // one per thread left behind
    std::atomic<Priority> priority{Priority::unknown};
    const char* name;

    [[nodiscard]] bool isStuck(const StreamedStem* s) const {
        return std::any_of(stuck.begin(), stuck.end(), [s](const Stuck& x) { return x.stem == s; });
    }
};

DiskStreamer::DiskStreamer(const char* threadName) : shared_(std::make_shared<Shared>(threadName)) {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        startWorker(shared_);
    }
    watcher_ = std::thread([this] { watch(); });
}

DiskStreamer::~DiskStreamer() {
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    shared_->wake.notify_all();
    lock.unlock();
    watcher_.join(); // no hand-over from here on
    lock.lock();
    const std::shared_ptr<Worker> active = shared_->active;
    // A disk thread asleep in a read that never returns cannot be joined: it is left behind (it
    // holds what it uses) rather than hang whoever closes the set.
    if (shared_->finished.wait_for(lock, kHandOver, [&] { return active->finished; })) {
        lock.unlock();
        active->thread.join();
    } else {
        active->thread.detach();
    }
}

DiskStreamer::Priority DiskStreamer::priority() const noexcept {
    return shared_->priority.load(std::memory_order_acquire);
}

DiskStreamer::Stalls DiskStreamer::stalls() const {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    Stalls s;
    s.reads = static_cast<int>(shared_->stuck.size());
    s.silent = static_cast<int>(
        std::count_if(shared_->stuck.begin(), shared_->stuck.end(), [](const Shared::Stuck& x) { return x.told; }));
    return s;
}

void DiskStreamer::add(std::shared_ptr<StreamedStem> stem) {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->stems.push_back(std::move(stem));
    }
    shared_->wake.notify_all();
}

void DiskStreamer::wake() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->woken = true;
    }
    shared_->wake.notify_all();
}

void DiskStreamer::remove(const StreamedStem* stem) {
    std::shared_ptr<StreamedStem> dropped; // released outside the lock
    std::lock_guard<std::mutex> lock(shared_->mutex);
    auto& stems = shared_->stems;
    const auto it = std::find_if(stems.begin(), stems.end(), [&](const auto& s) { return s.get() == stem; });
    if (it == stems.end()) return;
    dropped = std::move(*it);
    stems.erase(it);
}

void DiskStreamer::startWorker(const std::shared_ptr<Shared>& shared) {
    auto worker = std::make_shared<Worker>();
    worker->thread = std::thread([shared, worker] { run(shared, worker); }); // (waits for the lock we hold)
    shared->active = worker;
}

void DiskStreamer::run(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Worker>& me) {
    setThreadName(shared->name);
    const bool raised = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNice) == 0; // this thread only
    Priority unknown = Priority::unknown;
    shared->priority.compare_exchange_strong(unknown, raised ? Priority::raised : Priority::normal,
                                             std::memory_order_acq_rel);
    std::vector<float> scratch;
    std::vector<std::shared_ptr<StreamedStem>> local;
    auto idle = kMinPoll;
    std::unique_lock<std::mutex> lock(shared->mutex);
    const auto end = [&] {
        me->finished = true;
        shared->finished.notify_all();
    };
    for (;;) {
        if (shared->stopping || me->retired) return end();
        local = shared->stems;
        bool worked = false;
        for (const auto& s : local) {
            if (shared->stopping || me->retired) break;
            if (shared->isStuck(s.get())) continue; // a thread left behind still reads it
            me->busy = s.get();
            me->sinceNs = steadyNs();
            lock.unlock();
            worked = s->service(scratch) || worked;
            lock.lock();
            me->busy = nullptr;
            if (me->retired) { // the read came back, on a thread that was left behind for it
                auto& stuck = shared->stuck;
                const auto it =
                    std::find_if(stuck.begin(), stuck.end(), [&](const Shared::Stuck& x) { return x.stem == s.get(); });
                if (it != stuck.end()) {
                    s->answered(it->told);
                    stuck.erase(it);
                }
                shared->wake.notify_all(); // the active thread takes the stem back at once
                break;
            }
        }
        lock.unlock();
        local.clear(); // a stem removed meanwhile is freed here, on a disk thread
        lock.lock();
        if (shared->stopping || me->retired) return end();
        if (worked) {
            idle = kMinPoll;
        } else {
            // Nothing had room for a chunk. The audio thread does not signal us (it must not make
            // system calls), so poll, backing off from 1 ms to 8 ms while nothing happens: the
            // rings hold seconds, and a seek or play from the control side wakes us at once.
            shared->woken = false;
            shared->wake.wait_for(lock, idle, [&] { return shared->stopping || shared->woken || me->retired; });
            idle = shared->woken ? kMinPoll : std::min(idle * 2, kMaxPoll);
        }
    }
}

void DiskStreamer::watch() {
    setThreadName("stemdeck-dwatch");
    std::unique_lock<std::mutex> lock(shared_->mutex);
    for (;;) {
        if (shared_->wake.wait_for(lock, kWatchEvery, [&] { return shared_->stopping; })) return;
        const std::int64_t now = steadyNs();
        Worker& a = *shared_->active;
        if (a.busy != nullptr && now - a.sinceNs >= std::chrono::nanoseconds(kHandOver).count()) {
            // Its read has not come back: the other stems go to a new thread; this one stays with
            // the stalled stem and ends when (if ever) its read returns.
            const std::shared_ptr<Worker> old = shared_->active;
            try {
                startWorker(shared_);
                shared_->stuck.push_back({old->busy, old->sinceNs, false});
                old->retired = true;
                old->thread.detach();
            } catch (const std::system_error&) {
                // No thread to be had: the stalled one keeps every stem; tried again next look.
            }
        }
        const std::int64_t limit = std::chrono::nanoseconds(ioTimeout()).count();
        for (Shared::Stuck& s : shared_->stuck) {
            if (s.told || now - s.sinceNs < limit) continue;
            s.told = true;
            for (const auto& stem : shared_->stems)
                if (stem.get() == s.stem) stem->noAnswer(ioTimeout());
        }
    }
}

} // namespace stemdeck::stream
