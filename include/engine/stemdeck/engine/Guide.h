#pragma once
// Spoken guide cues in the in-ears: before a section the name of where the song is going
// ("Chorus"), and the count-in counted aloud ("one, two, three, four"). The clips are made before
// the show (synthesised or recorded, control::GuideVoices); on the audio thread the guide only
// decides, at a cue's start point, what to say from where the song will actually go, and copies.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "stemdeck/engine/Timing.h"

namespace stemdeck::engine {

/// One spoken clip at the device's rate, its level applied and its leading silence trimmed (its
/// first sample is the word's onset). The samples are not owned.
struct GuideClip {
    const float* samples = nullptr;
    int length = 0;
};

/// A cue: a clip said before a beat line, so that it has finished by it.
struct GuideCue {
    std::int64_t beat = 0; ///< the beat line it announces: beats (the time signature's unit) after bar 1's downbeat
    int clip = -1;         ///< its clip in GuideTrack::clips
};

/// Words a count-in bar can count ("one" to "sixteen"); a longer bar's further beats are silent.
inline constexpr int kMaxCountWords = 16;

/// A song's guide cues as the engine reads them. Owned by the control side, shared by the song at
/// every tempo (beats, not frames: the engine places them on whichever grid plays).
struct GuideTrack {
    std::vector<GuideClip> clips;
    std::vector<GuideCue> cues; ///< sorted by beat, one per beat line
    std::array<int, kMaxCountWords> counts{-1, -1, -1, -1, -1, -1, -1, -1,
                                           -1, -1, -1, -1, -1, -1, -1, -1}; ///< beat k+1 of a count-in bar
};

/// Where the play head goes next, as the engine knows it when a segment starts.
struct GuideRoute {
    bool looping = false;       ///< a vamp or A-B loop is engaged: at loopEnd the play head goes to loopStart
    std::int64_t loopStart = 0; ///< song frames
    std::int64_t loopEnd = 0;
    std::int64_t countInEnd = 0; ///< frames before this are a count-in (the words have the floor there)
    std::int64_t countFrom = 0;  ///< … from here (a timecode pre-roll before it is silent)
};

/// The guide's voice. @thread audio, except prepare().
class Guide {
public:
    static constexpr double kFadeSeconds = 0.005; ///< a cue cut short (the song goes elsewhere) fades this long

    /// @thread control, audio not running.
    void prepare(double sampleRate);

    /// @thread audio. Another song (or none): silence, and cues placed on this track from now on.
    void setTrack(const GuideTrack* track) noexcept {
        retarget(track);
        silence();
    }
    /// @thread audio. The same song at another tempo (its track, in beats): what speaks goes on.
    void retarget(const GuideTrack* track) noexcept;
    /// @thread audio. Silent at once (the transport stopped: its fade has faded the guide too).
    void silence() noexcept {
        voices_ = {};
        voiceArrival_ = voiceDestination_ = kNowhere;
    }
    /// @thread audio. On or off (off: no new cue; a cue sounding fades out).
    void setOn(bool on) noexcept {
        on_ = on;
        if (!on) cut();
    }
    [[nodiscard]] bool on() const noexcept { return on_; }

    /// @thread audio. The play head jumped or stopped: what was being said is no longer where it goes.
    void cut() noexcept;

    /// @thread audio, non-blocking. Adds the guide for song frames [position, position + n) to
    /// `out` (the play head runs continuously through them): each count-in beat's word on its frame,
    /// and each cue started on its start point, announcing where the song will go from its beat
    /// line (decided there: a loop about to repeat announces its start, not what follows it; a cue
    /// whose start point has passed is not said late; a cue that must start before an earlier
    /// cue's line takes over from it, which fades). Cues whose start falls in a count-in are not said.
    void render(float* out, int n, std::int64_t position, const SongTiming& timing, const GuideRoute& route) noexcept;

    /// @thread any. The song frame where a cue announcing `arrival` (a frame on `timing`'s beat
    /// grid) starts, for a clip of `clipFrames`: on the bar line before it, or earlier, on a beat
    /// line, when the clip is longer than that bar.
    [[nodiscard]] static std::int64_t startFor(const SongTiming& timing, double sampleRate, std::int64_t arrival,
                                               int clipFrames) noexcept;

private:
    struct Voice {
        const float* samples = nullptr;
        int length = 0, pos = 0;
        int fadeLeft = -1; ///< ≥ 0: fading out over this many more frames
    };
    /// A cue whose start point falls in the part being rendered, decided there.
    struct Start {
        std::int64_t at = 0;
        int clip = -1;
        std::int64_t arrival = 0, destination = 0; ///< beats
    };
    static constexpr int kMaxStarts = 8;
    int renderPart(float* out, int n, std::int64_t position, const SongTiming& timing,
                   const GuideRoute& route) noexcept; // up to the next cue's beat line: frames done
    void start(const GuideClip& clip) noexcept;
    void mix(float* out, int n) noexcept;
    /// The clip that announces song frame `frame`, if a cue is on it (-1: none).
    [[nodiscard]] int clipAt(const SongTiming& timing, std::int64_t frame) const noexcept;

    double sampleRate_ = 48000.0;
    int fadeFrames_ = 240;
    const GuideTrack* track_ = nullptr;
    bool on_ = true;
    std::array<Voice, 3> voices_{}; // the one speaking, and two fading out under it
    int longest_ = 0;               // the track's longest clip (how far ahead a cue may start)
    static constexpr std::int64_t kNowhere = std::numeric_limits<std::int64_t>::min();
    // What the speaking cue announces, in beats (the same on the song retimed): where the play
    // head arrives, and where it goes from there.
    std::int64_t voiceArrival_ = kNowhere, voiceDestination_ = kNowhere;
};

} // namespace stemdeck::engine
