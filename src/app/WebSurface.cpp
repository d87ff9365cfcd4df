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
#include "stemdeck/common/Error.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {
constexpr auto kWebRetry = std::chrono::seconds(5);

bool everyNetwork(const std::string& address) {
    return address == "0.0.0.0" || address == "::";
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
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0')
        return fs::path(xdg) / "stemdeck" / "web-tokens";
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr && *home != '\0' ? home : ".") / ".local" / "state" / "stemdeck" / "web-tokens";
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
            if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
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

std::vector<std::string> joinScreen(const std::vector<JoinLink>& links, int width) {
    std::vector<std::string> out;
    if (links.empty()) {
        out.emplace_back("web remote: not open yet (see the messages above)");
        return out;
    }
    for (const JoinLink& l : links) {
        const std::vector<std::string> band = qrLines(l.band), control = qrLines(l.control);
        const int side = static_cast<int>(qrModules(l.band).size());
        const std::string where = l.interface.empty() ? l.address : l.address + " (" + l.interface + ")";
        out.emplace_back("");
        if (width <= 0 || width >= 2 * side + 4) {
            std::string head = "BAND VIEW (watch) " + where;
            head.resize(static_cast<std::size_t>(side + 4), ' ');
            out.push_back(head + "CONTROL (drives the show: do not film)");
            for (std::size_t i = 0; i < std::max(band.size(), control.size()); ++i)
                out.push_back((i < band.size() ? band[i] : std::string(static_cast<std::size_t>(side), ' ')) + "    " +
                              (i < control.size() ? control[i] : std::string()));
        } else {
            out.push_back("CONTROL (drives the show: do not film) " + where);
            out.insert(out.end(), control.begin(), control.end());
        }
        out.push_back("band:    " + l.band);
        out.push_back("control: " + l.control);
    }
    out.emplace_back("(J hides these; they go by themselves after a minute)");
    return out;
}

WebSurface::WebSurface(WebArgs args, std::ostream& log) : options_(webOptions(args)), log_(log) {}

WebSurface::~WebSurface() {
    stop();
}

void WebSurface::start(control::Router& router, const control::ShowStatePublisher& state,
                       remote::WebServer::FrameClock clock) {
    router_ = &router;
    state_ = &state;
    clock_ = std::move(clock);
    open();
}

void WebSurface::open() {
    try {
        server_ = std::make_unique<remote::WebServer>(*router_, *state_, options_, clock_);
        server_->start();
        log_ << server_->describe() << (options_.obeyLock ? "; the show lock shuts it" : "")
             << (everyNetwork(options_.at.address) || options_.at.address.rfind("127.", 0) != 0
                     ? "; press J for the QR codes that join phones"
                     : "")
             << "\n";
        lastProblem_.clear();
        refreshLinks();
    } catch (const std::exception& e) {
        server_.reset();
        const std::string problem = e.what();
        if (problem != lastProblem_)
            log_ << "web remote: " << problem << "; the show plays on without it, trying again every 5 s\n";
        lastProblem_ = problem;
        retryAt_ = std::chrono::steady_clock::now() + kWebRetry;
    }
}

void WebSurface::poll() {
    if (router_ == nullptr) return;
    if (!server_) {
        if (std::chrono::steady_clock::now() >= retryAt_) open();
        return;
    }
    for (const std::string& line : server_->takeNotes())
        log_ << line << "\n";
    if (std::chrono::steady_clock::now() >= linksAt_) refreshLinks(); // (a network up, tokens rotated)
}

void WebSurface::refreshLinks() {
    linksAt_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::vector<JoinLink> links = server_ ? joinLinks(*server_) : std::vector<JoinLink>{};
    std::lock_guard lock(linksMutex_);
    links_ = std::move(links);
}

std::vector<JoinLink> WebSurface::links() const {
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
