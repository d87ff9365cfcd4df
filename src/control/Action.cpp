#include "stemdeck/control/Action.h"

#include <array>
#include <charconv>
#include <cmath>

#include "stemdeck/common/Text.h"
#include "stemdeck/set/SetFile.h"

namespace stemdeck::control {

namespace {

using T = Target;
using enum ValueKind;
using enum Runs;
using engine::Op;

// clang-format off
constexpr std::array kActions = {
//  action                    name                song/stem  value    quantisable runs     key          learn summary
    ActionInfo{Action::mute,            "mute",             T::stem,  none,    true,  engine,  "",          'h', "mutes the stem (with a short fade); held on a momentary pad: hold to mute"},
    ActionInfo{Action::unmute,          "unmute",           T::stem,  none,    true,  engine,  "",          0,   "unmutes the stem"},
    ActionInfo{Action::toggleMute,      "toggle_mute",      T::stem,  none,    true,  engine,  "1-8",       'm', "mutes the stem, or unmutes it"},
    ActionInfo{Action::solo,            "solo",             T::stem,  none,    true,  engine,  "",          0,   "solos the stem (other soloed stems stay soloed)"},
    ActionInfo{Action::unsolo,          "unsolo",           T::stem,  none,    true,  engine,  "",          0,   "takes the stem's solo off"},
    ActionInfo{Action::toggleSolo,      "toggle_solo",      T::stem,  none,    true,  engine,  "shift-1-8, s 1-8", 's', "solos the stem, or takes its solo off"},
    ActionInfo{Action::gain,            "gain",             T::stem,  level,   true,  engine,  "",          'g', "sets the stem's level (it glides there); on a fader or knob it follows the control"},
    ActionInfo{Action::filter,          "filter",           T::stem,  knob,    true,  engine,  "",          'f', "sets the stem's DJ filter: -1 low-pass … 0 off … 1 high-pass (it glides there)"},
    ActionInfo{Action::drop,            "drop",             T::stems, none,    true,  engine,  "",          'd', "unmutes several stems together (by default on the next bar)"},
    ActionInfo{Action::play,            "play",             T::song,  none,    true,  engine,  "",          0,   "plays (from the top: after the count-in)"},
    ActionInfo{Action::stop,            "stop",             T::song,  none,    true,  engine,  "",          'x', "stops with a short fade"},
    ActionInfo{Action::togglePlay,      "toggle_play",      T::song,  none,    false, player,  "space",     'p', "plays, or stops"},
    ActionInfo{Action::seek,            "seek",             T::song,  seconds, true,  engine,  "",          0,   "moves the play head to a position in seconds"},
    ActionInfo{Action::toStart,         "to_start",         T::song,  none,    false, player,  "0, Home",   0,   "moves the play head to the song's start"},
    ActionInfo{Action::barBack,         "bar_back",         T::song,  none,    false, player,  "<-",        0,   "moves the play head a bar back, onto a bar line"},
    ActionInfo{Action::barForward,      "bar_forward",      T::song,  none,    false, player,  "->",        0,   "moves the play head a bar on, onto a bar line"},
    ActionInfo{Action::click,           "click",            T::song,  ValueKind::click, false, engine, "",  0,   "sets the click: off, count-in or always"},
    ActionInfo{Action::cycleClick,      "cycle_click",      T::song,  none,    false, player,  "c",         0,   "the click: off, then count-in, then always"},
    ActionInfo{Action::guides,          "guides",           T::song,  none,    false, engine,  "h",         'l', "the spoken guide cues (\"Chorus\", the count-in counted aloud): off, or on again"},
    ActionInfo{Action::reference,       "reference",        T::song,  none,    true,  engine,  "",          0,   "A/B: the main mix becomes the song's reference mix"},
    ActionInfo{Action::stems,           "stems",            T::song,  none,    true,  engine,  "",          0,   "A/B: back to the stems"},
    ActionInfo{Action::toggleReference, "toggle_reference", T::song,  none,    true,  engine,  "r",         'r', "A/B: the reference mix, or the stems"},
    ActionInfo{Action::loop,            "loop",             T::song,  section, true,  engine,  "",          0,   "loops a section (START-END in seconds) until unloop"},
    ActionInfo{Action::unloop,          "unloop",           T::song,  none,    true,  engine,  "",          0,   "lets the play head run on past the loop's end"},
    ActionInfo{Action::vamp,            "vamp",             T::song,  none,    false, player,  "v",         'v', "loops the marker section the play head is in, until pressed again"},
    ActionInfo{Action::nextSong,        "next_song",        T::song,  none,    false, player,  "n",         'n', "the next song of the set (fading out first if playing)"},
    ActionInfo{Action::previousSong,    "previous_song",    T::song,  none,    false, player,  "p",         'b', "the song before"},
    ActionInfo{Action::goToSong,        "go_to_song",       T::song,  ValueKind::song, false, player, "g N Enter", 0, "song N of the set"},
    ActionInfo{Action::playNext,        "play_next",        T::song,  ValueKind::song, false, player, "u N Enter", 0, "tonight: song N plays after this one (moved up, added, or brought back)"},
    ActionInfo{Action::moveSong,        "move_song",        T::song,  placement, false, player, "",         0,   "tonight: song N to place P of tonight's order (N to P)"},
    ActionInfo{Action::addSong,         "add_song",         T::song,  placement, false, player, "",         0,   "tonight: a song of the set not in tonight's order (or one played, to play again), at the end or N to P"},
    ActionInfo{Action::skipSong,        "skip_song",        T::song,  ValueKind::song, false, player, "",   0,   "tonight: cuts song N (listed struck through; the playing song plays on)"},
    ActionInfo{Action::unskipSong,      "unskip_song",      T::song,  ValueKind::song, false, player, "",   0,   "tonight: brings a cut song back"},
    ActionInfo{Action::toggleSkip,      "toggle_skip",      T::song,  ValueKind::song, false, player, "x N Enter", 0, "tonight: cuts song N, or brings it back"},
    ActionInfo{Action::togglePlayed,    "toggle_played",    T::song,  ValueKind::song, false, player, "",   0,   "tonight: marks song N played (next passes over it), or not"},
    ActionInfo{Action::nextMarker,      "next_marker",      T::song,  none,    false, player,  "]",         ']', "jumps to the song's next marker, on the next bar line"},
    ActionInfo{Action::previousMarker,  "previous_marker",  T::song,  none,    false, player,  "[",         '[', "jumps to the marker before the current one, on the next bar line"},
    ActionInfo{Action::marker,          "marker",           T::song,  ValueKind::marker, false, player, "", 0,   "jumps to a marker (its name or number), on the next bar line"},
    ActionInfo{Action::scene,           "scene",            T::song,  ValueKind::scene, true, engine, "e 1-8", 'c', "recalls a scene of the song: every stem's mute, solo, gain and filter on one frame"},
    ActionInfo{Action::storeScene,      "store_scene",      T::song,  slot,    false, player,  "w 1-8",     'w', "stores every stem's state now as scene N (saved beside the set file)"},
    ActionInfo{Action::tempo,           "tempo",            T::song,  ValueKind::tempo, false, player, "",  0,   "rehearsal: the song's tempo, pitch kept (80% or 112bpm; 100% as recorded), from the next beat"},
    ActionInfo{Action::tempoUp,         "tempo_up",         T::song,  none,    false, player,  "+, =",      'u', "rehearsal: 5% faster (of the song's own tempo), from the next beat"},
    ActionInfo{Action::tempoDown,       "tempo_down",       T::song,  none,    false, player,  "-",         'j', "rehearsal: 5% slower, from the next beat"},
    ActionInfo{Action::transpose,       "transpose",        T::song,  semitones, false, player, "",         0,   "rehearsal: the song's key, tempo kept (-2, +1.5 semitones, +30c; 0 as recorded), from the next beat"},
    ActionInfo{Action::transposeUp,     "transpose_up",     T::song,  none,    false, player,  ">",         'i', "rehearsal: a semitone up, from the next beat"},
    ActionInfo{Action::transposeDown,   "transpose_down",   T::song,  none,    false, player,  "<",         'o', "rehearsal: a semitone down, from the next beat"},
    ActionInfo{Action::loopA,           "loop_a",           T::song,  none,    false, player,  "a",         'a', "practice: A on this bar's first beat (the A-B loop starts there)"},
    ActionInfo{Action::loopB,           "loop_b",           T::song,  none,    false, player,  "b",         'y', "practice: B at the end of this bar, and A-B loops (v lets it go)"},
    ActionInfo{Action::practiceLoop,    "practice_loop",    T::song,  bars,    false, player,  "",          0,   "practice: loops bars FIRST-LAST (going there if elsewhere), v lets it go"},
    ActionInfo{Action::loopCountIn,     "loop_count_in",    T::song,  none,    false, player,  "i",         't', "practice: a count-in before each pass of the A-B loop, or none"},
    ActionInfo{Action::lyricsTap,       "lyrics_tap",       T::song,  none,    false, player,  "t",         0,   "rehearsal: the next lyric line starts now (tap-to-time); the lyrics file is saved"},
    ActionInfo{Action::panic,           "panic",            T::song,  none,    false, engine,  "z",         'z', "every stem back to the song's start state, A/B off, waiting changes dropped"},
    ActionInfo{Action::lock,            "lock",             T::song,  none,    false, session, "k",         'k', "show lock: the keyboard and the mouse do nothing until unlocked"},
    ActionInfo{Action::unlock,          "unlock",           T::song,  none,    false, session, "type unlock", 0, "ends the show lock (on the keyboard: type the word unlock)"},
    ActionInfo{Action::learn,           "learn",            T::song,  none,    false, session, "l",         0,   "MIDI learn: touch a control, then pick its action"},
    ActionInfo{Action::quit,            "quit",             T::song,  none,    false, session, "q",         0,   "stops with a fade and ends"},
    ActionInfo{Action::shutdown,        "shutdown",         T::song,  none,    false, session, "",          0,   "ends the show (fade, journal closed) and powers the machine off; a mapping binds it to a long press (hold: 2)"},
};
// clang-format on

constexpr bool tableInOrder() {
    for (std::size_t i = 0; i < kActions.size(); ++i)
        if (static_cast<std::size_t>(kActions[i].action) != i) return false;
    return true;
}
static_assert(tableInOrder(), "kActions lists every Action once, in the enum's order");
static_assert(kActions.size() == static_cast<std::size_t>(Action::shutdown) + 1, "every Action has its row");

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

std::optional<double> number(std::string_view text) {
    std::string t = trim(text);
    if (t.size() > 1 && t[0] == '+') t.erase(0, 1);
    double v = 0.0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty() || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// Times in scripts and remote messages stop here (a show, not a week).
constexpr double kMaxSeconds = 24.0 * 3600.0;

/// A name or a 1-based number among `names` (case-insensitive); -1 and an error if neither.
int pick(std::string_view text, const std::vector<std::string>& names, int count, std::string_view what,
         std::string& error) {
    if (const auto n = number(text)) {
        if (*n >= 1 && *n <= count && *n == std::floor(*n)) return static_cast<int>(*n) - 1;
        error = std::string(what) + " " + std::string(text) + " is not one of 1-" + std::to_string(count);
        return -1;
    }
    std::vector<std::string> present;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) continue;
        present.push_back(names[i]);
        if (equalsIgnoreCase(names[i], text)) return static_cast<int>(i);
    }
    if (present.empty())
        error = "no " + std::string(what) + " named '" + std::string(text) + "' here: give its number, 1-" +
                std::to_string(count);
    else
        error = "no " + std::string(what) + " '" + std::string(text) + "'" + didYouMean(std::string(text), present) +
                "; there are " + joinNames(present);
    return -1;
}

} // namespace

