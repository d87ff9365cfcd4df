#!/usr/bin/env bash
# The live-playback soak: stemdeck plays eight 24-bit stereo stems through a JACK server (dummy
# driver, 64-frame periods) for SECONDS (default 600) with every stem's filter moving, while a
# direct-I/O disk reader and two CPU hogs compete for the machine, and ecasound plays the same
# eight files on the same server at the same time. It prints stemdeck's underruns (goal 0), its
# in-process callback timing, the server's xruns and the CPU time of stemdeck and ecasound.
# It prints figures; it does not pass or fail.
#   tests/bench/soak.sh STEMDECK [SECONDS]
set -euo pipefail
BIN=$(realpath "${1:?usage: soak.sh STEMDECK [SECONDS]}")
SECONDS_TO_RUN=${2:-600}
WORK=$(mktemp -d /var/tmp/stemdeck-soak.XXXXXX)
KEEP=${KEEP:-}
SERVER="stemdeck-soak-$$"
export JACK_DEFAULT_SERVER=$SERVER JACK_NO_START_SERVER=1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
keep_logs() { for f in "$WORK"/*.log; do echo "== $f"; tail -5 "$f"; done; }

command -v ecasound >/dev/null && command -v bc >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ecasound bc >/dev/null

echo "generating eight $((SECONDS_TO_RUN + 5))-second stems in $WORK…"
# Eight stems, each a different chord tone with slow amplitude movement, SECONDS long + 5 s.
len=$((SECONDS_TO_RUN + 5))
mkdir -p "$WORK/song"
names=(Kick Snare Hats Bass Keys Pad Lead Vox)
for i in $(seq 0 7); do
  f=$((110 * (i + 1)))
  sox -q -n -r 48000 -c 2 -b 24 "$WORK/song/0$((i + 1))_${names[$i]}.wav" synth "$len" sine "$f" sine "$((f + 3))" \
    tremolo 0.$((i + 2)) 40 gain -20 &
done
wait
printf 'BPM: 120\nKey: A minor\n' > "$WORK/song/readme.txt"

# Every stem's filter sweeps all the time: a new knob target every 100 ms per stem.
awk -v seconds="$SECONDS_TO_RUN" 'BEGIN {
  print "events:"
  for (k = 0; k * 0.1 < seconds; k++) {
    t = k * 0.1
    for (s = 0; s < 8; s++)
      printf "  - { time: %.2f, action: filter, stem: %d, value: %.3f }\n", t, s + 1, 0.85 * sin(6.2831853 * t / (3.0 + s) + s)
  }
}' > "$WORK/events.yaml"

# Real-time scheduling, as JACK runs on stage (the CI tests use --no-realtime): the server's and
# its clients' process threads run SCHED_FIFO, above the CPU hogs.
setsid jackd -n "$SERVER" -R -P 70 -d dummy -r 48000 -p 64 -P 8 >"$WORK/jackd.log" 2>&1 &
pids+=($!)
jack_wait -w -t 10 >/dev/null

# The competition: a disk reader that bypasses the page cache, and two busy loops.
dd if=/dev/urandom of="$WORK/big.bin" bs=1M count=1024 status=none
( while true; do dd if="$WORK/big.bin" of=/dev/null bs=1M iflag=direct status=none; done ) &
pids+=($!)
yes >/dev/null & pids+=($!)
yes >/dev/null & pids+=($!)

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in clock ticks
hz=$(getconf CLK_TCK)

"$BIN" play "$WORK/song" --driver jack --events "$WORK/events.yaml" --no-keys >"$WORK/play.log" 2>&1 &
sd=$!
pids+=($sd)
eca_inputs=()
for i in $(seq 1 8); do eca_inputs+=("-a:$i" "-i:sndfile,$(ls "$WORK"/song/0${i}_*.wav)"); done
# ecasound in its own session: on exit it signals its process group, which must not be ours.
setsid ecasound -q -z:mixmode,sum "${eca_inputs[@]}" -a:all -o:jack,system >"$WORK/ecasound.log" 2>&1 &
eca=$!
pids+=($eca)
sleep 5
sd0=$(cpu $sd); eca0=$(cpu $eca); t0=$(date +%s.%N)
sleep "$SECONDS_TO_RUN"
sd1=$(cpu $sd); eca1=$(cpu $eca); t1=$(date +%s.%N)
kill -TERM $sd
wait $sd || true
kill $eca 2>/dev/null || true

wall=$(echo "$t1 - $t0" | bc -l)
echo "soak: $SECONDS_TO_RUN s, JACK dummy driver at 48 kHz / 64-frame periods, 8 stereo 24-bit stems,"
echo "      all filters moving, a direct-I/O disk reader and two CPU hogs running, on $(nproc) cores"
grep -E "underruns|callback|error" "$WORK/play.log" || true
echo "JACK server xruns (the dummy driver's own timer included): $(grep -c 'XRun' "$WORK/jackd.log" || true)"
printf 'CPU over %.0f s: stemdeck %.1f%% of one core, ecasound %.1f%% (stemdeck / ecasound = %.2f)\n' "$wall" \
  "$(echo "($sd1 - $sd0) / $hz / $wall * 100" | bc -l)" "$(echo "($eca1 - $eca0) / $hz / $wall * 100" | bc -l)" \
  "$(echo "($sd1 - $sd0) / ($eca1 - $eca0 + 0.000001)" | bc -l)"
echo "deadline per period: $(echo "64 / 48 " | bc -l | cut -c1-5) ms"
