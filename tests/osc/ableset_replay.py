#!/usr/bin/python3
"""Bitfocus Companion's AbleSet module, replayed against `stemdeck play --osc-ableset`.

The messages are the module's own (companion-module-leolabs-ableset 1.9, src/main.ts): it listens
on a port of its own, sends from another socket to UDP 39051, subscribes with
`/subscribe "auto" PORT "Companion" T`, asks `/getValues`, appends "uuid=…" to every command, and
takes the host for lost after 3 s without a message (then subscribes again every 2 s). The client
is python3-liblo; stemdeck plays a set of two songs made by sox on a JACK server with the dummy
driver. Usage: ableset_replay.py STEMDECK [WORKDIR]
"""
import os
import signal
import subprocess
import shutil
import sys
import tempfile
import time
import uuid

import liblo

STEMDECK = sys.argv[1]
WORK = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="stemdeck-ableset-")
HOST = liblo.Address("127.0.0.1", "39051")
passed = failed = 0
running = None  # the play started last


def check(ok, what):
    global passed, failed
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if ok:
        passed += 1
    else:
        failed += 1
    return ok


def wait(cond, timeout=5.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


class Companion:
    """What the module does, message for message."""

    def __init__(self, port=None):
        self.server = liblo.ServerThread(port) if port else liblo.ServerThread()
        self.sender = liblo.Server()  # node-osc's Client: another socket, another port
        self.values, self.types, self.heartbeats = {}, {}, []
        self.heard = 0.0
        self.server.add_method(None, None, self.on)
        self.server.start()

    def on(self, path, args, types, src):
        self.values[path] = args
        self.types[path] = types
        self.heard = time.monotonic()
        if path == "/heartbeat":
            self.heartbeats.append(self.heard)

    def connected(self):
        return time.monotonic() - self.heard < 3.0  # the module's debounce

    def subscribe(self, old=False):
        if old:  # the module 1.4-1.6: fixed port, a uuid on everything, /getValues PORT
            self.sender.send(HOST, "/subscribe", "auto", ("i", self.server.port), "Companion", True, "uuid=" + uuid.uuid4().hex)
            self.sender.send(HOST, "/getValues", ("i", self.server.port), "uuid=" + uuid.uuid4().hex)
        else:
            self.sender.send(HOST, "/subscribe", "auto", ("i", self.server.port), "Companion", True)
            self.sender.send(HOST, "/getValues")

    def command(self, path, *args, uid=None):
        uid = uid or uuid.uuid4().hex[:22]
        self.sender.send(HOST, path, *args, "uuid=" + uid)
        return uid

    def value(self, path):
        v = self.values.get(path)
        return v[0] if v and len(v) == 1 else v


def make_set():
    for song, base in (("opener", 220), ("closer", 330)):
        os.makedirs(os.path.join(WORK, song), exist_ok=True)
        for n, name in ((1, "Drums"), (2, "Bass"), (3, "Vox")):
            subprocess.run(["sox", "-n", "-r", "48000", "-c", "2", os.path.join(WORK, song, "0%d_%s.wav" % (n, name)),
                            "synth", "40", "sine", str(base * n), "vol", "0.1"], check=True)
    with open(os.path.join(WORK, "night.yaml"), "w") as f:
        f.write("name: Replay Night\nsongs:\n"
                "  - { folder: opener, title: Opener, bpm: 120, markers: { Verse: 3, Chorus: 9 } }\n"
                "  - { folder: closer, title: Closer, bpm: 100 }\n")


def start_play(log):
    global running
    log.seek(0)
    log.truncate()  # (a restart: its own lines only)
    p = subprocess.Popen([STEMDECK, "play", os.path.join(WORK, "night.yaml"), "--driver", "jack", "--osc-ableset",
                          "--at-end", "stop"], stdout=log, stderr=subprocess.STDOUT)
    running = p
    ok = wait(lambda: "AbleSet's (Companion) on 127.0.0.1:39051" in open(log.name).read(), 20)
    return p, ok


def main():
    make_set()
    jack_name = "stemdeck-ableset-%d" % os.getpid()
    os.environ["JACK_DEFAULT_SERVER"] = jack_name
    jackd = subprocess.Popen(["jackd", "-n", jack_name, "--no-realtime", "-S", "-d", "dummy", "-r", "48000", "-p", "256"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["jack_wait", "-w", "-t", "10"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log = open(os.path.join(WORK, "play.log"), "w")
        play, ok = start_play(log)
        check(ok, "play answers as AbleSet on 127.0.0.1:39051")
        c = Companion()
        c.subscribe()
        check(wait(lambda: c.value("/setlist/songs") == ["Opener", "Closer"]),
              "subscribe and /getValues bring the dump: /setlist/songs %s" % c.values.get("/setlist/songs"))
        check(c.value("/setlist/activeSongIndex") == 0 and c.value("/setlist/activeSongName") == "Opener"
              and c.value("/setlist/name") == "Replay Night", "the active song: index 0 (0-based), 'Opener', set name")
        check(c.values.get("/setlist/sections") == ["Verse", "Chorus"], "the song's markers are its sections")
        check(c.value("/mixer/bass/muted") is False and c.value("/mixer/vox/soloed") is False,
              "every stem's mixer group, in lower case: /mixer/bass/muted F")
        check(wait(lambda: c.value("/global/isPlaying") is True), "/global/isPlaying T (the set started)")
        time.sleep(2.5)
        beats = c.heartbeats
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        check(len(beats) >= 2 and max(gaps, default=9) < 1.5,
              "a /heartbeat at least every second (%d, gaps up to %.2f s): the module's 3 s never runs out"
              % (len(beats), max(gaps, default=0)))
        bad = {p: t for p, t in c.types.items() if any(ch not in "ifsTF" for ch in t)}
        check(not bad, "only the types node-osc decodes (i f s T F): %s" % bad)
        check(wait(lambda: (c.value("/global/beatsPosition") or 0) >= 4), "the position moves: /global/beatsPosition %s"
              % c.value("/global/beatsPosition"))

        c.command("/mixer/bass/mute", 1)
        check(wait(lambda: c.value("/mixer/bass/muted") is True), "/mixer/bass/mute 1 mutes Bass: /mixer/bass/muted T")
        uid = c.command("/mixer/drums/mute", "toggle")
        check(wait(lambda: c.value("/mixer/drums/muted") is True), "/mixer/drums/mute \"toggle\" mutes Drums")
        c.command("/mixer/drums/mute", "toggle", uid=uid)  # the same command again (a retry): once only
        time.sleep(0.5)
        check(c.value("/mixer/drums/muted") is True, "the same uuid again is not applied twice (Drums stays muted)")
        c.command("/mixer/drums/mute", "toggle")
        check(wait(lambda: c.value("/mixer/drums/muted") is False), "a new uuid toggles it back")

        c.command("/setlist/jumpToSection", 2)
        check(wait(lambda: c.value("/setlist/activeSectionName") == "Chorus", 6),
              "/setlist/jumpToSection 2 (1-based): activeSectionName 'Chorus' (%s)" % c.value("/setlist/activeSectionName"))
        check(wait(lambda: (c.value("/global/beatsPosition") or 0) >= 32), "…at bar 9: beatsPosition %s ≥ 32"
              % c.value("/global/beatsPosition"))
        check(wait(lambda: c.value("/setlist/activeSectionStart") == 32.0),
              "activeSectionStart 32 (quarter notes from bar 1)")
        c.command("/global/pause")
        check(wait(lambda: c.value("/global/isPlaying") is False), "/global/pause stops: isPlaying F")
        c.command("/setlist/jumpToSong", 2, "force=true")
        check(wait(lambda: c.value("/setlist/activeSongIndex") == 1 and c.value("/setlist/activeSongName") == "Closer", 8),
              "/setlist/jumpToSong 2: activeSongIndex 1, 'Closer'")
        check(wait(lambda: c.value("/global/tempo") == 100.0), "/global/tempo 100 (the song's)")
        c.command("/setlist/jumpBySongs", -1, "force=false")
        check(wait(lambda: c.value("/setlist/activeSongIndex") == 0, 8), "/setlist/jumpBySongs -1: back to song 1")
        c.command("/global/play")
        check(wait(lambda: c.value("/global/isPlaying") is True), "/global/play plays")
        c.command("/global/record")
        check(wait(lambda: "/global/record" in open(log.name).read() and "no stemdeck counterpart" in open(log.name).read()),
              "/global/record is refused and said in the log")

        # A restart of play: the module hears nothing for 3 s, subscribes again every 2 s, gets the dump.
        play.send_signal(signal.SIGTERM)
        check(play.wait(10) == 0, "play ends on SIGTERM")
        check("1 repeats ignored" in open(log.name).read(), "play's summary counts the repeated uuid")
        check(wait(lambda: not c.connected(), 5), "the module takes the host for lost after 3 s of silence")
        c.values.clear()
        play, ok = start_play(log)
        check(ok, "play starts again")
        until = time.monotonic() + 15
        while time.monotonic() < until and not c.connected():
            c.subscribe()  # every 2 s while not connected, as the module does
            wait(lambda: c.connected(), 2)
        check(c.connected() and wait(lambda: c.value("/setlist/songs") == ["Opener", "Closer"]),
              "after the restart the module's resubscription brings the state back")

        # The module before 1.7: a fixed port (39041) and /getValues PORT, uuid on everything.
        old = Companion(39041)
        old.subscribe(old=True)
        check(wait(lambda: old.value("/setlist/songs") == ["Opener", "Closer"]),
              "the older module's subscription (fixed port 39041, /getValues 39041) works too")
        play.send_signal(signal.SIGTERM)
        check(play.wait(10) == 0, "play ends cleanly")
    finally:
        if running and running.poll() is None:  # (a failure above must not leave a player on 39051)
            running.kill()
            running.wait()
        jackd.terminate()
        jackd.wait()
    if failed:
        print(open(os.path.join(WORK, "play.log")).read())
    print("%d passed, %d failed" % (passed, failed))
    if len(sys.argv) <= 2:
        shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
