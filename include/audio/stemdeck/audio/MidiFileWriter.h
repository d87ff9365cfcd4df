#pragma once
// The MIDI output offline: what the engine's MidiOut sends in a render, written as a Standard MIDI
// File (JUCE's MidiFile) on the render's timeline — one tick a frame, so a file reader sees each
// message on the very frame the JACK port would carry it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "stemdeck/engine/MidiOut.h"

namespace stemdeck::audio {

class MidiFileWriter {
public:
    /// Ticks are frames at `sampleRate`: the file's division and tempo are chosen so (a division of
    /// rate/2 ticks a quarter note at 120 BPM; rate/4 at 240 BPM above 65 534 Hz, …). Throws
    /// stemdeck::Error for a rate no division fits.
    explicit MidiFileWriter(int sampleRate);
    ~MidiFileWriter();
    MidiFileWriter(const MidiFileWriter&) = delete;
    MidiFileWriter& operator=(const MidiFileWriter&) = delete;

    /// A block's messages, the block starting on output frame `blockStart`, up to frame `until`
    /// (the render's end). `oscText(index)` names an OSC cue (written as a text event).
    /// `last`: no block follows (the render ends here), so the messages carried over to the next
    /// block (those due on this one's end frame: the song's end, a Stop) are taken too.
    template <class OscText>
    void addBlock(const engine::MidiOut& midi, std::int64_t blockStart, int blockFrames, std::int64_t until, bool last,
                  OscText oscText) {
        auto take = [&](const engine::MidiEvent& e, const std::uint8_t* bytes, std::int64_t frame) {
            if (frame > until) return;
            if (e.size > 0)
                add(frame, bytes + e.start, e.size);
            else
                addText(frame, oscText(e.osc));
        };
        for (std::size_t i = 0; i < midi.eventCount(); ++i)
            take(midi.events()[i], midi.bytes(), blockStart + midi.events()[i].offset);
        if (last)
            for (std::size_t i = 0; i < midi.carriedCount(); ++i)
                take(midi.carried()[i], midi.carriedBytes(), blockStart + blockFrames + midi.carried()[i].offset);
    }
    /// @thread the render's. One message (whole) on `frame`.
    void add(std::int64_t frame, const std::uint8_t* data, std::size_t size);
    /// A text event on `frame` (an OSC cue: "OSC /path to host:port").
    void addText(std::int64_t frame, const std::string& text);
    [[nodiscard]] std::size_t messages() const noexcept { return messages_; }
    /// Writes the file (format 1, one track after the tempo). Throws stemdeck::Error naming it.
    void save(const std::filesystem::path& file) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::size_t messages_ = 0;
};

} // namespace stemdeck::audio
