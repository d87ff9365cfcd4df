// Everything stemdeck reads through libsndfile: WAV (BWF, RF64), AIFF, FLAC, Ogg, Opus, MP3 — the
// header's facts, the real length, and the decoder.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Decoder.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::formats {

namespace fs = std::filesystem;

namespace {

/// libsndfile's words for the open that just failed. They live in one global shared by every
/// thread (a song's stems are opened side by side): where another open has reset it meanwhile
/// ("No Error."), say what is certain instead.
std::string openError() {
    const std::string words = sf_strerror(nullptr);
    return words.empty() || words.starts_with("No Error") ? "not a format libsndfile reads" : words;
}

std::string formatName(int format) {
    SF_FORMAT_INFO info{};
    info.format = format & SF_FORMAT_TYPEMASK;
    if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof(info)) == 0 && info.name != nullptr) {
        std::string name = info.name;
        return name.substr(0, name.find(' '));
    }
    return "unknown";
}

/// Each encoding libsndfile reads: its name, bit depth (0: not a PCM depth), whether it is lossy,
/// and its bytes a sample where every sample takes the same (0 for compressed encodings).
/// µ-law and A-law are 8 bits a sample (companded: about 13 bits of range at telephone quality);
/// ADPCM (4 bits a sample), GSM and the G.72x codecs throw most of the signal away.
struct Encoding {
    int subtype;
    const char* name;
    int bitDepth;
    bool lossy;
    int bytes = 0;
};
constexpr Encoding kEncodings[] = {
    {SF_FORMAT_PCM_S8, "PCM 8-bit", 8, false, 1},
    {SF_FORMAT_PCM_U8, "PCM 8-bit", 8, false, 1},
    {SF_FORMAT_PCM_16, "PCM 16-bit", 16, false, 2},
    {SF_FORMAT_PCM_24, "PCM 24-bit", 24, false, 3},
    {SF_FORMAT_PCM_32, "PCM 32-bit", 32, false, 4},
    {SF_FORMAT_FLOAT, "32-bit float", 32, false, 4},
    {SF_FORMAT_DOUBLE, "64-bit float", 64, false, 8},
    {SF_FORMAT_ULAW, "mu-law 8-bit", 8, false, 1},
    {SF_FORMAT_ALAW, "A-law 8-bit", 8, false, 1},
    {SF_FORMAT_IMA_ADPCM, "IMA ADPCM", 0, true},
    {SF_FORMAT_MS_ADPCM, "MS ADPCM", 0, true},
    {SF_FORMAT_VOX_ADPCM, "OKI ADPCM", 0, true},
    {SF_FORMAT_NMS_ADPCM_16, "NMS ADPCM 16k", 0, true},
    {SF_FORMAT_NMS_ADPCM_24, "NMS ADPCM 24k", 0, true},
    {SF_FORMAT_NMS_ADPCM_32, "NMS ADPCM 32k", 0, true},
    {SF_FORMAT_G721_32, "G.721 ADPCM", 0, true},
    {SF_FORMAT_G723_24, "G.723 ADPCM 24k", 0, true},
    {SF_FORMAT_G723_40, "G.723 ADPCM 40k", 0, true},
    {SF_FORMAT_GSM610, "GSM 6.10", 0, true},
    {SF_FORMAT_DWVW_12, "DWVW 12-bit", 12, false},
    {SF_FORMAT_DWVW_16, "DWVW 16-bit", 16, false},
    {SF_FORMAT_DWVW_24, "DWVW 24-bit", 24, false},
    {SF_FORMAT_DPCM_8, "DPCM 8-bit", 8, false},
    {SF_FORMAT_DPCM_16, "DPCM 16-bit", 16, false},
    {SF_FORMAT_ALAC_16, "ALAC 16-bit", 16, false},
    {SF_FORMAT_ALAC_20, "ALAC 20-bit", 20, false},
    {SF_FORMAT_ALAC_24, "ALAC 24-bit", 24, false},
    {SF_FORMAT_ALAC_32, "ALAC 32-bit", 32, false},
    {SF_FORMAT_VORBIS, "Vorbis", 0, true},
    {SF_FORMAT_OPUS, "Opus", 0, true},
    {SF_FORMAT_MPEG_LAYER_I, "MPEG layer I", 0, true},
    {SF_FORMAT_MPEG_LAYER_II, "MPEG layer II", 0, true},
    {SF_FORMAT_MPEG_LAYER_III, "MP3", 0, true},
};

