// stemdeck osc: the OSC address space and value table; `stemdeck osc send` sends one message and
// prints what comes back (for someone checking their rig).
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/app/Commands.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/remote/AbleSet.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/OscClient.h"
#include "stemdeck/remote/OscFeedback.h"

namespace stemdeck::app {

namespace {
struct OscSendArgs {
    std::string to;
    std::string address;
    std::vector<std::string> args;
    double listen = 1.0;
};

int send(const OscSendArgs& a) {
    std::string error;
    const auto to = remote::parseEndpoint(a.to, 0, error);
    if (!to || to->port == 0)
        throw Error("osc send " + (to ? a.to + ": give the port, such as 127.0.0.1:9000" : error));
    if (a.address.empty() || a.address[0] != '/')
        throw Error("osc send: an OSC address starts with '/', such as /stemdeck/play");
    remote::OscMessage m{a.address, {}};
    for (const std::string& text : a.args)
        m.args.push_back(remote::oscArgument(text));
    remote::OscClient client(*to);
    if (!client.send(m, error)) throw Error("osc send: " + error);
    std::cout << "sent " << remote::describeOsc(m) << " to " << a.to << "\n";
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(a.listen);
    int count = 0;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        const auto reply = client.receive(static_cast<int>(left));
        if (!reply) break;
        std::cout << "  " << remote::describeOsc(*reply) << "\n";
        ++count;
    }
    std::cout << count << " message" << (count == 1 ? "" : "s") << " came back in " << a.listen << " s\n";
    return 0;
}
} // namespace

Subcommand addOscCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "osc", "Print the OSC addresses (play --osc), their values, the feedback and the AbleSet profile; "
               "'osc send' sends one message");
    auto sendArgs = std::make_shared<OscSendArgs>();
    CLI::App* sendCmd = cmd->add_subcommand("send", "Send one OSC message (UDP) and print what comes back");
    sendCmd->add_option("TO", sendArgs->to, "[ADDRESS:]PORT of the player (ADDRESS: 127.0.0.1)")->required();
    sendCmd->add_option("ADDRESS", sendArgs->address, "The OSC address, such as /stemdeck/mute")->required();
    sendCmd->add_option("ARGS", sendArgs->args,
                        "Arguments: 3 is an int (i), -6.5 a float (f), T and F booleans, s:3 the string \"3\", "
                        "anything else a string (s)");
    sendCmd->add_option("--listen", sendArgs->listen, "Seconds to print what comes back (default 1)")
        ->check(CLI::Range(0.0, 3600.0));
    return {cmd, [sendCmd, sendArgs] {
                if (*sendCmd) return send(*sendArgs);
                std::cout << "# stemdeck's OSC addresses (play --osc [ADDRESS:]PORT)\n\n"
                          << remote::oscAddressesMarkdown() << "\n## Values\n\n"
                          << remote::oscValuesMarkdown() << "\n## What a subscriber is sent\n\n"
                          << remote::nativeFeedbackMarkdown() << "\n## AbleSet's addresses (play --osc-ableset)\n\n"
                          << remote::ableSetMarkdown();
                return 0;
            }};
}

} // namespace stemdeck::app
