#include "stemdeck/formats/NiStemFile.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "Ffmpeg.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/NiMetadata.h"

namespace stemdeck::formats {

using ffmpeg::audioStream;
using ffmpeg::audioStreamCount;
using ffmpeg::FormatPtr;
using ffmpeg::isLossy;
using ffmpeg::openContainer;
using ffmpeg::streamFrames;
using ffmpeg::aacPriming;

std::optional<std::string> readNiStemMetadata(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    in.seekg(0, std::ios::end);
    const std::int64_t size = in.tellg();
    return findMp4Box(in, size, {"moov", "udta", "stem"});
}

NiStemFileInfo probeNiStemFile(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw Error(file.string() + ": no such stem file; check the path");
    const FormatPtr f = openContainer(file);
    const int tracks = audioStreamCount(*f);
    if (tracks == 0)
        throw Error(file.string() + ": no audio tracks (a video or an empty container); a stem file has a master "
                                    "and its stems as audio tracks");
    if (tracks == 1)
        throw Error(file.string() + ": one audio track, so it is a plain MP4, not a stem file (a master plus 2-4 "
                                    "stems); play it as a song with one stem by converting it to WAV");
    NiStemFileInfo info;
    info.file = file;
    // Names and colours: the NI 'stem' box (JSON) if there is one. A damaged one costs only the
    // names it cannot give (the track titles or numbers stand in); check says what is wrong.
    NiStemMetadata ni;
    if (const std::optional<std::string> json = readNiStemMetadata(file)) {
        ni = parseNiStemMetadata(*json);
        info.niMetadata = true;
        info.metadataProblem = ni.problem;
        if (ni.problem.empty() && ni.stems.size() != static_cast<std::size_t>(tracks - 1))
            info.metadataProblem =
                "it names " + std::to_string(ni.stems.size()) + " stems, the file holds " + std::to_string(tracks - 1);
    }
    for (int t = 0; t < tracks; ++t) {
        const AVStream& st = *f->streams[audioStream(*f, t)];
        StemTrackInfo ti;
        ti.track = t;
        ti.codec = avcodec_get_name(st.codecpar->codec_id);
        ti.sampleRate = st.codecpar->sample_rate;
        ti.channels = st.codecpar->ch_layout.nb_channels;
        if (!isLossy(ti.codec))
            ti.bitDepth = st.codecpar->bits_per_raw_sample > 0 ? st.codecpar->bits_per_raw_sample
                                                               : st.codecpar->bits_per_coded_sample;
        const ffmpeg::Priming priming = aacPriming(*f, audioStream(*f, t));
        ti.primingAssumed = priming.assumed;
        // (with an edit list the declared duration is already net of the priming, and frame 0 is
        // at stream time 0; else it starts `priming.frames` in)
        ti.frames = ti.sampleRate > 0 ? std::max<std::int64_t>(0, streamFrames(st, ti.sampleRate) - priming.frames) : 0;
        if (avcodec_find_decoder(st.codecpar->codec_id) == nullptr)
            throw Error(file.string() + " (track " + std::to_string(t) + "): codec '" + ti.codec +
                        "' cannot be decoded by this FFmpeg build; convert the file to AAC or ALAC");
        if (ti.channels < 1 || ti.channels > 2)
            throw Error(file.string() + " (track " + std::to_string(t) + "): " + std::to_string(ti.channels) +
                        " channels; a stem must be mono or stereo");
        if (t >= 1 && static_cast<std::size_t>(t - 1) < ni.stems.size()) {
            ti.name = ni.stems[static_cast<std::size_t>(t - 1)].name;
            ti.color = ni.stems[static_cast<std::size_t>(t - 1)].color;
        }
        if (ti.name.empty())
            for (const char* key : {"title", "handler_name"})
                if (const AVDictionaryEntry* e = av_dict_get(st.metadata, key, nullptr, 0);
                    e != nullptr && ti.name.empty()) {
                    const std::string v = e->value;
                    if (!v.empty() && v != "SoundHandler" && v != "Sound Media Handler" && v != "Core Media Audio")
                        ti.name = v;
                }
        if (ti.name.empty()) ti.name = t == 0 ? "Master" : "Stem " + std::to_string(t);
        (t == 0 ? info.master : info.stems.emplace_back()) = ti;
    }
    return info;
}

AudioFileInfo trackAudioInfo(const StemTrackInfo& track) {
    requirePlayableRate("track " + std::to_string(track.track) + " (" + track.name + ")", track.sampleRate);
    AudioFileInfo a;
    a.frames = track.frames;
    a.sampleRate = track.sampleRate;
    a.channels = track.channels;
    a.format = "MP4";
    std::transform(track.codec.begin(), track.codec.end(), std::back_inserter(a.subtype),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    a.lossy = isLossy(track.codec);
    a.bitDepth = track.bitDepth;
    return a;
}

} // namespace stemdeck::formats
