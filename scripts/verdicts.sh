#!/usr/bin/env bash
# How `stemdeck check`, `stemdeck render` and `stemdeck play` each treat a corpus of hostile but
# realistic song folders, as one Markdown table, so we can see that the three agree.
#   scripts/verdicts.sh [PATH/TO/stemdeck]     (default build/test/stemdeck)
#   STALLFS=PATH/TO/stemdeck_stallfs            (default: tests/stemdeck_stallfs next to stemdeck)
#   PLAY_SECS=4                                 (how long play runs before SIGTERM)
#   ONLY="text stall-late"                      (run only these cases; names as in the table)
#   KEEP=1                                      (keep the work folder: every command's output)
#
# Every case is the demo song (`stemdeck demo`: six 48 kHz 24-bit stems and a reference mix, 66 s,
# linked into the case's folder) plus ONE hostile seventh stem, 07_X.*, made with sox, ffmpeg,
# flac, head, mkfifo, ln; the stalled-share cases link 07_Share.wav to a file on a StallFs mount
# (tests/stall/StallFs.c) and run every command with --io-timeout 2. Play runs against a JACK
# server with the dummy driver that this script starts, for PLAY_SECS, then gets SIGTERM.
# A process with a thread asleep in a FUSE request cannot end until the request does, so for the
# stall cases each command's answer is read from its output first, then the FUSE daemon is killed
# (ending the request), then the exit status is collected.
# Needs: sox, soxi, ffmpeg (libmp3lame), flac, jackd, jack_wait, fusermount3 (stall cases only).
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build/test/stemdeck}")
[ -x "$BIN" ] || { echo "verdicts: no stemdeck at $BIN" >&2; exit 2; }
STALLFS=${STALLFS:-$(dirname "$BIN")/tests/stemdeck_stallfs}
PLAY_SECS=${PLAY_SECS:-4}
STALL_PLAY_SECS=${STALL_PLAY_SECS:-9}   # late: 5.9 s of the file, the ring's read-ahead, 2 s timeout
for tool in sox soxi ffmpeg flac jackd jack_wait; do
  command -v "$tool" >/dev/null || { echo "verdicts: $tool is not installed" >&2; exit 2; }
done

# LeakSanitizer's exit check stops every thread with ptrace; a thread asleep in a FUSE request never
# stops. Leaks are not what this script looks at.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
WORK=$(mktemp -d /tmp/stemdeck-verdicts.XXXXXX)
chmod 755 "$WORK"
export XDG_CONFIG_HOME=$WORK/config XDG_STATE_HOME=$WORK/state
export JACK_DEFAULT_SERVER="stemdeck-verdicts-$$" JACK_NO_START_SERVER=1
JACKPID=""
NOBODY_JACKPID=""
FSPID=""
MNT=""
RUNPID=""

. tests/stall/stallfs.sh
cleanup() {
  [ -n "$RUNPID" ] && kill -KILL "$RUNPID" 2>/dev/null
  stall_unmount
  [ -n "$JACKPID" ] && { kill "$JACKPID" 2>/dev/null; wait "$JACKPID" 2>/dev/null; }
  [ -n "$NOBODY_JACKPID" ] && { kill "$NOBODY_JACKPID" 2>/dev/null; wait "$NOBODY_JACKPID" 2>/dev/null; }
  if [ -n "${KEEP:-}" ]; then echo "verdicts: kept $WORK" >&2; return; fi
  chmod -R u+rwX "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_jack() {
  jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r 48000 -p 256 >>"$WORK/jackd.log" 2>&1 &
  JACKPID=$!
  jack_wait -w -t 10 >/dev/null 2>&1 || { echo "verdicts: jackd did not come up:" >&2; cat "$WORK/jackd.log" >&2; exit 2; }
}

# The unreadable case for real: root reads a chmod 000 file, so that case runs once more with every
# command (and a JACK server of its own) as the unprivileged user "nobody".
NOBODY=()
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
  mkdir -p "$WORK/nobody"
  chown nobody "$WORK/nobody"
  NOBODY=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups
          env HOME="$WORK/nobody" XDG_CONFIG_HOME="$WORK/nobody/config" XDG_STATE_HOME="$WORK/nobody/state"
          JACK_DEFAULT_SERVER="$JACK_DEFAULT_SERVER-nobody")
fi
start_nobody_jack() {
  [ -n "$NOBODY_JACKPID" ] && kill -0 "$NOBODY_JACKPID" 2>/dev/null && return 0
  "${NOBODY[@]}" jackd -n "$JACK_DEFAULT_SERVER-nobody" --no-realtime -d dummy -r 48000 -p 256 >>"$WORK/jackd-nobody.log" 2>&1 &
  NOBODY_JACKPID=$!
  "${NOBODY[@]}" jack_wait -w -t 10 >/dev/null 2>&1
}

