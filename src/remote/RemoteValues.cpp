#include "stemdeck/remote/RemoteValues.h"

#include <cstdio>

namespace stemdeck::remote {

control::ValueContext valueContext(const control::ShowState& state) {
    control::ValueContext ctx;
    ctx.sceneNames = state.player.scenes;
    for (const auto& m : state.player.markers)
        ctx.markerNames.push_back(m.first);
    ctx.songs = static_cast<int>(state.songs.size());
    return ctx;
}

std::string numberText(double v, const char* suffix) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.9g%s", v, suffix);
    return buf;
}

} // namespace stemdeck::remote