std::span<const ActionInfo> actions() noexcept {
    return kActions;
}

const ActionInfo& info(Action action) noexcept {
    return kActions[static_cast<std::size_t>(action)];
}

std::optional<Action> actionFromName(std::string_view name) noexcept {
    for (const ActionInfo& a : kActions)
        if (a.name == name) return a.action;
    return std::nullopt;
}

const std::vector<std::string>& actionNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const ActionInfo& a : kActions)
            v.emplace_back(a.name);
        return v;
    }();
    return names;
}

std::string unknownActionMessage(std::string_view name) {
    const std::string n(name);
    return "unknown action '" + n + "'" + didYouMean(n, actionNames()) + "; actions are " + joinNames(actionNames());
}

std::string_view valueHint(ValueKind kind) noexcept {
    switch (kind) {
    case none: return "no value";
    case level: return "a level such as -6dB, +3dB or a factor such as 0.5 (at most +12 dB)";
    case knob: return "a knob position from -1 (low-pass) to 1 (high-pass), 0 = off";
    case seconds: return "a position in seconds";
    case section: return "the section in seconds, START-END, such as 8-16";
    case ValueKind::click: return "off, count-in or always";
    case ValueKind::song: return "the song's number in the set, from 1";
    case ValueKind::marker: return "a marker's name or its number, from 1";
    case ValueKind::scene: return "a scene's name or its number, 1-8";
    case slot: return "a scene's number, 1-8";
    case ValueKind::tempo: return "a tempo: a share of the song's own such as 80%, or a BPM such as 112bpm";
    case semitones: return "semitones such as -2 or +1.5, or cents such as +30c";
    case bars: return "the first and last bar to play, FIRST-LAST, such as 17-24";
    case placement: return "a song's number, and its place tonight if it moves: 7, or 7 to 3";
    }
    return "";
}

