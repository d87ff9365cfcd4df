#include "stemdeck/app/Journal.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

#include "stemdeck/app/Shipped.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Limits.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {
using Json = nlohmann::ordered_json;
constexpr int kJournalVersion = 1;

std::int64_t wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace

fs::path defaultJournalPath() {
    return stateDir() / "journal.json";
}

std::string formatJournal(const JournalEntry& s) {
    const control::ShowPoint& a = s.at;
    Json stems = Json::array();
    for (const control::StemState& st : a.stems)
        stems.push_back({{"muted", st.muted}, {"soloed", st.soloed}, {"gain", st.gain}, {"filter", st.filter}});
    Json j{{"stemdeck_journal", kJournalVersion},
           {"set", s.set},
           {"song", a.song},
           {"song_source", s.songSource},
           {"frame", a.frame},
           {"sample_rate", a.sampleRate},
           {"playing", a.playing},
           {"stems", stems},
           {"scene", a.scene},
           {"reference", a.reference},
           {"vamp", a.vamp},
           {"tempo", a.tempo},
           {"transpose", a.transpose},
           {"loop_first_bar", a.loopFirstBar},
           {"loop_last_bar", a.loopLastBar},
           {"loop_count_in", a.loopCountIn},
           {"ended", s.ended},
           {"written_at_ms", s.writtenAtMs}};
    if (s.order) {
        Json order = Json::array();
        for (const JournalOrderLine& l : *s.order)
            order.push_back({{"source", l.source}, {"skipped", l.skipped}, {"played", l.played}});
        j["order"] = order;
        j["added"] = s.added;
    }
    return j.dump(1) + "\n";
}

JournalEntry parseJournal(const std::string& text, const fs::path& file) {
    const Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(file.string() + ": not a stemdeck journal (not valid JSON: torn or edited); ignored");
    try {
        if (j.at("stemdeck_journal").get<int>() != kJournalVersion)
            throw Error(file.string() + ": a journal of another stemdeck version; ignored");
        JournalEntry s;
        control::ShowPoint& a = s.at;
        s.set = j.at("set").get<std::string>();
        a.song = j.at("song").get<int>();
        s.songSource = j.at("song_source").get<std::string>();
        a.frame = j.at("frame").get<std::int64_t>();
        a.sampleRate = j.at("sample_rate").get<int>();
        a.playing = j.at("playing").get<bool>();
        for (const Json& st : j.at("stems"))
            a.stems.push_back({st.at("muted").get<bool>(), st.at("soloed").get<bool>(), st.at("gain").get<float>(),
                               st.at("filter").get<float>()});
        a.scene = j.at("scene").get<int>();
        a.reference = j.at("reference").get<bool>();
        a.vamp = j.at("vamp").get<bool>();
        a.tempo = j.value("tempo", 1.0); // (journals from before live tempo and key: as recorded)
        a.transpose = j.value("transpose", 0.0);
        a.loopFirstBar = j.value("loop_first_bar", 0); // (and from before the A-B loop: none)
        a.loopLastBar = j.value("loop_last_bar", 0);
        a.loopCountIn = j.value("loop_count_in", 0);
        s.ended = j.at("ended").get<bool>();
        s.writtenAtMs = j.at("written_at_ms").get<std::int64_t>();
        if (j.contains("order")) { // (journals from before running orders: the set's order)
            s.order.emplace();
            for (const Json& l : j.at("order"))
                s.order->push_back(
                    {l.at("source").get<std::string>(), l.at("skipped").get<bool>(), l.at("played").get<bool>()});
            s.added = j.at("added").get<std::vector<std::string>>();
        }
        if (a.song < 0 || a.frame < 0 || a.sampleRate <= 0 || a.stems.size() > static_cast<std::size_t>(kMaxStems) ||
            !(a.tempo >= 0.5 && a.tempo <= 2.0) || !(std::fabs(a.transpose) <= 12.0) || a.loopFirstBar < 0 ||
            (a.loopLastBar != 0 && a.loopLastBar < a.loopFirstBar) || a.loopCountIn < 0 || a.loopCountIn > 16)
            throw Error(file.string() + ": a journal with impossible values (song " + std::to_string(a.song + 1) +
                        ", frame " + std::to_string(a.frame) + "); ignored");
        return s;
    } catch (const Json::exception& e) {
        throw Error(file.string() + ": an incomplete stemdeck journal (" + e.what() + "); ignored");
    }
}

Journal::Journal(fs::path file, std::chrono::milliseconds interval) : file_(std::move(file)), interval_(interval) {}

bool Journal::write(const JournalEntry& state) {
    try {
        writeFileAtomically(file_, formatJournal(state), "the show journal");
        written_ = state;
        ++writes_;
        return true;
    } catch (const Error& e) {
        if (problem_.empty()) problem_ = e.what();
        return false;
    }
}

bool Journal::record(const JournalEntry& state, std::chrono::steady_clock::time_point now) {
    if (now < last_ + interval_) return true;
    JournalEntry next = state;
    if (written_) { // the same show as written, whatever the time: nothing to write
        next.writtenAtMs = written_->writtenAtMs;
        if (*written_ == next) return true;
    }
    last_ = now;
    next.writtenAtMs = wallClockMs();
    return write(next);
}

void Journal::end(JournalEntry state) {
    state.ended = true;
    state.at.playing = false;
    state.writtenAtMs = wallClockMs();
    write(state);
}

ResumeFind findResume(const fs::path& file, const std::string& set, const std::vector<std::string>& songSources) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return {std::nullopt, "resume: no journal yet (" + file.string() + "): from the top"};
    const std::string text = readWholeFile(file).value_or(std::string()); // (unreadable: not a journal, below)
    JournalEntry s;
    try {
        s = parseJournal(text, file);
    } catch (const Error& e) {
        return {std::nullopt, std::string("resume: ") + e.what() + ": from the top"};
    }
    if (s.ended) return {std::nullopt, "resume: the last show ended cleanly: from the top"};
    if (s.set != set)
        return {std::nullopt, "resume: the journal is of another set (" + s.set + "), not this one: from the top"};
    std::vector<std::string> all = songSources; // the set's songs, then the folders added tonight
    all.insert(all.end(), s.added.begin(), s.added.end());
    const auto song = static_cast<std::size_t>(s.at.song);
    if (song >= all.size() || all[song] != s.songSource ||
        (song >= songSources.size() && !fs::exists(s.songSource, ec)))
        return {std::nullopt, "resume: song " + std::to_string(s.at.song + 1) + " of the journal (" + s.songSource +
                                  ") is not in the set any more: from the top"};
    return {s, ""};
}

} // namespace stemdeck::app
