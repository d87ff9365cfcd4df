#!/usr/bin/env bash
# A song on a network share that stops answering, through a real FUSE filesystem (StallFs.c):
# one operation on its file never comes back, as on a hard NFS mount whose server went away.
# `check` and `render` must give their answer within a few --io-timeout's, name the file ("no
# answer from FILE in 2 s"), and play or check everything else as if the file were not there:
#   late  the file plays 5.9 s, then its reads hang: render is the demo song plus the file's tone
#         up to there, then exactly the demo song (the disk thread hands the other stems on);
#   read  its first read hangs: check checks the rest; render is exactly the demo song;
#   stat  looking the file up hangs (the probe's stat): the same;
#   list  listing the song's folder hangs: check says so for that song and checks the next.
# A process with a thread asleep in a FUSE request cannot end until the request does (the kernel
# waits for it, even on exit), so each command's answer is taken from its output, and the test
# then stops the filesystem, which ends the request, and the process's exit status is read.
#   stall_test.sh PATH/TO/stemdeck PATH/TO/StallFs
set -u
BIN=${1:?usage: stall_test.sh STEMDECK STALLFS}
FS=${2:?usage: stall_test.sh STEMDECK STALLFS}
WORK=$(mktemp -d)
export JACK_DEFAULT_SERVER="stemdeck-stall-test-none-$$" JACK_NO_START_SERVER=1
# LeakSanitizer's exit check stops every thread with ptrace, and a thread asleep in a FUSE request
# never stops: the check would wait for ever (ASan builds only; the leak check runs everywhere else).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fails=0; passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       /'; }

FSPID=""
MNT=""
. "$(dirname "$0")/stallfs.sh"
cleanup() { stall_unmount; rm -rf "$WORK"; }
trap cleanup EXIT

# Where FUSE cannot run, say why and skip (exit 77); CI machines have /dev/fuse.
skip() { echo "SKIP: $1"; exit 77; }
[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
command -v fusermount3 >/dev/null || skip "fusermount3 is not installed (apt-get install fuse3)"

# mount MODE: a fresh StallFs at $MNT
mount_stall() {
  stall_mount "$FS" "$1" "$WORK/mnt-$1" "$WORK/fs-$1.log" ||
    skip "StallFs could not mount ($(cat "$WORK/fs-$1.log")): FUSE is not allowed here"
}

# run_until NAME MARKER SECONDS -- CMD… : starts CMD, waits until its output holds MARKER (or it
# ends), at most SECONDS; sets OUT (the output), TOOK (seconds to the answer), PID.
run_until() {
  local name=$1 marker=$2 limit=$3; shift 4
  local log=$WORK/$name.log start now
  start=$(date +%s.%N)
  "$@" >"$log" 2>&1 &
  PID=$!
  while :; do
    grep -q -- "$marker" "$log" && break
    kill -0 "$PID" 2>/dev/null || break
    now=$(date +%s.%N)
    awk -v s="$start" -v n="$now" -v l="$limit" 'BEGIN { exit !(n - s > l) }' && break
    sleep 0.1
  done
  now=$(date +%s.%N)
  TOOK=$(awk -v s="$start" -v n="$now" 'BEGIN { printf "%.1f", n - s }')
  OUT=$(cat "$log")
}

# finish: the filesystem goes (ending any request asleep in it); the command's exit status
finish() {
  stall_unmount
  wait "$PID"
  RC=$?
}

has() { case "$OUT" in *"$1"*) return 0 ;; esac; return 1; }

