#include "stemdeck/common/Timecode.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace stemdeck {

std::string_view TimecodeRate::name() const noexcept {
    switch (fps) {
    case TimecodeFps::fps24: return "24";
    case TimecodeFps::fps25: return "25";
    case TimecodeFps::fps2997df: return "29.97df";
    case TimecodeFps::fps30: return "30";
    case TimecodeFps::fps23976: return "23.976";
    }
    return "25";
}

std::string timecodeText(TimecodeRate rate, const TimecodeLabel& label) {
    if (!label.valid()) return "--:--:--:--";
    std::array<char, 64> buf{}; // (room for any int, as the compiler counts)
    std::snprintf(buf.data(), buf.size(), "%02d:%02d:%02d%c%02d", label.hours, label.minutes, label.seconds,
                  rate.drop() ? ';' : ':', label.frames);
    return buf.data();
}

std::optional<TimecodeRate> parseTimecodeRate(std::string_view text) {
    if (text == "24") return TimecodeRate{TimecodeFps::fps24};
    if (text == "25") return TimecodeRate{TimecodeFps::fps25};
    if (text == "29.97df" || text == "29.97") return TimecodeRate{TimecodeFps::fps2997df};
    if (text == "30") return TimecodeRate{TimecodeFps::fps30};
    if (text == "23.976" || text == "23.98") return TimecodeRate{TimecodeFps::fps23976};
    return std::nullopt;
}

std::optional<TimecodeLabel> parseTimecodeLabel(std::string_view text, int nominal) {
    std::array<int, 4> v{};
    std::size_t at = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) {
            if (at >= text.size() || (text[at] != ':' && !(i == 3 && text[at] == ';'))) return std::nullopt;
            ++at;
        }
        const std::size_t start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9')
            ++at;
        if (at - start < 1 || at - start > 2) return std::nullopt;
        std::from_chars(text.data() + start, text.data() + at, v[i]);
    }
    if (at != text.size() || v[0] > 23 || v[1] > 59 || v[2] > 59 || v[3] >= nominal) return std::nullopt;
    return TimecodeLabel{v[0], v[1], v[2], v[3]};
}

} // namespace stemdeck
