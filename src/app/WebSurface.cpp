#include "stemdeck/app/WebSurface.h"

#include <CLI/CLI.hpp>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <qrencode.h>

#include <cstdlib>
#include <ostream>

#include "stemdeck/app/Shipped.h"
#include "stemdeck/common/Clock.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/remote/OscAccess.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {
bool everyNetwork(const std::string& address) {
    return address == "0.0.0.0" || address == "::";
}

/// Networks a phone is on: not a container's or a virtual machine's bridge, nor a VPN's tunnel.
bool virtualInterface(const std::string& name) {
    for (const char* prefix : {"docker", "virbr", "veth", "br-", "lxc", "vnet", "tun", "tap", "wg", "zt"})
        if (name.rfind(prefix, 0) == 0) return true;
    return false;
}
} // namespace

void addWebOptions(CLI::App& cmd, WebArgs& a) {
    cmd.add_option("--web", a.at,
                   "[ADDRESS:]PORT: the web remote (a band view and a control view for phones and tablets) on this "
                   "port. This machine only unless an ADDRESS is given (0.0.0.0: every network; phones then join "
                   "with the QR code's token: press J)")
        ->type_name("[ADDRESS:]PORT");
    cmd.add_flag("--web-open-band", a.openBand,
                 "The band view (read-only) needs no token: anyone on the network may watch");
    cmd.add_flag("--web-obeys-lock", a.obeyLock,
                 "The show lock shuts the web remote's controls too (by default a remote is deliberate)");
}

fs::path defaultWebTokenFile() {
    return stateDir() / "web-tokens";
}

remote::WebOptions webOptions(const WebArgs& a) {
    if (!a.any()) {
        if (a.openBand || a.obeyLock) throw Error("--web-open-band and --web-obeys-lock need --web PORT");
        return {};
    }
    remote::WebOptions o;
    std::string error;
    const auto at = remote::parseEndpoint(a.at, -1, error);
    if (!at) throw Error("--web " + error);
    if (at->port < 0) throw Error("--web " + a.at + ": give the port too, such as " + a.at + ":8080");
    o.at = *at;
    o.pages = shareDir() / "web";
    o.tokenFile = defaultWebTokenFile();
    o.openBand = a.openBand;
    o.obeyLock = a.obeyLock;
    return o;
}

std::vector<JoinLink> joinLinks(const remote::WebServer& server) {
    const remote::WebOptions& o = server.options();
    const remote::WebTokens t = server.tokens();
    const std::string port = std::to_string(server.port());
    auto link = [&](const std::string& address, const std::string& interface) {
        const std::string base =
            "http://" + (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" + port;
        return JoinLink{address, interface, base + "/band" + (o.openBand ? "" : "#token=" + t.band),
                        base + "/control#token=" + t.control};
    };
    if (!everyNetwork(o.at.address)) return {link(o.at.address, "")};
    std::vector<JoinLink> links;
    ifaddrs* all = nullptr;
    if (getifaddrs(&all) == 0) {
        for (const ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue; // (phones: IPv4 is what works)
            if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_RUNNING) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0 ||
                virtualInterface(i->ifa_name))
                continue;
            char text[INET_ADDRSTRLEN] = {};
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
            links.push_back(link(text, i->ifa_name));
        }
        freeifaddrs(all);
    }
    if (links.empty()) links.push_back(link("127.0.0.1", "lo")); // no network is up: this machine only
    return links;
}

std::vector<std::vector<bool>> qrModules(const std::string& text) {
    QRcode* code = QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M);
    if (code == nullptr) return {};
    constexpr int kQuiet = 4;
    const int n = code->width;
    std::vector<std::vector<bool>> rows(static_cast<std::size_t>(n + 2 * kQuiet),
                                        std::vector<bool>(static_cast<std::size_t>(n + 2 * kQuiet), false));
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            rows[static_cast<std::size_t>(y + kQuiet)][static_cast<std::size_t>(x + kQuiet)] =
                (code->data[y * n + x] & 1) != 0;
    QRcode_free(code);
    return rows;
}

