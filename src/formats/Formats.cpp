#include "stemdeck/formats/Formats.h"

#include <atomic>

#include "Decoder.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/NiStemFile.h"

namespace stemdeck::formats {

namespace {
std::atomic<std::uint64_t> gLengthsCounted{0};
}

std::uint64_t lengthsCounted() noexcept {
    return gLengthsCounted.load(std::memory_order_relaxed);
}

std::string StemLocation::describe() const {
    return track < 0 ? file.string() : file.string() + " (track " + std::to_string(track) + ")";
}

AudioFileInfo probeStem(const StemLocation& stem, ProbeDepth depth) {
    if (stem.track < 0) return probeAudioFile(stem.file, depth == ProbeDepth::length);
    const NiStemFileInfo info = probeNiStemFile(stem.file);
    const auto t = static_cast<std::size_t>(stem.track);
    if (t > info.stems.size()) throw Error(stem.describe() + ": no such track in the stem file");
    return trackAudioInfo(t == 0 ? info.master : info.stems[t - 1]);
}

namespace detail {
void noteLengthCounted() noexcept {
    gLengthsCounted.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<Decoder> openDecoder(const StemLocation& stem, DecoderUse use) {
    if (stem.track >= 0) return openMp4Track(stem.file, stem.track);
    // A scan reads from frame 0 to the end once: its length is what it decodes (0: not counted).
    const std::int64_t known = use == DecoderUse::scan && stem.knownFrames < 0 ? 0 : stem.knownFrames;
    return openSoundFile(stem.file, known);
}
} // namespace detail

} // namespace stemdeck::formats
