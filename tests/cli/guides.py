#!/usr/bin/python3
"""render --guide-output and --click-output, the spoken guide checked against cues said by eSpeak NG's
own command line (espeak-ng -w, resampled by sox: nothing of stemdeck's path) and lined up with the
render by cross-correlation.

A song at 120 BPM, 4/4, 48 kHz, a bar of count-in; markers Verse (bar 3), Chorus (bar 5, a recorded
cue in the song folder: a tone after 100 ms of silence), Bridge (bar 8, `cue: Last bridge`), a spoken
cue "Key change" on bar 10. Checks: the count-in's words one, two, three, four each start on their
beat (the render's files start at the count-in); each cue is the expected phrase, starts on the bar
line before its marker and has ended by the marker's downbeat; the recording wins over the voice (its
silence trimmed); the main file is silent in the count-in and the click file ticks on its beats; the
second render synthesises nothing (the cache beside the set) and writes the same file; at 80 % the
cues sit on the 96 BPM grid and keep their length.

    guides.py STEMDECK
"""
import os
import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

failures = 0
RATE = 48000
BEAT = RATE // 2  # 120 BPM
BAR = 4 * BEAT


def expect(ok, what):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def write_wav(path, samples, rate, channels=1):
    data = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    pcm = (data * 32767.0).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def read_wav(path):
    with wave.open(path, "rb") as w:
        n, width, ch, rate = w.getnframes(), w.getsampwidth(), w.getnchannels(), w.getframerate()
        raw = w.readframes(n)
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        v = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
        v = np.where(v >= 1 << 23, v - (1 << 24), v) / 8388608.0
    else:
        v = np.frombuffer(raw, dtype="<i2") / 32768.0
    return v.reshape(-1, ch)[:, 0], rate


def said_by_espeak(text, work):
    """The phrase as eSpeak NG's command line says it, at 48 kHz (sox), its leading and trailing silence
    off (below 1 % of its peak)."""
    raw, at48 = os.path.join(work, "e.wav"), os.path.join(work, "e48.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-w", raw, text], check=True)
    subprocess.run(["sox", raw, "-r", str(RATE), "-b", "16", at48], check=True)
    s, _ = read_wav(at48)
    loud = np.nonzero(np.abs(s) >= 0.01 * np.max(np.abs(s)))[0]
    return s[loud[0]:loud[-1] + 1]


def stretches(track, gap=2000):
    """Each stretch of sound (non-zero samples, apart by at least `gap` silent ones): [start, end)."""
    loud = np.nonzero(track != 0.0)[0]
    if len(loud) == 0:
        return []
    out, start, last = [], loud[0], loud[0]
    for i in loud[1:]:
        if i - last > gap:
            out.append((int(start), int(last) + 1))
            start = i
        last = i
    out.append((int(start), int(last) + 1))
    return out


def envelope(x, window=480):
    n = len(x) // window
    return np.sqrt(np.mean(np.square(x[:n * window].reshape(n, window)), axis=1))


def likeness(a, b):
    """How alike two phrases sound: their 10 ms loudness envelopes' best normalised correlation within
    50 ms either way (eSpeak NG's voicing noise runs on from phrase to phrase, so no two sayings of a
    word are the same samples; their shapes are)."""
    ea, eb = envelope(a), envelope(b)
    best = 0.0
    for lag in range(-5, 6):
        x, y = (ea[lag:], eb) if lag >= 0 else (ea, eb[-lag:])
        m = min(len(x), len(y))
        if m < 5:
            continue
        x, y = x[:m], y[:m]
        best = max(best, float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-12)))
    return best


def which(sound, phrases):
    """The phrase `sound` is most like, and how alike."""
    scores = {p: likeness(sound, clip) for p, clip in phrases.items()}
    best = max(scores, key=scores.get)
    return best, scores[best]


def line_up(track, clip, expected, search=2400):
    """Where `clip` sits in `track` near `expected` (the best lag's start) and how alike they are
    there (normalised correlation, 1 = the same shape)."""
    lo = max(0, expected - search)
    seg = track[lo:expected + search + len(clip)]
    if len(seg) < len(clip):
        return None, 0.0
    corr = np.correlate(seg, clip, mode="valid")
    k = int(np.argmax(corr))
    window = seg[k:k + len(clip)]
    alike = float(corr[k] / (np.linalg.norm(window) * np.linalg.norm(clip) + 1e-12))
    return lo + k, alike


def first_sound(track, start, threshold=1e-3):
    nz = np.nonzero(np.abs(track[start:]) > threshold)[0]
    return start + int(nz[0]) if len(nz) else None