std::vector<std::string> qrLines(const std::string& text) {
    const auto m = qrModules(text);
    std::vector<std::string> lines;
    for (std::size_t y = 0; y < m.size(); y += 2) {
        std::string line = "\x1b[30;47m"; // black on white: a phone reads dark modules on light
        for (std::size_t x = 0; x < m[y].size(); ++x) {
            const bool top = m[y][x], bottom = y + 1 < m.size() && m[y + 1][x];
            line += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        lines.push_back(line + "\x1b[0m");
    }
    return lines;
}

std::vector<std::string> joinScreen(const std::vector<JoinLink>& links, std::size_t index, int width, int rows) {
    std::vector<std::string> out;
    if (links.empty()) {
        out.emplace_back("web remote: not open yet (see the messages above)");
        return out;
    }
    const JoinLink& l = links[index % links.size()];
    const std::vector<std::string> band = qrLines(l.band), control = qrLines(l.control);
    const int side = static_cast<int>(qrModules(l.control).size());
    const std::string where = l.interface.empty() ? l.address : l.address + " (" + l.interface + ")";
    const std::string more = links.size() > 1 ? "; J: the next address (" + std::to_string(index % links.size() + 1) +
                                                    " of " + std::to_string(links.size()) + ")"
                                              : "; J hides them";
    // Only whole codes, inside the terminal: a code cut off, or scrolled up past the top where the
    // status area cannot erase it, would stay on the screen.
    if (rows > 0 && static_cast<int>(band.size()) + 4 > rows) {
        out.push_back("web remote on " + where + ": the terminal is too short for a QR code (it needs " +
                      std::to_string(band.size() + 4) + " rows): make it taller, or 'stemdeck web qr ADDRESS:PORT'" +
                      more);
        return out;
    }
    out.emplace_back("");
    if (width <= 0 || width >= 2 * side + 4) {
        std::string head = "BAND VIEW (watch) " + where;
        head.resize(static_cast<std::size_t>(side + 4), ' ');
        out.push_back(head + "CONTROL (drives the show: do not film)");
        for (std::size_t i = 0; i < std::max(band.size(), control.size()); ++i)
            out.push_back((i < band.size() ? band[i] : std::string(static_cast<std::size_t>(side), ' ')) + "    " +
                          (i < control.size() ? control[i] : std::string()));
    } else { // too narrow for both: the band's (the control code needs 2 × its width)
        out.push_back("BAND VIEW (watch) " + where + "; the control code needs " + std::to_string(2 * side + 4) +
                      " columns");
        out.insert(out.end(), band.begin(), band.end());
    }
    out.push_back("band view: " + l.band.substr(0, l.band.find('#')) + more +
                  "; they go by themselves after a minute");
    return out;
}

WebSurface::WebSurface(WebArgs args, std::ostream& log) : options_(webOptions(args)), log_(log) {}

WebSurface::~WebSurface() {
    stop();
}

void WebSurface::start(control::Router& router, const control::ShowStatePublisher& state,
                       remote::WebServer::FrameClock clock, std::shared_ptr<remote::RemoteGate> gate) {
    // Once: the pages and the tokens are read here; a socket that will not open yet is tried again
    // by the web thread itself, never from the control thread's tick.
    try {
        server_ = std::make_unique<remote::WebServer>(router, state, options_, std::move(clock), std::move(gate));
        server_->start();
        log_ << server_->describe() << (options_.obeyLock ? "; the show lock shuts it" : "") << "\n";
        refreshLinks();
        if (everyNetwork(options_.at.address)) {
            std::string where;
            std::lock_guard lock(linksMutex_); // (not links(): no face is asking for them)
            for (const JoinLink& l : links_)
                where += (where.empty() ? "" : ", ") + l.address + (l.interface.empty() ? "" : " (" + l.interface + ")");
            log_ << "web remote: phones reach it at " << where << "; press J for the join codes\n";
        } else if (!remote::loopbackAddress(options_.at.address)) {
            log_ << "web remote: press J for the join codes\n";
        }
    } catch (const std::exception& e) {
        server_.reset();
        log_ << "web remote: " << e.what() << "; the show plays on without it\n";
    }
}

void WebSurface::poll() {
    if (!server_) return;
    for (const std::string& line : server_->takeNotes())
        log_ << line << "\n";
    // The join links follow the networks and the tokens while someone is looking at them.
    if (steadyNs() < wantedUntil_.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() >= linksAt_)
        refreshLinks();
}

void WebSurface::refreshLinks() {
    linksAt_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::vector<JoinLink> links = server_ && server_->port() != 0 ? joinLinks(*server_) : std::vector<JoinLink>{};
    std::lock_guard lock(linksMutex_);
    links_ = std::move(links);
}

std::vector<JoinLink> WebSurface::links() const {
    wantedUntil_.store(steadyNs() + 70'000'000'000, std::memory_order_relaxed);
    std::lock_guard lock(linksMutex_);
    return links_;
}

void WebSurface::stop() {
    if (!server_) return;
    server_->stop();
    for (const std::string& line : server_->takeNotes())
        log_ << line << "\n";
    const remote::WebServer::Counts c = server_->counts();
    log_ << "web remote: " << c.connections << " connections, " << c.messages << " messages, " << c.applied
         << " actions applied, " << c.refused << " refused, " << c.dropped << " pages dropped\n";
    server_.reset();
    refreshLinks();
}

} // namespace stemdeck::app
