#include "stemdeck/common/Files.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "stemdeck/common/Error.h"

namespace stemdeck {

namespace {

/// ".name.tmp" (the PID follows): the temporary files of saves of `file`.
std::string temporaryPrefix(const std::filesystem::path& file) {
    std::string prefix(1, '.'); // built up piece by piece: GCC 12's -Wrestrict misfires on "." + string at -O3
    prefix += file.filename().string();
    prefix += ".tmp";
    return prefix;
}

} // namespace

std::optional<std::string> readWholeFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void removeStaleTemporaries(const std::filesystem::path& file) {
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const std::string prefix = temporaryPrefix(file);
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 9) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(digits));
        // Its writer is gone (killed mid-save): nobody will rename or remove it.
        if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
            std::error_code removeEc;
            std::filesystem::remove(it->path(), removeEc);
        }
    }
}

void writeFileAtomically(const std::filesystem::path& file, const std::string& text, const std::string& what) {
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::error_code made;
    std::filesystem::create_directories(dir, made); // a first save into ~/.config/stemdeck/…; a failure shows below
    removeStaleTemporaries(file);
    const std::filesystem::path tmp = dir / (temporaryPrefix(file) + std::to_string(::getpid()));
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