def main():
    stemdeck = sys.argv[1]
    work = tempfile.mkdtemp(prefix="stemdeck-guides-")
    try:
        song = os.path.join(work, "song")
        os.makedirs(os.path.join(song, "guides"))
        # A quiet pad (the main mix has something), 12 bars at 120 BPM.
        t = np.arange(12 * BAR) / RATE
        write_wav(os.path.join(song, "01_Pad.wav"), 0.05 * np.sin(2 * np.pi * 220 * t), RATE, 2)
        # The recorded "Chorus": 100 ms of silence, then 300 ms of 660 Hz.
        tone = np.concatenate([np.zeros(RATE // 10), 0.3 * np.sin(2 * np.pi * 660 * np.arange(RATE * 3 // 10) / RATE)])
        write_wav(os.path.join(song, "guides", "chorus.wav"), tone, RATE)
        set_file = os.path.join(work, "show.yaml")
        with open(set_file, "w") as f:
            f.write("count_in: 1\nguides: on\nsongs:\n"
                    "  - folder: song\n    bpm: 120\n"
                    "    markers:\n"
                    "      - { name: Verse, bar: 3 }\n"
                    "      - { name: Chorus, bar: 5 }\n"
                    "      - { name: Bridge, bar: 8, cue: Last bridge }\n"
                    "    guides:\n      - { bar: 10, say: Key change }\n")

        def render(tag, *extra):
            out = os.path.join(work, tag)
            r = subprocess.run([stemdeck, "render", set_file, "-o", out + "-main.wav", "--guide-output",
                                out + "-guide.wav", "--click-output", out + "-click.wav", *extra],
                               capture_output=True, text=True)
            print(r.stdout + r.stderr)
            expect(r.returncode == 0, f"render {tag} writes its files")
            return r.stdout, out

        said1, first = render("one")
        expect("synthesised" in said1 and "0 synthesised" not in said1 and "1 recorded" in said1,
               "the first render synthesises the cues and takes the recorded one")
        expect(os.path.isdir(os.path.join(work, "show.guides")), "the synthesised cues are cached beside the set")
        guide, rate = read_wav(first + "-guide.wav")
        main_mix, _ = read_wav(first + "-main.wav")
        click, _ = read_wav(first + "-click.wav")
        expect(rate == RATE and len(guide) == len(main_mix) == len(click),
               "the three files have one timeline (%d, %d, %d frames)" % (len(guide), len(main_mix), len(click)))
        expect(np.max(np.abs(main_mix[:BAR - 64])) < 1e-4, "the main file is silent in the count-in")
        expect(first_sound(click, 0) == 0 and first_sound(click, 4000) == BEAT, "the click ticks on the count-in's beats")

        # Each stretch of the guide: where it starts (the clip's first sample, its onset: exact), what
        # it says (against eSpeak NG's command line), and that it has ended by its line.
        phrases = {p: said_by_espeak(p, work) for p in ["one", "two", "three", "four", "Verse", "Last bridge",
                                                      "Key change", "Bridge"]}
        heard = {start: (end, guide[start:end]) for start, end in stretches(guide)}
        print("stretches heard:", sorted((s0, e0) for s0, (e0, _) in heard.items()))
        for k, word in enumerate(["one", "two", "three", "four"]):
            at = k * BEAT
            got = heard.get(at)
            best, score = which(got[1], phrases) if got else ("nothing", 0.0)
            expect(got is not None and best == word and score > 0.8,
                   f"'{word}' starts on count-in beat {k + 1}, frame {at} (heard there: {best}, {score:.3f})")
        for text, bar in [("Verse", 3), ("Last bridge", 8), ("Key change", 10)]:
            start = BAR + (bar - 2) * BAR
            got = heard.get(start)
            best, score = which(got[1], phrases) if got else ("nothing", 0.0)
            expect(got is not None and best == text and score > 0.8 and got[0] <= start + BAR,
                   f"'{text}' said from bar {bar - 1}'s line (frame {start}), over by bar {bar}'s (heard there: "
                   f"{best}, {score:.3f}; ends {got[0] if got else None})")
        expect(len(heard) == 8, f"and nothing else: the four words, three phrases and the recorded Chorus "
                                f"({len(heard)} stretches)")
        chorus = BAR + 3 * BAR
        onset = first_sound(guide, chorus - 4800)
        expect(onset == chorus, f"the recorded Chorus wins, its silence trimmed: its tone starts on bar 4's line "
                                f"({onset} against {chorus})")
        at, alike = line_up(guide, tone[RATE // 10 + 1:], chorus, 480)  # (its first sample, 0, is below the trim)
        expect(at == chorus and alike > 0.99, f"and it is the recording, at the guide's level (alike {alike:.4f})")

        said2, second = render("two")
        expect("0 synthesised" in said2, "the second render synthesises nothing (the cache)")
        again, _ = read_wav(second + "-guide.wav")
        expect(len(again) == len(guide) and np.array_equal(again, guide), "and writes the same guide file")

        # 80 %: the cues on the 96 BPM grid, the phrases as long as before.
        _, slow = render("slow", "--tempo", "80%")
        guide80, _ = read_wav(slow + "-guide.wav")
        bar80 = 4 * 30000
        heard80 = {start: (end, guide80[start:end]) for start, end in stretches(guide80)}
        got = heard80.get(2 * bar80)
        expect(got is not None and np.array_equal(got[1], heard[2 * BAR][1]),
               f"at 80 % 'Verse' starts on the 96 BPM grid's bar 2 line (frame {2 * bar80}), the same clip, as long")
        got = heard80.get(30000)
        expect(got is not None and which(got[1], phrases)[0] == "two", "and 'two' on the count-in's beat 2 (30000)")

        # Without a file to say them in, --guides is refused with the fix.
        r = subprocess.run([stemdeck, "render", set_file, "-o", os.path.join(work, "x.wav")], capture_output=True,
                           text=True)
        expect(r.returncode == 0, "a render without --guide-output still renders the main mix (its guides: on "
                                  "has nowhere to go; the main file has no count-in)")
        r = subprocess.run([stemdeck, "render", set_file, "-o", os.path.join(work, "y.wav"), "--guides"],
                           capture_output=True, text=True)
        expect(r.returncode != 0 and "--guide-output" in r.stderr, "--guides without a file for them says which "
                                                                  "to give: " + r.stderr.strip()[:160])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
