#include "stemdeck/remote/WebFiles.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/remote/OscAccess.h"

namespace fs = std::filesystem;

namespace stemdeck::remote {

namespace {

constexpr std::uintmax_t kMaxFileBytes = 4u << 20;

std::string typeOf(const fs::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".mp4") return "video/mp4";
    if (ext == ".json" || ext == ".webmanifest") return "application/json";
    if (ext == ".ico") return "image/x-icon";
    return "application/octet-stream";
}

bool plainName(std::string_view name) {
    return !name.empty() && name.front() != '.' && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
           });
}

std::string_view pathOf(std::string_view target) {
    return target.substr(0, target.find('?'));
}

} // namespace

WebFiles::WebFiles(const fs::path& dir) : dir_(dir) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "index.html", ec))
        throw Error("the web remote's pages are not in " + dir.string() +
                    " (no index.html): is stemdeck installed whole? (they ship in share/stemdeck/web)");
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        std::error_code fileEc;
        if (!e.is_regular_file(fileEc) || !plainName(name)) continue;
        const std::uintmax_t size = e.file_size(fileEc);
        if (fileEc) throw Error(e.path().string() + ": " + fileEc.message());
        if (size > kMaxFileBytes) throw Error(e.path().string() + ": over 4 MiB, not a web remote page");
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        if (!in) throw Error(e.path().string() + ": cannot be read");
        files_.emplace(name, WebFile{body.str(), typeOf(e.path())});
    }
    if (ec) throw Error(dir.string() + ": " + ec.message());
}

WebFiles::Route WebFiles::route(std::string_view target) const {
    const std::string_view path = pathOf(target);
    if (path.empty() || path.front() != '/') return {400, nullptr};
    std::string_view name = path.substr(1);
    if (name.empty() || name == "band" || name == "control") name = "index.html";
    if (!plainName(name)) return {404, nullptr}; // "..", "%2e%2e", "a/b", "\\": no such name
    const auto it = files_.find(name);
    if (it == files_.end()) return {404, nullptr};
    return {200, &it->second};
}

bool hostAcceptable(std::string_view host, const std::vector<std::string>& names) {
    std::string name(host);
    if (!name.empty() && name.front() == '[') { // [::1]:8080
        const auto close = name.find(']');
        if (close == std::string::npos) return false;
        name = name.substr(1, close - 1);
        return parseNetwork(name).has_value() && name.find('/') == std::string::npos;
    }
    if (const auto colon = name.rfind(':'); colon != std::string::npos) name = name.substr(0, colon);
    if (name.empty() || name.find('/') != std::string::npos) return false;
    if (parseNetwork(name)) return true;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "localhost") return true;
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n == name; });
}

bool originMatches(std::string_view origin, std::string_view host) {
    for (const std::string_view scheme : {"http://", "https://"})
        if (origin.substr(0, scheme.size()) == scheme) {
            std::string a(origin.substr(scheme.size())), b(host);
            std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
            std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
            return !a.empty() && a == b;
        }
    return false;
}

std::optional<WsTarget> parseWsTarget(std::string_view target) {
    if (pathOf(target) != "/ws") return std::nullopt;
    WsTarget t;
    std::string_view query = target.size() > 3 ? target.substr(4) : std::string_view{};
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (key == "view") t.view = std::string(value);
        if (key == "token") t.token = std::string(value.substr(0, 128));
    }
    if (t.view != "band" && t.view != "control") return std::nullopt;
    return t;
}

namespace {

std::string randomToken() {
    unsigned char bytes[16];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("no random numbers for the web remote's token: ") + std::strerror(errno));
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out; // base64url: 22 characters hold the 128 bits
    unsigned acc = 0;
    int bits = 0;
    for (const unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            out += kAlphabet[(acc >> (bits - 6)) & 63];
            bits -= 6;
        }
    }
    if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
    return out;
}

/// Written whole or not at all: a temporary file of a name nobody can guess (mkstemp: never through
/// a link someone left), 0600, synced, renamed over the old one, and the folder synced.
void writeTokens(const fs::path& file, const WebTokens& t) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    std::string temp = file.string() + ".XXXXXX";
    const int fd = mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) throw Error(file.string() + ": cannot write the web remote's tokens: " + std::strerror(errno));
    fchmod(fd, 0600);
    const std::string text = "control " + t.control + "\nband " + t.band + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(temp.c_str(), file.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw Error(file.string() + ": cannot write the web remote's tokens: " + std::strerror(err));
    }
    if (const int dirFd = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dirFd >= 0) {
        fsync(dirFd);
        ::close(dirFd);
    }
}

} // namespace

WebTokens loadWebTokens(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec) && !ec) {
        WebTokens t{randomToken(), randomToken()};
        writeTokens(file, t);
        return t;
    }
    return readWebTokens(file);
}

WebTokens readWebTokens(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot read the web remote's tokens");
    WebTokens t;
    std::string key, value;
    while (in >> key >> value) {
        if (key == "control") t.control = value;
        if (key == "band") t.band = value;
    }
    auto good = [](const std::string& s) {
        return s.size() >= 16 && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
               });
    };
    if (!good(t.control) || !good(t.band))
        throw Error(file.string() + ": not the web remote's tokens (two lines, 'control TOKEN' and 'band TOKEN', "
                                    "16 or more of A-Z a-z 0-9 - _); run 'stemdeck web token --rotate' for new ones");
    return t;
}

std::optional<std::pair<std::size_t, std::size_t>> byteRange(std::string_view header, std::size_t size) {
    constexpr std::string_view kBytes = "bytes=";
    if (size == 0 || header.substr(0, kBytes.size()) != kBytes) return std::nullopt;
    const std::string_view spec = header.substr(kBytes.size());
    if (spec.find(',') != std::string_view::npos) return std::nullopt; // several: the whole file
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view t, std::size_t& out) {
        if (t.empty() || t.size() > 15 || t.find_first_not_of("0123456789") != std::string_view::npos) return false;
        out = std::stoull(std::string(t));
        return true;
    };
    std::size_t first = 0, last = size - 1;
    const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
    if (a.empty()) { // the last N bytes
        std::size_t n = 0;
        if (!number(b, n) || n == 0) return std::nullopt;
        first = n >= size ? 0 : size - n;
    } else {
        if (!number(a, first) || first >= size) return std::nullopt;
        if (!b.empty() && (!number(b, last) || last < first)) return std::nullopt;
        last = std::min(last, size - 1);
    }
    return std::make_pair(first, last);
}

WebTokens rotateWebTokens(const fs::path& file) {
    WebTokens t{randomToken(), randomToken()};
    writeTokens(file, t);
    return t;
}

} // namespace stemdeck::remote
