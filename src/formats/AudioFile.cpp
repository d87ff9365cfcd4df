#include "stemdeck/formats/AudioFile.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "stemdeck/common/Error.h"

namespace stemdeck::formats {

namespace fs = std::filesystem;

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

} // namespace stemdeck::formats
