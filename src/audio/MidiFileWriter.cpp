#include "stemdeck/audio/MidiFileWriter.h"

// JUCE's headers are not clean under our warning set; they are third-party code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <juce_audio_basics/juce_audio_basics.h>
#pragma GCC diagnostic pop

#include "stemdeck/common/Error.h"

namespace stemdeck::audio {

struct MidiFileWriter::Impl {
    juce::MidiMessageSequence track;
    int ticksPerQuarter = 0;
    int microsPerQuarter = 0;
};

MidiFileWriter::MidiFileWriter(int sampleRate) : impl_(std::make_unique<Impl>()) {
    // One tick a frame: ticks a quarter = rate · (µs a quarter) / 10⁶, at most 32 767 (15 bits).
    for (int d = 2; d <= 64; d *= 2)
        if (sampleRate % d == 0 && sampleRate / d <= 32767) {
            impl_->ticksPerQuarter = sampleRate / d;
            impl_->microsPerQuarter = 1'000'000 / d;
            break;
        }
    if (impl_->ticksPerQuarter == 0)
        throw Error("a MIDI file cannot count frames at " + std::to_string(sampleRate) +
                    " Hz (one tick a frame needs a rate divisible by 2, 4 … 64 to at most 32 767)");
    impl_->track.addEvent(juce::MidiMessage::tempoMetaEvent(impl_->microsPerQuarter), 0.0);
}

MidiFileWriter::~MidiFileWriter() = default;

void MidiFileWriter::add(std::int64_t frame, const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    impl_->track.addEvent(juce::MidiMessage(data, static_cast<int>(size)), static_cast<double>(frame));
    ++messages_;
}

void MidiFileWriter::addText(std::int64_t frame, const std::string& text) {
    impl_->track.addEvent(juce::MidiMessage::textMetaEvent(1, juce::String::fromUTF8(text.c_str())),
                          static_cast<double>(frame));
}

void MidiFileWriter::save(const std::filesystem::path& file) const {
    juce::MidiFile out;
    out.setTicksPerQuarterNote(impl_->ticksPerQuarter);
    juce::MidiMessageSequence track = impl_->track;
    track.updateMatchedPairs();
    out.addTrack(track);
    const juce::File f(juce::String::fromUTF8(std::filesystem::absolute(file).string().c_str()));
    f.deleteFile();
    juce::FileOutputStream stream(f);
    if (stream.failedToOpen())
        throw Error(file.string() + ": cannot write the MIDI file (" +
                    stream.getStatus().getErrorMessage().toStdString() + ")");
    if (!out.writeTo(stream, 1)) throw Error(file.string() + ": the MIDI file could not be written");
    stream.flush();
    if (stream.getStatus().failed())
        throw Error(file.string() + ": " + stream.getStatus().getErrorMessage().toStdString());
}

} // namespace stemdeck::audio
