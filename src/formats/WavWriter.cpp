#include <sndfile.h>

#include <algorithm>
#include <system_error>

#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::formats {

namespace fs = std::filesystem;

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
