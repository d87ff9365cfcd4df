// Everything stemdeck reads through FFmpeg: one audio track of an MP4 (a .stem.mp4's master or
// stems) and FLAC files libsndfile cannot decode (12- and 20-bit).
#include "Ffmpeg.h"

extern "C" {
#include <libavutil/avutil.h>
}

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "Decoder.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/formats/AudioFile.h"

namespace stemdeck::formats {

namespace {
std::string avError(int code) {
    std::array<char, AV_ERROR_MAX_STRING_SIZE> buf{};
    av_strerror(code, buf.data(), buf.size());
    return buf.data();
}

struct CodecCloser {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};

} // namespace

namespace ffmpeg {

FormatPtr openContainer(const std::filesystem::path& file) {
    // FFmpeg's own log lines would land in the middle of the play screen; our errors say it all.
    static const bool quiet = [] {
        av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)quiet;
    ioFile(file);
    AVFormatContext* raw = avformat_alloc_context();
    if (raw == nullptr) throw Error(file.string() + ": out of memory opening it");
    // FFmpeg asks this before every read it retries and between steps of a long open: each is
    // progress for a watched job (IoWatch), so a slow share that answers is not called stalled.
    raw->interrupt_callback.callback = [](void*) -> int {
        ioBeat();
        return 0;
    };
    if (const int err = avformat_open_input(&raw, file.c_str(), nullptr, nullptr); err < 0)
        throw Error(file.string() + ": cannot open as an MP4 stem file (" + avError(err) +
                    "); check the path, and that the file is complete (a cut-short download cannot be read)");
    FormatPtr f(raw);
    if (const int err = avformat_find_stream_info(f.get(), nullptr); err < 0)
        throw Error(file.string() + ": damaged container, its tracks cannot be read (" + avError(err) +
                    "); export or download the file again");
    return f;
}

int audioStream(const AVFormatContext& f, int track) {
    int seen = 0;
    for (unsigned i = 0; i < f.nb_streams; ++i)
        if (f.streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && seen++ == track) return static_cast<int>(i);
    return -1;
}

int audioStreamCount(const AVFormatContext& f) {
    int n = 0;
    for (unsigned i = 0; i < f.nb_streams; ++i)
        n += f.streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    return n;
}

bool isLossy(const std::string& codec) {
    return codec != "alac" && codec != "flac" && !codec.starts_with("pcm_");
}

std::int64_t streamFrames(const AVStream& st, int rate) {
    if (st.duration > 0) return av_rescale_q(st.duration, st.time_base, AVRational{1, rate});
    return 0;
}

/// AAC's priming: the encoder's silent lead-in (its MDCT's look-ahead) before the first real
/// sample. A file declares it in an edit list (the first packet's pts is below 0) or an iTunSMPB
/// tag; FFmpeg's mov demuxer turns either into skip-samples side data on the first packet (the
/// tag's wins). Frame 0 is then at the first packet's pts plus that skip: 0 for an edit list
/// (1024 for FFmpeg's encoder, 2112 for Apple's), the tag's count for an iTunSMPB alone. The
/// decoder skips nothing itself (AV_CODEC_FLAG2_SKIP_MANUAL): libavcodec's own skip left a frame
/// cut part way at its old pts (64 samples early for Apple's 2112), and after a seek an iTunSMPB
/// skip was not applied at all. NI's Stem Creator declares nothing, so its AAC tracks would play
/// late against the click and the grid: a track that declares nothing is trimmed by what its
/// encoder adds: 1024 frames for FFmpeg's (the file says "Lavf" / "Lavc"), else 2112, Apple's
/// (Stem Creator, iTunes, Logic), and check says that was assumed.
namespace {
constexpr std::int64_t kFfmpegAacPriming = 1024;
constexpr std::int64_t kAppleAacPriming = 2112;
} // namespace

Priming aacPriming(AVFormatContext& f, int index) {
    const AVStream& st = *f.streams[index];
    if (st.codecpar->codec_id != AV_CODEC_ID_AAC || st.codecpar->sample_rate <= 0) return {};
    std::unique_ptr<AVPacket, PacketFree> packet(av_packet_alloc());
    if (!packet) return {};
    bool declared = true; // (no packet at all: nothing to trim)
    std::int64_t at = 0;  // frame 0, in samples from stream time 0, when declared
    for (int tries = 0; tries < 4096; ++tries) {
        if (av_read_frame(&f, packet.get()) < 0) break;
        ioBeat();
        const bool ours = packet->stream_index == index;
        if (ours) {
            std::size_t size = 0;
            const std::uint8_t* skip = av_packet_get_side_data(packet.get(), AV_PKT_DATA_SKIP_SAMPLES, &size);
            const bool early = packet->pts != AV_NOPTS_VALUE && packet->pts < 0;
            declared = early || skip != nullptr;
            if (packet->pts != AV_NOPTS_VALUE)
                at = av_rescale_q(packet->pts, st.time_base, AVRational{1, st.codecpar->sample_rate});
            if (skip != nullptr && size >= 4) // (its first field: samples to skip, little-endian 32 bits)
                at += static_cast<std::int64_t>(skip[0] | skip[1] << 8 | skip[2] << 16 | std::uint32_t{skip[3]} << 24);
        }
        av_packet_unref(packet.get());
        if (ours) break;
    }
    avformat_seek_file(&f, -1, INT64_MIN, INT64_MIN, INT64_MIN, 0);
    if (declared) return {std::max<std::int64_t>(0, at), false};
    const AVDictionaryEntry* encoder = av_dict_get(f.metadata, "encoder", nullptr, 0);
    const std::string by = encoder != nullptr ? encoder->value : "";
    if (by.starts_with("Lavf") || by.starts_with("Lavc")) return {kFfmpegAacPriming, false};
    return {kAppleAacPriming, true};
}

} // namespace ffmpeg

namespace {

using ffmpeg::aacPriming;
using ffmpeg::audioStream;
using ffmpeg::audioStreamCount;
using ffmpeg::FormatPtr;
using ffmpeg::openContainer;
using ffmpeg::streamFrames;

/// A sample of any planar or packed format FFmpeg decoders give, as float.
float sampleAt(const AVFrame& fr, int channel, int i) {
    const auto fmt = static_cast<AVSampleFormat>(fr.format);
    const int channels = fr.ch_layout.nb_channels;
    const bool planar = av_sample_fmt_is_planar(fmt) != 0;
    const std::uint8_t* base = planar ? fr.extended_data[channel] : fr.extended_data[0];
    const int at = planar ? i : i * channels + channel;
    switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_FLT: return reinterpret_cast<const float*>(base)[at];
    case AV_SAMPLE_FMT_DBL: return static_cast<float>(reinterpret_cast<const double*>(base)[at]);
    case AV_SAMPLE_FMT_S16: return static_cast<float>(reinterpret_cast<const std::int16_t*>(base)[at]) / 32768.0f;
    case AV_SAMPLE_FMT_S32:
        return static_cast<float>(static_cast<double>(reinterpret_cast<const std::int32_t*>(base)[at]) / 2147483648.0);
    case AV_SAMPLE_FMT_U8: return (static_cast<float>(base[at]) - 128.0f) / 128.0f;
    default: return 0.0f;
    }
}

class TrackDecoder final : public detail::Decoder {
public:
    TrackDecoder(const std::filesystem::path& file, int track) : file_(file), track_(track) {
        format_ = openContainer(file);
        stream_ = audioStream(*format_, track);
        if (stream_ < 0)
            throw Error(file.string() + ": has no audio track " + std::to_string(track) + " (it has " +
                        std::to_string(audioStreamCount(*format_)) + "); a stem file holds a master and its stems");
        for (unsigned i = 0; i < format_->nb_streams; ++i) // demux only this track
            format_->streams[i]->discard = static_cast<int>(i) == stream_ ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        AVStream& st = *format_->streams[stream_];
        if (avcodec_find_decoder(st.codecpar->codec_id) == nullptr)
            throw Error(where() + ": codec '" + avcodec_get_name(st.codecpar->codec_id) +
                        "' cannot be decoded by this FFmpeg build; convert the file to AAC or ALAC");
        if (!openCodec())
            throw Error(where() + ": cannot start the " + avcodec_get_name(st.codecpar->codec_id) + " decoder");
        channels = st.codecpar->ch_layout.nb_channels;
        rate = st.codecpar->sample_rate;
        if (channels < 1 || channels > 2)
            throw Error(where() + ": " + std::to_string(channels) +
                        " channels; a stem must be mono or stereo. Split it into stereo stems in your DAW");
        if (rate <= 0) throw Error(where() + ": no sample rate; the file is damaged");
        trim_ = aacPriming(*format_, stream_).frames;
        frames = std::max<std::int64_t>(0, streamFrames(st, rate) - trim_);
        if (avcodec_descriptor_get(st.codecpar->codec_id) != nullptr &&
            (avcodec_descriptor_get(st.codecpar->codec_id)->props & AV_CODEC_PROP_LOSSLESS) != 0)
            bitDepth = st.codecpar->bits_per_raw_sample;
        packet_.reset(av_packet_alloc());
        frame_.reset(av_frame_alloc());
        if (!packet_ || !frame_) throw Error(where() + ": out of memory");
    }

