// Scenes stored live: every stem's state now kept as a scene of the current song, in the engine at once
// and, with a set file, in its stored-scenes file beside it.
#include <algorithm>
#include <ostream>

#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/common/Error.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

std::string SetPlayer::sceneList() const {
    std::string out;
    if (change_.current() >= 0)
        for (const set::SceneDef& d : songs_[static_cast<std::size_t>(change_.current())].scenes)
            out += (out.empty() ? "" : ", ") + std::to_string(d.slot + 1) + " " + d.name;
    return out.empty() ? "it has no scenes (store one with w and a number)" : "its scenes are " + out;
}

void SetPlayer::storeScene(int slot) {
    // A run-on the engine took since the last tick is taken in first: the scene is stored in the
    // song that plays, not the one the control thread still thought was current (it ticks every
    // few ms; the engine changes songs on a frame). Should the set run on in the microseconds
    // left, the engine drops the scene (it names its song) and the log says so.
    poll();
    const auto it = loaded_.find(change_.current());
    if (it == loaded_.end() || slot < 0 || slot >= engine::kMaxScenes) return;
    Loaded& l = *it->second;
    set::SetSong& plan = songs_[static_cast<std::size_t>(change_.current())];
    set::SceneDef scene;
    const set::SceneDef* old = plan.sceneAt(slot);
    scene.name = old != nullptr ? old->name : "Scene " + std::to_string(slot + 1);
    scene.slot = slot;
    scene.stored = true;
    engine::Scene& view = l.view.scenes[static_cast<std::size_t>(slot)];
    view = engine::Scene{};
    for (int i = 0; i < engine_.stemCount(); ++i) {
        const auto si = static_cast<std::size_t>(i);
        const engine::StemMix m = engine_.stem(i).mix();
        view.stems[si] = m;
        set::StemStart s; // (the stored-scenes file's entry: every part of it written)
        s.stem = si < l.song.stemNames.size() ? l.song.stemNames[si] : std::to_string(i + 1);
        s.muted = m.muted;
        s.soloed = m.soloed;
        s.gain = m.gain;
        s.filter = m.filter;
        // The engine's copy of the song, stem by stem, in order from this one sender.
        Command c = command(Op::defineScene, i, m.gain);
        c.value2 = m.filter;
        c.flags =
            static_cast<std::uint8_t>((m.muted ? engine::kSceneMuted : 0) | (m.soloed ? engine::kSceneSoloed : 0));
        c.target = slot;
        c.song = l.view.id;
        sender_.send(c);
        scene.stems.push_back(std::move(s));
    }
    l.view.scenesDefined |= 1u << slot; // and the next time this song loads
    std::erase_if(plan.scenes, [&](const set::SceneDef& d) { return d.slot == slot; });
    plan.scenes.push_back(scene);
    std::sort(plan.scenes.begin(), plan.scenes.end(),
              [](const set::SceneDef& a, const set::SceneDef& b) { return a.slot < b.slot; });
    log_ << "scene " << slot + 1 << " '" << scene.name << "' stored";
    if (options_.setFile.empty()) {
        log_ << " for this show (scenes are saved beside a set file)\n";
        return;
    }
    try { // the set as it is on disk, with every stored scene, this one in its place
        set::SetFile file = set::loadSetFile(options_.setFile);
        (void)set::loadStoredScenes(file);
        for (set::SetSong& song : file.songs)
            if (song.source == plan.source) {
                std::erase_if(song.scenes, [&](const set::SceneDef& d) { return d.slot == slot; });
                song.scenes.push_back(scene);
            }
        set::saveStoredScenes(file.songs, options_.setFile);
        log_ << " in " << set::storedScenesFile(options_.setFile).string() << "\n";
    } catch (const Error& e) {
        log_ << " for this show, but not saved: " << e.what() << "\n";
    }
}

} // namespace stemdeck::control
