#include "stemdeck/formats/StemReader.h"

#include <soxr.h>

#include <algorithm>
#include <numeric>

#include "Decoder.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/AudioFile.h"
#include "stemdeck/formats/Formats.h"

namespace stemdeck::formats {

namespace {
constexpr int kInputChunk = 4096;
}

StemReader::StemReader(const StemLocation& stem, int outputRate) : stem_(stem), outputRate_(outputRate) {
    decoder_ = detail::openDecoder(stem);
    if (decoder_->channels < 1 || decoder_->channels > 2)
        throw Error(stem.describe() + ": " + std::to_string(decoder_->channels) +
                    " channels; a stem must be mono or stereo. Split it into stereo stems in your DAW");
    requirePlayableRate(stem.describe(), decoder_->rate);
    fileRate_ = decoder_->rate;
    if (outputRate_ <= 0) outputRate_ = fileRate_;
    channels_ = decoder_->channels;
    fileFrames_ = decoder_->frames;
    length_ = fileFrames_;
    if (fileRate_ != outputRate_) {
        const auto g = std::gcd(static_cast<std::int64_t>(fileRate_), static_cast<std::int64_t>(outputRate_));
        inStep_ = fileRate_ / g;
        outStep_ = outputRate_ / g;
        length_ = fileFrames_ * outStep_ / inStep_;
        soxr_error_t err = nullptr;
        const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
        resampler_ = soxr_create(fileRate_, outputRate_, 2, &err, nullptr, &quality, nullptr);
        if (err != nullptr)
            throw Error(stem.describe() + ": cannot resample " + std::to_string(fileRate_) + " Hz to " +
                        std::to_string(outputRate_) + " Hz (" + err + ")");
    }
}

StemReader::~StemReader() {
    if (resampler_ != nullptr) soxr_delete(static_cast<soxr_t>(resampler_));
}

bool StemReader::start(std::int64_t frame) {
    if (resampler_ == nullptr) return decoder_->seek(std::clamp<std::int64_t>(frame, 0, fileFrames_));
    // The input frame on the rates' common grid, pre-rolled, whose output frame is known exactly.
    const std::int64_t wantedIn = frame * inStep_ / outStep_ - kPreRoll;
    const std::int64_t in = std::max<std::int64_t>(0, wantedIn / inStep_ * inStep_);
    const std::int64_t out = in / inStep_ * outStep_;
    skip_ = frame - out;
    inputEnded_ = flushed_ = false;
    pending_.clear();
    pendingRead_ = 0;
    soxr_clear(static_cast<soxr_t>(resampler_));
    return decoder_->seek(std::min(in, fileFrames_));
}

int StemReader::decode(float* left, float* right, int n) {
    interleaved_.resize(static_cast<std::size_t>(n * channels_));
    const int got = decoder_->read(interleaved_.data(), n);
    const auto ch = static_cast<std::size_t>(channels_);
    for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
        left[i] = interleaved_[i * ch];
        right[i] = interleaved_[i * ch + ch - 1]; // mono: the same sample on both sides
    }
    return got;
}

void StemReader::resampleMore() {
    auto* rs = static_cast<soxr_t>(resampler_);
    std::size_t done = 0;
    if (!inputEnded_) {
        inLeft_.resize(kInputChunk);
        inRight_.resize(kInputChunk);
        stereoIn_.resize(kInputChunk * 2);
        const int got = decode(inLeft_.data(), inRight_.data(), kInputChunk);
        for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
            stereoIn_[2 * i] = inLeft_[i];
            stereoIn_[2 * i + 1] = inRight_[i];
        }
        if (got < kInputChunk) inputEnded_ = true; // end of file, or cut short: flush after this
        // Room for every output this input can make, so soxr takes all of it in one call.
        const auto room = static_cast<std::size_t>(got * outStep_ / inStep_ + 256);
        std::size_t offset = 0;
        while (offset < static_cast<std::size_t>(got)) {
            std::size_t used = 0;
            const std::size_t at = pending_.size();
            pending_.resize(at + 2 * room);
            soxr_process(rs, stereoIn_.data() + 2 * offset, static_cast<std::size_t>(got) - offset, &used,
                         pending_.data() + at, room, &done);
            pending_.resize(at + 2 * done);
            offset += used;
            if (used == 0 && done == 0) break;
        }
    } else {
        const std::size_t at = pending_.size();
        pending_.resize(at + 2 * kInputChunk);
        soxr_process(rs, nullptr, 0, nullptr, pending_.data() + at, kInputChunk, &done);
        pending_.resize(at + 2 * done);
        if (done == 0) flushed_ = true;
    }
    // Drop the pre-roll's outputs: the caller asked for the frame after them.
    const auto drop = std::min<std::size_t>(static_cast<std::size_t>(skip_), (pending_.size() - pendingRead_) / 2);
    pendingRead_ += 2 * drop;
    skip_ -= static_cast<std::int64_t>(drop);
}

int StemReader::read(float* left, float* right, int n) {
    if (resampler_ == nullptr) return decode(left, right, n);
    const auto want = static_cast<std::size_t>(n);
    while ((pending_.size() - pendingRead_) / 2 < want && !flushed_)
        resampleMore();
    const std::size_t got = std::min(want, (pending_.size() - pendingRead_) / 2);
    for (std::size_t i = 0; i < got; ++i) {
        left[i] = pending_[pendingRead_ + 2 * i];
        right[i] = pending_[pendingRead_ + 2 * i + 1];
    }
    pendingRead_ += 2 * got;
    if (pendingRead_ == pending_.size()) pending_.clear(), pendingRead_ = 0;
    return static_cast<int>(got);
}

} // namespace stemdeck::formats
