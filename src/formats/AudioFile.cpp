#include "stemdeck/formats/AudioFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"

namespace stemdeck::formats {

namespace fs = std::filesystem;

namespace {
/// What a file that is not a regular one is, and what to do ("" for a regular file).
std::string notRegular(fs::file_type type) {
    const std::string fix = "; a stem is an audio file: copy the stem itself into the folder";
    switch (type) {
    case fs::file_type::regular: return {};
    case fs::file_type::fifo: return "is a named pipe (FIFO), not an audio file" + fix;
    case fs::file_type::socket: return "is a socket, not an audio file" + fix;
    case fs::file_type::character:
    case fs::file_type::block: return "is a device, not an audio file" + fix;
    default: return "is not a regular file" + fix;
    }
}
} // namespace

std::string fileProblem(const fs::path& file) {
    ioFile(file); // every decoder opens through here: watched work names the file it is on
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
    if (const std::string kind = notRegular(target.type()); !kind.empty()) return kind;
    // What the name points at now, opened without waiting (a pipe opened for reading would wait
    // for a writer for ever): only a regular file is read on.
    const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st {};
        const bool got = ::fstat(fd, &st) == 0;
        ::close(fd);
        if (got && !S_ISREG(st.st_mode))
            return notRegular(S_ISFIFO(st.st_mode)   ? fs::file_type::fifo
                              : S_ISSOCK(st.st_mode) ? fs::file_type::socket
                                                     : fs::file_type::character);
    }
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
