#include "stemdeck/set/StemFolder.h"

#include <algorithm>
#include <cctype>

#include "stemdeck/common/IoWatch.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/Formats.h"
#include "stemdeck/formats/NiStemFile.h"

namespace stemdeck::set {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isReadmeName(const fs::path& file) {
    return lower(file.extension().string()) == ".txt";
}

// readme.txt / README.txt first, then any other .txt
int readmeRank(const fs::path& file) {
    return lower(file.stem().string()) == "readme" ? 0 : 1;
}

} // namespace

bool isReferenceMixName(const fs::path& file) {
    return formats::isAudioFileName(file) && lower(file.stem().string()) == "00_mix_reference";
}

std::string stemNameFromFile(const fs::path& file) {
    std::string name = file.stem().string();
    std::size_t i = 0;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) != 0)
        ++i;
    if (i > 0) {
        std::size_t j = i;
        while (j < name.size() && (name[j] == '_' || name[j] == '-' || name[j] == ' ' || name[j] == '.'))
            ++j;
        if (j < name.size()) name = name.substr(j); // "01_Drums" → "Drums"; a bare "01" stays "01"
    }
    return name;
}

namespace {
/// A song from one NI stem file: its stems are the tracks after the master.
StemFolder fromStemFile(const fs::path& file, const fs::path& dir) {
    const formats::NiStemFileInfo info = formats::probeNiStemFile(file);
    StemFolder folder;
    folder.dir = dir;
    folder.stemFile = true;
    for (const formats::StemTrackInfo& t : info.stems)
        folder.stems.push_back(FolderStem{file, t.name, t.track, t.color, formats::trackAudioInfo(t)});
    if (folder.stems.size() > static_cast<std::size_t>(kMaxStems))
        throw Error(file.string() + ": " + std::to_string(folder.stems.size()) +
                    " stem tracks, but a song can have at most " + std::to_string(kMaxStems));
    folder.reference = file;
    folder.referenceTrack = info.master.track;
    return folder;
}

/// The folder's readme: the best-named of its text files (listFolder puts it first).
void attachReadme(const std::vector<fs::path>& texts, StemFolder& folder) {
    if (texts.empty()) return;
    folder.readme = texts.front();
    folder.info = readReadme(texts.front());
}
} // namespace

FolderListing listFolder(const fs::path& dir) {
    ioFile(dir);
    FolderListing l;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const fs::path& p = entry.path();
        if (p.filename().string().starts_with(".")) continue; // ._ AppleDouble files, .DS_Store
        // A file's type only where the name leaves it open: an audio file is not looked at here
        // (its probe says what is wrong with it, watched: a link to a share that stopped
        // answering must not hang the listing).
        const auto regular = [&] {
            ioFile(p);
            std::error_code typeEc;
            return entry.is_regular_file(typeEc);
        };
        if (formats::isStemFileName(p)) {
            if (regular()) l.stemFiles.push_back(p);
        } else if (isReferenceMixName(p)) {
            l.reference = p;
        } else if (formats::isAudioFileName(p)) {
            l.audio.push_back(p); // whatever it is: it keeps its number (see FolderListing)
        } else if (isReadmeName(p) && regular()) {
            l.texts.push_back(p);
        }
    }
    if (ec) throw Error(dir.string() + ": cannot list the folder (" + ec.message() + ")");
    // Numbered names sort into play order; compare case-insensitively so "02_bass" sits beside "02_Bass".
    std::sort(l.audio.begin(), l.audio.end(), [](const fs::path& a, const fs::path& b) {
        const std::string la = lower(a.filename().string()), lb = lower(b.filename().string());
        return la != lb ? la < lb : a.filename() < b.filename();
    });
    std::sort(l.texts.begin(), l.texts.end(), [](const fs::path& a, const fs::path& b) {
        return readmeRank(a) != readmeRank(b) ? readmeRank(a) < readmeRank(b) : a < b;
    });
    return l;
}

StemFolder scanStemFolder(const fs::path& dir) {
    ioFile(dir);
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error(dir.string() + ": no such folder; check the path");
    if (fs::is_regular_file(dir, ec) && formats::isStemFileName(dir)) return fromStemFile(dir, dir.parent_path());
    if (!fs::is_directory(dir, ec))
        throw Error(dir.string() + ": not a folder; give the folder that holds the stems (or a .stem.mp4 file)");

    StemFolder folder;
    folder.dir = dir;
    const FolderListing listing = listFolder(dir);
    const std::vector<fs::path>& audio = listing.audio;
    const std::vector<fs::path>& texts = listing.texts;
    const std::vector<fs::path>& stemFiles = listing.stemFiles;
    folder.reference = listing.reference;
    if (!stemFiles.empty()) { // an NI stem file is the song, with the folder's readme
        if (stemFiles.size() > 1 || !audio.empty())
            throw Error(dir.string() + ": holds " +
                        (stemFiles.size() > 1 ? std::to_string(stemFiles.size()) + " .stem.mp4 files"
                                              : "a .stem.mp4 and separate stem files") +
                        "; a song folder holds one kind: one .stem.mp4, or numbered stems (give the .stem.mp4 "
                        "itself as the song to play it)");
        StemFolder song = fromStemFile(stemFiles.front(), dir);
        attachReadme(texts, song);
        return song;
    }
    if (audio.empty())
        throw Error(dir.string() + ": no stems found; a stem folder holds audio files such as "
                                   "01_Drums.wav, 02_Bass.wav (wav, aiff, flac, ogg, opus, mp3)");
    if (audio.size() > static_cast<std::size_t>(kMaxStems)) {
        std::string names;
        for (const auto& p : audio)
            names += "\n  " + p.filename().string();
        throw Error(dir.string() + ": " + std::to_string(audio.size()) + " stems, but a song can have at most " +
                    std::to_string(kMaxStems) + "; merge or remove stems:" + names);
    }
    for (const auto& p : audio)
        folder.stems.push_back(FolderStem{p, stemNameFromFile(p), -1, {}, std::nullopt});

    attachReadme(texts, folder);
    return folder;
}

} // namespace stemdeck::set
