#include "stemdeck/formats/Scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "Decoder.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/StemReader.h"

namespace stemdeck::formats {

namespace {
constexpr int kBlock = 65536;   // frames decoded at a time
constexpr int kFineFrames = 64; // the overview is gathered at this grain, then reduced to its points

/// `fine` (one peak per kFineFrames) reduced to `points` equal parts; a part shorter than one
/// grain shows the grain it falls in.
std::vector<float> reduce(const std::vector<float>& fine, int points) {
    std::vector<float> out(static_cast<std::size_t>(points), 0.0f);
    const auto n = static_cast<std::int64_t>(fine.size());
    if (n == 0) return out;
    for (std::int64_t p = 0; p < points; ++p) {
        const std::int64_t from = p * n / points;
        const std::int64_t to = std::max(from + 1, (p + 1) * n / points);
        out[static_cast<std::size_t>(p)] = *std::max_element(fine.begin() + from, fine.begin() + to);
    }
    return out;
}

constexpr int kTrackBlock = 16384; // frames of every track decoded at a time, side by side (scanStemFile)

/// A stem file's tracks read side by side, a block of each at a time: the master (track 0) into
/// its own buffers, the stems summed; each one's peak and frames, and the stems' sum against the
/// master.
class SideBySide {
public:
    /// Opens every track at frame 0; throws stemdeck::Error when one cannot be.
    SideBySide(const std::filesystem::path& file, int tracks) {
        for (int t = 0; t < tracks; ++t) {
            readers_.push_back(std::make_unique<StemReader>(StemLocation{file, t}, 0));
            readers_.back()->start(0);
        }
        peaks_.assign(readers_.size(), 0.0f);
        decoded_.assign(readers_.size(), 0);
    }

    [[nodiscard]] std::int64_t masterFrames() const { return readers_.empty() ? 0 : readers_.front()->lengthFrames(); }

    /// The next block of every track, summed and compared; the most frames a track gave (0: every
    /// track has ended).
    int next() {
        std::fill(sumL_.begin(), sumL_.end(), 0.0f);
        std::fill(sumR_.begin(), sumR_.end(), 0.0f);
        int most = 0;
        for (std::size_t t = 0; t < readers_.size(); ++t)
            most = std::max(most, readTrack(t));
        if (most == 0) return 0;
        for (std::size_t i = 0; i < static_cast<std::size_t>(most); ++i) {
            const double dl = sumL_[i] - masterL_[i], dr = sumR_[i] - masterR_[i];
            residual_ += dl * dl + dr * dr;
            masterEnergy_ +=
                static_cast<double>(masterL_[i]) * masterL_[i] + static_cast<double>(masterR_[i]) * masterR_[i];
        }
        return most;
    }

    [[nodiscard]] StemFileScan result() const {
        StemFileScan scan;
        for (std::size_t t = 0; t < readers_.size(); ++t) {
            FileScan& track = scan.tracks.emplace_back();
            track.peak = peaks_[t];
            track.frames = decoded_[t];
        }
        scan.sumResidualDb = residual_ <= 0.0       ? -std::numeric_limits<double>::infinity()
                             : masterEnergy_ <= 0.0 ? 0.0
                                                    : 10.0 * std::log10(residual_ / masterEnergy_);
        return scan;
    }

private:
    /// Track t's block: the master's into its buffers (silence after its end), a stem's added to the sum.
    int readTrack(std::size_t t) {
        float* left = t == 0 ? masterL_.data() : l_.data();
        float* right = t == 0 ? masterR_.data() : r_.data();
        const int got = readers_[t]->read(left, right, kTrackBlock);
        decoded_[t] += got;
        for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i)
            peaks_[t] = std::max({peaks_[t], std::fabs(left[i]), std::fabs(right[i])});
        if (t == 0) {
            std::fill(masterL_.begin() + got, masterL_.end(), 0.0f);
            std::fill(masterR_.begin() + got, masterR_.end(), 0.0f);
            return got;
        }
        for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
            sumL_[i] += l_[i];
            sumR_[i] += r_[i];
        }
        return got;
    }

    std::vector<std::unique_ptr<StemReader>> readers_;
    std::vector<float> l_ = std::vector<float>(kTrackBlock), r_ = std::vector<float>(kTrackBlock);
    std::vector<float> sumL_ = std::vector<float>(kTrackBlock), sumR_ = std::vector<float>(kTrackBlock);
    std::vector<float> masterL_ = std::vector<float>(kTrackBlock), masterR_ = std::vector<float>(kTrackBlock);
    std::vector<float> peaks_;
    std::vector<std::int64_t> decoded_;
    double residual_ = 0.0, masterEnergy_ = 0.0;
};
} // namespace

std::optional<FileScan> scanStem(const StemLocation& stem, const ScanOptions& options) {
    std::unique_ptr<detail::Decoder> decoder;
    try {
        decoder = detail::openDecoder(stem, detail::DecoderUse::scan);
    } catch (const Error&) {
        return std::nullopt;
    }
    detail::Decoder& d = *decoder;
    const auto channels = static_cast<std::size_t>(std::max(1, d.channels));
    std::vector<float> buf(static_cast<std::size_t>(kBlock) * channels);
    std::vector<float> fine;
    FileScan scan;
    for (int got = 0; (got = d.read(buf.data(), kBlock)) > 0;) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) return std::nullopt;
        for (std::size_t i = 0; i < static_cast<std::size_t>(got) * channels; ++i) {
            const float a = std::fabs(buf[i]);
            scan.peak = std::max(scan.peak, a);
            if (options.overviewPoints > 0) {
                const auto grain = static_cast<std::size_t>(scan.frames) + i / channels;
                if (grain % kFineFrames == 0 && i % channels == 0) fine.push_back(0.0f);
                fine.back() = std::max(fine.back(), a);
            }
        }
        scan.frames += got;
        if (options.progress && d.frames > 0)
            options.progress(std::min(1.0, static_cast<double>(scan.frames) / static_cast<double>(d.frames)));
    }
    if (!d.error.empty()) {
        scan.errorAt = scan.frames;
        scan.error = d.error;
    }
    if (options.overviewPoints > 0) scan.overview = reduce(fine, options.overviewPoints);
    return scan;
}

std::optional<StemFileScan> scanStemFile(const std::filesystem::path& file, int tracks, const ScanOptions& options) {
    SideBySide tracksRead(file, tracks);
    const std::int64_t length = std::max<std::int64_t>(1, tracksRead.masterFrames());
    std::int64_t pos = 0;
    for (int most = 0; (most = tracksRead.next()) > 0;) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) return std::nullopt;
        pos += most;
        if (options.progress) options.progress(std::min(1.0, static_cast<double>(pos) / static_cast<double>(length)));
    }
    return tracksRead.result();
}

} // namespace stemdeck::formats
