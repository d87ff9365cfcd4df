#include "stemdeck/remote/WebProtocol.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stemdeck/common/Db.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/remote/OscAddresses.h"
#include "stemdeck/remote/RemoteValues.h"

namespace stemdeck::remote {

using Json = nlohmann::json;
using control::Action;
using control::ActionInfo;
using control::Target;
using control::ValueKind;

namespace {

/// A lyric line for a page: its words cut at each chord, the chord over the words that follow it
/// (the page sets the chord above them; UTF-8 cut here, not by offsets a page counts in UTF-16).
nlohmann::json lyricSegments(const control::LyricShown& l) {
    nlohmann::json out = nlohmann::json::array();
    std::size_t from = 0;
    std::string chord;
    for (const set::LyricChord& c : l.chords) {
        const std::size_t at = std::min(c.at, l.text.size());
        if (at > from || !chord.empty()) out.push_back({{"chord", chord}, {"words", l.text.substr(from, at - from)}});
        chord = !c.name.empty() && c.name.front() == '*' ? c.name.substr(1) : c.name;
        from = at;
    }
    out.push_back({{"chord", chord}, {"words", l.text.substr(from)}});
    return out;
}

/// Rounded for a page: it shows them, finer only adds bytes.
double round3(double v) {
    return std::isfinite(v) ? std::round(v * 1000.0) / 1000.0 : 0.0;
}

Json positionOf(const control::ShowState& st) {
    const control::PlayerStatus& p = st.player;
    return Json{{"t", round3(static_cast<double>(st.clock.monotonicNs) / 1e6)},
                {"seconds", round3(p.seconds)},
                {"rate", round3(st.clock.tempo > 0 ? st.clock.tempo : 1.0)},
                {"bar", p.barBeat.bar},
                {"beat", p.barBeat.beat},
                {"fraction", round3(p.barBeat.fraction)},
                {"bpm", round3(p.bpm)},
                {"beatsPerBar", p.beatsPerBar},
                {"rolling", p.rolling},
                {"remaining", round3(st.clock.remainingSong)},
                {"remainingSet", round3(st.clock.remainingSet)},
                {"remainingSetKnown", st.clock.remainingSetKnown}};
}

std::string_view clickName(engine::ClickMode m) {
    switch (m) {
    case engine::ClickMode::off: return "off";
    case engine::ClickMode::countIn: return "count-in";
    case engine::ClickMode::always: return "always";
    }
    return "off";
}

std::string dump(const Json& j) {
    // Text a sender wrote (a title, a name) may not be valid UTF-8: replaced, never thrown on.
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// A JSON value as the text a script would hold for it ("" and `error` when it cannot be one).
std::string valueText(const ActionInfo& row, const Json& v, const control::ShowState& state, std::string& error) {
    const std::string name(row.name);
    if (v.is_string()) {
        const std::string text = v.get<std::string>();
        if (text.find_first_not_of(" \t") == std::string::npos) {
            error = "'" + name + "' got an empty value: " + std::string(control::valueHint(row.value));
            return {};
        }
        if (row.value == ValueKind::song) // a title
            if (std::string number = songNumberByTitle(state, text); !number.empty()) return number;
        return text;
    }
    if (v.is_number() && !v.is_boolean()) {
        const double n = v.get<double>();
        if (!std::isfinite(n)) {
            error = "'" + name + "': not a finite number";
            return {};
        }
        return numberValueText(row.value, n, error);
    }
    error = "'" + name + "' takes " + std::string(control::valueHint(row.value)) + " (a string or a number)";
    return {};
}

/// A stem of the song now playing: its number from 1 or its name (any case); -1 and `error`.
int stemOf(const Json& v, const control::ShowState& state, std::string& error) {
    const auto& stems = state.player.stems;
    const int count = static_cast<int>(stems.size());
    if (v.is_number_integer()) {
        const auto n = v.get<std::int64_t>();
        if (n >= 1 && n <= count) return static_cast<int>(n) - 1;
    } else if (v.is_string()) {
        const std::string name = v.get<std::string>();
        for (int i = 0; i < count; ++i)
            if (equalsIgnoreCase(stems[static_cast<std::size_t>(i)].name, name)) return i;
    }
    error = count > 0 ? "no such stem in this song: its stems are 1-" + std::to_string(count) + " (or their names)"
                      : std::string("no song is loaded");
    return -1;
}

WebTranslation fail(std::string id, std::string error) {
    return {std::nullopt, std::move(id), std::move(error)};
}

} // namespace

std::string webPosition(const control::ShowState& st, double) {
    Json j = positionOf(st);
    j["type"] = "position";
    return dump(j);
}

std::string webState(const control::ShowState& st, double nowMs) {
    const control::PlayerStatus& p = st.player;
    const auto song = [](const control::ShowSong& s) {
        return Json{{"number", s.number},
                    {"title", s.title},
                    {"length", s.lengthSeconds < 0 ? -1.0 : round3(s.lengthSeconds)},
                    {"broken", s.broken},
                    {"skipped", s.skipped},
                    {"played", s.played},
                    {"added", s.added}};
    };
    Json songs = Json::array(), notTonight = Json::array();
    for (const control::ShowSong& s : st.songs)
        songs.push_back(song(s));
    for (const control::ShowSong& s : st.notTonight)
        notTonight.push_back(song(s));
    const int cued = st.cuedSong >= 0 && st.cuedSong < static_cast<int>(st.songs.size())
                         ? st.songs[static_cast<std::size_t>(st.cuedSong)].number
                         : 0;
    Json stems = Json::array();
    for (const control::StemLine& s : p.stems) {
        const double db = toDb(s.mix.gain);
        stems.push_back({{"name", s.name},
                         {"color", s.color},
                         {"muted", s.mix.muted},
                         {"soloed", s.mix.soloed},
                         {"gain", std::isfinite(db) ? Json(std::round(db * 10.0) / 10.0) : Json(nullptr)},
                         {"fader", round3(gainToFader(s.mix.gain))},
                         {"filter", round3(s.mix.filter)},
                         {"pending", s.pending},
                         {"broken", s.broken}});
    }
    Json markers = Json::array();
    for (const auto& [name, seconds] : p.markers)
        markers.push_back({{"name", name}, {"seconds", round3(seconds)}});
    Json j{
        {"type", "state"},
        {"t", round3(nowMs)},
        {"set", st.setName},
        {"songs", songs},
        {"notTonight", notTonight},
        {"song", p.songs > 0 ? p.song : 0},
        {"cued", cued},
        {"place", st.currentPlace + 1},
        {"title", p.title},
        {"next", p.nextTitle},
        {"rolling", p.rolling},
        {"length", round3(p.lengthSeconds)},
        {"bpm", round3(p.bpm)},
        {"beatsPerBar", p.beatsPerBar},
        {"beatUnit", p.beatUnit},
        {"tempo", round3(st.clock.tempo)},
        {"transpose", round3(st.clock.transpose)},
        {"stretch", p.stretch},
        {"click", clickName(p.click)},
        {"guides", p.guides},
        {"reference", p.reference},
        {"vamp", p.vamp},
        {"practiceLoop", p.practiceLoop},
        {"lyrics", p.lyrics.present ? nlohmann::json{{"section", p.lyrics.section},
                                                     {"line", lyricSegments(p.lyrics.line)},
                                                     {"next", lyricSegments(p.lyrics.next)},
                                                     {"nextIn", round3(p.lyrics.nextIn)}}
                                    : nlohmann::json(nullptr)},
        {"loopA", round3(p.loopA)},
        {"loopB", round3(p.loopB)},
        {"stems", stems},
        {"markers", markers},
        {"scenes", p.scenes},
        {"scene", p.scene >= 0 ? p.scene + 1 : 0},
        {"sceneWaiting", p.sceneWaiting >= 0 ? p.sceneWaiting + 1 : 0},
        {"locked", st.locked},
        {"finished", st.finished},
        {"health",
         {{"xruns", st.health.xruns}, {"underruns", st.health.underruns}, {"devicePlaying", st.health.devicePlaying}}},
        {"position", positionOf(st)}};
    return dump(j);
}

WebTranslation translateWeb(std::string_view text, const control::ShowState& state) {
    if (text.size() > kMaxWebMessage) return fail({}, "a message longer than 4096 bytes");
    const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail({}, "not a JSON object: {\"type\":\"action\",…}");
    std::string id;
    if (const auto it = j.find("id"); it != j.end()) {
        if (it->is_string())
            id = it->get<std::string>().substr(0, 64);
        else if (it->is_number_integer())
            id = std::to_string(it->get<std::int64_t>());
    }
    const auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return fail(id, "a message needs \"type\": \"action\" or \"get\"");
    const std::string kind = type->get<std::string>();
    if (kind == "get") return {WebRequest{WebRequest::Kind::get, {}}, id, {}};
    if (kind != "action") return fail(id, "unknown type '" + kind.substr(0, 40) + "': \"action\" or \"get\"");

    const auto name = j.find("action");
    if (name == j.end() || !name->is_string()) return fail(id, "an action message needs \"action\": its name");
    const std::string actionName = name->get<std::string>();
    const auto action = control::actionFromName(actionName);
    if (!action) return fail(id, control::unknownActionMessage(actionName.substr(0, 40)));
    const ActionInfo& row = control::info(*action);
    // A stem, marker or scene number means the song the page showed: a song changed since, and the
    // action is refused, not applied to the same number of another song.
    if (const auto song = j.find("song"); song != j.end()) {
        if (!song->is_number_integer()) return fail(id, "\"song\" is the number of the song the page shows");
        if (song->get<std::int64_t>() != (state.player.songs > 0 ? state.player.song : 0))
            return fail(id, "the song changed before this arrived: not applied");
    }
    if (offTheNetwork(*action))
        return fail(id,
                    "'" + std::string(row.name) + "' is not taken over the network: use the keyboard or a controller");
    WebRequest r;
    r.call.action = *action;
    std::string error;
    if (row.target == Target::stem) {
        const auto stem = j.find("stem");
        if (stem == j.end()) return fail(id, "'" + std::string(row.name) + "' needs \"stem\": its number from 1");
        const int s = stemOf(*stem, state, error);
        if (s < 0) return fail(id, error);
        r.call.stem = static_cast<std::int8_t>(s);
    } else if (row.target == Target::stems) {
        const auto stems = j.find("stems");
        if (stems == j.end() || !stems->is_array() || stems->empty() || stems->size() > 64)
            return fail(id, "'" + std::string(row.name) + "' needs \"stems\": [1, 2, …]");
        for (const Json& v : *stems) {
            const int s = stemOf(v, state, error);
            if (s < 0) return fail(id, error);
            r.call.stemMask = static_cast<std::uint8_t>(r.call.stemMask | (1u << s));
        }
    }
    const auto value = j.find("value");
    const auto fader = j.find("fader");
    if (*action == Action::gain && fader != j.end()) {
        if (!fader->is_number() || !std::isfinite(fader->get<double>()) || fader->get<double>() < 0 ||
            fader->get<double>() > 1)
            return fail(id, "\"fader\" is a number from 0 (silence) to 1 (+6 dB)");
        r.call.value = faderToGain(fader->get<double>());
    } else if (row.value != ValueKind::none) {
        if (value == j.end() || value->is_null())
            return fail(id, "'" + std::string(row.name) +
                                "' needs \"value\": " + std::string(control::valueHint(row.value)));
        const std::string v = valueText(row, *value, state, error);
        if (v.empty()) return fail(id, error);
        if (!control::parseValue(row, v, valueContext(state), r.call, error)) return fail(id, error);
    } else if (value != j.end() && !value->is_null()) {
        return fail(id, "'" + std::string(row.name) + "' takes no value");
    }
    // A drop lands on the next bar unless it says otherwise, as a controller's drop button does.
    if (*action == Action::drop) r.call.quantize = engine::Quantize::bar;
    if (const auto q = j.find("quantize"); q != j.end() && !q->is_null()) {
        const std::string how = q->is_string() ? q->get<std::string>() : std::string("?");
        if (how != "none" && !row.quantisable)
            return fail(id, "'" + std::string(row.name) + "' cannot wait for a beat or bar");
        if (how == "bar")
            r.call.quantize = engine::Quantize::bar;
        else if (how == "beat")
            r.call.quantize = engine::Quantize::beat;
        else if (how == "none")
            r.call.quantize = engine::Quantize::none;
        else
            return fail(id, "\"quantize\" is \"bar\", \"beat\" or \"none\"");
    }
    return {r, id, {}};
}

std::string webReply(const std::string& id, const std::string& error) {
    if (error.empty()) return dump(Json{{"type", "ack"}, {"id", id}});
    return dump(Json{{"type", "error"}, {"id", id}, {"message", error}});
}

std::string webHello(std::string_view view, bool control) {
    return dump(Json{{"type", "hello"}, {"view", view}, {"control", control}, {"server", "stemdeck"}});
}

std::string webRefused(const std::string& reason, std::string_view code) {
    return dump(Json{{"type", "refused"}, {"reason", reason}, {"code", code}});
}

} // namespace stemdeck::remote
