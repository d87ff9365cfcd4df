#include "stemdeck/formats/Formats.h"

#include "Decoder.h"
#include "stemdeck/Error.h"
#include "stemdeck/formats/NiStemFile.h"

namespace stemdeck::formats {

std::string StemLocation::describe() const {
    return track < 0 ? file.string() : file.string() + " (track " + std::to_string(track) + ")";
}

AudioFileInfo probeStem(const StemLocation& stem) {
    if (stem.track < 0) return probeAudioFile(stem.file);
    const NiStemFileInfo info = probeNiStemFile(stem.file);
    const auto t = static_cast<std::size_t>(stem.track);
    if (t > info.stems.size()) throw Error(stem.describe() + ": no such track in the stem file");
    return trackAudioInfo(t == 0 ? info.master : info.stems[t - 1]);
}

namespace detail {
std::unique_ptr<Decoder> openDecoder(const StemLocation& stem) {
    return stem.track < 0 ? openSoundFile(stem.file) : openMp4Track(stem.file, stem.track);
}
} // namespace detail

} // namespace stemdeck::formats
