#include "stemdeck/common/Text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "stemdeck/common/Db.h"

namespace stemdeck {

namespace {
char lowerChar(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the most common
// typo ("stme" for "stem" is one edit, not two).
std::size_t editDistance(std::string_view a, std::string_view b) {
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i * w] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = lowerChar(a[i - 1]) == lowerChar(b[j - 1]) ? 0 : 1;
            std::size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
            if (i > 1 && j > 1 && lowerChar(a[i - 1]) == lowerChar(b[j - 2]) &&
                lowerChar(a[i - 2]) == lowerChar(b[j - 1]))
                v = std::min(v, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = v;
        }
    return d[a.size() * w + b.size()];
}
} // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lowerChar(x) == lowerChar(y); });
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) noexcept {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [](char x, char y) { return lowerChar(x) == lowerChar(y); }) != haystack.end();
}

std::optional<std::string> nearestName(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates) {
    if (auto n = nearestName(word, candidates)) return " (did you mean '" + *n + "'?)";
    return {};
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::optional<int> findStemIndex(const std::vector<std::string>& stemNames, std::string_view numberOrName) {
    int number = 0;
    const char* end = numberOrName.data() + numberOrName.size();
    if (auto [p, ec] = std::from_chars(numberOrName.data(), end, number); ec == std::errc{} && p == end) {
        if (number >= 1 && number <= static_cast<int>(stemNames.size())) return number - 1;
        return std::nullopt;
    }
    for (std::size_t i = 0; i < stemNames.size(); ++i)
        if (equalsIgnoreCase(stemNames[i], numberOrName)) return static_cast<int>(i);
    return std::nullopt;
}

std::optional<float> parseGain(std::string_view text) {
    std::string s(text);
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    std::string lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const bool isDb = lower.size() > 2 && lower.ends_with("db");
    if (isDb) lower.resize(lower.size() - 2);
    if (isDb && (lower == "-inf" || lower == "-infinity")) return 0.0f;
    try {
        std::size_t used = 0;
        const double v = std::stod(lower, &used);
        if (used != lower.size() || !std::isfinite(v)) return std::nullopt;
        const double linear = isDb ? fromDb(v) : v;
        if (linear < 0.0 || linear > fromDb(12.0) + 1e-9) return std::nullopt;
        return static_cast<float>(linear);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string clockText(double seconds) {
    const bool negative = seconds < 0;
    const double a = std::fabs(seconds);
    const auto minutes = static_cast<int>(a / 60.0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%d:%04.1f", negative ? "-" : "", minutes, a - minutes * 60.0);
    return buf;
}

namespace {
/// The length of the valid UTF-8 sequence at text[at], or 0 when the byte there does not start one.
std::size_t utf8Length(std::string_view text, std::size_t at) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char c = b(at);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte (RFC 3629)
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c == 0xE0)
        n = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC)
        n = 3;
    else if (c == 0xED)
        n = 3, hi = 0x9F; // no surrogates
    else if (c >= 0xEE && c <= 0xEF)
        n = 3;
    else if (c == 0xF0)
        n = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        n = 4;
    else if (c == 0xF4)
        n = 4, hi = 0x8F; // nothing past U+10FFFF
    else
        return 0;
    if (at + n > text.size() || b(at + 1) < lo || b(at + 1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if (b(at + i) < 0x80 || b(at + i) > 0xBF) return 0;
    return n;
}
} // namespace

std::string validUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        if (const std::size_t n = utf8Length(text, at); n > 0) {
            out.append(text.substr(at, n));
            at += n;
        } else {
            out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
            ++at;
        }
    }
    return out;
}

std::string oneLine(std::string_view text) {
    std::string out = validUtf8(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return out;
}

} // namespace stemdeck
