#include "stemdeck/formats/AudioFile.h"

#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <system_error>

#include "Decoder.h"
#include "stemdeck/Error.h"

namespace stemdeck::formats {

namespace fs = std::filesystem;

namespace {

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
            throw Error(file.string() + ": cannot read as audio (" + sf_strerror(nullptr) +
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

AudioFileInfo probeAudioFile(const fs::path& file) {
    std::optional<SndFile> opened;
    try {
        opened.emplace(file);
    } catch (const Error&) {
        const std::unique_ptr<detail::Decoder> flac = detail::openFlacWithFfmpeg(file); // 12- or 20-bit
        if (!flac) throw;
        requirePlayableRate(file.string(), flac->rate);
        AudioFileInfo out;
        out.frames = flac->frames;
        out.sampleRate = flac->rate;
        out.channels = flac->channels;
        out.format = "FLAC";
        out.bitDepth = flac->bitDepth;
        out.subtype = "PCM " + std::to_string(flac->bitDepth) + "-bit";
        if (out.frames <= 0) throw Error(file.string() + ": holds no audio (0 frames); export the stem again");
        return out;
    }
    SndFile& f = *opened;
    requirePlayableRate(file.string(), f.info.samplerate);
    AudioFileInfo out = describe(f.info);
    out.frames = detail::lengthFrames(f.handle, f.info.format, f.info.channels, out.frames);
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

std::int64_t lengthFrames(void* sndfile, int format, int channels, std::int64_t frames) {
    return unknownLength(frames) ? decodedFrames(sndfile, channels) : declaredFrames(sndfile, format, channels, frames);
}

std::int64_t decodedFrames(void* sndfile, int channels) {
    auto* f = static_cast<SNDFILE*>(sndfile);
    std::vector<float> buf(static_cast<std::size_t>(16384) * static_cast<std::size_t>(std::max(1, channels)));
    std::int64_t total = 0;
    sf_count_t got = 0;
    while ((got = sf_readf_float(f, buf.data(), 16384)) > 0)
        total += got;
    sf_seek(f, 0, SEEK_SET);
    return total;
}
} // namespace detail

std::string fileProblem(const fs::path& file) {
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(file, ec);
    if (ec || !fs::exists(link)) return "file not found; check the name and folder";
    const fs::file_status target = fs::status(file, ec);
    if (fs::is_symlink(link) && (ec || !fs::exists(target))) {
        if (ec == std::errc::too_many_symbolic_link_levels) return "is a symbolic link loop; point it at the stem file";
        std::error_code readEc;
        const fs::path to = fs::read_symlink(file, readEc);
        return "is a link to '" + to.string() + "', which does not exist; copy the stem itself into the folder";
    }
    if (fs::is_directory(target)) return "is a folder, not an audio file; a stem is one file (01_Drums.wav)";
    if (!fs::is_regular_file(target)) return "is not a regular file; a stem is an audio file";
    if (::access(file.c_str(), R_OK) != 0 && errno == EACCES)
        return "permission denied; let stemdeck read it (chmod a+r, or copy it as your user)";
    return {};
}

void requirePlayableRate(const std::string& what, int rate) {
    if (rate >= kMinSampleRate && rate <= kMaxSampleRate) return;
    throw Error(what + ": sample rate " + std::to_string(rate) + " Hz is outside the rates stemdeck plays (" +
                std::to_string(kMinSampleRate) + "-" + std::to_string(kMaxSampleRate) +
                " Hz): the header is damaged or the file is not meant for playback; export it again at 44.1 or 48 kHz");
}

// ---------------------------------------------------------------------------------------------
// WavWriter

WavWriter::WavWriter(const fs::path& file, int sampleRate, int channels, SampleFormat format)
    : file_(file), channels_(channels), integer_(format != SampleFormat::float32) {
    temp_ = file;
    temp_ += ".partial";
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = channels;
    info.format = SF_FORMAT_WAV | (format == SampleFormat::float32 ? SF_FORMAT_FLOAT
                                   : format == SampleFormat::pcm24 ? SF_FORMAT_PCM_24
                                                                   : SF_FORMAT_PCM_16);
    SNDFILE* h = sf_open(temp_.c_str(), SFM_WRITE, &info);
    if (h == nullptr) {
        const std::string why = sf_strerror(nullptr);
        std::error_code ec;
        fs::remove(temp_, ec); // created, but its header could not be written (a full disk): leave nothing
        throw Error(file.string() + ": cannot write (" + why +
                    "); check that the folder exists and is writable, and that the disk has room");
    }
    handle_ = h;
}

WavWriter::~WavWriter() {
    if (handle_ != nullptr) {
        sf_close(static_cast<SNDFILE*>(handle_));
        std::error_code ec;
        fs::remove(temp_, ec);
    }
}

void WavWriter::write(const float* left, const float* right, int n) {
    const auto frames = static_cast<std::size_t>(n), channels = static_cast<std::size_t>(channels_);
    interleaved_.resize(frames * channels);
    for (std::size_t i = 0; i < frames; ++i) {
        interleaved_[i * channels] = left[i];
        if (channels == 2) interleaved_[i * 2 + 1] = right[i];
    }
    sf_count_t written = 0;
    if (integer_) {
        // Full-scale int32, clamped (never wrapped); libsndfile keeps the top 16 or 24 bits.
        pcm_.resize(interleaved_.size());
        const float* in = interleaved_.data();
        int* out = pcm_.data();
        const std::size_t count = interleaved_.size();
#pragma omp simd
        for (std::size_t i = 0; i < count; ++i) {
            const float v = std::clamp(in[i], -1.0f, 1.0f) * 2147483648.0f;
            out[i] = v >= 2147483520.0f ? 2147483647 : static_cast<int>(v); // 1.0 → INT32_MAX
        }
        written = sf_writef_int(static_cast<SNDFILE*>(handle_), pcm_.data(), n);
    } else {
        written = sf_writef_float(static_cast<SNDFILE*>(handle_), interleaved_.data(), n);
    }
    if (written != n)
        throw Error(file_.string() + ": write failed (" + sf_strerror(static_cast<SNDFILE*>(handle_)) +
                    "); is the disk full?");
    frames_ += n;
}

void WavWriter::commit() {
    auto* h = static_cast<SNDFILE*>(handle_);
    handle_ = nullptr;
    if (sf_close(h) != 0) {
        std::error_code ec;
        fs::remove(temp_, ec);
        throw Error(file_.string() + ": could not finish writing the file; is the disk full?");
    }
    std::error_code ec;
    fs::rename(temp_, file_, ec);
    if (ec) {
        fs::remove(temp_, ec);
        throw Error(file_.string() + ": could not move the finished file into place (" + ec.message() + ")");
    }
}

void writeWav(const fs::path& file, int sampleRate, const std::vector<float>& left, const std::vector<float>* right,
              SampleFormat format) {
    if (right != nullptr && right->size() != left.size()) {
        if (!right->empty())
            throw Error(file.string() + ": left and right channels differ in length; cannot write the file");
        right = nullptr; // an empty right channel: mono
    }
    WavWriter w(file, sampleRate, right != nullptr ? 2 : 1, format);
    constexpr std::size_t kChunk = 65536;
    for (std::size_t at = 0; at < left.size(); at += kChunk) {
        const auto n = static_cast<int>(std::min(kChunk, left.size() - at));
        w.write(left.data() + at, right != nullptr ? right->data() + at : nullptr, n);
    }
    w.commit();
}

} // namespace stemdeck::formats
