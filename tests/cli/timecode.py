#!/usr/bin/python3
"""render --ltc and --mtc, read back by readers of their own: LTC by a biphase-mark decoder written
here (a third one: it shares nothing with libltc or the C++ tests' decoder), MTC by mido.

Checks: the demo song at 29.97 drop-frame: its LTC starts 01:00:00;00 on the first sample, every
frame on its sample (k · 1601.6) and labelled in order with drop-frame's left-out labels; the MTC
file: a full frame naming 01:00:00;00 first, quarter frames every 400.4 samples (each rounded on its
own: no drift), eight pieces naming even frames. A set's song 2 with its own start. At 80 %: follow
stretches LTC's frames to 2400 samples, wall keeps 1920, stop writes silence. Bad combinations say so;
check refuses LTC on a mix's output.

    timecode.py STEMDECK
"""
import os
import shutil
import subprocess
import sys
import tempfile
import wave

import mido

failures = 0


def expect(ok, what):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def read_wav(path):
    with wave.open(path, "rb") as w:
        n, width, rate = w.getnframes(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(n)
    assert width == 3 and w.getnchannels() == 1, "a mono 24-bit file"
    out = []
    for i in range(0, len(raw), 3):
        v = int.from_bytes(raw[i:i + 3], "little", signed=True)
        out.append(v / 8388608.0)
    return out, rate


def decode_ltc(samples, rate, fps):
    """Frames as (label tuple, drop bit, first sample): zero crossings, half and whole bit periods."""
    period = rate / (fps * 80.0)
    top = max(abs(x) for x in samples) or 1.0
    edges, state = [], 0
    for i, x in enumerate(samples):
        now = 1 if x > 0.02 * top else -1 if x < -0.02 * top else state
        if state == 0 and now != 0:
            edges.append(i - 0.5)
        elif now != state:
            j = i
            while j > 1 and (samples[j - 1] > 0) == (x > 0):
                j -= 1
            a, b = samples[j - 1], samples[j]
            edges.append(j - 1 + (a / (a - b) if a != b else 0.0))
        state = now
    bits, starts, frames, half = [], [], [], None
    sync = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1]
    for e in range(1, len(edges)):
        d = edges[e] - edges[e - 1]
        if d < 0.25 * period or d > 1.6 * period:
            bits, starts, half = [], [], None
            continue
        if d < 0.75 * period:
            if half is None:
                half = edges[e - 1]
                continue
            bits.append(1)
            starts.append(half)
            half = None
        else:
            if half is not None:
                half = None
                continue
            bits.append(0)
            starts.append(edges[e - 1])
        if len(bits) >= 80 and bits[-16:] == sync:
            f = bits[-80:]
            field = lambda at, n: sum(f[at + k] << k for k in range(n))
            label = (field(48, 4) + 10 * field(56, 2), field(32, 4) + 10 * field(40, 3),
                     field(16, 4) + 10 * field(24, 3), field(0, 4) + 10 * field(8, 2))
            frames.append((label, field(10, 1), starts[-80]))
    return frames


