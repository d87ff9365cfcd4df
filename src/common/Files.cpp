#include "stemdeck/Files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "stemdeck/Error.h"

namespace stemdeck {

void writeFileAtomically(const std::filesystem::path& file, const std::string& text, const std::string& what) {
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::string tmpName(1, '.'); // built up piece by piece: GCC 12's -Wrestrict misfires on "." + string at -O3
    tmpName += file.filename().string();
    tmpName += ".tmp";
    tmpName += std::to_string(::getpid());
    const std::filesystem::path tmp = dir / tmpName;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(file.string() + ": cannot write " + what + " (" + std::strerror(errno) +
                    "); check that the folder exists and is writable");
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    const int err = ok ? 0 : errno;
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
        const std::string why = std::strerror(err != 0 ? err : errno);
        ::unlink(tmp.c_str());
        throw Error(file.string() + ": cannot save " + what + " (" + why + "); the old file is unchanged");
    }
    // The rename itself reaches the disk with the folder's entry.
    if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace stemdeck
