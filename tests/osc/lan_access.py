#!/usr/bin/python3
"""The OSC security model from the network (run by lan_access.sh inside the clients' namespace).

The player listens on 10.77.0.1 (its own namespace) with a token and an allow-list of 10.77.0.3;
this client sends from 10.77.0.2 (not allowed) and 10.77.0.3 (allowed) with python3-liblo.
Usage: lan_access.py STEMDECK WORKDIR PLAYER_NETNS CLIENT_IFACE
"""
import os
import subprocess
import sys
import time

import liblo

STEMDECK, WORK, NS, IFACE = sys.argv[1:5]
PLAYER = liblo.Address("10.77.0.1", "9000")
ABLESET = liblo.Address("10.77.0.1", "39051")
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    return ok


def wait(cond, timeout=3.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def source(address):
    """Messages to the player leave from `address` from now on."""
    subprocess.run(["ip", "route", "replace", "10.77.0.1/32", "dev", IFACE, "src", address], check=True)


def in_player_ns(argv, **kw):
    return subprocess.Popen(["ip", "netns", "exec", NS] + argv, **kw)


class Client:
    def __init__(self):
        self.server = liblo.ServerThread()  # sends from its own port; replies come back to it
        self.got = []
        self.server.add_method(None, None, lambda path, args, types, src: self.got.append((path, args)))
        self.server.start()

    def send(self, to, path, *args):
        self.server.send(to, path, *args)

    def has(self, path, args=None):
        return any(p == path and (args is None or a == args) for p, a in self.got)

    def poll(self, to, path, args, *extra, timeout=3.0):
        """Asks for the state (get) until `path` says `args`: the state follows an action within a tick."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            self.got.clear()
            self.send(to, "/stemdeck/get", *extra)
            if wait(lambda: self.has(path, args), 0.3):  # (dumps: at most 4 a second per host)
                return True
        return False

    def errors(self):
        return [a[0] for p, a in self.got if p == "/stemdeck/error"]


def main():
    demo = os.path.join(WORK, "demo")
    subprocess.run([STEMDECK, "demo", demo], check=True, stdout=subprocess.DEVNULL)
    jack = "stemdeck-lan-%d" % os.getpid()
    os.environ["JACK_DEFAULT_SERVER"] = jack
    play = None
    jackd = in_player_ns(["jackd", "-n", jack, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["ip", "netns", "exec", NS, "jack_wait", "-w", "-t", "10"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        # A network address with nobody allowed is refused before the show starts.
        r = subprocess.run(["ip", "netns", "exec", NS, STEMDECK, "play", demo, "--driver", "jack", "--osc", "10.77.0.1:9000"],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 1 and "listens on the network, and nobody there may send" in r.stderr,
              "--osc 10.77.0.1:9000 with no --osc-allow or --osc-token is refused: " + r.stderr.strip()[:160])
        log = open(os.path.join(WORK, "play.log"), "w")
        play = in_player_ns([STEMDECK, "play", demo, "--driver", "jack", "--osc", "10.77.0.1:9000", "--osc-token", "s3cret",
                             "--osc-allow", "10.77.0.3", "--osc-ableset", "10.77.0.1"], stdout=log, stderr=subprocess.STDOUT)
        check(wait(lambda: "stemdeck's addresses on 10.77.0.1:9000 (the network" in open(log.name).read(), 20),
              "play listens on 10.77.0.1:9000 and :39051")
        c = Client()

        source("10.77.0.2")  # not allowed, no token
        c.send(PLAYER, "/stemdeck/get")
        c.send(PLAYER, "/stemdeck/mute", "Drums")
        c.send(PLAYER, "/stemdeck/get", "token=wrong")
        c.send(ABLESET, "/getValues")
        time.sleep(1.0)
        check(not c.got, "from 10.77.0.2 without the token nothing comes back (no reflection): %d messages" % len(c.got))
        c.send(PLAYER, "/stemdeck/get", "token=s3cret")
        check(wait(lambda: c.has("/stemdeck/stem/1/mute", [0])), "with token=s3cret a dump comes back: Drums not muted "
              "(the mute without the token was not applied)")
        c.send(PLAYER, "/stemdeck/mute", "token=s3cret", "Drums")
        check(c.poll(PLAYER, "/stemdeck/stem/1/mute", [1], "token=s3cret"),
              "with the token (in any position) the mute is applied")

        source("10.77.0.3")  # on the allow-list: no token needed
        c.send(PLAYER, "/stemdeck/unmute", 1)
        check(c.poll(PLAYER, "/stemdeck/stem/1/mute", [0]), "10.77.0.3 (allow-listed) controls without a token")
        c.send(PLAYER, "/stemdeck/subscribe", ("i", 9999), "10.77.0.9")
        check(wait(lambda: any("names another host" in e for e in c.errors())),
              "a subscribe naming another host is refused: %s" % c.errors()[-1:])
        c.send(PLAYER, "/stemdeck/lock")
        c.send(PLAYER, "/stemdeck/unlock")
        check(wait(lambda: any("unlock needs the show's token" in e for e in c.errors())),
              "unlock without the token is refused, even from the allow-list")
        check(c.poll(PLAYER, "/stemdeck/locked", [1]), "lock from the network locks")
        c.send(PLAYER, "/stemdeck/unlock", "token=s3cret")
        check(c.poll(PLAYER, "/stemdeck/locked", [0]), "unlock with the token unlocks")
        c.send(ABLESET, "/getValues")
        check(wait(lambda: c.has("/setlist/songs")), "AbleSet's /getValues from the allow-list is answered")
        c.send(PLAYER, "/stemdeck/mute", "x" * 5000)
        check(wait(lambda: "from 10.77.0.3" in open(log.name).read() and "longer than 4096" in open(log.name).read()),
              "an oversized datagram is refused (said in the log; no reply)")
        flooder = liblo.Server()
        for k in range(3000):
            flooder.send(PLAYER, "/stemdeck/toggle_mute", 2)
        check(wait(lambda: "more than 500 messages a second from one host" in open(log.name).read()),
              "a flood of 3000 messages is cut at the rate limit and said")
        play.terminate()
        play.wait(15)
        text = open(log.name).read()
        check("from 10.77.0.2:" in text and "not an allowed sender" in text, "the refused sender is named in the log")
        check("underruns 0" in text and "commands lost 0" in text,
              "the audio never underran and no command was lost to the flood")
    finally:
        if play and play.poll() is None:  # (a failure above must not leave a player holding the ports)
            play.kill()
            play.wait()
        jackd.terminate()
        jackd.wait()
    if failed:
        print(open(os.path.join(WORK, "play.log")).read())
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