    bool seek(std::int64_t target) override {
        // AAC frames overlap: start a few frames early so the first wanted sample is fully decoded.
        // Near the start that means the priming frame (before frame 0): the seek may go below 0.
        const AVStream& st = *format_->streams[stream_];
        const std::int64_t ts = av_rescale_q(target + trim_ - kPreRoll, AVRational{1, rate}, st.time_base);
        if (avformat_seek_file(format_.get(), stream_, INT64_MIN, ts, ts, 0) < 0 &&
            avformat_seek_file(format_.get(), stream_, INT64_MIN, INT64_MIN, INT64_MIN, 0) < 0)
            return false;
        // A fresh decoder rather than a flushed one: a flush keeps some state (the last window
        // shape), so the same frames after a seek could decode a little differently.
        if (!openCodec()) return false;
        next_ = target;
        position_ = -1;
        have_ = used_ = 0;
        draining_ = false;
        return true;
    }

    int read(float* out, int n) override {
        int done = 0;
        while (done < n) {
            if (used_ == have_ && !decodeMore()) break;
            // Frames before the wanted one (the pre-roll, the priming) are dropped here.
            const std::int64_t at = position_ + used_;
            if (at < next_) {
                used_ += static_cast<int>(std::min<std::int64_t>(next_ - at, have_ - used_));
                continue;
            }
            const int take = std::min(n - done, have_ - used_);
            for (int i = 0; i < take; ++i)
                for (int c = 0; c < channels; ++c)
                    out[(done + i) * channels + c] = sampleAt(*frame_, c, used_ + i);
            used_ += take;
            done += take;
            next_ += take;
        }
        return done;
    }

private:
    static constexpr std::int64_t kPreRoll = 4096;

