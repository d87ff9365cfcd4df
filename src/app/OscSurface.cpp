#include "stemdeck/app/OscSurface.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <ostream>

#include "stemdeck/common/Error.h"
#include "stemdeck/remote/AbleSet.h"
#include "stemdeck/remote/OscAccess.h"

namespace stemdeck::app {

namespace {
constexpr auto kRetry = std::chrono::seconds(5);
}

void addOscOptions(CLI::App& cmd, OscArgs& a) {
    cmd.add_option("--osc", a.native,
                   "[ADDRESS:]PORT: take OSC (UDP) on this port, /stemdeck/… addresses ('stemdeck osc' lists them). "
                   "Loopback only unless an ADDRESS is given (0.0.0.0: every network; then --osc-allow or "
                   "--osc-token is needed)")
        ->type_name("[ADDRESS:]PORT");
    cmd.add_option("--osc-ableset", a.ableSet,
                   "Also answer as AbleSet does on UDP 39051, for Bitfocus Companion's AbleSet module (loopback, "
                   "or ADDRESS with --osc-allow)")
        ->expected(0, 1)
        ->default_str("")
        ->type_name("[ADDRESS]");
    cmd.add_option("--osc-allow", a.allow,
                   "Senders on the network that may control and subscribe: addresses or networks, comma-separated "
                   "(192.168.1.20,192.168.1.0/24); a sender on this machine always may")
        ->delimiter(',')
        ->type_name("ADDRESS[/BITS],…");
    cmd.add_option("--osc-token", a.token,
                   "A word a message may carry as token=WORD to control from any address (and that unlock needs); "
                   "also from the environment's STEMDECK_OSC_TOKEN")
        ->envname("STEMDECK_OSC_TOKEN")
        ->type_name("WORD");
    cmd.add_flag("--osc-obeys-lock", a.obeyLock,
                 "The show lock shuts OSC too (by default a remote is deliberate and the lock does not touch it)");
}

remote::OscOptions oscOptions(const OscArgs& a) {
    remote::OscOptions o;
    std::string error;
    if (!a.native.empty()) {
        o.native = remote::parseEndpoint(a.native, -1, error);
        if (!o.native) throw Error("--osc " + error);
        if (o.native->port < 0)
            throw Error("--osc " + a.native + ": give the port too, such as " + a.native +
                        ":9000 (port 0: any free one)");
    }
    if (a.ableSet) {
        std::string at = a.ableSet->empty() ? "127.0.0.1" : *a.ableSet;
        if (at.size() > 2 && at.front() == '[' && at.back() == ']') at = at.substr(1, at.size() - 2);
        if (!remote::parseNetwork(at) || at.find('/') != std::string::npos) {
            std::error_code ec;
            throw Error("--osc-ableset " + at + ": not an IP address (such as 127.0.0.1 or 0.0.0.0)" +
                        (std::filesystem::exists(at, ec)
                             ? std::string("; it looks like the set: write --osc-ableset after it, or "
                                           "--osc-ableset=ADDRESS")
                             : std::string("; Companion's module always sends to port ") +
                                   std::to_string(remote::kAbleSetPort)));
        }
        o.ableSet = remote::Endpoint{at, remote::kAbleSetPort};
    }
    // (a token alone may come from the environment, STEMDECK_OSC_TOKEN, for whenever OSC is on)
    if (!a.any() && (!a.allow.empty() || a.obeyLock))
        throw Error("--osc-allow and --osc-obeys-lock need --osc PORT or --osc-ableset");
    o.allow = a.allow;
    o.token = a.token;
    o.obeyLock = a.obeyLock;
    if (const std::string problem = remote::accessProblem(o); !problem.empty()) throw Error(problem);
    return o;
}

OscSurface::OscSurface(OscArgs args, std::ostream& log) : options_(oscOptions(args)), log_(log) {}

OscSurface::~OscSurface() {
    stop();
}

void OscSurface::start(control::Router& router, const control::ShowStatePublisher& state,
                       remote::OscServer::FrameClock clock, std::shared_ptr<remote::RemoteGate> gate) {
    gate_ = std::move(gate);
    router_ = &router;
    state_ = &state;
    clock_ = std::move(clock);
    open();
}

void OscSurface::open() {
    try {
        server_ = std::make_unique<remote::OscServer>(*router_, *state_, options_, clock_, gate_);
        server_->start();
        log_ << server_->describe() << (options_.obeyLock ? "; the show lock shuts it" : "") << "\n";
        lastProblem_.clear();
    } catch (const std::exception& e) { // (the options were checked: the socket or its thread would not start)
        server_.reset();
        const std::string problem = e.what();
        if (problem != lastProblem_)
            log_ << "OSC: " << problem << "; the show plays on without OSC, trying again every 5 s\n";
        lastProblem_ = problem;
        retryAt_ = std::chrono::steady_clock::now() + kRetry;
    }
}

void OscSurface::poll() {
    if (router_ == nullptr) return;
    if (!server_) {
        if (std::chrono::steady_clock::now() >= retryAt_) open();
        return;
    }
    for (const std::string& line : server_->takeNotes())
        log_ << line << "\n";
}

void OscSurface::stop() {
    if (!server_) return;
    server_->stop();
    for (const std::string& line : server_->takeNotes())
        log_ << line << "\n";
    const remote::OscServer::Counts c = server_->counts();
    log_ << "OSC: " << c.received << " messages taken, " << c.applied << " actions applied, " << c.refused
         << " refused, " << c.repeated << " repeats ignored, " << c.sent << " sent\n";
    server_.reset();
}

} // namespace stemdeck::app
