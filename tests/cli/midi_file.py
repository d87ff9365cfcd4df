#!/usr/bin/python3
"""render --midi-out, read back by an independent reader (mido): a ten-minute song at 93.7 BPM
(44.1 kHz: 1176.57 frames a tick) with MIDI clock and cues, and a seek at 10 s to 100 s.

Checks: one tick a frame (the file's division and tempo); Start and a tick on frame 0; every tick
within half a frame of its ideal place, before the seek and after it to the song's end (ten
minutes: no drift); Stop, Song Position (the right sixteenth) on the seek, Continue just before the
tick on that sixteenth; the chase (the last program change and controller before 100 s); each cue
on its frame (a controller on bar 2, the OSC cue as a text event, the end); `check` lists the cues
and warns of a SysEx cue that holds a DIN line longer than a tick; bad option combinations say so.

    midi_file.py STEMDECK
"""
import math
import os
import subprocess
import sys
import tempfile

import mido

RATE = 44100
BPM = 93.7
PER_TICK = RATE * 60.0 / (BPM * 24.0)
failures = 0


def expect(ok, what):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def tick_frame(k):
    return math.floor(k * PER_TICK + 0.5)


def main():
    stemdeck = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        song = os.path.join(tmp, "song")
        os.makedirs(song)
        # ten minutes of silence, written by sox (not by stemdeck)
        subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", os.path.join(song, "01_Pad.wav"),
                        "trim", "0", "600"], check=True)
        length = 600 * RATE
        sysex = " ".join(["F0", "7D"] + ["01"] * 200 + ["F7"])
        with open(os.path.join(tmp, "set.yaml"), "w") as f:
            f.write("midi_out: { clock: true }\n"
                    "songs:\n"
                    "  - folder: song\n"
                    "    bpm: 93.7\n"
                    "    markers: { Chorus: 9 }\n"
                    "    cues:\n"
                    "      - { at: current, program: 5 }\n"
                    "      - { at: bar 2, control: 74, value: 127 }\n"
                    "      - { at: bar 3, program: 9, bank: 3 }\n"
                    "      - { at: bar 4, osc: { to: \"127.0.0.1:9000\", address: /press, args: [1] } }\n"
                    "      - { at: marker Chorus, note: 60 }\n"
                    "      - { at: bar 200, sysex: " + sysex + " }\n"
                    "      - { at: end, control: 123, value: 0 }\n")
        with open(os.path.join(tmp, "events.yaml"), "w") as f:
            f.write("events:\n  - { time: 10.0, action: seek, value: 100.0 }\n")
        out = os.path.join(tmp, "out.mid")
        r = subprocess.run([stemdeck, "render", os.path.join(tmp, "set.yaml"), "--events",
                            os.path.join(tmp, "events.yaml"), "-o", os.path.join(tmp, "out.wav"), "--midi-out", out],
                           capture_output=True, text=True)
        print(r.stdout + r.stderr)
        if not expect(r.returncode == 0 and os.path.exists(out), "render --midi-out writes the file"):
            return 1
        expect("MIDI out: " in r.stdout and "messages to" in r.stdout, "render says how many messages it wrote")

        mid = mido.MidiFile(out)
        tempo = [m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"]
        expect(len(tempo) == 1 and mido.tick2second(mid.ticks_per_beat, mid.ticks_per_beat, tempo[0]) * RATE
               == mid.ticks_per_beat, "one tick a frame (%d ticks a quarter at %d us)" % (mid.ticks_per_beat, tempo[0]))
        msgs = []  # (frame, message), in order
        for track in mid.tracks:
            now = 0
            for m in track:
                now += m.time
                if not m.is_meta or m.type == "text":
                    msgs.append((now, m))
        msgs.sort(key=lambda fm: fm[0])
        kinds = [m.type for _, m in msgs]
        expect(kinds[:3] == ["program_change", "start", "clock"] and msgs[1][0] == 0 and msgs[2][0] == 0,
               "the program change (current), then Start and a tick, on frame 0: " + ", ".join(kinds[:3]))
        expect(msgs[0][1].program == 4, "program 5 is sent as 4")

        seek_out = 10 * RATE
        stop = [(f, m) for f, m in msgs if m.type == "stop"]
        expect(len(stop) == 2, "two Stops: the seek's and the end's (%d)" % len(stop))
        ticks_before = [f for f, m in msgs if m.type == "clock" and f < stop[0][0]]
        expect(all(f == tick_frame(k) for k, f in enumerate(ticks_before)),
               "before the seek: %d ticks, each on the nearest frame to k x %.4f" % (len(ticks_before), PER_TICK))
        expect(seek_out <= stop[0][0] <= seek_out + RATE // 50, "Stop as the seek's 10 ms fade ends (%d)" % stop[0][0])
        after_stop = [(f, m) for f, m in msgs if f >= stop[0][0]]
        spp = after_stop[1][1]
        target = 100 * RATE
        first = next(k for k in range(10 ** 7) if tick_frame(k) >= target)
        sixteenth = -(-first // 6)
        expect(spp.type == "songpos" and spp.pos == sixteenth and after_stop[1][0] == stop[0][0],
               "Song Position at once names the first sixteenth at or after 100 s: %d (%s)" % (sixteenth, spp))
        chase = [m for f, m in after_stop[2:6]]
        expect([(m.type, getattr(m, "control", None), getattr(m, "value", None)) for m in chase[:3]] ==
               [("control_change", 74, 127), ("control_change", 0, 0), ("control_change", 32, 3)]
               and chase[3].type == "program_change" and chase[3].program == 8,
               "the chase: bar 2's controller, then bar 3's bank and program (%s)" % chase)
        cont = [(f, m) for f, m in msgs if m.type == "continue"]
        expect(len(cont) == 1, "one Continue")
        song_frame = tick_frame(sixteenth * 6)
        delta = cont[0][0] - song_frame  # output frame minus song frame, from Continue on
        nxt = [(f, m) for f, m in msgs if f >= cont[0][0]]
        expect(nxt[1][1].type == "clock" and nxt[1][0] == cont[0][0], "a tick right after Continue, on its frame")
        wait = cont[0][0] - stop[0][0] - (song_frame - target)
        expect(0 <= wait <= 64, "Continue comes as the song reaches that sixteenth (after a %d-frame wait at the seek)"
               % wait)
        ticks_after = [f for f, m in msgs if m.type == "clock" and f >= cont[0][0]]
        worst = max(abs((f - delta) - (sixteenth * 6 + k) * PER_TICK) for k, f in enumerate(ticks_after))
        end_song = length
        expect(len(ticks_after) == sum(1 for k in range(sixteenth * 6, 10 ** 7) if tick_frame(k) < end_song)
               and worst <= 0.5 + 1e-6,
               "to the end of ten minutes: %d ticks, the worst %.4f frames from its ideal place (never over half a "
               "frame: no drift)" % (len(ticks_after), worst))
        bar = 4 * 60.0 / BPM * RATE
        cc = [(f, m) for f, m in msgs if m.type == "control_change" and m.control == 74]
        expect(cc[0][0] == math.floor(bar + 0.5), "bar 2's controller on bar 2's frame (%d)" % cc[0][0])
        texts = [(f, m.text) for f, m in msgs if m.type == "text"]
        expect(texts == [(math.floor(3 * bar + 0.5), "OSC /press to 127.0.0.1:9000")],
               "the OSC cue as a text event on bar 4's frame %s" % texts)
        sx = [(f, m) for f, m in msgs if m.type == "sysex"]
        expect(len(sx) == 1 and len(sx[0][1].data) == 201 and sx[0][0] - delta == math.floor(199 * bar + 0.5),
               "the 203-byte SysEx on bar 200")
        end = [(f, m) for f, m in msgs if m.type == "control_change" and m.control == 123]
        expect(len(end) == 1 and end[0][0] - delta == length and stop[1][0] == end[0][0],
               "the end cue and Stop on the song's last frame + 1")
        expect(not any(m.type == "note_on" for _, m in msgs), "the marker's note never plays: the seek jumped past it")

        # check: the cues listed, the SysEx's time on a DIN cable
        c = subprocess.run([stemdeck, "check", os.path.join(tmp, "set.yaml")], capture_output=True, text=True)
        print(c.stdout)
        expect("cues:" in c.stdout and "bar 2: controller 74 = 127 on channel 1" in c.stdout
               and "marker Chorus (bar 9): note 60 velocity 100 for 0.1 s on channel 1" in c.stdout
               and "end: controller 123 = 0 on channel 1" in c.stdout, "check lists the song's cues")
        expect("the SysEx cue at bar 200 is 203 bytes: on a DIN MIDI cable it takes 65.0 ms, longer than a tick "
               "of MIDI clock at 93.7 BPM (26.7 ms)" in c.stdout and "set.yaml:12" in c.stdout,
               "check warns of a SysEx cue longer than a tick on a DIN cable, with its line")

        bad = subprocess.run([stemdeck, "render", song, "-o", os.path.join(tmp, "x.wav"), "--midi-clock"],
                             capture_output=True, text=True)
        expect(bad.returncode != 0 and "--midi-out FILE.mid" in bad.stderr,
               "render --midi-clock without --midi-out says what is missing: " + bad.stderr.strip())
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
