#include "stemdeck/formats/StretchedReader.h"

#include <rubberband/RubberBandStretcher.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace stemdeck::formats {

namespace {
constexpr int kChunk = 1024; // input frames per process() call
using RubberBand::RubberBandStretcher;
} // namespace

std::string Stretch::describe() const {
    std::string s;
    char buf[48];
    if (tempo != 1.0) {
        std::snprintf(buf, sizeof buf, "%g%% tempo", std::round(tempo * 1000.0) / 10.0);
        s = buf;
    }
    if (semitones != 0.0) {
        std::snprintf(buf, sizeof buf, "%s%+g st", s.empty() ? "" : ", ", std::round(semitones * 100.0) / 100.0);
        s += buf;
    }
    return s;
}

StretchedReader::StretchedReader(const StemLocation& stem, int outputRate, const Stretch& stretch)
    : reader_(stem, outputRate), stretch_(stretch) {
    length_ = reader_.lengthFrames();
    if (stretch.unity()) return; // StemReader itself
    inLeft_.resize(kChunk);
    inRight_.resize(kChunk);
    // R3 (OptionEngineFiner) at either window; channels together so a stereo image does not
    // smear; formants kept when transposing unless asked otherwise.
    const RubberBandStretcher::Options options =
        RubberBandStretcher::OptionProcessRealTime | RubberBandStretcher::OptionEngineFiner |
        (stretch.quality == Stretch::Quality::live ? RubberBandStretcher::OptionWindowShort
                                                   : RubberBandStretcher::OptionWindowStandard) |
        RubberBandStretcher::OptionChannelsTogether | RubberBandStretcher::OptionPitchHighQuality |
        (stretch.formants ? RubberBandStretcher::OptionFormantPreserved : RubberBandStretcher::OptionFormantShifted);
    rb_ = std::make_unique<RubberBandStretcher>(static_cast<std::size_t>(reader_.outputRate()), 2, options,
                                                1.0 / stretch.tempo, std::pow(2.0, stretch.semitones / 12.0));
    rb_->setMaxProcessSize(kChunk);
    length_ = static_cast<std::int64_t>(std::ceil(static_cast<double>(reader_.lengthFrames()) / stretch.tempo));
    (void)start(0);
}

StretchedReader::~StretchedReader() = default;

bool StretchedReader::start(std::int64_t frame) {
    if (rb_ == nullptr) return reader_.start(frame);
    rb_->reset();
    inputEnded_ = inputFailed_ = false;
    const auto in = static_cast<std::int64_t>(std::llround(static_cast<double>(frame) * stretch_.tempo));
    const auto pad = static_cast<std::int64_t>(rb_->getPreferredStartPad());
    // The pad: the input just before the start (silence before the file's frame 0), so the
    // stretcher has settled by the start and a start mid-song sounds as continuous playback does.
    const std::int64_t from = in - pad;
    inPos_ = std::max<std::int64_t>(0, from);
    if (!reader_.start(inPos_)) return false;
    for (std::int64_t zeros = std::max<std::int64_t>(0, -from); zeros > 0;) {
        const int n = static_cast<int>(std::min<std::int64_t>(zeros, kChunk));
        std::fill_n(inLeft_.begin(), n, 0.0f);
        std::fill_n(inRight_.begin(), n, 0.0f);
        const float* chans[2] = {inLeft_.data(), inRight_.data()};
        rb_->process(chans, static_cast<std::size_t>(n), false);
        zeros -= n;
    }
    drop_ = static_cast<std::int64_t>(rb_->getStartDelay());
    position_ = frame;
    return true;
}

bool StretchedReader::feed() {
    if (inputEnded_ || inputFailed_) return false;
    const int got = reader_.read(inLeft_.data(), inRight_.data(), kChunk);
    inPos_ += got;
    if (got < kChunk) {
        // The input's end, or a file cut short (a resampler may end a few frames early: not a fault).
        const std::int64_t slack = reader_.resampling() ? 64 : 0;
        if (inPos_ < reader_.lengthFrames() - slack) {
            inputFailed_ = true; // said by the caller (a short read); start() tries again
            return false;
        }
        inputEnded_ = true;
    }
    const float* chans[2] = {inLeft_.data(), inRight_.data()};
    rb_->process(chans, static_cast<std::size_t>(got), inputEnded_);
    return true;
}

int StretchedReader::read(float* left, float* right, int n) {
    if (rb_ == nullptr) return reader_.read(left, right, n);
    // Exactly lengthFrames() in all: Rubber Band's flush gives a little more or less than
    // input / tempo; the rest is cut, or filled with silence (the stem has ended).
    n = static_cast<int>(std::clamp<std::int64_t>(length_ - position_, 0, n));
    int done = 0;
    while (done < n) {
        const int avail = rb_->available();
        if (avail <= 0) {
            if (avail < 0 || !feed()) break; // -1: the final output has been read
            continue;
        }
        if (drop_ > 0) { // the start delay
            const auto k = static_cast<std::size_t>(std::min<std::int64_t>(drop_, avail));
            outLeft_.resize(k);
            outRight_.resize(k);
            float* outs[2] = {outLeft_.data(), outRight_.data()};
            drop_ -= static_cast<std::int64_t>(rb_->retrieve(outs, k));
            continue;
        }
        float* outs[2] = {left + done, right + done};
        done += static_cast<int>(rb_->retrieve(outs, static_cast<std::size_t>(std::min(avail, n - done))));
    }
    if (inputEnded_ && done < n) { // flushed short of the length: the stem's end is silence
        std::fill(left + done, left + n, 0.0f);
        std::fill(right + done, right + n, 0.0f);
        done = n;
    }
    position_ += done;
    return done;
}

} // namespace stemdeck::formats
