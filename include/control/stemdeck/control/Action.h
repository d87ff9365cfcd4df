#pragma once
// The one vocabulary of a performer's verbs. Every surface — the play screen's keys, controller
// mappings, MIDI learn, event scripts, the stage GUI and the remotes to come — names actions and
// parses their values through this table, and hands ActionCalls to the router (Router.h), which
// turns them into engine commands or player actions. Adding an action is one row in kActions
// (Action.cpp) plus its behaviour: an engine op in toCommand() or a player method in perform().
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "stemdeck/engine/Command.h"

namespace stemdeck::control {

enum class Action : std::uint8_t {
    mute,
    unmute,
    toggleMute,
    solo,
    unsolo,
    toggleSolo,
    gain,
    filter,
    drop,
    play,
    stop,
    togglePlay,
    seek,
    toStart,
    barBack,
    barForward,
    click,
    cycleClick,
    guides,
    reference,
    stems,
    toggleReference,
    loop,
    unloop,
    vamp,
    nextSong,
    previousSong,
    goToSong,
    playNext,
    moveSong,
    addSong,
    skipSong,
    unskipSong,
    toggleSkip,
    togglePlayed,
    nextMarker,
    previousMarker,
    marker,
    scene,
    storeScene,
    tempo,
    tempoUp,
    tempoDown,
    transpose,
    transposeUp,
    transposeDown,
    loopA,
    loopB,
    practiceLoop,
    loopCountIn,
    lyricsTap,
    panic,
    lock,
    unlock,
    learn,
    quit,
    shutdown,
};

/// What an action acts on.
enum class Target : std::uint8_t {
    song,  ///< the whole song (no stem)
    stem,  ///< one stem
    stems, ///< several stems at once (drop)
};

/// The kind of an action's value, and so how its text is parsed (parseValue).
enum class ValueKind : std::uint8_t {
    none,
    level,     ///< a gain: -6dB, +3dB, or a factor such as 0.5 (at most +12 dB)
    knob,      ///< the DJ filter: -1 (low-pass) … 0 (off) … 1 (high-pass)
    seconds,   ///< a song position in seconds, ≥ 0
    section,   ///< START-END in seconds, such as 8-16
    click,     ///< off, count-in or always
    song,      ///< a song's number in the set, from 1
    marker,    ///< a marker of the song: its name or its number from 1
    scene,     ///< a scene of the song: its name or its number (1–8)
    slot,      ///< a scene's number, 1–8 (where store_scene writes)
    tempo,     ///< a rehearsal tempo: a share of the song's own (80%) or a BPM (112bpm)
    semitones, ///< a transposition: semitones (-2, +1.5) or cents (+30c)
    bars,      ///< FIRST-LAST bars of the song, both played, such as 17-24
    placement, ///< a song and, optionally, its place tonight: 7, or 7 to 3 (a song's number, then a place from 1)
};

/// Who carries an action out.
enum class Runs : std::uint8_t {
    engine,  ///< an engine command, sent from the surface's own thread on the frame it arrived
    player,  ///< the control thread (it needs the set: songs, markers, the sidecar file)
    session, ///< the live session itself (lock, learn, quit, shutdown)
};

/// One row of the table.
struct ActionInfo {
    Action action;
    std::string_view name; ///< as written in scripts, mappings and remote messages
    Target target;
    ValueKind value;
    bool quantisable; ///< may wait for the next beat or bar (quantize: beat | bar)
    Runs runs;
    std::string_view key;     ///< its key on the play screen, "" if none
    char learnLetter;         ///< its letter in MIDI learn's menu, 0 if none
    std::string_view summary; ///< what it does, one line (the manual, help)
};

/// @thread any. Every action, in table order.
[[nodiscard]] std::span<const ActionInfo> actions() noexcept;
/// @thread any. The row of an action.
[[nodiscard]] const ActionInfo& info(Action action) noexcept;
/// @thread any. The action called `name` ("toggle_mute"), if there is one.
[[nodiscard]] std::optional<Action> actionFromName(std::string_view name) noexcept;
/// @thread any. Every action's name, in table order.
[[nodiscard]] const std::vector<std::string>& actionNames();
/// @thread any. "unknown action 'mutr' (did you mean 'mute'?); actions are …"
[[nodiscard]] std::string unknownActionMessage(std::string_view name);

/// One action, ready to be carried out: what a surface hands to the router. Trivially copyable,
/// so it crosses lock-free queues by value; names (of scenes, markers) are resolved to numbers by
/// the surface before it gets here.
struct ActionCall {
    Action action = Action::play;
    engine::Quantize quantize = engine::Quantize::none;
    std::int8_t stem = -1;       ///< 0-based, for Target::stem
    std::uint8_t stemMask = 0;   ///< bit i: stem i, for Target::stems
    float value = 0.0f;          ///< level (linear), knob, click mode, semitones, or a 0-based song/marker/scene number
    double from = 0.0, to = 0.0; ///< seconds: a seek's position; a loop's section. tempo: from is the
                                 ///< share (0.8) or, with to = 1, the BPM. bars: the first and last bar.
                                 ///< placement: to is the place tonight from 1 (0: none given)
    std::int64_t frame = engine::kNextBlock; ///< engine output frame it was issued for
};
static_assert(std::is_trivially_copyable_v<ActionCall>);

/// Names the song's things a value may name (scenes, markers), and how many songs there are.
/// Empty names: values must be numbers (a mapping serves every song).
struct ValueContext {
    std::vector<std::string> sceneNames; ///< by slot; "" for an empty slot
    std::vector<std::string> markerNames;
    int songs = 0; ///< 0: any song number is taken
};

/// @thread any. Parses an action's value from its text into `call` (value, from, to). On a bad
/// value returns false and says in `error` what is wrong and what to write instead.
bool parseValue(const ActionInfo& info, std::string_view text, const ValueContext& context, ActionCall& call,
                std::string& error);

/// @thread any. What a value of this kind looks like, for messages: "a level such as -6dB or 0.5".
[[nodiscard]] std::string_view valueHint(ValueKind kind) noexcept;

/// @thread any, no allocation. The engine command for an engine action (Runs::engine; drop gives
/// one unmute per stem: see forEachCommand). Seconds become frames at `sampleRate`.
template <typename Send>
void forEachCommand(const ActionCall& call, double sampleRate, Send&& send) noexcept;

/// @thread any, no allocation. The single command of an engine action other than drop.
[[nodiscard]] engine::Command toCommand(const ActionCall& call, double sampleRate) noexcept;

template <typename Send>
void forEachCommand(const ActionCall& call, double sampleRate, Send&& send) noexcept {
    if (call.action != Action::drop) {
        send(toCommand(call, sampleRate));
        return;
    }
    for (int s = 0; s < 8; ++s)
        if ((call.stemMask >> s & 1u) != 0) {
            engine::Command c = toCommand(call, sampleRate);
            c.stem = static_cast<std::int8_t>(s);
            send(c);
        }
}

/// @thread any. The play screen's key help, one line, from the table.
[[nodiscard]] std::string keyHelp();

/// @thread any. The whole table as a Markdown table, as the manual shows it (docs/manual/actions.md;
/// a test keeps the manual's copy the same) and `stemdeck actions` prints it.
[[nodiscard]] std::string actionsMarkdown();

/// @thread any. MIDI learn's menu, one line, from the table: "m toggle_mute  h hold-to-mute …".
[[nodiscard]] std::string learnMenuText();

} // namespace stemdeck::control