# mount_stall MODE: a fresh StallFs at $MNT (0), or 1 where FUSE cannot run here.
FUSE_WHY=""
mount_stall() {
  stall_unmount
  [ -c /dev/fuse ] || { FUSE_WHY="no /dev/fuse"; return 1; }
  command -v fusermount3 >/dev/null || { FUSE_WHY="no fusermount3"; return 1; }
  [ -x "$STALLFS" ] || { FUSE_WHY="no StallFs at $STALLFS"; return 1; }
  stall_mount "$STALLFS" "$1" "$WORK/mnt-$1" "$WORK/fs-$1.log" || { FUSE_WHY="StallFs could not mount"; return 1; }
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v s="$1" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.1f", n - s }'; }

# run NAME MARKER LIMIT -- CMD…: starts CMD (output to $WORK/NAME.log) and waits until its output
# holds MARKER (empty: none), it ends, or LIMIT seconds pass. Then SNAP is its output so far, TOOK
# the seconds to that point. Still running: SIGTERM (play is meant to get it; check and render only
# when they hung), then the FUSE daemon goes (if any), then its exit status: RC, or "killed" when it
# did not end within 15 s of all that. OUT is its whole output.
run() {
  local name=$1 marker=$2 limit=$3; shift 4
  local log=$WORK/$name.log start t0 hung=""
  start=$(now)
  "$@" </dev/null >"$log" 2>&1 &
  RUNPID=$!
  while :; do
    [ -n "$marker" ] && grep -q -- "$marker" "$log" && break
    kill -0 "$RUNPID" 2>/dev/null || break
    awk -v s="$start" -v n="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(n - s > l) }' && { hung=1; break; }
    sleep 0.1
  done
  TOOK=$(since "$start")
  SNAP=$(cat "$log")
  kill -0 "$RUNPID" 2>/dev/null && [ -n "$hung" ] && kill -TERM "$RUNPID" 2>/dev/null
  stall_unmount
  t0=$(now)
  while kill -0 "$RUNPID" 2>/dev/null; do
    awk -v s="$t0" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n - s > 15) }' && break
    sleep 0.1
  done
  if kill -0 "$RUNPID" 2>/dev/null; then
    kill -KILL "$RUNPID" 2>/dev/null; wait "$RUNPID" 2>/dev/null; RC="killed"
  else
    wait "$RUNPID"; RC=$?
  fi
  RUNPID=""
  [ -n "$hung" ] && [ -z "$marker" ] && hung=""   # play: running at the end is what we want
  HUNG=$hung
  OUT=$(cat "$log")
}