# The demo song, and the same song with the share's file as a seventh stem (a link to it, as a
# song folder on the laptop pointing at a share would be).
"$BIN" demo "$WORK/demo" >/dev/null || { fail "stemdeck demo"; exit 1; }
"$BIN" render "$WORK/demo" -o "$WORK/plain.wav" >/dev/null 2>&1 || { fail "render of the demo song"; exit 1; }
song() { # song MODE → $WORK/song-MODE: the demo's stems, and 07_Share.wav on the mount
  local d=$WORK/song-$1
  rm -rf "$d"
  mkdir -p "$d"
  for f in "$WORK"/demo/*; do ln -s "$f" "$d/"; done
  ln -s "$MNT/01_Stall.wav" "$d/07_Share.wav"
  echo "$d"
}
# peak DIFF between two renders over [from, from + len) seconds
peakdiff() {
  sox -m -v 1 "$1" -v -1 "$2" -n trim "$3" "$4" stat 2>&1 | awk '/Maximum amplitude/ {print $3}'
}
samples() { soxi -s "$1"; }

# --- late: 5.9 s of the file play, then its reads hang ----------------------------------------
mount_stall late
S=$(song late)
run_until check-late "Summary:" 60 -- "$BIN" check --io-timeout 2 "$S"
finish
if has "no answer from $S/07_Share.wav in 2 s" && has "Summary:" && [ "$RC" = 1 ]; then
  ok "late: check names the file that stopped answering, checks the rest, exits 1 (answer in $TOOK s)"
else fail "late: check (exit $RC, $TOOK s)" "$OUT"; fi
has "PLAYS, WITH ERRORS" && ok "late: check says the song plays (with errors): the other stems do" \
  || fail "late: check verdict" "$OUT"

mount_stall late
S=$(song late)
run_until render-late "rendered '" 90 -- "$BIN" render --io-timeout 2 "$S" -o "$WORK/late.wav"
finish
if [ "$RC" = 0 ] && has "no answer from $S/07_Share.wav" && has "rendered '"; then
  ok "late: render goes on without the file and says so (answer in $TOOK s)"
else fail "late: render (exit $RC, $TOOK s)" "$OUT"; fi
if [ -f "$WORK/late.wav" ]; then
  [ "$(samples "$WORK/late.wav")" -ge "$(samples "$WORK/plain.wav")" ] && ok "late: the render lasts the whole song" \
    || fail "late: $(samples "$WORK/late.wav") samples, the song has $(samples "$WORK/plain.wav")"
  # Before the stall the file's tone is in the mix; from 7 s on (past the stall and the ring's
  # 2.5 s) the mix is exactly the demo song: the other six stems never missed a frame.
  before=$(peakdiff "$WORK/late.wav" "$WORK/plain.wav" 1 4)
  after=$(peakdiff "$WORK/late.wav" "$WORK/plain.wav" 9 20)
  awk -v b="$before" 'BEGIN { exit !(b > 0.1) }' && ok "late: the file plays until it stops answering (tone at $before)" \
    || fail "late: the file's tone is missing before the stall ($before)"
  awk -v a="$after" 'BEGIN { exit !(a < 0.0001) }' && ok "late: after the stall the other stems play on, exactly (difference $after)" \
    || fail "late: after the stall the mix differs from the demo by $after"
else fail "late: no render written" "$OUT"; fi

# A jump past the stall (a cue is read into RAM when the song loads) must not hang the load.
mount_stall late
S=$(song late)
printf 'events:\n  - { time: 1.0, action: seek, value: 12.0 }\n  - { time: 3.0, action: stop }\n' >"$WORK/jump.yaml"
run_until render-cue "rendered '" 60 -- "$BIN" render --io-timeout 2 "$S" -o "$WORK/cue.wav" --events "$WORK/jump.yaml"
finish
if [ "$RC" = 0 ] && has "rendered '"; then
  ok "late: a cue past the stall does not hang the load; the jump plays the others (answer in $TOOK s)"
else fail "late: render with a jump past the stall (exit $RC, $TOOK s)" "$OUT"; fi

# --- read and stat: the file never gives its header ---------------------------------------------
for mode in read stat; do
  mount_stall "$mode"
  S=$(song "$mode")
  run_until "check-$mode" "Summary:" 60 -- "$BIN" check --io-timeout 2 "$S"
  finish
  if has "no answer from $S/07_Share.wav in 2 s" && has "Summary:" && has "Vox" && [ "$RC" = 1 ]; then
    ok "$mode: check names the file, checks the other stems, exits 1 (answer in $TOOK s)"
  else fail "$mode: check (exit $RC, $TOOK s)" "$OUT"; fi

  mount_stall "$mode"
  S=$(song "$mode")
  run_until "render-$mode" "rendered '" 60 -- "$BIN" render --io-timeout 2 "$S" -o "$WORK/$mode.wav"
  finish
  if [ "$RC" = 0 ] && has "no answer from $S/07_Share.wav" && has "This stem stays silent"; then
    ok "$mode: render leaves the file out, says so and plays the rest (answer in $TOOK s)"
  else fail "$mode: render (exit $RC, $TOOK s)" "$OUT"; fi
  if [ -f "$WORK/$mode.wav" ] && [ "$(samples "$WORK/$mode.wav")" = "$(samples "$WORK/plain.wav")" ] &&
     awk -v d="$(peakdiff "$WORK/$mode.wav" "$WORK/plain.wav" 0 66)" 'BEGIN { exit !(d < 0.0001) }'; then
    ok "$mode: the render is exactly the demo song"
  else fail "$mode: the render differs from the demo song" "$OUT"; fi
done

# --- list: the song's folder itself is on the share, and listing it hangs ------------------------
mount_stall list
cat >"$WORK/set.yaml" <<EOF
name: Share test
songs:
  - $MNT
  - demo
EOF
run_until check-list "Summary:" 60 -- "$BIN" check --io-timeout 2 "$WORK/set.yaml"
finish
if has "no answer from $MNT" && has "the song was not checked" && has "Vox" && [ "$RC" = 1 ]; then
  ok "list: check says the first song's folder does not answer and checks the next song (answer in $TOOK s)"
else fail "list: check of a set (exit $RC, $TOOK s)" "$OUT"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
