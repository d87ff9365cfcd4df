#include "stemdeck/midi/Learn.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/yaml/Yaml.h"
#include "stemdeck/common/Files.h"

namespace stemdeck::midi {

namespace {
/// The menu: the action table's learn letters, plus 'e', a filter on an endless encoder.
struct Choice {
    MapAction action;
    ControlMode mode;
};
std::optional<Choice> choiceOf(char c) {
    if (c == 'e') return Choice{MapAction::filter, ControlMode::relative};
    for (const control::ActionInfo& a : control::actions())
        if (a.learnLetter != 0 && a.learnLetter == c)
            return Choice{a.action, a.action == MapAction::mute ? ControlMode::momentary : ControlMode::toggle};
    return std::nullopt;
}

bool perStem(MapAction a) {
    return control::info(a).target == control::Target::stem;
}
bool perScene(MapAction a) {
    return a == MapAction::scene || a == MapAction::storeScene;
}
} // namespace

std::string LearnedControl::describe() const {
    const char* what = kind == MessageKind::note ? "note " : kind == MessageKind::cc ? "cc " : "program ";
    return what + std::to_string(number) + " on channel " + std::to_string(channel + 1);
}

std::optional<LearnedControl> controlOf(const std::vector<unsigned char>& m) {
    if (m.size() < 2) return std::nullopt;
    const int type = m[0] & 0xF0, channel = m[0] & 0x0F;
    if (type == 0x90 && m.size() >= 3 && m[2] > 0) return LearnedControl{MessageKind::note, m[1] & 0x7F, channel};
    if (type == 0xB0 && m.size() >= 3) return LearnedControl{MessageKind::cc, m[1] & 0x7F, channel};
    if (type == 0xC0) return LearnedControl{MessageKind::program, m[1] & 0x7F, channel};
    return std::nullopt;
}

std::string learnMenu() {
    return control::learnMenuText();
}

LearnChoice::State LearnChoice::feed(char c) {
    error_.clear();
    if (state_ == State::done || state_ == State::cancelled) return state_;
    if (c == 27) return state_ = State::cancelled;
    if (c == '\n' || c == '\r' || c == ' ') return state_;
    if (state_ == State::choosing) {
        if (const auto choice = choiceOf(c)) {
            action_ = choice->action;
            mode_ = choice->mode;
            stem_ = -1;
            return state_ = perStem(action_) ? State::needsStem : perScene(action_) ? State::needsScene : State::done;
        }
        error_ = std::string("'") + c + "' is not an action: " + learnMenu();
        return state_;
    }
    if (c >= '1' && c <= '8') {
        stem_ = c - '1';
        return state_ = State::done;
    }
    error_ = std::string("'") + c +
             (state_ == State::needsScene ? "': type the scene's number, 1 to 8" : "': type the stem's number, 1 to 8");
    return state_;
}

Binding LearnChoice::binding(const LearnedControl& control) const {
    Binding b;
    b.kind = control.kind;
    b.number = control.number;
    b.channel = control.channel;
    b.action = action_;
    b.mode = mode_;
    b.preset.action = action_;
    if (action_ == MapAction::drop) {
        b.stems = {0, 1, 2, 3, 4, 5, 6, 7};
        b.quantize = engine::Quantize::bar;
    } else if (perScene(action_)) {
        b.value = std::to_string(stem_ + 1);
        b.preset.value = static_cast<float>(stem_);
    } else if (stem_ >= 0) {
        b.stems = {stem_};
    }
    // A pad for mute or solo lights while its stem is muted or soloed (127 on, 0 off: what most
    // controllers take; edit the file for a controller with colours).
    if (control.kind != MessageKind::program &&
        (action_ == MapAction::toggleMute || action_ == MapAction::toggleSolo || action_ == MapAction::scene)) {
        b.ledOn = 127;
        b.ledOff = 0;
    }
    return b;
}

int addBinding(Mapping& mapping, Binding binding) {
    for (Binding& b : mapping.bindings)
        if (b.kind == binding.kind && b.number == binding.number && b.shift == binding.shift &&
            (b.channel == binding.channel || b.channel < 0)) {
            const int line = b.line;
            b = std::move(binding);
            return line > 0 ? line : -1;
        }
    mapping.bindings.push_back(std::move(binding));
    return 0;
}

std::string learnInto(Mapping& mapping, Binding binding, const std::filesystem::path& file) {
    std::string what = LearnedControl{binding.kind, binding.number, std::max(binding.channel, 0)}.describe() + " -> " +
                       std::string(actionName(binding.action)) +
                       (binding.stems.size() == 1 ? " stem " + std::to_string(binding.stems[0] + 1) : "") +
                       (binding.value.empty() ? "" : " " + binding.value);
    if (addBinding(mapping, std::move(binding)) != 0) what += " (replacing its old binding)";
    if (!file.empty()) saveMapping(mapping, file);
    return what;
}

std::string formatMapping(const Mapping& m) {
    std::ostringstream out;
    std::string title = m.name.empty() ? "Controller" : m.name;
    for (char& c : title) // a comment is one line
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    out << "# " << title << ": written by stemdeck learn.\n"
        << "# Keys of a binding are described in controllers/README.md.\n";
    out << "name: " << yaml::quoted(m.name) << "\n";
    if (!m.source.empty()) out << "source: " << yaml::quoted(m.source) << "\n";
    out << "ports: [";
    for (std::size_t i = 0; i < m.ports.size(); ++i)
        out << (i ? ", " : "") << yaml::quoted(m.ports[i]);
    out << "]\n";
    auto control = [](const Binding& b) {
        std::string s = b.kind == MessageKind::note ? "note: " : b.kind == MessageKind::cc ? "cc: " : "program: ";
        s += std::to_string(b.number);
        if (b.channel >= 0) s += ", channel: " + std::to_string(b.channel + 1);
        return s;
    };
    if (m.shiftControl) out << "shift: { " << control(*m.shiftControl) << " }\n";
    out << (m.bindings.empty() ? "bindings: []\n" : "bindings:\n");
    for (const Binding& b : m.bindings) {
        out << "  - { " << control(b) << ", action: " << actionName(b.action);
        if (b.stems.size() == 1) {
            out << ", stem: " << b.stems[0] + 1;
        } else if (!b.stems.empty()) {
            out << ", stems: [";
            for (std::size_t i = 0; i < b.stems.size(); ++i)
                out << (i ? ", " : "") << b.stems[i] + 1;
            out << "]";
        }
        if (!b.value.empty()) out << ", value: " << yaml::quoted(b.value);
        if (b.mode == ControlMode::momentary) out << ", mode: momentary";
        if (b.mode == ControlMode::relative) out << ", mode: relative";
        if (b.holdSeconds > 0.0) out << ", hold: " << b.holdSeconds;
        const engine::Quantize defaultQ = b.action == MapAction::drop ? engine::Quantize::bar : engine::Quantize::none;
        if (b.quantize != defaultQ)
            out << ", quantize: "
                << (b.quantize == engine::Quantize::none   ? "none"
                    : b.quantize == engine::Quantize::beat ? "beat"
                                                           : "bar");
        if (b.shift) out << ", layer: shift";
        if (!b.softTakeover) out << ", takeover: jump";
        if (b.minDb != -60.0 || b.maxDb != 6.0)
            out << ", taper: { min_db: " << b.minDb << ", max_db: " << b.maxDb << " }";
        if (b.ledOn || b.ledOff || b.ledBlink) {
            out << ", led: {";
            const char* sep = " ";
            auto field = [&](const char* key, int v) {
                out << sep << key << ": " << v;
                sep = ", ";
            };
            if (b.ledOn) field("on", *b.ledOn);
            if (b.ledOff) field("off", *b.ledOff);
            if (b.ledBlink) field("blink", *b.ledBlink);
            if (b.ledNumber >= 0) field("note", b.ledNumber);
            if (b.ledChannel >= 0) field("channel", b.ledChannel + 1);
            out << " }";
        }
        out << " }\n";
    }
    return out.str();
}

void saveMapping(const Mapping& mapping, const std::filesystem::path& file) {
    const std::string text = formatMapping(mapping);
    (void)parseMapping(text, file); // never write a file that would not load
    writeFileAtomically(file, text, "the mapping");
}

Mapping loadOrNewMapping(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) return loadMapping(file);
    Mapping m;
    m.file = file;
    m.name = file.stem().string();
    return m;
}

} // namespace stemdeck::midi