bool parseValue(const ActionInfo& info, std::string_view raw, const ValueContext& ctx, ActionCall& call,
                std::string& error) {
    const std::string text = trim(raw);
    const std::string name(info.name);
    auto fail = [&](std::string message) {
        error = std::move(message);
        return false;
    };
    switch (info.value) {
    case none: return fail("'" + name + "' takes no value");
    case level: {
        const auto g = parseGain(text);
        if (!g)
            return fail("gain '" + text + "' is not a level: write -6dB, +3dB or a factor like 0.5 (at most +12 dB)");
        call.value = *g;
        return true;
    }
    case knob: {
        const auto v = number(text);
        if (!v) return fail("filter value '" + text + "' must be a number from -1 (low-pass) to 1 (high-pass)");
        if (*v < -1.0 || *v > 1.0) return fail("filter value must be from -1 (low-pass) to 1 (high-pass), 0 = off");
        call.value = static_cast<float>(*v);
        return true;
    }
    case seconds: {
        const auto v = number(text);
        if (!v) return fail("seek position '" + text + "' must be a number of seconds");
        if (*v < 0) return fail("seek position must be ≥ 0 seconds");
        if (*v > kMaxSeconds) return fail("seek position is past 24 hours; no song is that long");
        call.from = *v;
        return true;
    }
    case section: {
        const auto dash = text.find('-', 1);
        const auto from = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(0, dash));
        const auto to = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(dash + 1));
        if (!from || !to)
            return fail("loop value '" + text + "' is not a section: write START-END in seconds, such as 8-16");
        if (!(*from >= 0.0 && *to > *from && *to <= kMaxSeconds))
            return fail("loop section must run forwards from ≥ 0 s: START-END");
        call.from = *from;
        call.to = *to;
        return true;
    }
    case ValueKind::click: {
        if (text == "off")
            call.value = static_cast<float>(engine::ClickMode::off);
        else if (text == "count-in" || text == "count_in")
            call.value = static_cast<float>(engine::ClickMode::countIn);
        else if (text == "always" || text == "on")
            call.value = static_cast<float>(engine::ClickMode::always);
        else
            return fail("click '" + text + "' is not one of off, count-in, always" +
                        didYouMean(text, {"off", "count-in", "always"}));
        return true;
    }
    case ValueKind::song: {
        const auto v = number(text);
        if (!v || *v < 1 || *v != std::floor(*v) || *v > 100000)
            return fail("song '" + text + "' is not a song number: the set's songs count from 1");
        if (ctx.songs > 0 && *v > ctx.songs)
            return fail("there is no song " + text + "; the set has " + std::to_string(ctx.songs));
        call.value = static_cast<float>(*v - 1);
        return true;
    }
    case placement: {
        const std::size_t to = text.find(" to ");
        const std::string songText = to == std::string::npos ? text : trim(std::string_view(text).substr(0, to));
        const auto v = number(songText);
        if (!v || *v < 1 || *v != std::floor(*v) || *v > 100000)
            return fail("'" + text +
                        "' does not start with a song's number: write 7, or 7 to 3 (song 7 to place 3 tonight)");
        if (ctx.songs > 0 && *v > ctx.songs)
            return fail("there is no song " + songText + "; the set has " + std::to_string(ctx.songs));
        call.value = static_cast<float>(*v - 1);
        call.to = 0.0;
        if (to != std::string::npos) {
            const std::string placeText = trim(std::string_view(text).substr(to + 4));
            const auto p = number(placeText);
            if (!p || *p < 1 || *p != std::floor(*p) || *p > 100000)
                return fail("place '" + placeText + "' is not a place tonight: places count from 1 (7 to 3)");
            call.to = *p;
        } else if (info.action == Action::moveSong) {
            return fail("move_song needs a place: write " + songText + " to 3 (song " + songText +
                        " to place 3 tonight)");
        }
        return true;
    }
    case ValueKind::marker: {
        const int count = ctx.markerNames.empty() ? 1000 : static_cast<int>(ctx.markerNames.size());
        const int m = pick(text, ctx.markerNames, count, "marker", error);
        if (m < 0) return false;
        call.value = static_cast<float>(m);
        return true;
    }
    case ValueKind::scene:
    case slot: {
        const int s = info.value == slot ? pick(text, {}, engine::kMaxScenes, "scene", error)
                                         : pick(text, ctx.sceneNames, engine::kMaxScenes, "scene", error);
        if (s < 0) return false;
        call.value = static_cast<float>(s);
        return true;
    }
    case ValueKind::tempo: {
        const auto t = set::parseTempo(text);
        if (!t) return fail("tempo '" + text + "' is not a tempo: write a share such as 80% or a BPM such as 112bpm");
        if (const std::string bad = set::tempoShareProblem(*t); !bad.empty()) return fail(bad);
        call.from = t->value;
        call.to = t->bpm ? 1.0 : 0.0;
        return true;
    }
    case bars: {
        const auto dash = text.find('-', 1);
        const auto first = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(0, dash));
        const auto last = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(dash + 1));
        if (!first || !last || *first != std::floor(*first) || *last != std::floor(*last))
            return fail("loop bars '" + text + "' are not bars: write FIRST-LAST, such as 17-24");
        if (!(*first >= 1.0 && *last >= *first && *last <= 100000.0))
            return fail("loop bars must run forwards from bar 1: FIRST-LAST, such as 17-24");
        call.from = *first;
        call.to = *last;
        return true;
    }
    case semitones: {
        const auto st = set::parseTranspose(text);
        if (!st) return fail("transposition '" + text + "' is not semitones: write -2, +1.5, or cents such as +30c");
        if (const std::string bad = set::transposeProblem(*st); !bad.empty()) return fail(bad);
        call.value = static_cast<float>(*st);
        return true;
    }
    }
    return fail("'" + name + "': unknown value kind");
}

