#pragma once
// Timecode read back by observers stemdeck does not share code with: libltc's decoder (a library
// of its own, though its encoder is the one stemdeck uses), a small biphase-mark decoder written
// here from SMPTE 12M's bit layout (it shares nothing with libltc), and an MTC reader of MIDI bytes
// written here from the MIDI spec's quarter-frame and full-frame messages.
#include <ltc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace stemdeck::test {

/// A decoded timecode: its label, and where its frame began in the signal (samples or frames).
struct DecodedFrame {
    int hours = 0, minutes = 0, seconds = 0, frames = 0;
    bool drop = false;
    double at = 0.0; ///< LTC: the sample of its first bit's edge; MTC: the frame of its piece 0
    [[nodiscard]] long long index(int nominal, bool dropFrame) const {
        const long long mins = 60LL * hours + minutes;
        const long long n = (mins * 60 + seconds) * nominal + frames;
        return dropFrame ? n - 2 * (mins - mins / 10) : n;
    }
};

/// libltc's decoder over a whole signal (float, −1..1).
inline std::vector<DecodedFrame> decodeLtcWithLibltc(const std::vector<float>& signal, double sampleRate, double fps) {
    std::vector<DecodedFrame> out;
    LTCDecoder* d = ltc_decoder_create(static_cast<int>(sampleRate / fps), 64);
    std::vector<float> chunk(1024);
    LTCFrameExt fe{};
    for (std::size_t at = 0; at < signal.size(); at += chunk.size()) {
        const std::size_t n = std::min(chunk.size(), signal.size() - at);
        for (std::size_t i = 0; i < n; ++i) // (libltc does not clamp)
            chunk[i] = std::clamp(signal[at + i], -1.0f, 1.0f);
        ltc_decoder_write_float(d, chunk.data(), n, static_cast<ltc_off_t>(at));
        while (ltc_decoder_read(d, &fe) != 0) {
            SMPTETimecode t{};
            ltc_frame_to_time(&t, &fe.ltc, 0);
            out.push_back({t.hours, t.mins, t.secs, t.frame, fe.ltc.dfbit != 0, static_cast<double>(fe.off_start)});
        }
    }
    ltc_decoder_free(d);
    return out;
}

/// A biphase-mark decoder of its own: every bit starts with a transition, a 1 has another in its
/// middle. Transitions are the signal's zero crossings (interpolated); an interval near half the
/// bit period is half a 1, near a whole one a 0; the bit period follows the signal. A frame is the
/// 64 bits before the sync word 0011 1111 1111 1101, fields in BCD, least significant bit first.
inline std::vector<DecodedFrame> decodeLtcBiphase(const std::vector<float>& signal, double sampleRate, double fps) {
    std::vector<DecodedFrame> out;
    double period = sampleRate / (fps * 80.0); // samples a bit, followed as it goes
    std::vector<double> edges;
    const float hysteresis = 0.02f * *std::max_element(signal.begin(), signal.end());
    int state = 0; // -1 low, +1 high, 0 silent so far (leaving silence is an edge too)
    for (std::size_t i = 0; i < signal.size(); ++i) {
        const float x = signal[i];
        const int now = x > hysteresis ? 1 : x < -hysteresis ? -1 : state;
        if (state == 0 && now != 0) {
            edges.push_back(static_cast<double>(i) - 0.5);
        } else if (now != state) { // the crossing: where the line through the two samples meets 0
            std::size_t j = i;
            while (j > 1 && ((signal[j - 1] > 0.0f) == (x > 0.0f)))
                --j;
            const double a = signal[j - 1], b = signal[j];
            edges.push_back(static_cast<double>(j - 1) + (a == b ? 0.0 : a / (a - b)));
        }
        state = now;
    }
    std::vector<int> bits;         // the bit stream
    std::vector<double> bitStarts; // the edge that starts each bit
    bool half = false;             // the first half of a 1 was seen
    double halfStart = 0.0;
    for (std::size_t e = 1; e < edges.size(); ++e) {
        const double interval = edges[e] - edges[e - 1];
        if (interval < 0.25 * period || interval > 1.6 * period) { // a gap or a glitch: start again
            half = false;
            period = sampleRate / (fps * 80.0);
            bits.clear();
            bitStarts.clear();
            continue;
        }
        if (interval < 0.75 * period) {
            if (!half) {
                half = true;
                halfStart = edges[e - 1];
                continue; // the bit is not complete yet
            } else {
                half = false;
                bits.push_back(1);
                bitStarts.push_back(halfStart);
                period = 0.9 * period + 0.1 * (edges[e] - halfStart);
            }
        } else {
            if (half) { // a lone half: out of step; this edge starts over
                half = false;
                continue;
            }
            bits.push_back(0);
            bitStarts.push_back(edges[e - 1]);
            period = 0.9 * period + 0.1 * interval;
        }
        static constexpr std::array<int, 16> kSync = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
        const std::size_t n = bits.size();
        if (n < 80) continue;
        bool sync = true;
        for (std::size_t k = 0; k < 16 && sync; ++k)
            sync = bits[n - 16 + k] == kSync[k];
        if (!sync) continue;
        const std::size_t b0 = n - 80;
        auto field = [&](std::size_t from, int count) {
            int v = 0;
            for (int k = 0; k < count; ++k)
                v |= bits[b0 + from + static_cast<std::size_t>(k)] << k;
            return v;
        };
        DecodedFrame f;
        f.frames = field(0, 4) + 10 * field(8, 2);
        f.drop = field(10, 1) != 0;
        f.seconds = field(16, 4) + 10 * field(24, 3);
        f.minutes = field(32, 4) + 10 * field(40, 3);
        f.hours = field(48, 4) + 10 * field(56, 2);
        f.at = bitStarts[b0];
        out.push_back(f);
    }
    return out;
}

