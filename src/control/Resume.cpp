// Resume after a crash: where the show is (for the journal), and the show put back where it was.
#include <algorithm>
#include <tuple>

#include <ostream>

#include "stemdeck/control/SetPlayer.h"

namespace stemdeck::control {

using engine::Command;
using engine::Op;

std::optional<std::int64_t> SetPlayer::loadForResume(const ShowPoint& resume) {
    if (resume.tempo != 1.0 || resume.transpose != 0.0) { // set live: the frame is on that timeline
        formats::Stretch st;
        st.tempo = resume.tempo;
        st.semitones = resume.transpose;
        st.quality = options_.song.stretchQuality;
        liveStretch_[resume.song] = st;
    }
    Loaded* l = load(resume.song);
    if (l == nullptr) {
        log_ << "resume: song " << resume.song + 1 << " cannot be loaded now: from the top\n";
        return std::nullopt;
    }
    // The last bar line at or before where the show was (at the rate the song plays now), held in
    // RAM like a marker so the resume starts at once.
    const int rate = l->song.sampleRate;
    const std::int64_t frame =
        resume.sampleRate == rate ? resume.frame : resume.frame * rate / std::max(1, resume.sampleRate);
    const engine::SongTiming& t = l->song.timing;
    const std::int64_t bar = engine::toBarBeat(t, rate, std::max<std::int64_t>(0, frame)).bar;
    const std::int64_t barFrame = std::clamp<std::int64_t>(engine::gridFrame(t, rate, engine::Quantize::bar, bar - 1),
                                                           0, std::max<std::int64_t>(0, l->song.lengthFrames - 1));
    const auto xfade = static_cast<std::int64_t>(engine::kLoopCrossfadeSeconds * rate) + 1;
    l->song.addCue(std::max<std::int64_t>(1, barFrame - xfade));
    l->song.addCue(barFrame);
    l->held.push_back(barFrame);
    if (resume.loopFirstBar > 0) { // the A-B loop's A, held in RAM as it was
        const std::int64_t a = engine::gridFrame(t, rate, engine::Quantize::bar, resume.loopFirstBar - 1);
        l->song.addCue(std::max<std::int64_t>(1, a - xfade));
        l->held.push_back(a);
    }
    return barFrame;
}

void SetPlayer::resumeAt(const ShowPoint& p, std::int64_t barFrame, bool playIt) {
    const Loaded& l = *loaded_.at(change_.current());
    if (barFrame > 0) seekTo(barFrame, true); // play from there counts in (the song's count-in bars)
    const int stems = std::min(static_cast<int>(p.stems.size()), static_cast<int>(l.song.sources.size()));
    for (int i = 0; i < stems; ++i) {
        const StemState& st = p.stems[static_cast<std::size_t>(i)];
        sender_.send(command(st.muted ? Op::mute : Op::unmute, i));
        sender_.send(command(st.soloed ? Op::solo : Op::unsolo, i));
        sender_.send(command(Op::gain, i, st.gain));
        sender_.send(command(Op::filter, i, st.filter));
    }
    if (p.reference) sender_.send(command(Op::referenceOn));
    // The A-B loop as it was (its A held in RAM by the load, as the resume point is), or the vamp.
    loop_.setCountIn(p.loopCountIn);
    const PracticeLoop::Grid g{l.song.timing, static_cast<double>(l.song.sampleRate), l.song.lengthFrames};
    loop_.restore(g, p.loopFirstBar, p.vamp ? p.loopLastBar : 0);
    if (loop_.hasA() && loop_.hasB()) {
        engageLoop();
    } else if (p.vamp) {
        loopSectionAt(barFrame);
    }
    const engine::BarBeat at = engine::toBarBeat(l.song.timing, l.song.sampleRate, barFrame);
    log_ << "resumed after a crash: song " << change_.current() + 1 << " '" << l.song.title << "' at bar " << at.bar
         << " (" << clockText(static_cast<double>(barFrame) / l.song.sampleRate) << "), every stem as it was"
         << (p.reference ? ", on the reference mix" : "")
         << (p.vamp ? (p.loopLastBar > 0
                           ? ", looping bars " + std::to_string(p.loopFirstBar) + "-" + std::to_string(p.loopLastBar)
                           : std::string(", vamping"))
                    : std::string())
         << (playIt ? "; playing" : "; paused there, armed: press play") << "\n";
    if (playIt) play();
}

ShowPoint SetPlayer::showPoint() const {
    ShowPoint p;
    p.song = std::max(0, change_.current());
    p.frame = std::max<std::int64_t>(0, engine_.songFrame());
    p.sampleRate = static_cast<int>(engine_.sampleRate());
    p.playing = engine_.rolling();
    for (int i = 0; i < engine_.stemCount(); ++i) {
        p.stems.push_back(engine_.stem(i).mix());
    }
    p.scene = engine_.lastScene();
    p.reference = engine_.referenceOn();
    p.vamp = engine_.looping();
    if (const auto it = loaded_.find(change_.current()); it != loaded_.end()) {
        p.tempo = it->second->song.stretch.tempo;
        p.transpose = it->second->song.stretch.semitones;
    }
    std::tie(p.loopFirstBar, p.loopLastBar) = loop_.barNumbers(grid());
    p.loopCountIn = loop_.countIn();
    return p;
}

} // namespace stemdeck::control
