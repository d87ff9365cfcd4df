#pragma once
// A stem at another tempo and key: StemReader's output through Rubber Band (time-stretch and
// pitch-shift), for the disk side. Every stem of a song gets an identically configured one, so
// the stems stay aligned with each other; output frame F is input frame F · tempo.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stemdeck/formats/StemReader.h"

namespace RubberBand {
class RubberBandStretcher;
}

namespace stemdeck::formats {

/// How a song is stretched. See docs/manual/rehearsal.md and benchmarks.md for why these engines.
struct Stretch {
    /// Which of Rubber Band's R3 ("finer") settings: both are in tune to the cent (R2 is not:
    /// −105 cents at 100 Hz, 80% tempo), they differ in cost.
    enum class Quality : std::uint8_t {
        live,   ///< R3 with its short window: about half a core for eight stereo stems
        render, ///< R3 with its standard window: smoother transients, more than a core, offline only
    };
    double tempo = 1.0;     ///< playback speed: 0.8 plays at 80% (lasts 1.25 times as long)
    double semitones = 0.0; ///< transposition (cents as hundredths)
    Quality quality = Quality::live;
    bool formants = true; ///< preserve formants when transposing (a voice keeps its timbre)

    [[nodiscard]] bool unity() const noexcept { return tempo == 1.0 && semitones == 0.0; }
    /// "80% tempo, −2 st" (only what differs from unity; "" at unity).
    [[nodiscard]] std::string describe() const;
};

/// The tempo ratios and transpositions stemdeck accepts: half to double speed, an octave each way.
inline constexpr double kMinTempo = 0.5, kMaxTempo = 2.0, kMaxSemitones = 12.0;

/// Reads a stem as StemReader does, at `stretch`'s tempo and key. At unity it is StemReader
/// itself (no stretcher, bit-identical output). Owned by one thread at a time, as StemReader.
class StretchedReader {
public:
    /// Throws stemdeck::Error as StemReader does.
    StretchedReader(const StemLocation& stem, int outputRate, const Stretch& stretch);
    ~StretchedReader();
    StretchedReader(const StretchedReader&) = delete;
    StretchedReader& operator=(const StretchedReader&) = delete;

    /// Positions the reader so the next read() yields output frame `frame` (input frame
    /// frame · tempo): the stretcher starts afresh, fed the input just before that point as its
    /// preferred start pad, and its start delay is dropped. False on a seek error.
    bool start(std::int64_t frame);
    /// Produces up to n frames; fewer means the stem ended or the file could not be read further
    /// (a short read, as StemReader). The stretched output is exactly lengthFrames() long.
    int read(float* left, float* right, int n);

    [[nodiscard]] std::int64_t lengthFrames() const noexcept { return length_; } ///< stretched
    [[nodiscard]] const Stretch& stretch() const noexcept { return stretch_; }
    [[nodiscard]] const StemReader& source() const noexcept { return reader_; }
    /// May end a few frames short of lengthFrames() (a resampler's tail; never when stretching).
    [[nodiscard]] bool mayEndShort() const noexcept { return rb_ == nullptr && reader_.resampling(); }

private:
    bool feed(); // one input chunk into the stretcher; false once the input has ended or failed

    StemReader reader_;
    Stretch stretch_;
    std::unique_ptr<RubberBand::RubberBandStretcher> rb_; // null at unity
    std::int64_t length_ = 0;
    std::int64_t drop_ = 0;     // outputs still to drop after a start (the start delay)
    std::int64_t position_ = 0; // the next output frame
    std::int64_t inPos_ = 0;    // the next input frame
    bool inputEnded_ = false;
    bool inputFailed_ = false; // a short read before the input's end: the file is cut or unreadable
    std::vector<float> inLeft_, inRight_, outLeft_, outRight_;
};

} // namespace stemdeck::formats
