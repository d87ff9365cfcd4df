#include "stemdeck/remote/RemoteValues.h"

#include <cstdio>

#include "stemdeck/common/Text.h"

namespace stemdeck::remote {

control::ValueContext valueContext(const control::ShowState& state) {
    control::ValueContext ctx;
    ctx.sceneNames = state.player.scenes;
    for (const auto& m : state.player.markers)
        ctx.markerNames.push_back(m.first);
    ctx.songs =
        static_cast<int>(state.songs.size() + state.notTonight.size()); // the whole set: songs keep their number
    return ctx;
}

std::string numberText(double v, const char* suffix) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.9g%s", v, suffix);
    return buf;
}

std::string numberValueText(control::ValueKind kind, double value, std::string& error) {
    switch (kind) {
    case control::ValueKind::level: return numberText(value, "dB");
    case control::ValueKind::tempo: return numberText(value, "%");
    case control::ValueKind::click:
        if (value == 0) return "off";
        if (value == 1) return "count-in";
        if (value == 2) return "always";
        error = "click is 0 (off), 1 (count-in) or 2 (always), or the word; not " + numberText(value);
        return {};
    default: return numberText(value);
    }
}

std::string songNumberByTitle(const control::ShowState& state, std::string_view title) {
    for (const auto* list : {&state.songs, &state.notTonight}) // tonight's first, then the rest of the set
        for (const control::ShowSong& song : *list)
            if (equalsIgnoreCase(song.title, title)) return std::to_string(song.number);
    return {};
}

} // namespace stemdeck::remote
