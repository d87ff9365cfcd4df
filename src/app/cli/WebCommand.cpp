// stemdeck web: the web remote's tokens (where they are kept; `--rotate` for new ones, which a
// running show takes at once, refusing every page joined with the old ones) and its join codes
// for an address and port (`stemdeck web qr 192.168.1.20:8080`), for a printed stage plot.
#include <iostream>
#include <memory>
#include <string>

#include "stemdeck/app/Commands.h"
#include "stemdeck/app/WebSurface.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/remote/OscServer.h"
#include "stemdeck/remote/WebFiles.h"

namespace stemdeck::app {

namespace {
struct WebCommandArgs {
    bool rotate = false;
    std::string at;
    bool control = false;
};
} // namespace

Subcommand addWebCommand(CLI::App& app) {
    auto a = std::make_shared<WebCommandArgs>();
    CLI::App* cmd = app.add_subcommand("web", "The web remote's tokens ('web token'), and its join QR codes "
                                              "('web qr ADDRESS:PORT')");
    CLI::App* token = cmd->add_subcommand("token", "Where the web remote's tokens are kept; --rotate makes new ones");
    token->add_flag("--rotate", a->rotate,
                    "New tokens: a running show refuses every page joined with the old ones within a second (they "
                    "must scan the new QR code)");
    CLI::App* qr = cmd->add_subcommand("qr", "Print the band view's QR code (or --control's) for ADDRESS:PORT");
    qr->add_option("AT", a->at, "ADDRESS:PORT phones reach the show at, such as 192.168.1.20:8080")->required();
    qr->add_flag("--control", a->control, "The control view's code (it carries the control token: keep it private)");
    cmd->require_subcommand(1);
    return {cmd, [a, token] {
                const auto file = defaultWebTokenFile();
                if (*token) {
                    const remote::WebTokens t = a->rotate ? remote::rotateWebTokens(file) : remote::loadWebTokens(file);
                    std::cout << (a->rotate ? "new tokens in " : "tokens in ") << file.string()
                              << " (kept across restarts and crash resumes)\n";
                    if (a->rotate)
                        std::cout << "a running show refuses pages joined with the old ones within a second: "
                                     "show the new QR codes (J in play)\n";
                    return 0;
                }
                std::string error;
                const auto at = remote::parseEndpoint(a->at, -1, error);
                if (!at || at->port <= 0)
                    throw Error("web qr " + (at ? a->at + ": give the port, such as 192.168.1.20:8080" : error));
                const remote::WebTokens t = remote::loadWebTokens(file);
                const std::string host = at->address.find(':') != std::string::npos ? "[" + at->address + "]" : at->address;
                const std::string base = "http://" + host + ":" + std::to_string(at->port);
                const std::string url = a->control ? base + "/control#token=" + t.control : base + "/band#token=" + t.band;
                for (const std::string& line : qrLines(url))
                    std::cout << line << "\n";
                std::cout << url << "\n";
                return 0;
            }};
}

} // namespace stemdeck::app
