#!/usr/bin/env bash
# End-to-end checks of the stemdeck command line: help, the demo, and every kind of bad input
# giving one clear message that names the file, a non-zero exit, and no output file left behind.
#   cli_test.sh PATH/TO/stemdeck
set -u
BIN=${1:?usage: cli_test.sh PATH/TO/stemdeck}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export JACK_DEFAULT_SERVER="stemdeck-cli-test-none-$$" JACK_NO_START_SERVER=1
fails=0; passes=0

ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; }

# expect_error NAME EXPECTED_SUBSTRING OUTFILE -- ARGS…  : exit 1, message, no output or .partial
expect_error() {
  local name=$1 want=$2 out=$3; shift 4
  local msg rc
  msg=$("$BIN" "$@" 2>&1); rc=$?
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, expected 1" "$msg"; return; fi
  case "$msg" in *"$want"*) ;; *) fail "$name: message lacks '$want'" "$msg"; return ;; esac
  if [ -n "$out" ] && { [ -e "$out" ] || [ -e "$out.partial" ]; }; then fail "$name: left $out behind"; return; fi
  ok "$name"
}

# expect_cut_render NAME OUTFILE SAMPLES -- ARGS… : a song with a cut-off stem renders as play plays it
# (exit 0, the whole length, a warning naming the cut, what there is, then silence: the last
# half second silent, the first not).
expect_cut_render() {
  local name=$1 out=$2 samples=$3; shift 4
  local msg rc
  msg=$("$BIN" "$@" 2>&1); rc=$?
  if [ "$rc" -ne 0 ]; then fail "$name: exit $rc, expected 0 (render plays what there is, as play does)" "$msg"; return; fi
  case "$msg" in *"warning: "*"the file is cut off"*"what there is, then silence"*) ;;
    *) fail "$name: no warning naming the cut" "$msg"; return ;; esac
  [ "$(soxi -s "$out")" = "$samples" ] || { fail "$name: $(soxi -s "$out") samples, expected $samples"; return; }
  local head tail
  head=$(sox "$out" -n trim 0 0.5 stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
  tail=$(sox "$out" -n reverse trim 0 0.5 stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
  if awk -v h="$head" -v t="$tail" 'BEGIN { exit !(h > 0.1 && t == 0) }'; then ok "$name"
  else fail "$name: expected sound, then silence (first 0.5 s peak $head, last 0.5 s peak $tail)"; fi
}

# expect_cut_check NAME WANT -- ARGS… : check calls a cut-off stem an error (exit 1) naming WANT, and
# says the song plays (with errors), never that it cannot play.
expect_cut_check() {
  local name=$1 want=$2; shift 3
  local msg rc
  msg=$("$BIN" "$@" 2>&1); rc=$?
  case "$msg" in *"CANNOT PLAY"*|*"0 of 1 songs can play"*) fail "$name: says a song that plays cannot play" "$msg"; return ;; esac
  case "$msg" in *"PLAYS, WITH ERRORS"*"$want"*"the file is cut off"*"The set plays, but not all of it as delivered"*)
      [ $rc -eq 1 ] && ok "$name" || fail "$name: exit $rc, expected 1 (an error)" "$msg" ;;
    *) fail "$name" "$msg" ;; esac
}

# --- help ------------------------------------------------------------------------------------
h=$("$BIN" --help 2>&1)
case "$h" in *render*play*demo*) ok "--help lists the commands" ;; *) fail "--help" "$h" ;; esac
h=$("$BIN" render --help 2>&1)
case "$h" in *--events*--block*--float*) ok "render --help lists its options" ;; *) fail "render --help" "$h" ;; esac

# --- the demo, rendered, equals its own reference mix ----------------------------------------
"$BIN" demo "$WORK/demo" >/dev/null || fail "demo generation"
[ -f "$WORK/demo/01_Drums.wav" ] && [ -f "$WORK/demo/00_MIX_REFERENCE.wav" ] && grep -q "BPM: 120" "$WORK/demo/readme.txt" \
  && ok "demo writes stems, reference mix and readme" || fail "demo files"
