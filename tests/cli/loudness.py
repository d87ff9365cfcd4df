#!/usr/bin/python3
"""Songs levelled across a set, judged by an independent meter: FFmpeg's ebur128 filter (its own
BS.1770 code, not libebur128) on stemdeck's rendered main output.

Material made by FFmpeg's own generators (pink and brown noise, sines, clicks) and by eSpeak NG
(speech), none of it by stemdeck: five songs at different levels, one of them quiet with sharp
peaks (it cannot be raised to the target without passing -1 dBTP), one with its own gain: and a
muted spare stem. Checks: `check --json`'s integrated loudness agrees with FFmpeg's on the untrimmed
render within 0.1 LU and its true peak within 0.3 dB, on every song, the demo and the speech; the
trims are not applied before they are accepted (render says so); accepted, three rendered songs
come out within 0.5 LU of each other, the peaky song held at -1 dBTP (and check says so), the song with
its own gain untouched; a stem changed after acceptance makes check say CHANGED and render play
that song untrimmed.

    loudness.py STEMDECK
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = 0


def expect(ok, what):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def run(args, check=True):
    p = subprocess.run(args, capture_output=True, text=True)
    if check and p.returncode != 0:
        print("command failed:", " ".join(args), "\n", p.stdout, p.stderr)
        sys.exit(1)
    return p


def ffmpeg_gen(path, source, seconds, extra=None):
    """A stereo 24-bit 48 kHz WAV from an FFmpeg lavfi source."""
    args = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds)]
    if extra:
        args += ["-af", extra]
    run(args + ["-ac", "2", "-ar", "48000", "-c:a", "pcm_s24le", path])


def ebur128(path):
    """FFmpeg's own EBU R128 meter: integrated LUFS, LRA LU, true peak dBTP."""
    p = run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", path, "-filter_complex", "ebur128=peak=true",
             "-f", "null", "-"])
    summary = p.stderr[p.stderr.rfind("Summary:"):]
    i = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    lra = float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1))
    tp = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return i, lra, tp