engine::Command toCommand(const ActionCall& call, double sampleRate) noexcept {
    engine::Command c;
    c.quantize = call.quantize;
    c.stem = call.stem;
    c.value = call.value;
    c.frame = call.frame;
    switch (call.action) {
    case Action::mute: c.op = Op::mute; break;
    case Action::unmute:
    case Action::drop: c.op = Op::unmute; break;
    case Action::toggleMute: c.op = Op::toggleMute; break;
    case Action::solo: c.op = Op::solo; break;
    case Action::unsolo: c.op = Op::unsolo; break;
    case Action::toggleSolo: c.op = Op::toggleSolo; break;
    case Action::gain: c.op = Op::gain; break;
    case Action::filter: c.op = Op::filter; break;
    case Action::play: c.op = Op::play; break;
    case Action::stop: c.op = Op::stop; break;
    case Action::seek:
        c.op = Op::seek;
        c.target = std::llround(call.from * sampleRate);
        break;
    case Action::click: c.op = Op::click; break;
    case Action::guides:
        c.op = Op::guides;
        c.value = -1.0f; // the other of on and off
        break;
    case Action::reference: c.op = Op::referenceOn; break;
    case Action::stems: c.op = Op::referenceOff; break;
    case Action::toggleReference: c.op = Op::toggleReference; break;
    case Action::loop:
        c.op = Op::loopOn;
        c.target = std::llround(call.from * sampleRate);
        c.length = std::llround(call.to * sampleRate) - c.target;
        break;
    case Action::unloop: c.op = Op::loopOff; break;
    case Action::scene: c.op = Op::scene; break;
    case Action::panic: c.op = Op::panic; break;
    default: c.op = Op::play; break; // not an engine action: the router never asks
    }
    if (!engine::needsStem(c.op)) c.stem = -1;
    return c;
}