    std::string where() const { return file_.string() + " (track " + std::to_string(track_) + ")"; }

    bool openCodec() {
        const AVCodecParameters* par = format_->streams[stream_]->codecpar;
        const AVCodec* codec = avcodec_find_decoder(par->codec_id);
        codec_.reset(codec != nullptr ? avcodec_alloc_context3(codec) : nullptr);
        if (!codec_ || avcodec_parameters_to_context(codec_.get(), par) < 0) return false;
        // Every sample out, at its own pts: the priming is trimmed once, by read() (see aacPriming).
        codec_->pkt_timebase = format_->streams[stream_]->time_base;
        codec_->flags2 |= AV_CODEC_FLAG2_SKIP_MANUAL;
        return avcodec_open2(codec_.get(), codec, nullptr) >= 0;
    }

    /// Decodes the next frame into frame_; false at the end (or on an error, which ends the track).
    bool decodeMore() {
        for (;;) {
            const int got = avcodec_receive_frame(codec_.get(), frame_.get());
            if (got == 0) {
                const AVStream& st = *format_->streams[stream_];
                const std::int64_t pts = frame_->best_effort_timestamp;
                const std::int64_t frameAt = pts != AV_NOPTS_VALUE
                                                 ? av_rescale_q(pts, st.time_base, AVRational{1, rate}) - trim_
                                                 : (position_ >= 0 ? position_ + have_ : next_);
                position_ = frameAt;
                have_ = frame_->nb_samples;
                used_ = 0;
                if (have_ > 0) return true;
                continue;
            }
            if (got == AVERROR_EOF) return false;
            if (got != AVERROR(EAGAIN)) return false;
            if (draining_) return false;
            // The decoder wants input.
            for (;;) {
                const int r = av_read_frame(format_.get(), packet_.get());
                ioBeat();
                if (r < 0) { // the end (or a damaged tail): drain what the decoder holds
                    avcodec_send_packet(codec_.get(), nullptr);
                    draining_ = true;
                    break;
                }
                if (packet_->stream_index != stream_) {
                    av_packet_unref(packet_.get());
                    continue;
                }
                const int s = avcodec_send_packet(codec_.get(), packet_.get());
                av_packet_unref(packet_.get());
                if (s < 0 && s != AVERROR(EAGAIN)) continue; // a damaged packet: skip it
                break;
            }
        }
    }

