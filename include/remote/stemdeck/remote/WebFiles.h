#pragma once
// What the web remote serves and to whom, decided before anything is read from disk or sent:
// the pages (read into memory once, from the installed web/ folder, served by exact name only, so
// that no request can name another file, encoded or not), the Host and Origin checks that keep a
// web site in the musician's own browser from driving the show (DNS rebinding, cross-site
// WebSockets), the WebSocket's address, and the tokens kept across restarts.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stemdeck::remote {

struct WebFile {
    std::string body;
    std::string type; ///< its Content-Type
};

class WebFiles {
public:
    /// @thread any. Reads every file directly in `dir` (not its subfolders) into memory. Throws
    /// stemdeck::Error when the folder or its index.html is not there, or a file is over 4 MiB.
    explicit WebFiles(const std::filesystem::path& dir);

    /// What a GET for `target` (the request line's, with its query) is answered with.
    struct Route {
        int status = 404;             ///< 200, 400 or 404
        const WebFile* file = nullptr; ///< status 200
    };
    /// @thread any. "/", "/band" and "/control" are index.html; "/NAME" is a file of the folder,
    /// by exact name ([A-Za-z0-9._-] only, no dot first). Anything else is 404, or 400 for a
    /// target that is not an absolute path.
    [[nodiscard]] Route route(std::string_view target) const;
    [[nodiscard]] std::size_t count() const noexcept { return files_.size(); }
    [[nodiscard]] const std::filesystem::path& folder() const noexcept { return dir_; }

private:
    std::filesystem::path dir_;
    std::map<std::string, WebFile, std::less<>> files_;
};

/// @thread any. A Host header the remote answers: an IP address (with its port), "localhost" or
/// one of `names` (this machine's). Any other name could be a stranger's domain pointed at this
/// machine (DNS rebinding): refused.
[[nodiscard]] bool hostAcceptable(std::string_view host, const std::vector<std::string>& names);

/// @thread any. A browser's Origin names the same host and port as its Host header: the page
/// came from stemdeck itself (no Origin: not a browser, and the token decides).
[[nodiscard]] bool originMatches(std::string_view origin, std::string_view host);

/// @thread any. A Range header's one byte range ("bytes=0-1", "bytes=100-", "bytes=-500") within
/// a file of `size` bytes: the first and last byte; nullopt for none, several or one outside the
/// file (then the whole file is sent). Phones' video players ask for ranges (iOS Safari: only).
[[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> byteRange(std::string_view header, std::size_t size);

/// The WebSocket's address: /ws?view=band|control&token=…
struct WsTarget {
    std::string view = "band";
    std::string token;
};
/// @thread any. nullopt for another path, or a view that is neither band nor control.
[[nodiscard]] std::optional<WsTarget> parseWsTarget(std::string_view target);

/// The remote's two tokens: the control token lets a page drive the show, the band token only
/// lets it watch (a band QR code can stay up on a screen).
struct WebTokens {
    std::string control, band;
    bool operator==(const WebTokens&) const = default;
};

/// @thread any. The tokens kept in `file` (two lines, "control TOKEN" and "band TOKEN"), made
/// (128 random bits each, written 0600) when the file is not there. Throws stemdeck::Error when
/// it cannot be read or written.
[[nodiscard]] WebTokens loadWebTokens(const std::filesystem::path& file);
/// @thread any. The tokens in `file`, never made: throws stemdeck::Error when it is not there or
/// not readable (a running show rereading it keeps the tokens it has).
[[nodiscard]] WebTokens readWebTokens(const std::filesystem::path& file);
/// @thread any. New tokens in `file`: every page joined with the old ones is refused at once by a
/// running show (it rereads the file), and must scan the new QR code.
[[nodiscard]] WebTokens rotateWebTokens(const std::filesystem::path& file);

} // namespace stemdeck::remote