again=$("$BIN" demo "$WORK/demo"); case "$again" in *"already"*) ok "demo is not rewritten" ;; *) fail "demo rewrite" "$again" ;; esac
if "$BIN" render "$WORK/demo" -o "$WORK/demo.wav" >/dev/null; then
  info=$(soxi "$WORK/demo.wav")
  case "$info" in *"Channels       : 2"*"Sample Rate    : 48000"*"Precision      : 24-bit"*) ok "render writes 24-bit stereo at the stems' rate" ;;
    *) fail "render format" "$info" ;; esac
  [ "$(soxi -s "$WORK/demo.wav")" = "$(soxi -s "$WORK/demo/01_Drums.wav")" ] && ok "render lasts as long as the stems" \
    || fail "render length $(soxi -s "$WORK/demo.wav") vs $(soxi -s "$WORK/demo/01_Drums.wav")"
  # The engine's sum of the six 24-bit stems against the reference mix: only 24-bit rounding apart.
  diffmax=$(sox -m -v 1 "$WORK/demo.wav" -v -1 "$WORK/demo/00_MIX_REFERENCE.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
  awk -v d="$diffmax" 'BEGIN { exit !(d < 0.00001) }' && ok "rendered demo matches 00_MIX_REFERENCE.wav (max diff $diffmax)" \
    || fail "render differs from the reference mix by $diffmax"
else
  fail "render of the demo"
fi
"$BIN" render "$WORK/demo" -o "$WORK/demo-float.wav" --float --block 333 >/dev/null && \
  [ "$(soxi -e "$WORK/demo-float.wav")" = "Floating Point PCM" ] && ok "--float writes 32-bit float" || fail "--float"

# --- set files and check ---------------------------------------------------------------------
SETS=$(cd "$(dirname "$0")/../../sets" && pwd)
printf 'song:\n  - demo\n' > "$WORK/typo.yaml"
cp "$SETS/demo.yaml" "$SETS/example.yaml" "$WORK/"
for f in demo example; do
  out=$("$BIN" check "$WORK/$f.yaml" 2>&1); rc=$?
  case "$out" in *"Song 1/1"*"The set can play."*) [ "$rc" -eq 0 ] && ok "check: sets/$f.yaml can play (exit 0)" || fail "check $f: exit $rc" "$out" ;;
    *) fail "check sets/$f.yaml" "$out" ;; esac
done
out=$("$BIN" check "$WORK/demo" --json 2>&1); rc=$?
case "$out" in '{"source":'*'"can_play":true'*'"peak_dbfs":'*) [ "$rc" -eq 0 ] && ok "check --json" ;; *) fail "check --json: exit $rc" "$out" ;; esac
cat > "$WORK/quiet.yaml" <<YAML
songs:
  - folder: demo
    start: { mute: [Drums, Bass, Chords, Lead, FX, Vox] }
