// Tonight's running order in a file beside the set (NAME.order.yaml): written by play at every
// edit, read by play --order and check.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/Files.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/set/SetFile.h"
#include "stemdeck/yaml/Yaml.h"

namespace fs = std::filesystem;

namespace stemdeck::set {

fs::path runningOrderFile(const fs::path& setFile) {
    fs::path p = setFile;
    return p.replace_extension(".order.yaml");
}

namespace {

/// The set file's folder, absolute (a set given as sets/friday.yaml is read from where play runs).
fs::path baseOf(const fs::path& setFile) {
    std::error_code ec;
    const fs::path base = fs::absolute(setFile.has_parent_path() ? setFile.parent_path() : fs::path("."), ec);
    return base.lexically_normal();
}

fs::path absoluteOf(const fs::path& p) {
    std::error_code ec;
    return fs::absolute(p, ec).lexically_normal();
}

/// A song as the file names it: its path relative to the set file's folder when inside it, else
/// absolute (so it reads back the same from wherever play runs).
std::string sourceText(const fs::path& source, const fs::path& base) {
    const fs::path abs = absoluteOf(source);
    const fs::path rel = abs.lexically_relative(base);
    if (rel.empty() || rel.native().starts_with("..")) return abs.generic_string();
    return rel.generic_string();
}

std::string titleOf(const SetSong& s) {
    return s.title ? *s.title : s.source.filename().string();
}

bool wholeNumber(const std::string& t) {
    return !t.empty() && t.size() < 6 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string formatRunningOrder(const RunningOrder& order, const std::vector<SetSong>& songs, std::size_t setSongs,
                               const fs::path& setFile) {
    const fs::path base = baseOf(setFile);
    std::ostringstream out;
    out << "# Tonight's running order";
    if (!setFile.empty()) out << " for " << setFile.filename().generic_string();
    out << ", written by stemdeck at every change (the set file\n"
           "# is not changed). Songs by folder; skipped: cut tonight; played: has played. Start with it:\n"
           "# stemdeck play SET --order THIS-FILE; stemdeck check SET --order THIS-FILE checks it.\n";
    if (!setFile.empty()) out << "set: " << yaml::quoted(setFile.filename().generic_string()) << "\n";
    if (songs.size() > setSongs) { // folders added tonight, in the catalogue's order (numbers after the set's)
        out << "added:\n";
        for (std::size_t i = setSongs; i < songs.size(); ++i)
            out << "  - " << yaml::quoted(sourceText(songs[i].source, base)) << "  # " << i + 1 << " "
                << oneLine(titleOf(songs[i])) << "\n";
    }
    out << "order:";
    if (order.entries().empty()) out << " []";
    out << "\n";
    for (const OrderEntry& e : order.entries()) {
        const SetSong& s = songs.at(static_cast<std::size_t>(e.song));
        out << "  - { song: " << yaml::quoted(sourceText(s.source, base));
        if (e.skipped) out << ", skipped: true";
        if (e.played) out << ", played: true";
        out << " }  # " << e.song + 1 << " " << oneLine(titleOf(s))
            << (static_cast<std::size_t>(e.song) >= setSongs ? " (added tonight)" : "") << "\n";
    }
    return out.str();
}

OrderFile parseRunningOrder(std::string_view text, const fs::path& file, const std::vector<SetSong>& setSongs,
                            const fs::path& setFile) {
    const yaml::Reader r(file.string());
    const fs::path base = baseOf(setFile);
    const YAML::Node root = yaml::parse(text, file.string(), "; fix the running order file or delete it");
    if (!root.IsMap() || !root["order"] || !root["order"].IsSequence())
        r.fail(root, "expected 'order:' and a list of songs, such as order: [3, 1, { song: 2, skipped: true }] "
                     "(a song by its number in the set file or its folder)");
    r.checkKeys(root, {"set", "added", "order"}, "a running order");
    if (root["set"] && !setFile.empty()) {
        const std::string named = r.scalar(root["set"], "set");
        if (named != setFile.filename().generic_string())
            r.fail(root["set"], "this running order is for the set '" + named + "', not '" +
                                    setFile.filename().generic_string() +
                                    "'; give that set, or change set: here if the set file was renamed");
    }
    OrderFile out;
    std::vector<OrderEntry> entries;
    std::vector<fs::path> catalogue;
    for (const SetSong& s : setSongs)
        catalogue.push_back(absoluteOf(s.source));
    // A folder (or .stem.mp4) added tonight: its index in the catalogue, added now if new.
    const auto folder = [&](const YAML::Node& node, const std::string& t) {
        fs::path p(t);
        if (p.is_relative()) p = base / p;
        p = p.lexically_normal(); // (absolute: base is)
        for (std::size_t i = 0; i < catalogue.size(); ++i)
            if (catalogue[i] == p) return static_cast<int>(i);
        std::error_code ec;
        if (!fs::is_directory(p, ec) && !(formats::isStemFileName(p) && fs::is_regular_file(p, ec)))
            r.fail(node, "'" + t + "' is neither a song of the set nor a stem folder (" + p.string() +
                             " is not there); fix the path, or give the song's number in the set file");
        catalogue.push_back(p);
        out.added.push_back(p);
        return static_cast<int>(catalogue.size()) - 1;
    };
    if (const YAML::Node added = root["added"]) {
        if (!added.IsSequence()) r.fail(added, "added: is a list of folders added tonight");
        for (const YAML::Node& a : added) {
            const std::string t = r.scalar(a, "an added folder");
            if (folder(a, t) < static_cast<int>(setSongs.size()))
                r.fail(a, "'" + t + "' is a song of the set already; take it out of added:");
        }
    }
    for (const YAML::Node& item : root["order"]) {
        OrderEntry e;
        if (item.IsMap()) {
            r.checkKeys(item, {"song", "skipped", "played"}, "a song of the running order");
            if (!item["song"]) r.fail(item, "each song is { song: NUMBER or FOLDER, skipped: true, played: true }");
            for (const char* flag : {"skipped", "played"})
                if (item[flag]) {
                    const std::optional<bool> v = yaml::Reader::as<bool>(item[flag]);
                    if (!v) r.fail(item[flag], std::string(flag) + " must be true or false");
                    (std::string_view(flag) == "skipped" ? e.skipped : e.played) = *v;
                }
        }
        const YAML::Node song = item.IsMap() ? item["song"] : item; // (yaml-cpp: a Node assigned to is written)
        const std::string t = r.scalar(song, "song");
        int index = -1;
        if (wholeNumber(t) && song.Tag() != "!") { // 3: song 3; "3" (quoted): a folder called 3
            const int n = std::stoi(t);
            if (n < 1 || static_cast<std::size_t>(n) > setSongs.size())
                r.fail(song, "there is no song " + t + "; the set has " + std::to_string(setSongs.size()) +
                                 " (numbers are the set file's, from 1)");
            index = n - 1;
        } else {
            index = folder(song, t);
        }
        e.song = index;
        for (const OrderEntry& seen : entries)
            if (seen.song == index)
                r.fail(song, "song " + std::to_string(index + 1) + " (" + t +
                                 ") is in the running order twice; a song plays once in an order (add it again "
                                 "live to play it again)");
        entries.push_back(e);
    }
    out.order = RunningOrder::of(std::move(entries), static_cast<int>(catalogue.size()));
    return out;
}

OrderFile loadRunningOrder(const fs::path& file, const std::vector<SetSong>& setSongs, const fs::path& setFile) {
    const std::optional<std::string> text = readWholeFile(file);
    if (!text) throw Error(file.string() + ": cannot be read (is it there?); give a running order file");
    return parseRunningOrder(*text, file, setSongs, setFile);
}

void saveRunningOrder(const RunningOrder& order, const std::vector<SetSong>& songs, std::size_t setSongs,
                      const fs::path& setFile, const fs::path& file) {
    const std::string text = formatRunningOrder(order, songs, setSongs, setFile);
    const std::vector<SetSong> set(songs.begin(), songs.begin() + static_cast<std::ptrdiff_t>(setSongs));
    if (parseRunningOrder(text, file, set, setFile).order != order) // never write a file that reads back otherwise
        throw Error(file.string() + ": the running order would not read back the same; not written");
    writeFileAtomically(file, text, "the running order");
}

} // namespace stemdeck::set