# One line for a table cell: no case paths, no pipes, at most 80 characters.
cell() {
  local s=$1
  s=${s//"$WORK/cases/"/}
  s=${s//"$WORK/"/}
  s=$(printf '%s' "$s" | tr -s ' \t' '  ' | sed 's/^ *//; s/|/\\|/g')
  [ ${#s} -gt 80 ] && s="${s:0:77}..."
  printf '%s' "${s:--}"
}
# The line of TEXT about the hostile file (07_) that matters most: an error about it, else one
# saying it cannot be read or did not answer, else the first line naming it; with none, the first
# error or warning about anything else, marked "(not 07)".
about07() {
  local lines l
  lines=$(printf '%s\n' "$1" | grep -v -e '^ *fix:' -e '^Summary:')
  l=$(printf '%s\n' "$lines" | grep -E 'error: .*07_' | head -1)
  [ -z "$l" ] && l=$(printf '%s\n' "$lines" | grep -E '07_' | grep -iE 'no answer|cannot|silent|not an|truncat|cut off' | head -1)
  [ -z "$l" ] && l=$(printf '%s\n' "$lines" | grep -E '07_' | head -1)
  [ -z "$l" ] && { l=$(printf '%s\n' "$lines" | grep -iE 'error|warning|cannot|no answer|failed' | head -1); [ -n "$l" ] && l="(not 07) $l"; }
  printf '%s' "$l"
}

# --- the corpus ------------------------------------------------------------------------------------
echo "verdicts: building the corpus in $WORK ..." >&2
"$BIN" demo "$WORK/demo" >/dev/null 2>&1 || { echo "verdicts: stemdeck demo failed" >&2; exit 2; }
SRC=$WORK/src
mkdir -p "$SRC" "$WORK/cases" "$WORK/out"
chmod 755 "$WORK/demo" "$WORK/cases"
chmod 644 "$WORK"/demo/*
chmod 1777 "$WORK/out"
# A 66 s stereo tone at -30 dBFS (quiet enough not to make the mix clip), the demo's length and format.
sox -q -n -r 48000 -c 2 -b 24 "$SRC/tone.wav" synth 66 sine 330 gain -30
half() { head -c $(($(stat -c %s "$1") / 2)) "$1"; }

# newcase NAME: a folder with the demo's files linked in; prints its path.
newcase() {
  local d=$WORK/cases/$1
  mkdir -p "$d"
  for f in "$WORK"/demo/*; do ln -s "$f" "$d/"; done
  echo "$d"
}

CASES=()     # names, in order
declare -A DESC FILE STALL ASNOBODY
addcase() { CASES+=("$1"); DESC[$1]=$2; FILE[$1]=$3; STALL[$1]=${4:-}; ASNOBODY[$1]=${5:-}; }

D=$(newcase control);       addcase control "none (the demo song as it is)" "-"
D=$(newcase text);          echo "This is not audio, it is a note from the bass player." >"$D/07_X.wav"
                            addcase text "text file named .wav" 07_X.wav
D=$(newcase empty);         : >"$D/07_X.wav";  addcase empty "zero-byte .wav" 07_X.wav
D=$(newcase wav-cut);       half "$SRC/tone.wav" >"$D/07_X.wav"; addcase wav-cut "WAV cut off half way (head -c)" 07_X.wav
flac -s -f -o "$SRC/tone.flac" "$SRC/tone.wav"
D=$(newcase flac-cut);      half "$SRC/tone.flac" >"$D/07_X.flac"; addcase flac-cut "FLAC cut off half way (head -c)" 07_X.flac
D=$(newcase flac-nocount)
sox -q "$SRC/tone.wav" -b 16 -t raw - |
  flac -s --force-raw-format --endian=little --sign=signed --channels=2 --bps=16 --sample-rate=48000 - >"$D/07_X.flac"
                            addcase flac-nocount "FLAC with no sample count (raw from a pipe)" 07_X.flac
D=$(newcase fifo);          mkfifo "$D/07_X.wav"; addcase fifo "named pipe (mkfifo)" 07_X.wav
D=$(newcase devzero);       ln -s /dev/zero "$D/07_X.wav"; addcase devzero "symlink to /dev/zero" 07_X.wav
D=$(newcase dangling);      ln -s "$WORK/gone/07_X.wav" "$D/07_X.wav"; addcase dangling "dangling symlink" 07_X.wav
D=$(newcase dir);           mkdir "$D/07_X.wav"; addcase dir "directory named 07_X.wav" 07_X.wav
D=$(newcase ch5);           sox -q -n -r 48000 -c 5 -b 24 "$D/07_X.wav" synth 66 sine 330 gain -30
                            addcase ch5 "5-channel WAV" 07_X.wav
D=$(newcase unreadable);    cp "$SRC/tone.wav" "$D/07_X.wav"; chmod 000 "$D/07_X.wav"
                            addcase unreadable "chmod 000 WAV (run as uid $(id -u))" 07_X.wav
if [ ${#NOBODY[@]} -gt 0 ]; then
  D=$(newcase unreadable-nobody); cp "$SRC/tone.wav" "$D/07_X.wav"; chmod 000 "$D/07_X.wav"
                            addcase unreadable-nobody "chmod 000 WAV, all three run as nobody" 07_X.wav "" 1
fi
D=$(newcase rate441);       sox -q "$SRC/tone.wav" -r 44100 "$D/07_X.wav"; addcase rate441 "WAV at 44.1 kHz (others 48 kHz)" 07_X.wav
D=$(newcase bit8);          sox -q "$SRC/tone.wav" -b 8 "$D/07_X.wav"; addcase bit8 "8-bit WAV" 07_X.wav
D=$(newcase float64);       sox -q "$SRC/tone.wav" -e floating-point -b 64 "$D/07_X.wav"; addcase float64 "64-bit float WAV" 07_X.wav
D=$(newcase aifc);          sox -q "$SRC/tone.wav" -b 16 -t aifc "$D/07_X.aifc"; addcase aifc "AIFF-C" 07_X.aifc
D=$(newcase adpcm);         sox -q "$SRC/tone.wav" -e ima-adpcm "$D/07_X.wav"; addcase adpcm "IMA ADPCM WAV" 07_X.wav
D=$(newcase mp3)
ffmpeg -v error -y -i "$SRC/tone.wav" -c:a libmp3lame -b:a 192k "$D/07_X.mp3" </dev/null
                            addcase mp3 "MP3 (192k)" 07_X.mp3
for mode in read late stat; do
  D=$(newcase "stall-$mode")
  ln -s "$WORK/mnt-$mode/01_Stall.wav" "$D/07_Share.wav"   # the mount comes up per command
  addcase "stall-$mode" "share stalls (StallFs --stall=$mode), --io-timeout 2" 07_Share.wav "$mode"
done

# --- run ---------------------------------------------------------------------------------------------
start_jack
ROWS=()
for c in "${CASES[@]}"; do
  if [ -n "${ONLY:-}" ]; then case " $ONLY " in *" $c "*) ;; *) continue ;; esac; fi
  echo "verdicts: $c ..." >&2
  D=$WORK/cases/$c
  mode=${STALL[$c]}
  opts=()
  [ -n "$mode" ] && opts=(--io-timeout 2)
  as=()
  [ -n "${ASNOBODY[$c]}" ] && { as=("${NOBODY[@]}"); start_nobody_jack; }
  skipped=""

  # check
  if [ -n "$mode" ] && ! mount_stall "$mode"; then skipped=$FUSE_WHY; fi
  if [ -z "$skipped" ]; then
    run "$c-check" "Summary:" 60 -- "${as[@]}" "$BIN" "${opts[@]}" check "$D"
    verdict=$(printf '%s\n' "$SNAP" | grep -E '^Song 1/1: ' | head -1 | sed 's/.* - //')
    [ -n "$HUNG" ] && verdict="no answer in $TOOK s"
    check_cell="$(cell "${verdict:-?}") (exit $RC, $TOOK s)"
    check_msg=$(cell "$(about07 "$SNAP")")
  fi

  # render
  [ -n "$mode" ] && [ -z "$skipped" ] && { mount_stall "$mode" || skipped=$FUSE_WHY; }
  if [ -z "$skipped" ]; then
    rm -f "$WORK/out/$c.wav"
    run "$c-render" "rendered '" 60 -- "${as[@]}" "$BIN" "${opts[@]}" render "$D" -o "$WORK/out/$c.wav"
    if [ -s "$WORK/out/$c.wav" ]; then
      written="written, $(soxi -s "$WORK/out/$c.wav" 2>/dev/null || echo '?') samples"
    else written="no file"; fi
    [ -n "$HUNG" ] && written="$written; no answer in $TOOK s"
    render_cell="exit $RC, $written ($TOOK s)"
    render_msg=$(cell "$(about07 "$SNAP")")
  fi

  # play
  [ -n "$mode" ] && [ -z "$skipped" ] && { mount_stall "$mode" || skipped=$FUSE_WHY; }
  if [ -z "$skipped" ]; then
    kill -0 "$JACKPID" 2>/dev/null || { echo "verdicts: jackd had gone; restarting it" >&2; start_jack; }
    secs=$PLAY_SECS
    [ -n "$mode" ] && secs=$STALL_PLAY_SECS
    run "$c-play" "" "$secs" -- "${as[@]}" "$BIN" "${opts[@]}" play "$D" --driver jack --no-keys --journal ""
    # Started: it named the song and was still playing when it got SIGTERM.
    if printf '%s\n' "$SNAP" | grep -q 'song 1/1:' && ! printf '%s\n' "$SNAP" | grep -q 'stopped in song'; then
      at=$(printf '%s\n' "$OUT" | grep -o 'stopped in song 1 at [0-9.]* s' | head -1 | sed 's/.* at //')
      ur=$(printf '%s\n' "$OUT" | grep -o 'underruns [0-9]*' | head -1)
      started="yes${at:+, stopped at $at}${ur:+, $ur}"
    else
      started="NO"
    fi
    play_cell="$started (exit $RC)"
    play_msg=$(cell "$(about07 "$SNAP")")
  fi

  if [ -n "$skipped" ]; then
    ROWS+=("| $c | ${DESC[$c]} | skipped: $skipped | | | | | |")
  else
    ROWS+=("| $c | ${DESC[$c]} | $check_cell | $check_msg | $render_cell | $render_msg | $play_cell | $play_msg |")
  fi
done

echo "stemdeck $("$BIN" --version 2>/dev/null | head -1); demo song + one hostile 07_ stem per case; play: JACK dummy, ${PLAY_SECS} s (stalls ${STALL_PLAY_SECS} s), then SIGTERM"
echo
echo "| case | the 07 file | check verdict | check: first line about 07 | render | render: line about 07 | play started? | play: line about 07 |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
