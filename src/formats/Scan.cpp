#include "stemdeck/formats/Scan.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "Decoder.h"
#include "stemdeck/Error.h"
#include "stemdeck/formats/StemReader.h"

namespace stemdeck::formats {

std::optional<FileScan> scanFile(const std::filesystem::path& file, const std::function<void(double)>& progress) {
    if (std::optional<FileScan> scan = detail::scanSoundFile(file, progress)) return scan;
    // A file libsndfile cannot decode but stemdeck plays (a 20-bit FLAC, via FFmpeg):
    try {
        StemReader reader(file, 0);
        if (!reader.start(0)) return std::nullopt;
        std::vector<float> l(65536), r(65536);
        FileScan scan;
        for (int got = 0; (got = reader.read(l.data(), r.data(), 65536)) > 0; scan.frames += got)
            for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i)
                scan.peak = std::max({scan.peak, std::fabs(l[i]), std::fabs(r[i])});
        return scan;
    } catch (const Error&) {
        return std::nullopt;
    }
}

} // namespace stemdeck::formats