/// One MIDI message as a receiver saw it.
struct MidiSeen {
    double frame = 0.0;
    std::vector<std::uint8_t> bytes;
};

/// What an MTC receiver reads: each complete run of quarter frames 0-7 (the time of its piece 0's
/// frame, `at` = piece 0's frame), and each full-frame message (`at` = its frame).
struct MtcRead {
    std::vector<DecodedFrame> quarters; ///< one per complete 8-piece sequence
    std::vector<DecodedFrame> full;
    int rate = -1;      ///< the rate code of the last sequence or full frame (0 24, 1 25, 2 29.97df, 3 30)
    int outOfOrder = 0; ///< pieces that did not follow the one before (a sequence started again)
};

inline MtcRead readMtc(const std::vector<MidiSeen>& messages) {
    MtcRead r;
    std::array<int, 8> nibble{};
    int expected = 0;
    double start = 0.0;
    for (const MidiSeen& m : messages) {
        if (m.bytes.size() == 10 && m.bytes[0] == 0xF0 && m.bytes[1] == 0x7F && m.bytes[3] == 0x01 &&
            m.bytes[4] == 0x01 && m.bytes[9] == 0xF7) {
            r.rate = (m.bytes[5] >> 5) & 0x03;
            r.full.push_back({m.bytes[5] & 0x1F, m.bytes[6], m.bytes[7], m.bytes[8], r.rate == 2, m.frame});
            expected = 0; // a receiver starts its sequence again
            continue;
        }
        if (m.bytes.size() != 2 || m.bytes[0] != 0xF1) continue;
        const int piece = m.bytes[1] >> 4;
        if (piece != expected) {
            if (expected != 0) ++r.outOfOrder;
            expected = 0;
            if (piece != 0) continue;
        }
        if (piece == 0) start = m.frame;
        nibble[static_cast<std::size_t>(piece)] = m.bytes[1] & 0x0F;
        expected = piece + 1;
        if (piece == 7) {
            expected = 0;
            r.rate = (nibble[7] >> 1) & 0x03;
            r.quarters.push_back({nibble[6] | ((nibble[7] & 1) << 4), nibble[4] | (nibble[5] << 4),
                                  nibble[2] | (nibble[3] << 4), nibble[0] | (nibble[1] << 4), r.rate == 2, start});
        }
    }
    return r;
}

} // namespace stemdeck::test
