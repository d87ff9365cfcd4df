#include "stemdeck/set/Cue.h"

#include <cctype>
#include <cstdio>

namespace stemdeck::set {

std::vector<std::uint8_t> Cue::midiBytes() const {
    std::vector<std::uint8_t> out;
    const auto ch = static_cast<std::uint8_t>((channel - 1) & 0x0F);
    if (program) {
        if (bank) {
            out.insert(out.end(),
                       {static_cast<std::uint8_t>(0xB0 | ch), 0, static_cast<std::uint8_t>(*bank >> 7 & 0x7F)});
            out.insert(out.end(), {static_cast<std::uint8_t>(0xB0 | ch), 32, static_cast<std::uint8_t>(*bank & 0x7F)});
        }
        out.insert(out.end(), {static_cast<std::uint8_t>(0xC0 | ch), static_cast<std::uint8_t>((*program - 1) & 0x7F)});
    } else if (control) {
        out.insert(out.end(), {static_cast<std::uint8_t>(0xB0 | ch), static_cast<std::uint8_t>(*control & 0x7F),
                               static_cast<std::uint8_t>(value & 0x7F)});
    } else if (note) {
        out.insert(out.end(), {static_cast<std::uint8_t>(0x90 | ch), static_cast<std::uint8_t>(*note & 0x7F),
                               static_cast<std::uint8_t>(velocity & 0x7F)});
    } else if (!sysex.empty()) {
        out = sysex;
    }
    return out;
}

std::string Cue::where() const {
    switch (at) {
    case At::current: return "current";
    case At::start: return "start";
    case At::end: return "end";
    case At::marker: return "marker " + marker + " (bar " + std::to_string(bar) + ")";
    case At::bar: break;
    }
    return "bar " + std::to_string(bar) + (beat > 1 ? " beat " + std::to_string(beat) : "");
}

std::string Cue::what() const {
    const std::string on = " on channel " + std::to_string(channel);
    if (program) return "program " + std::to_string(*program) + (bank ? " bank " + std::to_string(*bank) : "") + on;
    if (control) return "controller " + std::to_string(*control) + " = " + std::to_string(value) + on;
    if (note) {
        char held[32];
        std::snprintf(held, sizeof held, " for %.3g s", noteSeconds);
        return "note " + std::to_string(*note) + " velocity " + std::to_string(velocity) + held + on;
    }
    if (!sysex.empty()) return "SysEx " + std::to_string(sysex.size()) + " bytes";
    if (osc) return "OSC " + osc->address + " to " + osc->host + ":" + std::to_string(osc->port);
    return "nothing";
}

std::vector<std::uint8_t> parseSysex(const std::string& text, std::string& problem) {
    std::vector<std::uint8_t> out;
    std::string digits;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == ',') continue;
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            problem = std::string("'") + c + "' is not a hex digit; write bytes such as F0 43 10 4C 00 00 7E 00 F7";
            return {};
        }
        digits += c;
    }
    if (digits.size() % 2 != 0) {
        problem = "an odd number of hex digits; write whole bytes, two digits each (F0 7E 7F 06 01 F7)";
        return {};
    }
    for (std::size_t i = 0; i < digits.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    if (out.size() < 2 || out.front() != 0xF0 || out.back() != 0xF7) {
        problem = "a SysEx message starts with F0 and ends with F7";
        return {};
    }
    for (std::size_t i = 1; i + 1 < out.size(); ++i)
        if (out[i] > 0x7F) {
            char hexByte[8];
            std::snprintf(hexByte, sizeof hexByte, "%02X", out[i]);
            problem =
                "byte " + std::to_string(i + 1) + " (" + hexByte + ") is over 7F: inside F0 … F7 every byte is 00-7F";
            return {};
        }
    return out;
}

} // namespace stemdeck::set