YAML
if "$BIN" render "$WORK/quiet.yaml" -o "$WORK/quiet.wav" >/dev/null 2>&1; then
  peak=$(sox "$WORK/quiet.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
  [ "$peak" = "0.000000" ] && ok "render of a set file applies the song's start state (all muted: silent)" \
    || fail "start state: peak $peak"
else
  fail "render of a set file"
fi
# --- tempo and key (Rubber Band): a 4 s 440 Hz song, made by sox, not by stemdeck ------------
mkdir -p "$WORK/tone"
sox -n -r 48000 -c 2 -b 24 "$WORK/tone/01_Keys.wav" synth 4 sine 440 gain -6 2>/dev/null
echo "BPM: 120" > "$WORK/tone/readme.txt"
"$BIN" render "$WORK/tone" --tempo 80% -o "$WORK/t80.wav" >/dev/null 2>&1 && [ "$(soxi -s "$WORK/t80.wav")" = 240000 ] \
  && ok "render --tempo 80%: 4 s last 5 s, to the frame" || fail "render --tempo 80%: $(soxi -s "$WORK/t80.wav" 2>&1)"
"$BIN" render "$WORK/tone" --tempo 96bpm -o "$WORK/t96.wav" >/dev/null 2>&1 && [ "$(soxi -s "$WORK/t96.wav")" = 240000 ] \
  && ok "render --tempo 96bpm of a 120 BPM song is 80%" || fail "render --tempo 96bpm: $(soxi -s "$WORK/t96.wav" 2>&1)"
if "$BIN" render "$WORK/tone" --transpose -2 -o "$WORK/tm2.wav" >/dev/null 2>&1; then
  # sox's own estimate of the frequency (zero crossings): 440 Hz two semitones down is 392.0 Hz.
  hz=$(sox "$WORK/tm2.wav" -n remix 1 trim 1 2 stat 2>&1 | awk '/Rough   frequency/ {print $3}')
  [ "$(soxi -s "$WORK/tm2.wav")" = 192000 ] && awk -v f="$hz" 'BEGIN { exit !(f > 389 && f < 395) }' \
    && ok "render --transpose -2: 440 Hz plays at $hz Hz, as long as before" || fail "render --transpose -2: $hz Hz"
else
  fail "render --transpose -2"
fi
cat > "$WORK/tempo.yaml" <<YAML
songs:
  - { folder: tone, tempo: 96 BPM, transpose: +30 c }
YAML
"$BIN" render "$WORK/tempo.yaml" -o "$WORK/tset.wav" >/dev/null 2>&1 && [ "$(soxi -s "$WORK/tset.wav")" = 240000 ] \
  && ok "render of a set file takes its tempo: and transpose:" || fail "set file tempo: $(soxi -s "$WORK/tset.wav" 2>&1)"
msg=$("$BIN" render "$WORK/tone" --tempo 80 -o "$WORK/t.wav" 2>&1); rc=$?
case "$msg" in *"'80' is not a tempo: write 80% or 112bpm"*) [ "$rc" -ne 0 ] && [ ! -e "$WORK/t.wav" ] && ok "--tempo 80 is refused, saying how to write it" || fail "--tempo 80: exit $rc" ;;
  *) fail "--tempo 80" "$msg" ;; esac
echo "songs: [ { folder: tone, tempo: 300 BPM } ]" > "$WORK/fast.yaml"
expect_error "tempo out of range" "tempo 300 BPM is 250% of the song's 120 BPM; stemdeck plays a song at 50% to 200%" \
  "$WORK/t.wav" -- render "$WORK/fast.yaml" -o "$WORK/t.wav"
echo "songs: [ { folder: tone, transpose: down } ]" > "$WORK/down.yaml"
expect_error "transpose not a number" "down.yaml:1:37: transpose 'down' is not a transposition" \
  "$WORK/t.wav" -- render "$WORK/down.yaml" -o "$WORK/t.wav"
cat > "$WORK/badset.yaml" <<YAML
name: Bad
songs:
  - demo
  - nope
YAML
out=$("$BIN" play "$WORK/badset.yaml" 2>&1); rc=$?
case "$out" in *"song 2 cannot play: $WORK/badset.yaml:4:5: 'nope' does not exist"*) ok "play names the set's song that cannot play" ;;
  *) fail "play with a bad song in the set: exit $rc" "$out" ;; esac
out=$("$BIN" check "$WORK/badset.yaml" 2>&1); rc=$?
case "$out" in *"CANNOT PLAY"*"1 of 2 songs can play"*) [ "$rc" -eq 1 ] && ok "check: a set with a bad song exits 1" || fail "check badset exit $rc" ;;
  *) fail "check badset" "$out" ;; esac
expect_error "set file with a typo" "typo.yaml:1:1: unknown key 'song' in the set file (did you mean 'songs'?)" "" \
  -- play "$WORK/typo.yaml"
# Tonight's running order: check --order and play --order say what is wrong, where, and how to fix it.
printf 'order:\n  - 1\n  - 3\n' > "$WORK/tonight.order.yaml"
out=$("$BIN" check "$WORK/badset.yaml" --order "$WORK/tonight.order.yaml" 2>&1); rc=$?
case "$out" in *"tonight.order.yaml:3:5: there is no song 3; the set has 2"*"fix the running order file"*)
  [ "$rc" -eq 1 ] && ok "check --order: a song the set lacks, at its line, exit 1" || fail "check --order: exit $rc" "$out" ;;
  *) fail "check --order" "$out" ;; esac
