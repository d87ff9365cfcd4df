#include "stemdeck/formats/Scan.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "stemdeck/Error.h"
#include "stemdeck/formats/StemReader.h"

namespace stemdeck::formats {

std::optional<FileScan> scanFile(const std::filesystem::path& file, const std::function<void(double)>& progress) {
    SF_INFO info{};
    SNDFILE* f = sf_open(file.c_str(), SFM_READ, &info);
    if (f == nullptr) { // a file libsndfile cannot decode but stemdeck plays (a 20-bit FLAC, via FFmpeg)
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
    sf_command(f, SFC_SET_SCALE_FLOAT_INT_READ, nullptr, SF_FALSE); // integer files: exact ±1.0 scale
    std::vector<float> buf(static_cast<std::size_t>(65536) * static_cast<std::size_t>(std::max(1, info.channels)));
    FileScan scan;
    sf_count_t got = 0;
    const bool known = info.frames > 0 && info.frames != SF_COUNT_MAX;
    while ((got = sf_readf_float(f, buf.data(), 65536)) > 0) {
        for (sf_count_t i = 0; i < got * info.channels; ++i)
            scan.peak = std::max(scan.peak, std::fabs(buf[static_cast<std::size_t>(i)]));
        scan.frames += got;
        if (progress && known) progress(static_cast<double>(scan.frames) / static_cast<double>(info.frames));
    }
    if (sf_error(f) != SF_ERR_NO_ERROR) {
        scan.errorAt = scan.frames;
        scan.error = sf_strerror(f);
    }
    sf_close(f);
    return scan;
}

} // namespace stemdeck::formats
