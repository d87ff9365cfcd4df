// The status snapshot the show state and its faces read.
#include <ostream>

#include "stemdeck/control/SetPlayer.h"
#include "stemdeck/control/SongLyrics.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

PlayerStatus SetPlayer::status() const {
    PlayerStatus s;
    s.song = change_.current() + 1;
    s.songs = static_cast<int>(songs_.size());
    s.rolling = engine_.rolling();
    const double rate = engine_.sampleRate();
    const std::int64_t frame = engine_.songFrame();
    s.seconds = static_cast<double>(frame) / rate;
    s.lengthSeconds = static_cast<double>(engine_.songLength()) / rate;
    s.barBeat = engine::toBarBeat(engine_.timing(), rate, frame);
    s.bpm = engine_.timing().bpm;
    s.beatsPerBar = engine_.timing().beatsPerBar;
    s.beatUnit = engine_.timing().beatUnit;
    s.click = engine_.clickMode();
    s.guides = engine_.guidesOn();
    s.reference = engine_.referenceOn();
    s.vamp = engine_.looping();
    s.practiceLoop = loop_.statusText(grid());
    if (loop_.hasA()) s.loopA = static_cast<double>(loop_.a()) / rate;
    if (loop_.hasB()) s.loopB = static_cast<double>(loop_.b()) / rate;
    s.mainPeak = engine_.mainPeak();
    s.scene = engine_.lastScene();
    s.sceneWaiting = engine_.pendingScene();
    s.underruns = underruns_;
    s.dropped = engine_.droppedCommands();
    const auto it = loaded_.find(change_.current());
    if (it != loaded_.end()) {
        const Loaded& l = *it->second;
        s.title = l.song.title;
        s.stretch = l.song.stretch.describe();
        if (const auto live = liveStretch_.find(change_.current());
            live != liveStretch_.end() &&
            (live->second.tempo != l.song.stretch.tempo || live->second.semitones != l.song.stretch.semitones))
            s.stretch = (s.stretch.empty() ? "as recorded" : s.stretch) + " -> " +
                        (live->second.unity() ? std::string("as recorded") : live->second.describe());
        for (int i = 0; i < engine_.stemCount(); ++i) {
            const engine::StemStatus& st = engine_.stem(i);
            StemLine line;
            const auto si = static_cast<std::size_t>(i);
            line.name = si < l.song.stemNames.size() ? l.song.stemNames[si] : "?";
            line.broken = si < l.song.sources.size() && !l.song.sources[si];
            line.mix = st.mix();
            line.pending =
                (st.pending.load(std::memory_order_relaxed) & (engine::kPendingMute | engine::kPendingSolo)) != 0;
            line.peak = st.peak.load(std::memory_order_relaxed);
            line.bus = l.view.directBus[si];
            if (si < l.song.folder.stems.size()) line.color = l.song.folder.stems[si].color;
            s.stems.push_back(line);
        }
        s.scenes = songs_[static_cast<std::size_t>(change_.current())].sceneNames();
        for (const set::Marker& m : songs_[static_cast<std::size_t>(change_.current())].markers)
            s.markers.emplace_back(m.name, static_cast<double>(engine::gridFrame(l.song.timing, l.song.sampleRate,
                                                                                 engine::Quantize::bar, m.bar - 1)) /
                                               l.song.sampleRate);
        if (l.song.lyrics) {
            const double tempo = engine_.timing().bpm / l.song.ownBpm; // (the song's own time: × tempo)
            const double own = s.seconds * tempo;
            s.lyrics = lyricsNow(*l.song.lyrics, own, l.song.ownBpm, engine_.timing().beatsPerBar, tempo,
                                 tapSong_ == change_.current() && own >= tapAt_ ? std::optional<std::size_t>(tapNext_)
                                                                                : std::nullopt);
        }
    }
    if (const int n = change_.cued() >= 0 ? change_.cued() : order_.after(change_.current()); n >= 0) {
        const set::SetSong& next = songs_[static_cast<std::size_t>(n)];
        s.nextTitle = next.title ? *next.title : next.source.filename().string();
    }
    return s;
}

} // namespace stemdeck::control
