#include "stemdeck/formats/Scan.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "Decoder.h"
#include "stemdeck/Error.h"

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

} // namespace stemdeck::formats