expect_error "play --order: a song the set lacks" "tonight.order.yaml:3:5: there is no song 3; the set has 2" "" \
  -- play "$WORK/badset.yaml" --order "$WORK/tonight.order.yaml"
printf 'order: [ { song: 1, skiped: true } ]\n' > "$WORK/typo.order.yaml"
expect_error "play --order: a typo" "typo.order.yaml:1:21: unknown key 'skiped' in a song of the running order (did you mean 'skipped'?)" "" \
  -- play "$WORK/badset.yaml" --order "$WORK/typo.order.yaml"

# --- bad input -------------------------------------------------------------------------------
expect_error "missing folder" "$WORK/nowhere: no such folder" "$WORK/o1.wav" -- render "$WORK/nowhere" -o "$WORK/o1.wav"
mkdir -p "$WORK/empty"
expect_error "folder without stems" "no stems found" "$WORK/o2.wav" -- render "$WORK/empty" -o "$WORK/o2.wav"

cp -r "$WORK/demo" "$WORK/broken"; echo "not audio" > "$WORK/broken/03_Chords.wav"
# A stem that cannot be read: render is play offline (the stem silent, play's warning, the others
# play: exit 0, the whole song); check calls it an error (exit 1) in a song that PLAYS, WITH ERRORS.
msg=$("$BIN" render "$WORK/broken" -o "$WORK/o3.wav" 2>&1); rc=$?
if [ "$rc" = 0 ] && [ "$(soxi -s "$WORK/o3.wav" 2>/dev/null)" = "$(soxi -s "$WORK/demo/01_Drums.wav")" ]; then
  case "$msg" in *"warning: "*"03_Chords.wav: cannot read as audio"*"This stem stays silent; the other stems play"*)
    ok "render of a song with a non-audio stem plays the others, the stem silent, with play's warning" ;;
    *) fail "render of a non-audio stem: no warning naming it" "$msg" ;; esac
else fail "render of a non-audio stem: exit $rc" "$msg"; fi
msg=$("$BIN" check "$WORK/broken" 2>&1); rc=$?
case "$msg" in *"PLAYS, WITH ERRORS"*"03_Chords.wav: cannot read as audio"*)
  [ "$rc" = 1 ] && ok "check of a non-audio stem: an error (exit 1), the song PLAYS, WITH ERRORS" \
    || fail "check of a non-audio stem: exit $rc" "$msg" ;;
  *) fail "check of a non-audio stem: verdict" "$msg" ;; esac

mkdir -p "$WORK/rates"; cp "$WORK/demo/01_Drums.wav" "$WORK/rates/"
sox -n -r 44100 -c 2 -b 24 "$WORK/rates/02_Bass.wav" synth 1 sine 55
msg=$("$BIN" render "$WORK/rates" -o "$WORK/o4.wav" 2>&1); rc=$?
case "$msg" in *"02_Bass.wav: sample rate 44100 Hz, but 01_Drums.wav is 48000 Hz; resampled to 48000 Hz"*)
  [ "$rc" -eq 0 ] && [ "$(soxi -r "$WORK/o4.wav")" = 48000 ] && ok "mixed sample rates: resampled, with a warning naming both" \
    || fail "mixed rates: exit $rc" "$msg" ;;
  *) fail "mixed rates: no warning" "$msg" ;; esac
if "$BIN" render "$WORK/demo" -o "$WORK/o5.wav" --rate 44100 >/dev/null 2>&1; then
  want=$(( $(soxi -s "$WORK/demo/01_Drums.wav") * 147 / 160 ))
  [ "$(soxi -r "$WORK/o5.wav")" = 44100 ] && [ "$(soxi -s "$WORK/o5.wav")" = "$want" ] \
    && ok "--rate 44100 renders the 48 kHz demo resampled, the same length in time" || fail "--rate 44100: $(soxi "$WORK/o5.wav")"
else
  fail "--rate 44100 render"
fi