def df_index(h, m, s, f):
    minutes = 60 * h + m
    return (minutes * 60 + s) * 30 + f - 2 * (minutes - minutes // 10)


def run(args, want_rc=0):
    r = subprocess.run(args, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    stemdeck = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="stemdeck-tc-")
    demo = os.path.join(tmp, "demo")
    run([stemdeck, "demo", demo])

    # --- the demo at 29.97 drop-frame: LTC and MTC ----------------------------------------------
    ltc, mid = os.path.join(tmp, "ltc.wav"), os.path.join(tmp, "tc.mid")
    rc, out = run([stemdeck, "render", demo, "-o", os.path.join(tmp, "mix.wav"), "--ltc", ltc, "--midi-out", mid,
                   "--mtc", "--timecode-fps", "29.97df"])
    expect(rc == 0 and "song 1 at 01:00:00;00 on bar 1" in out, "render --ltc --mtc says song 1 is at 01:00:00;00")
    samples, rate = read_wav(ltc)
    spf = rate * 1001.0 / 30000.0
    frames = decode_ltc(samples, rate, 30000.0 / 1001.0)
    expect(len(frames) >= int(len(samples) / spf) - 1, "%d LTC frames in %d samples" % (len(frames), len(samples)))
    first = df_index(1, 0, 0, 0)
    wrong = [f for f in frames if abs(f[2] - round((df_index(*f[0]) - first) * spf)) > 3 or f[1] != 1]
    expect(frames and frames[0][0] == (1, 0, 0, 0) and abs(frames[0][2]) < 3,
           "01:00:00;00 on the first sample (%s)" % (str(frames[0][:2]) if frames else "none"))
    expect(not wrong, "every frame on its sample, drop-frame bit set (%d off, first %s)" %
           (len(wrong), wrong[0] if wrong else "-"))
    order = all(df_index(*frames[i][0]) == df_index(*frames[i - 1][0]) + 1 for i in range(1, len(frames)))
    labels = [f[0] for f in frames]
    expect(order and (1, 1, 0, 2) in labels and (1, 1, 0, 0) not in labels,
           "labels one after another, 01:00:59;29 then 01:01:00;02")
    peak = max(abs(x) for x in samples)
    expect(abs(peak - 0.1259) < 0.003, "LTC's peak is -18 dBFS (%.4f)" % peak)

    msgs, t = [], 0
    for m in mido.MidiFile(mid).tracks[0]:
        t += m.time
        if not m.is_meta:
            msgs.append((t, m))
    expect(msgs and msgs[0][1].type == "sysex" and list(msgs[0][1].data) == [0x7F, 0x7F, 1, 1, 0x41, 0, 0, 0],
           "the MTC file starts with a full frame: 01:00:00;00 at 29.97 drop-frame (%s)" % (str(msgs[0][1]) if msgs else ""))
    qf = [(t, m) for t, m in msgs if m.type == "quarter_frame"]
    on_time = all(t == int(k * spf / 4.0 + 0.5) for k, (t, m) in enumerate(qf))
    expect(len(qf) > 7000 and on_time, "%d quarter frames, each on round(k x 400.4)" % len(qf))
    pieces = all(m.frame_type == k % 8 for k, (t, m) in enumerate(qf))
    seq_ok = True
    for k in range(0, len(qf) - 7, 8):
        v = [qf[k + p][1].frame_value for p in range(8)]
        frame, sec, mins, hrs = v[0] | v[1] << 4, v[2] | v[3] << 4, v[4] | v[5] << 4, v[6] | (v[7] & 1) << 4
        seq_ok = seq_ok and (v[7] >> 1) == 2 and df_index(hrs, mins, sec, frame) == first + k // 4
    expect(pieces and seq_ok, "pieces 0-7 in turn, each sequence naming its even frame, rate code 2")

    # --- a set: song 2's own start ----------------------------------------------------------------
    with open(os.path.join(tmp, "set.yaml"), "w") as f:
        f.write("timecode: { fps: 25 }\nsongs:\n  - demo\n  - { folder: demo2, timecode: '07:30:00:00' }\n")
    shutil.copytree(demo, os.path.join(tmp, "demo2"))  # (a link would be the same song: refused)
    ltc2 = os.path.join(tmp, "ltc2.wav")
    rc, out = run([stemdeck, "render", os.path.join(tmp, "set.yaml"), "--song", "2", "-o", os.path.join(tmp, "m2.wav"),
                   "--ltc", ltc2])
    s2, _ = read_wav(ltc2)
    f2 = decode_ltc(s2[:48000], 48000, 25.0)
    expect(rc == 0 and f2 and f2[0][0] == (7, 30, 0, 0), "song 2 of a set starts on its own 07:30:00:00 (%s)" %
           (str(f2[0][0]) if f2 else out))

    # --- at 80 %: follow, wall, stop ----------------------------------------------------------------
    short = os.path.join(tmp, "short")
    os.makedirs(short)
    subprocess.run(["sox", "-n", "-r", "48000", "-b", "24", os.path.join(short, "01_Tone.wav"), "synth", "2",
                    "sine", "220", "vol", "0.3"], check=True)
    with open(os.path.join(short, "readme.txt"), "w") as f:
        f.write("BPM: 100\n")
    for mode, want in (("follow", 2400), ("wall", 1920), ("stop", None)):
        path = os.path.join(tmp, "ltc_%s.wav" % mode)
        rc, out = run([stemdeck, "render", short, "-o", os.path.join(tmp, "s.wav"), "--tempo", "80%", "--ltc", path,
                       "--timecode-tempo", mode])
        s, _ = read_wav(path)
        if want is None:
            expect(rc == 0 and max(abs(x) for x in s) == 0.0, "at 80 %, --timecode-tempo stop: no LTC")
            continue
        fr = decode_ltc(s, 48000, 48000.0 / want)
        steps = {round(fr[i][2] - fr[i - 1][2]) for i in range(1, len(fr))}
        expect(rc == 0 and len(fr) > 40 and steps <= {want - 1, want, want + 1} and fr[0][0] == (1, 0, 0, 0),
               "at 80 %%, --timecode-tempo %s: frames %d samples apart (%s)" % (mode, want, sorted(steps)))

    # --- what is refused ------------------------------------------------------------------------------
    rc, out = run([stemdeck, "render", demo, "-o", os.path.join(tmp, "x.wav"), "--mtc"])
    expect(rc != 0 and "--mtc: a render writes its MIDI output with --midi-out FILE.mid" in out,
           "--mtc without --midi-out says what is missing")
    rc, out = run([stemdeck, "render", demo, "-o", os.path.join(tmp, "x.wav"), "--mtc", "--midi-out", mid,
                   "--timecode-fps", "23.976"])
    expect(rc != 0 and "MIDI timecode knows 24, 25, 29.97df and 30" in out, "MTC at 23.976 is refused")
    with open(os.path.join(tmp, "bad.yaml"), "w") as f:
        f.write("audio: { main: 1, ltc: 2 }\nsongs: [demo]\n")
    rc, out = run([stemdeck, "check", os.path.join(tmp, "bad.yaml")])
    expect(rc != 0 and "LTC's output 2 is also main's (outputs 1-2): LTC in a mix is a loud buzz" in out,
           "check refuses LTC on the main pair")
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