const Encoding* encodingOf(int format) {
    for (const Encoding& e : kEncodings)
        if (e.subtype == (format & SF_FORMAT_SUBMASK)) return &e;
    return nullptr;
}

void describeSubtype(int format, AudioFileInfo& out) {
    const int subtype = format & SF_FORMAT_SUBMASK;
    if (const Encoding* e = encodingOf(format)) {
        out.subtype = e->name;
        out.bitDepth = e->bitDepth;
        out.lossy = e->lossy;
        return;
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04x", subtype);
    out.subtype = std::string("encoding ") + hex; // one libsndfile reads but this table does not know yet
}

struct SndFile {
    SNDFILE* handle = nullptr;
    SF_INFO info{};
    explicit SndFile(const fs::path& file) {
        if (const std::string problem = fileProblem(file); !problem.empty())
            throw Error(file.string() + ": " + problem);
        handle = sf_open(file.c_str(), SFM_READ, &info);
        if (handle == nullptr)
            throw Error(file.string() + ": cannot read as audio (" + openError() +
                        "); export it again as WAV, AIFF or FLAC");
    }
    ~SndFile() {
        if (handle != nullptr) sf_close(handle);
    }
    SndFile(const SndFile&) = delete;
    SndFile& operator=(const SndFile&) = delete;
};

AudioFileInfo describe(const SF_INFO& info) {
    AudioFileInfo out;
    out.frames = info.frames;
    out.sampleRate = info.samplerate;
    out.channels = info.channels;
    out.format = formatName(info.format);
    describeSubtype(info.format, out);
    return out;
}

} // namespace

AudioFileInfo probeAudioFile(const fs::path& file, bool countLength) {
    std::optional<SndFile> opened;
    try {
        opened.emplace(file);
    } catch (const Error&) {
        // A 12- or 20-bit FLAC:
        const std::unique_ptr<detail::Decoder> flac = detail::openFlacWithFfmpeg(file, countLength ? -1 : 0);
        if (!flac) throw;
        requirePlayableRate(file.string(), flac->rate);
        AudioFileInfo out;
        out.frames = flac->frames;
        out.sampleRate = flac->rate;
        out.channels = flac->channels;
        out.format = "FLAC";
        out.bitDepth = flac->bitDepth;
        out.subtype = "PCM " + std::to_string(flac->bitDepth) + "-bit";
        if (!countLength && out.frames <= 0)
            out.frames = -1;
        else if (out.frames <= 0)
            throw Error(file.string() + ": holds no audio (0 frames); export the stem again");
        return out;
    }
    SndFile& f = *opened;
    requirePlayableRate(file.string(), f.info.samplerate);
    AudioFileInfo out = describe(f.info);
    if (!countLength && detail::unknownLength(out.frames)) {
        out.frames = -1;
        return out;
    }
    out.frames = detail::lengthFrames(f.handle, file, f.info.format, f.info.channels, out.frames);
    if (out.frames <= 0)
        throw Error(file.string() + ": holds no audio (0 frames); the recorder or export kept the audio elsewhere: "
                                    "export the stem again");
    return out;
}