    std::filesystem::path file_;
    int track_;
    FormatPtr format_;
    std::unique_ptr<AVCodecContext, CodecCloser> codec_;
    std::unique_ptr<AVPacket, PacketFree> packet_;
    std::unique_ptr<AVFrame, FrameFree> frame_;
    int stream_ = -1;
    std::int64_t next_ = 0;      // the frame the next read() returns
    std::int64_t position_ = -1; // frame number of frame_'s first sample
    int have_ = 0, used_ = 0;    // samples in frame_, and how many of them are consumed
    std::int64_t trim_ = 0;      // undeclared encoder priming: frame 0 is this far into the stream
    bool draining_ = false;
};

} // namespace

namespace detail {
std::unique_ptr<Decoder> openFlacWithFfmpeg(const std::filesystem::path& file, std::int64_t known) {
    if (!fileProblem(file).empty()) return nullptr; // (the caller says what is wrong with it)
    {
        std::ifstream in(file, std::ios::binary);
        std::array<char, 4> magic{};
        if (!in.read(magic.data(), 4) || std::string(magic.data(), 4) != "fLaC") return nullptr;
    }
    try {
        auto d = std::make_unique<TrackDecoder>(file, 0);
        if (d->frames <= 0 && known >= 0) {
            d->frames = known; // counted already in this load, or not wanted
        } else if (const std::optional<std::int64_t> tail = d->frames <= 0 ? flacLengthFromTail(file) : std::nullopt) {
            d->frames = *tail;       // STREAMINFO gives no total: the last frames' headers do
        } else if (d->frames <= 0) { // not even those: the length is what decodes
            noteLengthCounted();
            std::vector<float> buf(static_cast<std::size_t>(8192 * d->channels));
            std::int64_t n = 0;
            for (int got = 0; (got = d->read(buf.data(), 8192)) > 0;)
                n += got;
            d->frames = n;
        }
        if (!d->seek(0)) return nullptr;
        return d;
    } catch (const Error&) {
        return nullptr;
    }
}

std::optional<std::int64_t> flacLengthFromTail(const std::filesystem::path& file) {
    try {
        FormatPtr f = openContainer(file);
        // A native FLAC file only (FLAC in Ogg, Matroska or MP4 numbers its packets otherwise).
        if (f->iformat == nullptr || std::string_view(f->iformat->name) != "flac") return std::nullopt;
        const int index = av_find_best_stream(f.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
        if (index < 0 || f->streams[index]->codecpar->codec_id != AV_CODEC_ID_FLAC) return std::nullopt;
        const AVStream& st = *f->streams[index];
        const int rate = st.codecpar->sample_rate;
        if (rate <= 0 || st.time_base.num != 1 || st.time_base.den != rate) return std::nullopt;
        std::unique_ptr<AVPacket, PacketFree> packet(av_packet_alloc());
        if (!packet) return std::nullopt;
        // Where the stream starts (a stream captured part way numbers its frames from there)...
        std::int64_t first = AV_NOPTS_VALUE;
        for (int n = 0; n < 64 && first == AV_NOPTS_VALUE && av_read_frame(f.get(), packet.get()) >= 0; ++n) {
            if (packet->stream_index == index) first = packet->pts;
            av_packet_unref(packet.get());
        }
        if (first == AV_NOPTS_VALUE || first < 0) return std::nullopt;
        // ...and where it ends: backwards from far past the end, FFmpeg's binary search over the
        // frame headers lands on the last frame; the packets from there to the end of the file.
        if (av_seek_frame(f.get(), index, std::numeric_limits<std::int64_t>::max() / 4, AVSEEK_FLAG_BACKWARD) < 0)
            return std::nullopt;
        std::int64_t end = -1;
        int got = 0;
        for (int n = 0; n < 4096 && (got = av_read_frame(f.get(), packet.get())) >= 0; ++n) {
            ioBeat();
            if (packet->stream_index == index && packet->pts != AV_NOPTS_VALUE && packet->duration > 0)
                end = std::max(end, packet->pts + packet->duration);
            av_packet_unref(packet.get());
        }
        // Only a read that ran to the end of the file says where it ends (not an I/O error, not a
        // seek that landed far from the end).
        if (got != AVERROR_EOF || end <= first) return std::nullopt;
        return end - first;
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::unique_ptr<Decoder> openMp4Track(const std::filesystem::path& file, int track) {
    return std::make_unique<TrackDecoder>(file, track);
}
} // namespace detail

} // namespace stemdeck::formats
