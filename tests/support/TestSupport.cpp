#include "TestSupport.h"

#include <sndfile.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iterator>
#include <stdexcept>
#include <fstream>
#include <random>

#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("stemdeck-test-" + std::to_string(rd()) + "-" + std::to_string(counter.fetch_add(1)));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

StemAudio impulseStem(std::int64_t length, const std::vector<std::int64_t>& frames, float amplitude, bool stereo) {
    StemAudio s;
    s.left.assign(static_cast<std::size_t>(length), 0.0f);
    for (auto f : frames)
        s.left[static_cast<std::size_t>(f)] = amplitude;
    if (stereo) {
        s.right = s.left;
        for (auto f : frames)
            s.right[static_cast<std::size_t>(f)] = -amplitude; // tell the sides apart
    }
    return s;
}

StemAudio constantStem(std::int64_t length, float level, bool stereo) {
    StemAudio s;
    s.left.assign(static_cast<std::size_t>(length), level);
    if (stereo) s.right = s.left;
    return s;
}

StemAudio rampStem(std::int64_t length, float base) {
    StemAudio s;
    s.left.resize(static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < s.left.size(); ++i)
        s.left[i] = rampAt(static_cast<std::int64_t>(i), base);
    return s;
}

StemAudio sineStem(std::int64_t length, double hz, double sampleRate, float amplitude, bool stereo) {
    StemAudio s;
    s.left.resize(static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < s.left.size(); ++i)
        s.left[i] = amplitude * static_cast<float>(std::sin(2.0 * M_PI * hz * static_cast<double>(i) / sampleRate));
    if (stereo) s.right = s.left;
    return s;
}

void writeStemFolder(const fs::path& dir, int sampleRate, const std::vector<StemAudio>& stems,
                     const std::vector<std::string>& names, const std::string& readme) {
    fs::create_directories(dir);
    for (std::size_t i = 0; i < stems.size(); ++i) {
        char prefix[24];
        std::snprintf(prefix, sizeof prefix, "%02zu_", i + 1);
        const auto& s = stems[i];
        formats::writeWav(dir / (prefix + names[i] + ".wav"), sampleRate, s.left, s.right.empty() ? nullptr : &s.right,
                          formats::SampleFormat::float32);
    }
    if (!readme.empty()) std::ofstream(dir / "readme.txt") << readme;
}

void writeSoundFile(const fs::path& file, int sfFormat, int sampleRate, const StemAudio& audio) {
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = 2;
    info.format = sfFormat;
    SNDFILE* f = sf_open(file.c_str(), SFM_WRITE, &info);
    if (f == nullptr) throw std::runtime_error(file.string() + ": libsndfile cannot write it: " + sf_strerror(nullptr));
    const std::vector<float>& right = audio.right.empty() ? audio.left : audio.right;
    std::vector<float> inter(audio.left.size() * 2);
    for (std::size_t i = 0; i < audio.left.size(); ++i) {
        inter[2 * i] = audio.left[i];
        inter[2 * i + 1] = right[i];
    }
    const auto frames = static_cast<sf_count_t>(audio.left.size());
    const sf_count_t written = sf_writef_float(f, inter.data(), frames);
    sf_close(f);
    if (written != frames) throw std::runtime_error(file.string() + ": libsndfile wrote fewer frames than asked");
}

void writeStemMp4(const fs::path& file, int sampleRate, const std::vector<StemAudio>& stems,
                  const std::vector<std::string>& niNames, const StemAudio* master, const std::string& codec) {
    const fs::path tmp = file.parent_path() / (file.filename().string() + ".parts");
    fs::create_directories(tmp);
    StemAudio sum;
    if (master == nullptr) {
        std::size_t n = 0;
        for (const auto& s : stems)
            n = std::max(n, s.left.size());
        sum.left.assign(n, 0.0f);
        sum.right.assign(n, 0.0f);
        for (const auto& s : stems)
            for (std::size_t i = 0; i < s.left.size(); ++i) {
                sum.left[i] += s.left[i];
                sum.right[i] += s.right.empty() ? s.left[i] : s.right[i];
            }
        master = &sum;
    }
    std::string cmd = "ffmpeg -nostdin -v error -y";
    std::string maps;
    int inputs = 0;
    auto add = [&](const StemAudio& a, const std::string& name) {
        const fs::path wav = tmp / (name + ".wav");
        formats::writeWav(wav, sampleRate, a.left, a.right.empty() ? nullptr : &a.right,
                          formats::SampleFormat::float32);
        maps += " -map " + std::to_string(inputs++) + ":a";
        cmd += " -i '" + wav.string() + "'";
    };
    add(*master, "master");
    for (std::size_t i = 0; i < stems.size(); ++i)
        add(stems[i], "stem" + std::to_string(i + 1));
    cmd += maps + " " + codec + " -f mp4 '" + file.string() + "'";
    const int rc = std::system(cmd.c_str());
    fs::remove_all(tmp);
    if (rc != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
    if (niNames.empty()) return;
    static const char* const kColours[] = {"#FF0000", "#00FF00", "#0000FF", "#FFFF00", "#FF00FF", "#00FFFF"};
    std::string json = "{\"stems\":[";
    for (std::size_t i = 0; i < niNames.size(); ++i)
        json += std::string(i ? "," : "") + "{\"name\":\"" + niNames[i] + "\",\"color\":\"" + kColours[i % 6] + "\"}";
    json += "],\"mastering_dsp\":{\"compressor\":{\"enabled\":false},\"limiter\":{\"enabled\":false}},\"version\":1}";
    addNiStemBox(file, json);
}

void unsetFlacTotal(const fs::path& file) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    char b[42];
    f.read(b, 42);
    if (!f || std::string(b, 4) != "fLaC") throw std::runtime_error(file.string() + ": not a FLAC file");
    b[8 + 13] = static_cast<char>(b[8 + 13] & 0xF0); // STREAMINFO starts at 8; the total at its bit 108
    for (int i = 14; i < 18; ++i)
        b[8 + i] = 0;
    f.seekp(0);
    f.write(b, 42);
}

