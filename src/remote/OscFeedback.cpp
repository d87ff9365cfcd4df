#include "stemdeck/remote/OscFeedback.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "stemdeck/common/Db.h"
#include "stemdeck/remote/OscAddresses.h"

namespace stemdeck::remote {

namespace {

OscMessage msg(std::string path, std::vector<OscValue> args) {
    return {std::move(path), std::move(args)};
}

OscValue i(std::int64_t v) {
    return OscValue::integer(v);
}
OscValue f(double v) {
    return OscValue::real(v);
}
OscValue s(std::string v) {
    return OscValue::string(std::move(v));
}

const char* clickName(engine::ClickMode m) {
    switch (m) {
    case engine::ClickMode::off: return "off";
    case engine::ClickMode::countIn: return "count-in";
    case engine::ClickMode::always: return "always";
    }
    return "off";
}

/// dB as a float a client can show: silence is -120.
double db(float gain) {
    return std::max(-120.0, toDb(gain, -120.0));
}

} // namespace

std::vector<OscMessage> nativeState(const control::ShowState& st) {
    const control::PlayerStatus& p = st.player;
    std::vector<OscMessage> out;
    std::vector<OscValue> titles;
    for (const control::ShowSong& song : st.songs)
        if (!song.skipped) titles.push_back(s(song.title)); // tonight's order, cut songs left out
    out.push_back(msg("/stemdeck/setlist", titles));
    out.push_back(msg("/stemdeck/song", {s(p.title), i(p.song), i(static_cast<std::int64_t>(st.songs.size()))}));
    out.push_back(msg("/stemdeck/next", {s(p.nextTitle)}));
    out.push_back(msg("/stemdeck/playing", {i(p.rolling ? 1 : 0)}));
    out.push_back(msg("/stemdeck/length", {f(p.lengthSeconds)}));
    out.push_back(msg("/stemdeck/tempo", {f(p.bpm), f(st.clock.tempo * 100.0)}));
    out.push_back(msg("/stemdeck/transpose", {f(st.clock.transpose)}));
    out.push_back(msg("/stemdeck/time_signature", {i(p.beatsPerBar), i(p.beatUnit)}));
    out.push_back(msg("/stemdeck/click", {s(clickName(p.click))}));
    out.push_back(msg("/stemdeck/guides", {i(p.guides ? 1 : 0)}));
    out.push_back(msg("/stemdeck/reference", {i(p.reference ? 1 : 0)}));
    out.push_back(msg("/stemdeck/vamp", {i(p.vamp ? 1 : 0)}));
    out.push_back(msg("/stemdeck/practice_loop", {s(p.practiceLoop)}));
    // The words sung now and next (a lighting desk's cue text, a prompter), "" without lyrics.
    out.push_back(msg("/stemdeck/lyrics/line", {s(p.lyrics.line.text), s(p.lyrics.section)}));
    out.push_back(msg("/stemdeck/lyrics/next", {s(p.lyrics.next.text)}));
    out.push_back(msg("/stemdeck/locked", {i(st.locked ? 1 : 0)}));
    out.push_back(msg("/stemdeck/finished", {i(st.finished ? 1 : 0)}));
    const std::string sceneName =
        p.scene >= 0 && p.scene < static_cast<int>(p.scenes.size()) ? p.scenes[static_cast<std::size_t>(p.scene)] : "";
    out.push_back(msg("/stemdeck/scene", {i(p.scene + 1), s(sceneName)}));
    std::vector<OscValue> scenes, markers;
    for (const std::string& name : p.scenes)
        scenes.push_back(s(name));
    for (const auto& m : p.markers)
        markers.push_back(s(m.first));
    out.push_back(msg("/stemdeck/scenes", scenes));
    out.push_back(msg("/stemdeck/markers", markers));
    out.push_back(msg("/stemdeck/stems", {i(static_cast<std::int64_t>(p.stems.size()))}));
    for (std::size_t k = 0; k < p.stems.size(); ++k) {
        const control::StemLine& line = p.stems[k];
        const std::string base = "/stemdeck/stem/" + std::to_string(k + 1) + "/";
        out.push_back(msg(base + "name", {s(line.name)}));
        out.push_back(msg(base + "mute", {i(line.mix.muted ? 1 : 0)}));
        out.push_back(msg(base + "solo", {i(line.mix.soloed ? 1 : 0)}));
        out.push_back(msg(base + "gain", {f(db(line.mix.gain))}));
        out.push_back(msg(base + "fader", {f(gainToFader(line.mix.gain))}));
        out.push_back(msg(base + "filter", {f(line.mix.filter)}));
        out.push_back(msg(base + "pending", {i(line.pending ? 1 : 0)}));
        out.push_back(msg(base + "broken", {i(line.broken ? 1 : 0)}));
    }
    out.push_back(msg("/stemdeck/health",
                      {i(static_cast<std::int64_t>(st.health.xruns)), i(static_cast<std::int64_t>(st.health.underruns)),
                       i(st.health.devicePlaying ? 1 : 0)}));
    return out;
}

std::vector<OscMessage> nativePosition(const control::ShowState& st) {
    const control::PlayerStatus& p = st.player;
    // (to the millisecond: a client shows it; finer would only add traffic)
    const double seconds = std::round(p.seconds * 1000.0) / 1000.0;
    return {msg("/stemdeck/position", {i(p.barBeat.bar), i(p.barBeat.beat), f(seconds)}),
            msg("/stemdeck/remaining", {f(std::round(st.clock.remainingSong)), f(std::round(st.clock.remainingSet))})};
}

std::string nativeFeedbackMarkdown() {
    return "| address | arguments | what it says |\n|---|---|---|\n"
           "| `/stemdeck/heartbeat` | i SECONDS | every second: the show is there (seconds since it started) |\n"
           "| `/stemdeck/setlist` | s TITLE … | tonight's running order (cut songs left out) |\n"
           "| `/stemdeck/song` | s TITLE, i NUMBER, i SONGS | the song loaded, its number from 1, how many songs |\n"
           "| `/stemdeck/next` | s TITLE | the song that comes next (\"\" at the end) |\n"
           "| `/stemdeck/playing` | i 0/1 | rolling or stopped |\n"
           "| `/stemdeck/length` | f SECONDS | the song's length |\n"
           "| `/stemdeck/tempo` | f BPM, f PERCENT | the tempo as it plays, and its share of the song's own |\n"
           "| `/stemdeck/transpose` | f SEMITONES | the key, from the recording's |\n"
           "| `/stemdeck/time_signature` | i BEATS, i UNIT | 4 4, 6 8 |\n"
           "| `/stemdeck/click` | s MODE | off, count-in, always |\n"
           "| `/stemdeck/guides` | i 0/1 | the spoken guide cues are on (the `guides` toggle) |\n"
           "| `/stemdeck/reference` | i 0/1 | A/B: the reference mix plays |\n"
           "| `/stemdeck/vamp` | i 0/1 | a section (or the A-B loop) loops |\n"
           "| `/stemdeck/practice_loop` | s TEXT | the A-B loop, \"A-B bars 17-24\" (\"\": none) |\n"
           "| `/stemdeck/lyrics/line` | s WORDS, s SECTION | the lyric line sung now and its section (\"\": none) |\n"
           "| `/stemdeck/lyrics/next` | s WORDS | the lyric line after it |\n"
           "| `/stemdeck/locked` | i 0/1 | the show lock |\n"
           "| `/stemdeck/finished` | i 0/1 | the set has played through, or the show ended |\n"
           "| `/stemdeck/scene` | i SLOT, s NAME | the scene recalled last (0 \"\": none) |\n"
           "| `/stemdeck/scenes`, `/stemdeck/markers` | s NAME … | the song's scenes by slot, its markers |\n"
           "| `/stemdeck/stems` | i COUNT | the song's stems |\n"
           "| `/stemdeck/stem/N/name` | s NAME | stem N's name |\n"
           "| `/stemdeck/stem/N/mute`, `…/solo` | i 0/1 | muted, soloed |\n"
           "| `/stemdeck/stem/N/gain` | f DB | its level (silence: -120) |\n"
           "| `/stemdeck/stem/N/fader` | f 0-1 | its level as a fader |\n"
           "| `/stemdeck/stem/N/filter` | f -1 … 1 | its DJ filter |\n"
           "| `/stemdeck/stem/N/pending` | i 0/1 | a quantised mute or solo waits for its beat or bar |\n"
           "| `/stemdeck/stem/N/broken` | i 0/1 | it could not be read and plays silent |\n"
           "| `/stemdeck/health` | i XRUNS, i UNDERRUNS, i 0/1 | the device's xruns, stems come back short, the device "
           "plays |\n"
           "| `/stemdeck/position` | i BAR, i BEAT, f SECONDS | where the play head is (at most 10 a second, while it "
           "moves) |\n"
           "| `/stemdeck/remaining` | f SONG, f SET | seconds left in the song and the set |\n"
           "| `/stemdeck/error` | s PROBLEM, s ADDRESS | to an allowed sender: why its message was refused |\n";
}

std::vector<OscMessage> FeedCache::changed(const std::vector<OscMessage>& full, std::string_view cleared) {
    std::vector<OscMessage> out;
    std::set<std::string> now;
    for (const OscMessage& m : full) {
        now.insert(m.path);
        auto [it, fresh] = last_.try_emplace(m.path, m.args);
        if (!fresh && it->second == m.args) continue;
        it->second = m.args;
        out.push_back(m);
    }
    if (cleared.empty()) return out;
    for (auto it = last_.begin(); it != last_.end();) {
        if (now.count(it->first) != 0 || it->first.rfind(cleared, 0) != 0) {
            ++it;
            continue;
        }
        OscMessage gone{it->first, it->second};
        for (OscValue& v : gone.args)
            v = v.isText() ? OscValue::string("") : v.isBool() ? OscValue::boolean(false) : OscValue{v.type, 0, {}};
        out.push_back(std::move(gone));
        it = last_.erase(it);
    }
    return out;
}

} // namespace stemdeck::remote
