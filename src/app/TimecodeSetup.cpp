#include "stemdeck/app/TimecodeSetup.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>

#include "stemdeck/common/Error.h"

namespace stemdeck::app {

namespace {
TimecodeRate rateOf(const TimecodeArgs& a) {
    if (a.fps.empty()) return {};
    const std::optional<TimecodeRate> r = parseTimecodeRate(a.fps);
    if (!r) throw Error("--timecode-fps '" + a.fps + "': choose 24, 25, 29.97df, 30 or 23.976 (LTC only)");
    return *r;
}

TimecodeTempo tempoOf(const TimecodeArgs& a) {
    if (a.tempo.empty() || a.tempo == "follow") return TimecodeTempo::follow;
    if (a.tempo == "wall") return TimecodeTempo::wall;
    if (a.tempo == "stop") return TimecodeTempo::stop;
    throw Error("--timecode-tempo '" + a.tempo + "': choose follow, wall or stop");
}
} // namespace

engine::TimecodeOptions TimecodeArgs::options() const {
    engine::TimecodeOptions o;
    o.mtc = mtc;
    o.ltc = ltcOut.has_value() || !ltcFile.empty();
    o.rate = rateOf(*this);
    o.tempo = tempoOf(*this);
    o.ltcGain = static_cast<float>(std::pow(10.0, ltcLevel.value_or(-18.0) / 20.0));
    o.prerollSeconds = preroll.value_or(0.0);
    if (mtc && o.rate.mtcCode() < 0)
        throw Error("--mtc at 23.976 fps: MIDI timecode knows 24, 25, 29.97df and 30; use --timecode-fps 24 for MTC, "
                    "or 23.976 for LTC alone");
    return o;
}

std::string TimecodeArgs::describe() const {
    if (!any()) return "";
    const engine::TimecodeOptions o = options();
    std::string out = "timecode: ";
    if (mtc) out += "MTC";
    if (o.ltc) {
        char level[32];
        std::snprintf(level, sizeof level, "%.0f dBFS", ltcLevel.value_or(-18.0));
        out += std::string(mtc ? " + " : "") + "LTC " +
               (ltcOut ? "on output " + std::to_string(*ltcOut) : "to " + ltcFile) + " (" + level + ")";
    }
    out += ", " + std::string(o.rate.name()) + " fps";
    if (o.prerollSeconds > 0) {
        char s[48];
        std::snprintf(s, sizeof s, ", pre-roll %.3g s", o.prerollSeconds);
        out += s;
    }
    out += std::string(", at another tempo: ") + (o.tempo == TimecodeTempo::follow ? "follows the song"
                                                  : o.tempo == TimecodeTempo::wall ? "real time from bar 1"
                                                                                   : "stops");
    return out;
}

void addTimecodeOptions(CLI::App& cmd, TimecodeArgs& a, bool render) {
    cmd.add_flag("--mtc", a.mtc,
                 render ? "MIDI timecode in the --midi-out file (quarter frames, full frames on locates)"
                        : "Send MIDI timecode on the MIDI output: song N of the set at N:00:00:00 on its bar 1");
    if (render)
        cmd.add_option("--ltc", a.ltcFile, "Also write the LTC track (mono, 24-bit) on the render's timeline")
            ->type_name("FILE.wav");
    else
        cmd.add_option("--ltc", a.ltcOut,
                       "LTC (linear timecode, audio) on this output, mono, at -18 dBFS: never one of the main, "
                       "click or stem outputs")
            ->type_name("OUTPUT")
            ->check(CLI::Range(1, 255));
    cmd.add_option("--timecode-fps", a.fps, "Timecode frame rate: 24, 25 (default), 29.97df, 30, 23.976 (LTC only)")
        ->check(CLI::IsMember({"24", "25", "29.97df", "29.97", "30", "23.976"}));
    cmd.add_option("--timecode-preroll", a.preroll,
                   "Seconds of timecode before bar 1 when a song plays from its top (silence, then the count-in), "
                   "so a desk locks before its first cue")
        ->check(CLI::Range(0.0, 30.0));
    cmd.add_option("--timecode-tempo", a.tempo,
                   "At another tempo (a rehearsal at 80%): follow the song's position (default), wall (real time "
                   "from bar 1) or stop")
        ->check(CLI::IsMember({"follow", "wall", "stop"}));
    cmd.add_option("--ltc-level", a.ltcLevel, "LTC's peak level in dBFS (default -18: 0 dBu at EBU alignment)")
        ->check(CLI::Range(-60.0, 0.0));
}

void takeSetTimecode(TimecodeArgs& a, const set::SetTimecode& t, std::optional<int> ltcOut) {
    if (!a.mtc && t.mtc) a.mtc = *t.mtc;
    if (!a.ltcOut && ltcOut) a.ltcOut = ltcOut;
    if (a.fps.empty() && t.rate) a.fps = std::string(t.rate->name());
    if (!a.preroll && t.preroll) a.preroll = t.preroll;
    if (a.tempo.empty() && t.tempo)
        a.tempo = *t.tempo == TimecodeTempo::follow ? "follow" : *t.tempo == TimecodeTempo::wall ? "wall" : "stop";
    if (!a.ltcLevel && t.ltcLevel) a.ltcLevel = t.ltcLevel;
}

std::vector<std::string> timecodeWarnings(const TimecodeArgs& a, const std::vector<set::SetSong>& songs) {
    if (!a.any()) return {};
    return set::timecodeProblems(songs, a.options().rate);
}

} // namespace stemdeck::app
