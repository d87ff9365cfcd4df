#include <csignal>

#include "stemdeck/app/Commands.h"

namespace stemdeck::app {

namespace {
std::atomic<bool> gStopRequested{false};
extern "C" void onStopSignal(int) {
    gStopRequested.store(true);
}
} // namespace

std::atomic<bool>& stopRequested() {
    return gStopRequested;
}

void catchStopSignals(bool hangup) {
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    if (hangup) std::signal(SIGHUP, onStopSignal);
}

} // namespace stemdeck::app
