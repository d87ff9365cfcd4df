// stemdeck learn FILE: MIDI learn at the terminal. Touch a control, type its action; each binding
// is saved at once, atomically.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stemdeck/common/Error.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/app/Commands.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/midi/RawMidiInput.h"

namespace stemdeck::app {

namespace {

using midi::LearnChoice;
using midi::LearnedControl;

/// Waits for the next control touched. The rest of a fader move (or a pad's release) is not the
/// next control: messages from `last` are ignored until it has been still for a second.
std::optional<LearnedControl> nextControl(midi::RawMidiInput& in, const std::optional<LearnedControl>& last,
                                          const std::atomic<bool>& stop) {
    auto sameAsLast = [&](const std::vector<unsigned char>& m) {
        if (!last || m.empty()) return false;
        const int type = m[0] & 0xF0, channel = m[0] & 0x0F, number = m.size() > 1 ? m[1] : -1;
        const midi::MessageKind kind = type == 0x90 || type == 0x80 ? midi::MessageKind::note
                                       : type == 0xB0               ? midi::MessageKind::cc
                                                                    : midi::MessageKind::program;
        return kind == last->kind && channel == last->channel &&
               (kind == midi::MessageKind::program || number == last->number);
    };
    auto lastSeen = std::chrono::steady_clock::now(); // what it sent while the action was typed is ignored too
    std::vector<unsigned char> message;
    while (!stop.load()) {
        in.next(message);
        if (message.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            continue;
        }
        const auto now = std::chrono::steady_clock::now();
        if (sameAsLast(message) && now - lastSeen < std::chrono::seconds(1)) {
            lastSeen = now;
            continue;
        }
        if (std::optional<LearnedControl> control = midi::controlOf(message)) return control;
    }
    return std::nullopt;
}

/// Reads the action for a control from `keys`, a line at a time (an action letter, and for
/// per-stem actions the stem's digit, e.g. "m1"; an empty line skips the control). nullopt at the
/// end of `keys`.
std::optional<LearnChoice> readChoice(std::istream& keys, std::ostream& out) {
    LearnChoice choice;
    std::string line;
    while (choice.state() != LearnChoice::State::done && choice.state() != LearnChoice::State::cancelled) {
        if (!std::getline(keys, line)) return std::nullopt;
        if (line.empty()) choice.feed(27); // Enter alone: skip this control
        for (const char c : line)
            choice.feed(c);
        if (!choice.error().empty())
            out << choice.error() << "\n> " << std::flush;
        else if (choice.state() == LearnChoice::State::needsStem)
            out << "which stem (1-8)? " << std::flush;
    }
    return choice;
}

/// Opens the controller (by `port`, else the mapping's ports, else the first input that is not
/// stemdeck's) and learns into the mapping `nameOrPath` (a file, or a name: the user's copy of a
/// shipped mapping) until the end of `keys` or `stop`. 1 when MIDI or the file cannot be used.
int learnMidi(const std::string& nameOrPath, const std::string& api, const std::string& port, std::istream& keys,
              const std::atomic<bool>& stop, std::ostream& out) {
    midi::Mapping mapping;
    try {
        mapping = openMapping(nameOrPath);
    } catch (const Error& e) {
        out << e.what() << "\n(fix the file, or learn into a new one)" << std::endl;
        return 1;
    }
    try {
        const std::vector<std::string> patterns = port.empty() ? mapping.ports : std::vector<std::string>{port};
        midi::RawMidiInput in({api, "stemdeck-learn", "learn_in", patterns, false});
        if (const std::string& portName = in.portName(); !portName.empty()) {
            if (mapping.ports.empty()) // the controller's client name finds it again under ALSA and JACK
                mapping.ports = {port.empty() ? portName.substr(0, portName.find(':')) : port};
            out << "learning from " << portName;
        } else {
            out << "no MIDI input" << (patterns.empty() ? "" : " matching '" + joinNames(patterns) + "'")
                << "; listening on stemdeck-learn:learn_in (connect the controller there)";
        }
        out << " into " << mapping.file.string() << " (" << mapping.bindings.size() << " binding"
            << (mapping.bindings.size() == 1 ? "" : "s") << " so far). Ctrl-C or end of input finishes." << std::endl;
        std::optional<LearnedControl> last;
        int learned = 0;
        while (!stop.load()) {
            out << "\ntouch a control..." << std::endl;
            const std::optional<LearnedControl> control = nextControl(in, last, stop);
            if (!control) break;
            last = control;
            out << control->describe() << ": what should it do?\n  " << midi::learnMenu() << "\n> " << std::flush;
            const std::optional<LearnChoice> choice = readChoice(keys, out);
            if (!choice) break;
            if (choice->state() == LearnChoice::State::cancelled) {
                out << "skipped" << std::endl;
                continue;
            }
            const std::string what = midi::learnInto(mapping, choice->binding(*control), mapping.file); // saved first
            out << "learned: " << what << "; saved " << mapping.file.string() << std::endl;
            ++learned;
        }
        out << "\n"
            << learned << " control" << (learned == 1 ? "" : "s") << " learned; " << mapping.file.string() << " has "
            << mapping.bindings.size() << " binding" << (mapping.bindings.size() == 1 ? "" : "s")
            << ". Use it with: stemdeck play SET --controller " << mapping.file.string() << std::endl;
        return 0;
    } catch (const Error& e) {
        out << e.what() << std::endl;
        return 1;
    }
}

} // namespace

Subcommand addLearnCommand(CLI::App& app) {
    struct Args {
        std::string file, port, api = "alsa";
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("learn", "MIDI learn: touch a control, type its action; saved after each one");
    cmd->add_option("MAPPING", a->file,
                    "The mapping to add to: a file (created if new), e.g. controllers/mine.yaml, or a name: "
                    "the user's mapping in ~/.config/stemdeck/controllers/, or a copy of the shipped one")
        ->required();
    cmd->add_option("--port", a->port, "Part of the controller's port name (default: the mapping's, or the first)");
    cmd->add_option("--api", a->api, "alsa or jack")->check(CLI::IsMember({"alsa", "jack"}));
    // Ctrl-C ends it: every binding is already saved, atomically.
    return {cmd, [a] { return learnMidi(a->file, a->api, a->port, std::cin, stopRequested(), std::cout); }};
}

} // namespace stemdeck::app
