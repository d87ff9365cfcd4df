#pragma once
// Cues: what a song sends at a place in it — a program change (with its bank), a controller, a
// note or a SysEx message on stemdeck's MIDI output, or an OSC message to a host — and the MIDI
// output's set-wide settings (the set file's `midi_out:`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stemdeck::set {

/// One argument of an OSC cue: a whole number (i), a number with a point (f) or text (s).
struct OscArgument {
    enum class Type : std::uint8_t { integer, real, text };
    Type type = Type::integer;
    std::int32_t integer = 0;
    double real = 0.0;
    std::string text;
};

/// An OSC message a cue sends over UDP.
struct OscCue {
    std::string host; ///< a name or an address
    int port = 0;
    std::string address; ///< "/location/1/0/1/press"
    std::vector<OscArgument> args;
};

/// A cue of a song, as written in the set file.
struct Cue {
    enum class At : std::uint8_t {
        current, ///< the song becomes the current one (not when it is preloaded as the next)
        start,   ///< play starts from the song's top (its count-in's first frame)
        bar,     ///< on a bar (and beat)
        marker,  ///< on a marker's bar
        end,     ///< the song reaches its end
    };
    At at = At::bar;
    int bar = 1, beat = 1;           ///< At::bar, and At::marker (the marker's bar, beat 1)
    std::string marker;              ///< At::marker
    bool everyPass = false;          ///< `repeat: every`: fired again on each repeat of a vamp or A-B loop
    int channel = 1;                 ///< 1-16
    std::optional<int> program;      ///< 1-128, as most gear shows it (sent as 0-127)
    std::optional<int> bank;         ///< 0-16383: controller 0 (MSB) and 32 (LSB) just before the program change
    std::optional<int> control;      ///< a controller number 0-127 …
    int value = 0;                   ///< … and its value 0-127
    std::optional<int> note;         ///< 0-127 (60 is middle C) …
    int velocity = 100;              ///< … 1-127 …
    double noteSeconds = 0.1;        ///< … held this long
    std::vector<std::uint8_t> sysex; ///< F0 … F7, whole
    std::optional<OscCue> osc;
    int line = 0, column = 0; ///< where it was written

    /// @thread any. The MIDI bytes it sends, whole messages in order (a note: its note-on); none
    /// for an OSC cue.
    [[nodiscard]] std::vector<std::uint8_t> midiBytes() const;
    /// @thread any. "current", "start", "end", "bar 17", "bar 17 beat 3", "marker Chorus (bar 9)".
    [[nodiscard]] std::string where() const;
    /// @thread any. "program 5 bank 2 on channel 1", "controller 74 = 127 on channel 2",
    /// "note 36 velocity 127 on channel 10", "SysEx 6 bytes", "OSC /press to 127.0.0.1:16759".
    [[nodiscard]] std::string what() const;
};

/// The set file's `midi_out:` (any key may be absent: the command line or the defaults decide).
struct SetMidiOut {
    std::optional<std::string> connect; ///< any part of the names of the MIDI inputs to connect to
    std::optional<bool> clock;          ///< MIDI clock
    std::optional<bool> clockOnly;      ///< no Start, Stop, Continue or Song Position (modelers)
    std::optional<bool> clockWhileStopped;
    std::optional<bool> startAtCountIn; ///< `start: count-in` (default `bar-1`)
    [[nodiscard]] bool any() const { return connect || clock || clockOnly || clockWhileStopped || startAtCountIn; }
};

/// @thread any. Seconds a DIN MIDI line (31 250 baud, 10 bits a byte) takes to carry `bytes`.
[[nodiscard]] inline double dinSeconds(std::size_t bytes) {
    return static_cast<double>(bytes) / 3125.0;
}

/// @thread any. "F0 43 10 4C 00 00 7E 00 F7" (hex bytes, spaces optional) into bytes; an empty
/// result and `problem` set when it is not one whole SysEx message (F0, data bytes 00-7F, F7).
[[nodiscard]] std::vector<std::uint8_t> parseSysex(const std::string& text, std::string& problem);

} // namespace stemdeck::set