namespace detail {
bool unknownLength(std::int64_t frames) {
    return frames < 0 || frames == SF_COUNT_MAX;
}

std::int64_t declaredFrames(void* sndfile, int format, int channels, std::int64_t frames) {
    // The audio chunk's size as the file writes it (libsndfile's chunk API), in frames of this
    // encoding. WAV and AIFF only: other containers, compressed encodings and the sizes streaming
    // writers leave (0, 0xFFFFFFFF: "until the end", as RF64 and pipes do) keep libsndfile's count.
    const int type = format & SF_FORMAT_TYPEMASK;
    const char* id = type == SF_FORMAT_WAV || type == SF_FORMAT_WAVEX ? "data"
                     : type == SF_FORMAT_AIFF                         ? "SSND"
                                                                      : nullptr;
    const Encoding* encoding = encodingOf(format);
    const int bytes = encoding != nullptr ? encoding->bytes : 0;
    if (id == nullptr || bytes == 0 || channels < 1) return frames;
    SF_CHUNK_INFO want{};
    std::snprintf(want.id, sizeof want.id, "%s", id);
    want.id_size = 4;
    SF_CHUNK_ITERATOR* it = sf_get_chunk_iterator(static_cast<SNDFILE*>(sndfile), &want);
    if (it == nullptr) return frames;
    SF_CHUNK_INFO chunk{};
    if (sf_get_chunk_size(it, &chunk) != SF_ERR_NO_ERROR || chunk.datalen == 0 || chunk.datalen == 0xFFFFFFFFu)
        return frames;
    const std::int64_t payload = static_cast<std::int64_t>(chunk.datalen) - (type == SF_FORMAT_AIFF ? 8 : 0);
    const std::int64_t declared = payload / (static_cast<std::int64_t>(bytes) * channels);
    return declared > frames + 1 ? declared : frames; // (a writer's odd pad byte is not a cut)
}

std::int64_t lengthFrames(void* sndfile, const fs::path& file, int format, int channels, std::int64_t frames,
                          std::int64_t known) {
    if (!unknownLength(frames)) return declaredFrames(sndfile, format, channels, frames);
    if (known >= 0) return known;
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC)
        if (const std::optional<std::int64_t> tail = flacLengthFromTail(file)) return *tail;
    return decodedFrames(sndfile, channels);
}

std::int64_t decodedFrames(void* sndfile, int channels) {
    noteLengthCounted();
    auto* f = static_cast<SNDFILE*>(sndfile);
    std::vector<float> buf(static_cast<std::size_t>(16384) * static_cast<std::size_t>(std::max(1, channels)));
    std::int64_t total = 0;
    sf_count_t got = 0;
    while ((got = sf_readf_float(f, buf.data(), 16384)) > 0) {
        total += got;
        ioBeat();
    }
    sf_seek(f, 0, SEEK_SET);
    return total;
}
} // namespace detail

namespace detail {

namespace {
class SoundFileDecoder final : public Decoder {
public:
    SoundFileDecoder(const std::filesystem::path& file, std::int64_t known) {
        if (const std::string problem = fileProblem(file); !problem.empty())
            throw Error(file.string() + ": " + problem);
        SF_INFO info{};
        file_ = sf_open(file.c_str(), SFM_READ, &info);
        if (file_ == nullptr) throw Error(file.string() + ": cannot read as audio (" + openError() + ")");
        rate = info.samplerate;
        channels = info.channels;
        frames = lengthFrames(file_, file, info.format, info.channels, info.frames, known);
    }
    ~SoundFileDecoder() override { sf_close(file_); }
    SoundFileDecoder(const SoundFileDecoder&) = delete;
    SoundFileDecoder& operator=(const SoundFileDecoder&) = delete;
    bool seek(std::int64_t frame) override {
        return sf_seek(file_, std::clamp<std::int64_t>(frame, 0, frames), SEEK_SET) >= 0;
    }
    int read(float* interleaved, int n) override {
        const auto got = static_cast<int>(std::max<sf_count_t>(0, sf_readf_float(file_, interleaved, n)));
        ioBeat();
        // libsndfile's error state as the last read left it (each read starts afresh): a decoding
        // error that stopped the file, not one it read past.
        if (got < n) error = sf_error(file_) != SF_ERR_NO_ERROR ? sf_strerror(file_) : "";
        return got;
    }

private:
    SNDFILE* file_ = nullptr;
};
} // namespace

std::unique_ptr<Decoder> openSoundFile(const std::filesystem::path& file, std::int64_t known) {
    try {
        return std::make_unique<SoundFileDecoder>(file, known);
    } catch (const Error&) {
        if (auto flac = openFlacWithFfmpeg(file, known)) return flac; // a 12- or 20-bit FLAC
        throw;
    }
}

} // namespace detail

} // namespace stemdeck::formats