def main():
    stemdeck = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="stemdeck-loudness-")
    try:
        songs = os.path.join(work, "songs")
        for name in ["loud", "quiet", "peaky", "own", "middle"]:
            os.makedirs(os.path.join(songs, name))
        # loud: pink noise and a sine, around -20 LUFS.
        ffmpeg_gen(os.path.join(songs, "loud", "01_Noise.wav"), "anoisesrc=color=pink:amplitude=0.5:seed=1", 20)
        ffmpeg_gen(os.path.join(songs, "loud", "02_Tone.wav"), "sine=frequency=220:sample_rate=48000", 20,
                   "volume=-12dB")
        # quiet: brown noise swelling in and out (a loudness range), around -27 LUFS.
        ffmpeg_gen(os.path.join(songs, "quiet", "01_Bed.wav"), "anoisesrc=color=brown:amplitude=0.2:seed=2", 20,
                   "volume='1.0+0.8*sin(2*PI*t/5)':eval=frame")
        # peaky: a quiet bed and sharp clicks near full scale: loud peaks, little loudness (-36 LUFS).
        ffmpeg_gen(os.path.join(songs, "peaky", "01_Bed.wav"), "anoisesrc=color=pink:amplitude=0.03:seed=3", 20)
        ffmpeg_gen(os.path.join(songs, "peaky", "02_Clicks.wav"),
                   "aevalsrc='0.9*lt(mod(n,24000),4)':sample_rate=48000", 20)
        # own: its own gain in the set file, and a spare stem muted at the start (-31 LUFS).
        ffmpeg_gen(os.path.join(songs, "own", "01_Pad.wav"), "anoisesrc=color=pink:amplitude=0.25:seed=4", 20)
        ffmpeg_gen(os.path.join(songs, "own", "02_Spare.wav"), "anoisesrc=color=white:amplitude=0.9:seed=5", 20)
        # middle: pink noise and a higher sine, around -25 LUFS.
        ffmpeg_gen(os.path.join(songs, "middle", "01_Noise.wav"), "anoisesrc=color=pink:amplitude=0.3:seed=6", 20)
        ffmpeg_gen(os.path.join(songs, "middle", "02_Tone.wav"), "sine=frequency=880:sample_rate=48000", 20,
                   "volume=-20dB")
        set_file = os.path.join(work, "set.yaml")
        with open(set_file, "w") as f:
            f.write("name: levels\nloudness: { match: median, max_trim: 12 dB }\nsongs:\n"
                    "  - { folder: songs/loud, bpm: 120 }\n  - { folder: songs/quiet, bpm: 120 }\n"
                    "  - { folder: songs/peaky, bpm: 120 }\n"
                    "  - { folder: songs/own, bpm: 120, gain: -4 dB, start: { mute: [Spare] } }\n"
                    "  - { folder: songs/middle, bpm: 120 }\n")

        def render(n, loudness, out):
            return run([stemdeck, "render", set_file, "--song", str(n), "--loudness", loudness, "-o", out])

        # Untrimmed: each song's main output as delivered, measured by FFmpeg.
        plain = {}
        for n in range(1, 6):
            out = os.path.join(work, "plain%d.wav" % n)
            render(n, "off", out)
            plain[n] = ebur128(out)
        print("FFmpeg on the untrimmed renders (I LUFS, LRA LU, TP dBTP):", plain)
        report = json.loads(run([stemdeck, "check", set_file, "--json"]).stdout)
        loud = report["loudness"]
        for n in range(1, 6):
            s = loud["songs"][n - 1]
            i, lra, tp = plain[n]
            print("song %d: stemdeck %.2f LUFS, %.2f LU, %.2f dBTP; FFmpeg %.2f LUFS, %.2f LU, %.2f dBTP" %
                  (n, s["integrated_lufs"], s["range_lu"], s["true_peak_dbtp"], i, lra, tp))
            expect(abs(s["integrated_lufs"] - i) <= 0.1,
                   "song %d: check's integrated loudness %.2f agrees with FFmpeg's %.2f within 0.1 LU" %
                   (n, s["integrated_lufs"], i))
            expect(abs(s["true_peak_dbtp"] - tp) <= 0.3,
                   "song %d: check's true peak %.2f agrees with FFmpeg's %.2f within 0.3 dB" %
                   (n, s["true_peak_dbtp"], tp))
        expect(loud["songs"][2]["trim_limit"] == "ceiling",
               "the peaky song's trim is held at the ceiling (%s)" % loud["songs"][2]["trim_limit"])
        expect(loud["songs"][4]["trim_limit"] == "none", "the middle song's trim reaches the target")
        expect(loud["songs"][3]["trim_limit"] == "own_gain", "the song with its own gain is not trimmed")
        expect(not loud["accepted"], "the trims are not accepted yet")
        text = run([stemdeck, "check", set_file]).stdout
        expect("NOT ACCEPTED" in text and "--accept-loudness" in text, "check says the trims wait for acceptance")
        expect("held at its true-peak ceiling, -1.0 dBTP" in text, "check says the peaky song is held at -1 dBTP")
        print(text[text.find("Loudness"):])

        # Before acceptance render plays them untrimmed, and says so.
        p = render(1, "match", os.path.join(work, "early.wav"))
        expect("no trims were accepted" in p.stderr, "render with match but nothing accepted says so")
        expect(abs(ebur128(os.path.join(work, "early.wav"))[0] - plain[1][0]) < 0.05,
               "and plays the song untrimmed")

        accepted = run([stemdeck, "check", set_file, "--accept-loudness"]).stdout
        expect(os.path.exists(os.path.join(work, "set.loudness.yaml")), "--accept-loudness writes set.loudness.yaml")
        expect("Accepted (set.loudness.yaml)" in accepted, "check then says the trims are accepted")
        after = {}
        for n in range(1, 6):
            out = os.path.join(work, "matched%d.wav" % n)
            p = render(n, "match", out)
            after[n] = ebur128(out)
        print("FFmpeg on the matched renders:", after)
        print("render's loudness line:", [l for l in p.stderr.splitlines() if "loudness" in l])
        target = loud["target_lufs"]
        for n in (1, 2, 5):
            expect(abs(after[n][0] - target) <= 0.5, "song %d comes out at %.2f LUFS, the target %.2f within 0.5 LU" %
                   (n, after[n][0], target))
        levels = [after[n][0] for n in (1, 2, 5)]
        expect(max(levels) - min(levels) <= 0.5,
               "the loud, the quiet and the middle song come out within 0.5 LU of each other (%s; they were %s)" %
               (levels, [plain[n][0] for n in (1, 2, 5)]))
        expect(after[3][2] <= -1.0 + 0.3 and after[3][2] > plain[3][2],
               "the peaky song was raised only to -1 dBTP (FFmpeg: %.2f dBTP, was %.2f)" % (after[3][2], plain[3][2]))
        expect(abs(after[4][0] - plain[4][0]) < 0.05, "the song with its own gain is as it was")

        # A stem changes after acceptance: check asks again, render plays that song untrimmed.
        os.remove(os.path.join(songs, "loud", "02_Tone.wav"))
        ffmpeg_gen(os.path.join(songs, "loud", "02_Tone.wav"), "sine=frequency=330:sample_rate=48000", 20,
                   "volume=-6dB")
        text = run([stemdeck, "check", set_file]).stdout
        expect("CHANGED since accepted" in text, "a changed stem makes check ask for acceptance again")
        p = render(1, "match", os.path.join(work, "changed.wav"))
        expect("changed since the trims were accepted" in p.stderr, "render says the changed song plays untrimmed")
        p = render(2, "match", os.path.join(work, "kept.wav"))
        expect(abs(ebur128(os.path.join(work, "kept.wav"))[0] - after[2][0]) < 0.05,
               "an unchanged song keeps its accepted trim")

        # Material from elsewhere: the demo song and speech from eSpeak NG, one folder each.
        run([stemdeck, "demo", os.path.join(work, "demo")])
        speech = os.path.join(work, "speech")
        os.makedirs(speech)
        run(["espeak-ng", "-w", os.path.join(work, "said.wav"),
             "Ladies and gentlemen, the band is on stage in five minutes. Check your in ear mixes, the first song "
             "starts with the drums alone, the bass joins on bar nine and the chorus comes in loud."])
        run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", os.path.join(work, "said.wav"), "-ac", "2", "-ar",
             "48000", "-c:a", "pcm_s16le", os.path.join(speech, "01_Voice.wav")])
        for name, folder in (("the demo", os.path.join(work, "demo")), ("eSpeak NG's speech", speech)):
            s = json.loads(run([stemdeck, "check", folder, "--json"], check=False).stdout)["loudness"]["songs"][0]
            out = os.path.join(work, "folder.wav")
            run([stemdeck, "render", folder, "-o", out])
            i, lra, tp = ebur128(out)
            print("%s: stemdeck %.2f LUFS %.2f dBTP; FFmpeg %.2f LUFS %.2f dBTP" %
                  (name, s["integrated_lufs"], s["true_peak_dbtp"], i, tp))
            expect(abs(s["integrated_lufs"] - i) <= 0.1, "%s: integrated loudness within 0.1 LU of FFmpeg's" % name)
            expect(abs(s["true_peak_dbtp"] - tp) <= 0.3, "%s: true peak within 0.3 dB of FFmpeg's" % name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%s" % ("all passed" if failures == 0 else "%d failed" % failures))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
