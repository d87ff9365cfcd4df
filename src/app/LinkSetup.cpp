#include "stemdeck/app/LinkSetup.h"

#include <CLI/CLI.hpp>

namespace stemdeck::app {

engine::LinkOptions LinkArgs::options() const {
    engine::LinkOptions o;
    o.tempo = tempo == "follow" ? engine::LinkTempo::follow : engine::LinkTempo::keep;
    o.startStop = startStop;
    return o;
}

void addLinkOptions(CLI::App& cmd, LinkArgs& a) {
    cmd.add_flag("--ableton-link", a.on,
                 "Join an Ableton Link session on the network (tempo and bar shared with Live, AbleSet, drum "
                 "machines, phones); with peers a start waits for Link's bar");
    cmd.add_option("--ableton-link-tempo", a.tempo,
                   "Who sets the tempo: keep (default: stemdeck's songs; a peer's change is set back) or follow (a "
                   "rehearsal: the songs are stretched to the session's tempo, 50-200%)")
        ->check(CLI::IsMember({"keep", "follow"}));
    cmd.add_flag("--ableton-link-start-stop", a.startStop,
                 "Share start and stop with the session: stemdeck's play and stop start and stop the peers that "
                 "share them too, and theirs start (on Link's bar) and stop stemdeck");
}

} // namespace stemdeck::app
