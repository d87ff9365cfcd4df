#include "stemdeck/engine/MidiOut.h"

#include <algorithm>
#include <cmath>

namespace stemdeck::engine {

namespace {

/// Ticks of MIDI clock per beat: 24 a quarter note, so 96 / the time signature's unit (12 an
/// eighth in 6/8, 48 a half in 2/2).
int ticksPerBeat(const SongTiming& timing) noexcept {
    return 96 / std::clamp(timing.beatUnit, 1, 32);
}

double framesPerTick(const SongTiming& timing, double rate) noexcept {
    return framesPerBeat(timing, rate) / ticksPerBeat(timing);
}

/// One message (or an OSC cue: no bytes) into a list and its byte pool; false when either is full.
bool append(std::vector<MidiEvent>& list, std::vector<std::uint8_t>& pool, std::size_t& count, std::size_t& used,
            const MidiEvent& e, const std::uint8_t* data) noexcept {
    if (count >= list.size() || used + e.size > pool.size()) return false;
    std::copy_n(data, e.size, pool.data() + used);
    list[count] = e;
    list[count++].start = static_cast<std::uint32_t>(used);
    used += e.size;
    return true;
}

/// The length of the MIDI message that starts at `data` (our own cues: whole messages, a SysEx to
/// its F7), at least 1.
std::size_t messageLength(const std::uint8_t* data, std::size_t left) noexcept {
    const std::uint8_t status = data[0];
    std::size_t len = 1;
    if (status == 0xF0) {
        while (len < left && data[len - 1] != 0xF7)
            ++len;
    } else if (status >= 0x80 && status < 0xF0) {
        len = (status & 0xF0) == 0xC0 || (status & 0xF0) == 0xD0 ? 2 : 3;
    } else if (status == 0xF2) {
        len = 3;
    } else if (status == 0xF1 || status == 0xF3) {
        len = 2;
    }
    return std::min(len, left);
}

} // namespace

void MidiOut::prepare(double sampleRate) {
    rate_ = sampleRate;
    events_.assign(kMaxEvents, MidiEvent{});
    pool_.assign(kPoolBytes, 0);
    count_ = used_ = 0;
    carry_.assign(kMaxEvents / 4, MidiEvent{});
    carryPool_.assign(kPoolBytes / 4, 0);
    carryCount_ = carryUsed_ = 0;
    running_ = startNext_ = currentDue_ = chaseAsked_ = freeRunning_ = false;
    continueTick_ = -1;
    lastTick_ = -1;
    heldCount_ = 0;
    repeatTo_ = -1;
}

void MidiOut::setOptions(bool enabled, const MidiClockOptions& clock) noexcept {
    enabled_ = enabled;
    clock_ = clock;
}

void MidiOut::beginBlock(std::int64_t blockStart, int n) noexcept {
    blockStart_ = blockStart;
    blockEnd_ = blockStart + n;
    count_ = used_ = 0;
    const std::size_t carried = carryCount_;
    carryCount_ = carryUsed_ = 0; // (put() may carry them once more: a block of 0 frames)
    for (std::size_t i = 0; i < carried; ++i) {
        const MidiEvent& e = carry_[i];
        if (e.size == 0)
            putOsc(blockStart + e.offset, e.osc);
        else
            put(blockStart + e.offset, carryPool_.data() + e.start, e.size);
    }
}

void MidiOut::endBlock() noexcept {
    // Insertion sort: stable (a Start stays before its tick, Stop before Song Position before
    // Continue) and allocation-free; a block's list is short and nearly in order already.
    for (std::size_t i = 1; i < count_; ++i) {
        const MidiEvent e = events_[i];
        std::size_t j = i;
        for (; j > 0 && events_[j - 1].offset > e.offset; --j)
            events_[j] = events_[j - 1];
        events_[j] = e;
    }
}

void MidiOut::put(std::int64_t now, const std::uint8_t* data, std::size_t size) noexcept {
    const auto bytes = static_cast<std::uint16_t>(size);
    const bool added =
        now >= blockEnd_ // on the block's end frame (a stop, the song's end): the next block's first
            ? append(carry_, carryPool_, carryCount_, carryUsed_,
                     {static_cast<std::int32_t>(now - blockEnd_), 0, bytes, -1, song_}, data)
            : append(events_, pool_, count_, used_,
                     {static_cast<std::int32_t>(std::max<std::int64_t>(0, now - blockStart_)), 0, bytes, -1, song_},
                     data);
    if (!added)
        dropped_.fetch_add(1, std::memory_order_relaxed);
    else if (now < blockEnd_) // (a carried one counts when the next block takes it)
        sent_.fetch_add(1, std::memory_order_relaxed);
}

void MidiOut::putOsc(std::int64_t now, std::int32_t osc) noexcept {
    const bool added =
        now >= blockEnd_
            ? append(carry_, carryPool_, carryCount_, carryUsed_,
                     {static_cast<std::int32_t>(now - blockEnd_), 0, 0, osc, song_}, nullptr)
            : append(events_, pool_, count_, used_,
                     {static_cast<std::int32_t>(std::max<std::int64_t>(0, now - blockStart_)), 0, 0, osc, song_},
                     nullptr);
    if (!added) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void MidiOut::fire(std::int64_t now, const MidiCues& cues, const MidiCue& cue) noexcept {
    if (cue.osc >= 0) {
        putOsc(now, cue.osc);
        return;
    }
    if (cue.noteOffFrames > 0 && heldCount_ >= kMaxNotesHeld) { // no room for its note-off: no stuck note
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const std::uint8_t* data = cues.bytes.data() + cue.offset;
    std::size_t left = cue.size;
    while (left > 0) { // one event per message: a bank select and its program change are three
        const std::size_t len = messageLength(data, left);
        put(now, data, len);
        data += len;
        left -= len;
    }
    if (cue.noteOffFrames > 0 && cue.size >= 3) {
        const std::uint8_t* on = cues.bytes.data() + cue.offset;
        held_[static_cast<std::size_t>(heldCount_++)] = {now + cue.noteOffFrames,
                                                         static_cast<std::uint8_t>(0x80 | (on[0] & 0x0F)), on[1]};
    }
}

void MidiOut::fireAt(std::int64_t now, const MidiCues* cues, MidiCue::At at) noexcept {
    if (cues == nullptr) return;
    for (const MidiCue& cue : cues->cues)
        if (cue.at == at) fire(now, *cues, cue);
}

std::int64_t MidiOut::tickFrame(const SongTiming& timing, double rate, std::int64_t k) const noexcept {
    // As gridFrame(): from the downbeat each time, so rounding never accumulates; tick 24·j of a
    // quarter-note beat j is exactly gridFrame's beat j (k · fpb is exact, the division rounds to it).
    const double fpb = framesPerBeat(timing, rate);
    return timing.downbeatFrame +
           static_cast<std::int64_t>(std::floor(static_cast<double>(k) * fpb / ticksPerBeat(timing) + 0.5));
}

void MidiOut::songPosition(std::int64_t now, std::int64_t pos, const SongTiming& timing, double rate) noexcept {
    continueTick_ = -1;
    if (!clock_.on || !clock_.transport) return;
    const double fpt = framesPerTick(timing, rate);
    auto k = static_cast<std::int64_t>(std::floor(static_cast<double>(pos - timing.downbeatFrame) / fpt)) - 1;
    while (tickFrame(timing, rate, k) < pos)
        ++k;
    if (k <= 0) return; // bar 1 (or before it) is ahead: Start on its tick
    const std::int64_t sixteenth = (k + 5) / 6;
    if (sixteenth > kMaxPosition) return; // past what the pointer can say: the clock alone goes on
    const std::uint8_t msg[3] = {kPosition, static_cast<std::uint8_t>(sixteenth & 0x7F),
                                 static_cast<std::uint8_t>((sixteenth >> 7) & 0x7F)};
    put(now, msg, 3);
    continueTick_ = sixteenth * 6;
}

void MidiOut::notesOff(std::int64_t from, std::int64_t to) noexcept {
    for (int i = 0; i < heldCount_;) {
        Held& h = held_[static_cast<std::size_t>(i)];
        if (h.off >= to) {
            ++i;
            continue;
        }
        const std::uint8_t msg[3] = {h.status, h.note, 0};
        put(std::max(h.off, from), msg, 3);
        h = held_[static_cast<std::size_t>(--heldCount_)];
    }
}

void MidiOut::freeTicks(std::int64_t from, std::int64_t to) noexcept {
    if (framesPerTick_ <= 0.0) return;
    if (!freeRunning_) { // from the last tick played, at its tempo
        nextFree_ = lastTick_ >= 0 ? static_cast<double>(lastTick_) + framesPerTick_ : static_cast<double>(from);
        freeRunning_ = true;
    }
    if (nextFree_ < static_cast<double>(from)) // a wait at a seek target, ticks held for a Continue: no burst
        nextFree_ += std::ceil((static_cast<double>(from) - nextFree_) / framesPerTick_) * framesPerTick_;
    for (auto at = static_cast<std::int64_t>(std::floor(nextFree_ + 0.5)); at < to;
         at = static_cast<std::int64_t>(std::floor(nextFree_ + 0.5))) {
        putByte(std::max(at, from), kClock);
        lastTick_ = std::max(at, from);
        nextFree_ += framesPerTick_;
    }
}

void MidiOut::chase(std::int64_t now, const MidiCues* cues, std::int64_t pos, const SongTiming& timing,
                    double rate) noexcept {
    if (cues == nullptr) return;
    std::fill(lastProgram_.begin(), lastProgram_.end(), -1);
    std::fill(lastControl_.begin(), lastControl_.end(), -1);
    auto before = [&](const MidiCue& c) {
        return c.at == MidiCue::At::current || c.at == MidiCue::At::start ||
               (c.at == MidiCue::At::beat && gridFrame(timing, rate, Quantize::beat, c.beat) < pos);
    };
    auto slot = [&](const MidiCue& c) -> std::int32_t* {
        if (c.chase == MidiCue::Chase::program) return &lastProgram_[c.channel & 0x0F];
        if (c.chase == MidiCue::Chase::control) return &lastControl_[(c.channel & 0x0Fu) * 128u + (c.control & 0x7Fu)];
        return nullptr;
    };
    const auto n = static_cast<std::int32_t>(cues->cues.size());
    for (std::int32_t i = 0; i < n; ++i) {
        const MidiCue& c = cues->cues[static_cast<std::size_t>(i)];
        if (std::int32_t* s = slot(c); s != nullptr && before(c)) *s = i;
    }
    for (std::int32_t i = 0; i < n; ++i) { // in the cues' order: a bank's program before a later controller
        const MidiCue& c = cues->cues[static_cast<std::size_t>(i)];
        if (const std::int32_t* s = slot(c); s != nullptr && *s == i) fire(now, *cues, c);
    }
}

void MidiOut::moving(std::int64_t now, std::int64_t pos, int n, const SongTiming& timing, double rate,
                     const MidiCues* cues) noexcept {
    if (!enabled_ || n <= 0) return;
    lastCues_ = cues;
    lastTiming_ = timing;
    if (currentDue_) {
        currentDue_ = false;
        fireAt(now, cues, MidiCue::At::current);
    }
    if (chaseAsked_) {
        chaseAsked_ = false;
        chase(now, cues, pos, timing, rate);
    }
    if (cues != nullptr)
        for (const MidiCue& cue : cues->cues) {
            if (cue.at != MidiCue::At::beat) continue;
            const std::int64_t f = gridFrame(timing, rate, Quantize::beat, cue.beat);
            if (f < pos || f >= pos + n) continue;
            if (!cue.everyPass && f >= repeatFrom_ && f < repeatTo_) continue; // a loop's repeat
            fire(now + (f - pos), *cues, cue);
        }
    notesOff(now, now + n); // (after the cues: a note shorter than the segment ends in it)
    if (!clock_.on) return;
    const double fpt = framesPerTick(timing, rate);
    framesPerTick_ = fpt;
    freeRunning_ = false;
    auto k = static_cast<std::int64_t>(std::floor(static_cast<double>(pos - timing.downbeatFrame) / fpt)) - 1;
    while (tickFrame(timing, rate, k) < pos)
        ++k;
    for (std::int64_t f = tickFrame(timing, rate, k); f < pos + n; f = tickFrame(timing, rate, ++k)) {
        const std::int64_t at = now + (f - pos);
        if (clock_.transport && !running_) {
            if (startNext_ || k == 0) { // Start just before the tick it starts on
                putByte(at, kStart);
                running_ = true;
            } else if (continueTick_ >= 0 && k >= continueTick_) {
                putByte(at, kContinue);
                running_ = true;
            } else if (continueTick_ >= 0) {
                continue; // after Song Position the next tick is the sixteenth it names (a locate)
            }
            if (running_) {
                startNext_ = false;
                continueTick_ = -1;
            }
        }
        putByte(at, kClock);
        lastTick_ = at;
    }
}

void MidiOut::still(std::int64_t now, int n, std::int64_t pos, bool stopped) noexcept {
    if (!enabled_ || n <= 0) return;
    if (currentDue_) {
        currentDue_ = false;
        fireAt(now, lastCues_, MidiCue::At::current);
    }
    if (chaseAsked_) {
        chaseAsked_ = false;
        chase(now, lastCues_, pos, lastTiming_, rate_);
    }
    notesOff(now, now + n);
    if (clock_.on && clock_.whileStopped && stopped) freeTicks(now, now + n);
}

void MidiOut::started(std::int64_t now, std::int64_t pos, bool fromTop, const SongTiming& timing, double rate,
                      const MidiCues* cues) noexcept {
    if (!enabled_) return;
    lastCues_ = cues;
    if (currentDue_) { // a song loaded and started at once: its `current` cues first
        currentDue_ = false;
        fireAt(now, cues, MidiCue::At::current);
    }
    if (fromTop) fireAt(now, cues, MidiCue::At::start);
    startNext_ = fromTop && clock_.startAtCountIn && clock_.on && clock_.transport;
    if (!startNext_) songPosition(now, pos, timing, rate);
}

void MidiOut::located(std::int64_t now, std::int64_t pos, const SongTiming& timing, double rate,
                      const MidiCues* cues) noexcept {
    if (!enabled_) return;
    lastCues_ = cues;
    lastTiming_ = timing;
    if (running_ && clock_.transport) putByte(now, kStop);
    running_ = startNext_ = false;
    repeatTo_ = -1;
    songPosition(now, pos, timing, rate);
    chase(now, cues, pos, timing, rate);
}

void MidiOut::stopped(std::int64_t now) noexcept {
    if (!enabled_) return;
    if (running_ && clock_.transport) putByte(now, kStop);
    running_ = startNext_ = false;
    continueTick_ = -1;
    repeatTo_ = -1;
}

void MidiOut::ended(std::int64_t now, const MidiCues* cues) noexcept {
    if (!enabled_) return;
    fireAt(now, cues, MidiCue::At::end);
    stopped(now);
}

void MidiOut::songLoaded(const SongTiming& timing, const MidiCues* cues, std::int32_t song) noexcept {
    if (!enabled_) return;
    song_ = song;
    currentDue_ = true;
    lastCues_ = cues;
    lastTiming_ = timing;
    running_ = startNext_ = false;
    continueTick_ = -1;
    repeatTo_ = -1;
    if (framesPerTick_ <= 0.0) framesPerTick_ = framesPerTick(timing, rate_);
}

void MidiOut::wrapped(std::int64_t from, std::int64_t to) noexcept {
    repeatFrom_ = to;
    repeatTo_ = from;
}

void MidiOut::retimed(const SongTiming& from, const SongTiming& to, double rate) noexcept {
    lastTiming_ = to;
    if (repeatTo_ < 0) return;
    repeatFrom_ = retimedFrame(from, to, rate, repeatFrom_);
    repeatTo_ = retimedFrame(from, to, rate, repeatTo_);
}

} // namespace stemdeck::engine