std::string keyHelp() {
    std::string out = "keys:";
    bool first = true;
    for (const ActionInfo& a : kActions) {
        if (a.key.empty()) continue;
        out += first ? " " : " | ";
        first = false;
        out += std::string(a.key) + " " + std::string(a.name);
    }
    return out;
}

std::string actionsMarkdown() {
    std::string out = "| action | acts on | value | on the beat/bar | key | learn | what it does |\n"
                      "|---|---|---|---|---|---|---|\n";
    for (const ActionInfo& a : kActions) {
        const char* target = a.target == T::stem ? "a stem" : a.target == T::stems ? "stems" : "the song";
        std::string value(a.value == none ? std::string_view("") : valueHint(a.value));
        std::string key(a.key);
        std::string learn = a.learnLetter != 0 ? std::string(1, a.learnLetter) : "";
        if (a.action == Action::filter) learn += ", e (encoder)";
        for (std::string* cell : {&value, &key, &learn}) // a | inside a cell would end it
            for (std::size_t at = cell->find('|'); at != std::string::npos; at = cell->find('|', at + 2))
                cell->replace(at, 1, "\\|");
        out += "| `" + std::string(a.name) + "` | " + target + " | " + value + " | " + (a.quantisable ? "yes" : "") +
               " | " + (key.empty() ? "" : "`" + key + "`") + " | " + (learn.empty() ? "" : "`" + learn + "`") + " | " +
               std::string(a.summary) + " |\n";
    }
    return out;
}

std::string learnMenuText() {
    std::string out;
    for (const ActionInfo& a : kActions) {
        if (a.learnLetter == 0) continue;
        if (!out.empty()) out += "  ";
        out += a.learnLetter;
        out += ' ';
        out += a.action == Action::mute ? std::string("hold-to-mute") : std::string(a.name);
        if (a.action == Action::filter) out += "  e filter-encoder";
    }
    return out + "  (Esc: skip)";
}

} // namespace stemdeck::control