void addNiStemBox(const fs::path& file, const std::string& json) {
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto be32 = [](const std::string& b, std::size_t at) {
        return (std::uint32_t{static_cast<unsigned char>(b[at])} << 24) |
               (std::uint32_t{static_cast<unsigned char>(b[at + 1])} << 16) |
               (std::uint32_t{static_cast<unsigned char>(b[at + 2])} << 8) | static_cast<unsigned char>(b[at + 3]);
    };
    auto put32 = [](std::uint32_t v) {
        std::string out(4, '\0');
        for (int i = 0; i < 4; ++i)
            out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
        return out;
    };
    std::size_t at = 0, moov = std::string::npos;
    while (at + 8 <= bytes.size()) { // top-level boxes; moov must be the last
        const std::uint32_t size = be32(bytes, at);
        if (size < 8) throw std::runtime_error(file.string() + ": unexpected box layout");
        if (bytes.compare(at + 4, 4, "moov") == 0) moov = at;
        at += size;
    }
    if (moov == std::string::npos || at != bytes.size() || moov + be32(bytes, moov) != bytes.size())
        throw std::runtime_error(file.string() + ": moov is not the last box");
    const std::string stem = put32(static_cast<std::uint32_t>(8 + json.size())) + "stem" + json;
    const std::string udta = put32(static_cast<std::uint32_t>(8 + stem.size())) + "udta" + stem;
    bytes.replace(moov, 4, put32(be32(bytes, moov) + static_cast<std::uint32_t>(udta.size())));
    bytes += udta;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

control::RenderOptions blockOptions(int block, std::uint32_t seed) {
    control::RenderOptions o;
    if (block > 0) {
        o.blockFrames = block;
        return o;
    }
    std::mt19937 rng(seed);
    for (int i = 0; i < 97; ++i)
        o.blockPattern.push_back(static_cast<int>(rng() % 700) + 1);
    return o;
}

Rendered renderFolder(const fs::path& dir, const std::string& eventsYaml, const control::RenderOptions& options,
                      int sampleRate, const set::SetSong* plan) {
    control::SongOptions songOptions;
    if (sampleRate > 0) songOptions.sampleRate = sampleRate;
    if (plan != nullptr) {
        songOptions = control::optionsFor(*plan, songOptions);          // its BPM, tempo and key too
        songOptions.stretchQuality = formats::Stretch::Quality::render; // as `render` does
    }
    control::Song song = control::loadSong(dir, songOptions);
    engine::SongView view = song.view();
    control::ValueContext values;
    if (plan != nullptr) {
        (void)control::applySetSong(*plan, song, view, 0);
        values.sceneNames = plan->sceneNames();
    }
    std::vector<control::ScriptEvent> script;
    if (!eventsYaml.empty())
        script = control::parseEventScript(
            eventsYaml, "events.yaml", {song.stemNames, static_cast<double>(song.sampleRate), song.bpmKnown, values});
    for (const std::int64_t target : control::cueFrames(script, song.sampleRate))
        song.addCue(target);
    control::MemorySink sink;
    engine::Engine engine;
    Rendered r;
    r.report = control::renderSong(engine, view, song.sampleRate, script, sink, options);
    r.left = std::move(sink.left_);
    r.right = std::move(sink.right_);
    r.faults = song.takeFaults();
    return r;
}

std::size_t mismatchesAgainstSum(const Rendered& out, const std::vector<StemAudio>& stems) {
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < out.left.size(); ++i) {
        float l = 0.0f, r = 0.0f;
        for (const auto& s : stems) {
            if (i >= s.left.size()) continue;
            l += s.left[i];
            r += s.right.empty() ? s.left[i] : s.right[i];
        }
        if (out.left[i] != l || out.right[i] != r) ++wrong;
    }
    return wrong;
}

double maxStep(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double m = 0.0;
    for (std::size_t i = from + 1; i < to && i < x.size(); ++i)
        m = std::max(m, std::fabs(static_cast<double>(x[i]) - static_cast<double>(x[i - 1])));
    return m;
}

double maxSlopeRatio(const std::vector<float>& x, std::size_t from, std::size_t to, double hz, double rate) {
    const auto window = static_cast<std::size_t>(rate / 1000.0);
    const double omega = 2.0 * M_PI * hz / rate;
    double worst = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < to && i < x.size(); ++i) {
        const double step = std::fabs(static_cast<double>(x[i]) - static_cast<double>(x[i - 1]));
        if (step < 1e-4) continue; // far below audibility; keeps near-silence from dividing by ~0
        double peak = 0.0;
        for (std::size_t j = i > window ? i - window : 0; j < std::min(x.size(), i + window); ++j)
            peak = std::max(peak, std::fabs(static_cast<double>(x[j])));
        worst = std::max(worst, step / (peak * omega));
    }
    return worst;
}

double rms(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double sum = 0.0;
    for (std::size_t i = from; i < to; ++i)
        sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    return to > from ? std::sqrt(sum / static_cast<double>(to - from)) : 0.0;
}

} // namespace stemdeck::test
