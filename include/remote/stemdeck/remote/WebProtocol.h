#pragma once
// The web remote's messages (docs/manual/web-remote.md): the show state and the position as JSON
// for the pages, and a page's action, read into an ActionCall through the action table's own
// value parser (control::parseValue), so that a page, a script and an OSC message obey one rule
// book. Pure functions: the web thread calls them, the fuzzer calls translateWeb.
#include <optional>
#include <string>
#include <string_view>

#include "stemdeck/control/Action.h"
#include "stemdeck/control/ShowState.h"

namespace stemdeck::remote {

/// The longest message a page may send (a WebSocket frame longer than this closes it, 1009).
inline constexpr std::size_t kMaxWebMessage = 4096;

/// @thread any. `{"type":"state", …}`: the whole show, with its position; `nowMs` is the server's
/// monotonic clock in ms (the position's `t`).
[[nodiscard]] std::string webState(const control::ShowState& state, double nowMs);
/// @thread any. `{"type":"position","t":…,"seconds":…,"bar":…}`: where the show is at `nowMs`
/// (extrapolated from the snapshot's own reading), for the page to extrapolate further.
[[nodiscard]] std::string webPosition(const control::ShowState& state, double nowMs);

/// What a page's message asks for, once understood.
struct WebRequest {
    enum class Kind { action, get };
    Kind kind = Kind::action;
    control::ActionCall call;
};

/// A page's message understood (`request`), or why not (`error`); `id` is echoed either way.
struct WebTranslation {
    std::optional<WebRequest> request;
    std::string id;
    std::string error;
};

/// @thread any. Reads one text message from a page. Stems are numbers from 1 or names, as are
/// songs, markers and scenes (looked up in `state`: the show as it is now).
[[nodiscard]] WebTranslation translateWeb(std::string_view text, const control::ShowState& state);

/// @thread any. A reply: `{"type":"ack","id":…}`, or `{"type":"error","id":…,"message":…}`.
[[nodiscard]] std::string webReply(const std::string& id, const std::string& error);
/// @thread any. `{"type":"hello","view":…,"control":…,"server":…}`.
[[nodiscard]] std::string webHello(std::string_view view, bool control);
/// @thread any. `{"type":"refused","reason":…,"code":…}`.
[[nodiscard]] std::string webRefused(const std::string& reason, std::string_view code);

} // namespace stemdeck::remote
