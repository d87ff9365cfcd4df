#pragma once
// SMPTE timecode: the frame rates a lighting desk or a video server reads, and a frame count
// turned into hours:minutes:seconds:frames (drop-frame at 29.97) and back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stemdeck {

/// The frame rates: 24, 25, 29.97 drop-frame, 30 (MTC and LTC) and 23.976 (LTC only: MTC has no
/// rate code for it).
enum class TimecodeFps : std::uint8_t { fps24, fps25, fps2997df, fps30, fps23976 };

struct TimecodeRate {
    TimecodeFps fps = TimecodeFps::fps25;

    /// Frames a second of real time: 24, 25, 30000/1001, 30, 24000/1001.
    [[nodiscard]] constexpr double perSecond() const noexcept {
        switch (fps) {
        case TimecodeFps::fps24: return 24.0;
        case TimecodeFps::fps25: return 25.0;
        case TimecodeFps::fps2997df: return 30000.0 / 1001.0;
        case TimecodeFps::fps30: return 30.0;
        case TimecodeFps::fps23976: return 24000.0 / 1001.0;
        }
        return 25.0;
    }
    /// Frames a labelled second: 24, 25, 30, 30, 24.
    [[nodiscard]] constexpr int nominal() const noexcept {
        return fps == TimecodeFps::fps25 ? 25 : fps == TimecodeFps::fps2997df || fps == TimecodeFps::fps30 ? 30 : 24;
    }
    [[nodiscard]] constexpr bool drop() const noexcept { return fps == TimecodeFps::fps2997df; }
    /// Frames from 00:00:00:00 to 24:00:00:00 (a day: where timecode wraps).
    [[nodiscard]] constexpr std::int64_t perDay() const noexcept {
        return drop() ? 24 * 6 * 17982 : std::int64_t{86400} * nominal();
    }
    /// MTC's rate code (0 = 24, 1 = 25, 2 = 29.97 drop-frame, 3 = 30); -1 for 23.976.
    [[nodiscard]] constexpr int mtcCode() const noexcept {
        switch (fps) {
        case TimecodeFps::fps24: return 0;
        case TimecodeFps::fps25: return 1;
        case TimecodeFps::fps2997df: return 2;
        case TimecodeFps::fps30: return 3;
        case TimecodeFps::fps23976: return -1;
        }
        return -1;
    }
    /// "24", "25", "29.97df", "30", "23.976".
    [[nodiscard]] std::string_view name() const noexcept;
    bool operator==(const TimecodeRate&) const = default;
};

/// hours:minutes:seconds:frames. hours < 0: no timecode.
struct TimecodeLabel {
    int hours = -1, minutes = 0, seconds = 0, frames = 0;
    [[nodiscard]] bool valid() const noexcept { return hours >= 0; }
    bool operator==(const TimecodeLabel&) const = default;
};

/// @thread any, non-blocking (the audio thread's too). The label of frame `index` counted from
/// 00:00:00:00 (wrapped into a day, negative counts from the day's end). Drop-frame leaves out
/// frames 00 and 01 of every minute but each tenth (17 982 frames in ten minutes).
[[nodiscard]] constexpr TimecodeLabel timecodeLabel(TimecodeRate rate, std::int64_t index) noexcept {
    const std::int64_t day = rate.perDay();
    index %= day;
    if (index < 0) index += day;
    // Drop-frame: the count a 30-frame count would have reached (the left-out labels added).
    std::int64_t n = index;
    if (rate.drop()) {
        const std::int64_t tens = index / 17982, rest = index % 17982;
        n += 18 * tens + (rest > 2 ? 2 * ((rest - 2) / 1798) : 0);
    }
    const std::int64_t fps = rate.nominal();
    TimecodeLabel l;
    l.frames = static_cast<int>(n % fps);
    l.seconds = static_cast<int>((n / fps) % 60);
    l.minutes = static_cast<int>((n / (fps * 60)) % 60);
    l.hours = static_cast<int>(n / (fps * 3600));
    return l;
}

/// @thread any, non-blocking. The frame count of a label (a label drop-frame leaves out counts as
/// the frame after it).
[[nodiscard]] constexpr std::int64_t timecodeIndex(TimecodeRate rate, const TimecodeLabel& label) noexcept {
    const std::int64_t fps = rate.nominal();
    const std::int64_t minutes = std::int64_t{60} * label.hours + label.minutes;
    std::int64_t frames = label.frames;
    if (rate.drop() && label.seconds == 0 && minutes % 10 != 0 && frames < 2) frames = 2;
    const std::int64_t n = (minutes * 60 + label.seconds) * fps + frames;
    return rate.drop() ? n - 2 * (minutes - minutes / 10) : n;
}

/// @thread any. "03:00:00:00" ("03:00:00;00" drop-frame, as SMPTE writes it).
[[nodiscard]] std::string timecodeText(TimecodeRate rate, const TimecodeLabel& label);

/// @thread any. "24", "25", "29.97df" (also "29.97"), "30", "23.976"; nullopt otherwise.
[[nodiscard]] std::optional<TimecodeRate> parseTimecodeRate(std::string_view text);

/// @thread any. "HH:MM:SS:FF" (";" before the frames too), each field in range for `nominal`
/// frames a second (hours 0-23); nullopt otherwise.
[[nodiscard]] std::optional<TimecodeLabel> parseTimecodeLabel(std::string_view text, int nominal);

/// What timecode does while a song plays at another tempo than its own (rehearsal at 80%).
enum class TimecodeTempo : std::uint8_t {
    follow, ///< the song's own position, at the stretched speed (MTC and LTC frames run slower)
    wall,   ///< real time from the song's bar 1 (the desk's cues land earlier in the music)
    stop,   ///< none while the tempo is not the song's own
};

} // namespace stemdeck