printf 'events:\n  - { time: 1.0, action: mute, stem: drums }\n  - { time: 2.0, action: mutte, stem: bass }\n' > "$WORK/typo.yaml"
expect_error "events typo" "$WORK/typo.yaml:3:26: unknown action 'mutte' (did you mean 'mute'?)" "$WORK/o6.wav" -- render "$WORK/demo" -o "$WORK/o6.wav" --events "$WORK/typo.yaml"
printf 'events:\n  - { time: 1.0, action: mute, stem: drumz }\n' > "$WORK/stem.yaml"
expect_error "unknown stem" "no stem 'drumz' (did you mean 'Drums'?)" "$WORK/o7.wav" -- render "$WORK/demo" -o "$WORK/o7.wav" --events "$WORK/stem.yaml"
printf 'events: [ {time: 1\n' > "$WORK/bad.yaml"
expect_error "events not YAML" "bad.yaml:" "$WORK/o8.wav" -- render "$WORK/demo" -o "$WORK/o8.wav" --events "$WORK/bad.yaml"
expect_error "--song beyond a folder" "a stem folder holds one song" "$WORK/o9.wav" -- render "$WORK/demo" -o "$WORK/o9.wav" --song 2
expect_error "unwritable output" "cannot write" "" -- render "$WORK/demo" -o "$WORK/no/such/dir/out.wav"
expect_error "file given as SOURCE" "give the folder" "$WORK/o10.wav" -- render "$WORK/demo/01_Drums.wav" -o "$WORK/o10.wav"

# --- an events file changes the render ---------------------------------------------------------
printf 'events:\n  - { time: 0, action: mute, stem: drums }\n  - { time: 0, action: mute, stem: bass }\n  - { time: 0, action: mute, stem: chords }\n  - { time: 0, action: mute, stem: lead }\n  - { time: 0, action: mute, stem: fx }\n  - { time: 0, action: mute, stem: vox }\n  - { time: 10, action: stop }\n' > "$WORK/allmuted.yaml"
if "$BIN" render "$WORK/demo" -o "$WORK/muted.wav" --events "$WORK/allmuted.yaml" >/dev/null; then
  # The mutes fade over 5 ms from frame 0 (the first kick is heard that long); silent after.
  peak=$(sox "$WORK/muted.wav" -n trim 0.005 stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
  len=$(soxi -s "$WORK/muted.wav")
  [ "$peak" = "0.000000" ] && [ "$len" = "480480" ] && ok "muted at frame 0, stopped at 10 s: silent after the mute fade, ends after the 10 ms stop fade ($len frames)" \
    || fail "all-muted render: peak $peak, $len frames"
else
  fail "render with events"
fi

# --- play without an audio device ----------------------------------------------------------------
msg=$("$BIN" play "$WORK/demo" 2>&1); rc=$?
if grep -q '^ *[0-9]' /proc/asound/cards 2>/dev/null; then
  [ "$rc" -eq 0 ] && ok "play on this machine's sound card" || fail "play with a sound card: exit $rc" "$msg"
else
  [ "$rc" -eq 69 ] && case "$msg" in *"no audio output device"*) true ;; *) false ;; esac \
    && ok "play with no audio device: exit 69 and says so" || fail "play without device: exit $rc" "$msg"
fi
expect_error "play on a missing JACK server" "no JACK server running (start one" "" -- play "$WORK/demo" --driver jack
expect_error "play with a missing device" "no device matching 'nosuchcard'" "" -- play "$WORK/demo" --device nosuchcard
expect_error "play with the click on the main pair" "the click (outputs 2-3) overlaps the main mix (outputs 1-2)" "" \
  -- play "$WORK/demo" --click 2
expect_error "play with a malformed --stem-out" "write STEM=OUTPUT" "" -- play "$WORK/demo" --stem-out drums
expect_error "play with a missing song folder" "$WORK/nope: no such folder" "" -- play "$WORK/demo" "$WORK/nope"
# A set naming a controller mapping that is not there: check and play both refuse it, in the same words.
printf 'controller: nosuch.yaml\nsongs:\n  - demo\n' > "$WORK/ctl.yaml"
expect_error "check of a set whose controller mapping is missing" "the set's controller mapping does not exist" "" \
  -- check "$WORK/ctl.yaml"
expect_error "play of a set whose controller mapping is missing" "the set's controller mapping does not exist" "" \
  -- play "$WORK/ctl.yaml"
h=$("$BIN" play --help 2>&1)
case "$h" in *--client-name*--click*--stem-out*--count-in*--at-end*) ok "play --help lists routing and flow options" ;;
  *) fail "play --help" "$h" ;; esac
msg=$("$BIN" devices 2>&1); rc=$?
case "$msg" in *"JACK (--driver jack): no JACK server running"*) [ "$rc" -eq 0 ] && ok "devices lists the device types" ;;
  *) fail "devices: exit $rc" "$msg" ;; esac
# Where there is no ALSA sequencer (no /dev/snd/seq, as on these machines) and no JACK server: one
# line of stemdeck's own for each, not alsa-lib's and RtMidi's raw lines ("ALSA lib seq_hw.c…",
# "MidiInAlsa::initialize…", "MidiInJack::initialize: JACK server not running?").
case "$msg" in *"ALSA lib"*|*"MidiInAlsa"*|*"MidiInJack"*) fail "devices prints the libraries' own noise" "$msg" ;;
  *) ok "devices prints no library noise, only its own lines" ;; esac
if [ ! -e /dev/snd/seq ]; then
  case "$msg" in *"ALSA sequencer: (unavailable: no ALSA sequencer on this machine"*) ok "devices says there is no ALSA sequencer, and the fix" ;;
    *) fail "devices: no word of the missing ALSA sequencer" "$msg" ;; esac
fi

# --- Files made by other tools: the length is what decodes ------------------------------------
# A FLAC from ffmpeg written to a pipe (its STREAMINFO leaves the sample count unset) renders at
# its real length; a copy cut off halfway renders as play plays it (what there is, then silence,
# with a warning), and check calls it an error in a song that plays.
mkdir -p "$WORK/nocount" "$WORK/cutoff"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=4:sample_rate=48000" -f flac - > "$WORK/nocount/01_Tone.flac"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=4:sample_rate=48000" "$WORK/full.flac" # seekable: count written
head -c $(( $(stat -c %s "$WORK/full.flac") / 2 )) "$WORK/full.flac" > "$WORK/cutoff/01_Tone.flac"
msg=$("$BIN" render "$WORK/nocount" -o "$WORK/nocount.wav" 2>&1) && [ "$(soxi -s "$WORK/nocount.wav")" = 192000 ] \
  && ok "a FLAC with no sample count renders at the length it decodes to (4 s)" || fail "FLAC with no sample count" "$msg"
expect_cut_render "render of a cut-off FLAC plays what there is, then silence, with play's warning" "$WORK/cutoff.wav" 192000 \
  -- render "$WORK/cutoff" -o "$WORK/cutoff.wav"
expect_cut_check "check calls a cut-off FLAC an error naming both lengths, and the song one that plays" \
  "declares 0:04.0, holds 0:0" -- check "$WORK/cutoff"

# A WAV cut off by a copy (sox wrote it whole; its data chunk still declares 2 s): libsndfile reads
# what is there, but the length is what the chunk declares, so check calls it cut off and render
# plays it as play does, as for the FLAC.
mkdir -p "$WORK/cutwav"
sox -n -b 24 -r 48000 -c 2 "$WORK/whole.wav" synth 2 sine 440 vol 0.5
head -c 200000 "$WORK/whole.wav" > "$WORK/cutwav/01_Tone.wav"
expect_cut_check "check calls a cut-off WAV an error naming both lengths, and the song one that plays" \
  "declares 0:02.0, holds 0:00.7" -- check "$WORK/cutwav"
expect_cut_render "render of a cut-off WAV plays what there is, then silence" "$WORK/cutwav.wav" 96000 \
  -- render "$WORK/cutwav" -o "$WORK/cutwav.wav"
msg=$("$BIN" render "$WORK/demo" -o "$WORK/pipe-src.wav" >/dev/null 2>&1; ffmpeg -nostdin -v error -i "$WORK/pipe-src.wav" -f wav - 2>/dev/null > "$WORK/piped.wav"; mkdir -p "$WORK/piped"; mv "$WORK/piped.wav" "$WORK/piped/01_Mix.wav"; "$BIN" check "$WORK/piped" 2>&1); rc=$?
case "$msg" in *"cut off"*) fail "a WAV written to a pipe (its sizes unset) is taken for cut off" "$msg" ;;
  *) [ $rc -eq 0 ] && ok "a WAV written to a pipe (its sizes left unset) is not taken for cut off" || fail "check of a piped WAV: exit $rc" "$msg" ;; esac

# --- Native Instruments stem files -------------------------------------------------------------
# A master and two stems (220 / 330 Hz) as AAC tracks, made with the ffmpeg tool.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=2:sample_rate=48000" -f lavfi -i "sine=f=330:d=2:sample_rate=48000" \
  -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[m]" -map "[m]" -map 0:a -map 1:a -c:a aac -b:a 256k \
  -metadata:s:a:1 handler_name=Keys -f mp4 "$WORK/Two.stem.mp4" || fail "ffmpeg could not make a stem file"
msg=$("$BIN" render "$WORK/Two.stem.mp4" -o "$WORK/two.wav" 2>&1) && [ "$(soxi -s "$WORK/two.wav")" = 96000 ] \
  && ok "render plays a .stem.mp4 (its two stems, 2 s)" || fail "render of a stem file" "$msg"
msg=$("$BIN" check "$WORK/Two.stem.mp4" 2>&1)
case "$msg" in *"Keys"*"MP4 AAC (track 1)"*"stems summed against the master"*) ok "check lists a stem file's tracks and their sum" ;;
  *) fail "check of a stem file" "$msg" ;; esac
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=1" -c:a aac -f mp4 "$WORK/Plain.stem.mp4"
expect_error "render of an MP4 with one audio track" "Plain.stem.mp4: one audio track, so it is a plain MP4" \
  "$WORK/plain.wav" -- render "$WORK/Plain.stem.mp4" -o "$WORK/plain.wav"
head -c 20000 "$WORK/Two.stem.mp4" > "$WORK/Cut.stem.mp4"
expect_error "render of a cut-short stem file" "Cut.stem.mp4: cannot open as an MP4 stem file" "$WORK/cut.wav" \
  -- render "$WORK/Cut.stem.mp4" -o "$WORK/cut.wav"
# The same file with its track table first (as stem creators write it) and its audio cut short: the
# tracks still declare 2 s. check calls that an error naming both lengths; render plays what there is.
ffmpeg -nostdin -v error -y -i "$WORK/Two.stem.mp4" -map 0 -c copy -movflags +faststart -f mp4 "$WORK/front.mp4"
mkdir -p "$WORK/short"
head -c $(( $(stat -c %s "$WORK/front.mp4") * 3 / 10 )) "$WORK/front.mp4" > "$WORK/short/Short.stem.mp4"
expect_cut_check "check calls a stem file whose audio is cut short an error naming both lengths, and the song one that plays" \
  "(track 1) declares 0:02.0, holds 0:0" -- check "$WORK/short/Short.stem.mp4"
expect_cut_render "render of a stem file whose audio is cut short plays what there is, then silence" "$WORK/short.wav" 96000 \
  -- render "$WORK/short/Short.stem.mp4" -o "$WORK/short.wav"

# --- A full disk (a file-size limit of 0 stands in for one) -------------------------------------
# render says why and leaves nothing behind (it used to leave a 0-byte .partial).
msg=$(bash -c 'ulimit -f 0; trap "" XFSZ; exec "$0" render "$1" -o "$2"' "$BIN" "$WORK/demo" "$WORK/full.wav" 2>&1); rc=$?
if [ $rc -eq 1 ] && [ ! -e "$WORK/full.wav" ] && [ ! -e "$WORK/full.wav.partial" ]; then
  case "$msg" in *"full.wav: "*) ok "render on a full disk fails naming the file, leaving nothing" ;;
    *) fail "render on a full disk: message" "$msg" ;; esac
else
  fail "render on a full disk: exit $rc, left $(ls "$WORK" | grep full.wav)" "$msg"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
