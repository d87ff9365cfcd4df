#!/usr/bin/env bash
# Renders are repeatable: every scripted scenario — reference A/B, seeks, vamp loops, a stop, a
# stem file with seeks, a resampled song — rendered 3 times while two CPU hogs load the machine,
# gives the same file, bit for bit.
#   render_repeat.sh PATH/TO/stemdeck [RUNS]
set -u
BIN=${1:?usage: render_repeat.sh PATH/TO/stemdeck [RUNS]}
RUNS=${2:-3}
WORK=$(mktemp -d)
HOGS=()
cleanup() { for p in "${HOGS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT
fails=0; passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; }

"$BIN" demo "$WORK/demo" >/dev/null || fail "demo generation"
# A stem file (master + two stems, AAC) made by the ffmpeg tool, not by us.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=12:sample_rate=48000" -f lavfi -i "sine=f=330:d=12:sample_rate=48000" \
  -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[m]" -map "[m]" -map 0:a -map 1:a -c:a aac -b:a 256k \
  -f mp4 "$WORK/Two.stem.mp4" || fail "ffmpeg could not make a stem file"

cat > "$WORK/ab.yaml" <<'EOF'
events:
  - { frame: 0, action: reference }
  - { time: 3.0, action: stems }
  - { time: 5.5, action: toggle_reference }
  - { time: 9.0, action: toggle_reference }
  - { time: 12.0, action: stop }
EOF
cat > "$WORK/seeks.yaml" <<'EOF'
events:
  - { time: 1.0, action: seek, value: 20.0 }
  - { time: 3.5, action: seek, value: 40.0 }
  - { time: 5.0, action: seek, value: 2.5, quantize: bar }
  - { time: 6.0, action: mute, stem: 1 }
  - { time: 9.0, action: stop }
EOF
cat > "$WORK/vamp.yaml" <<'EOF'
events:
  - { time: 1.0, action: loop, value: 16-20 }
  - { time: 1.0, action: seek, value: 15.0 }
  - { time: 12.0, action: unloop }
  - { time: 14.0, action: reference }
  - { time: 16.0, action: stop }
EOF
cat > "$WORK/stemfile.yaml" <<'EOF'
events:
  - { time: 1.0, action: seek, value: 6.0 }
  - { time: 2.0, action: reference }
  - { time: 3.0, action: seek, value: 1.5 }
  - { time: 6.0, action: stop }
EOF

for i in 1 2; do yes >/dev/null & HOGS+=($!); done

# scenario NAME SOURCE EVENTS [extra render options…]
scenario() {
  local name=$1 src=$2 events=$3; shift 3
  local sums=() r msg
  for r in $(seq "$RUNS"); do
    if ! msg=$("$BIN" render "$src" --events "$events" -o "$WORK/$name-$r.wav" "$@" 2>&1); then
      fail "$name: render $r failed" "$msg"; return
    fi
    sums+=("$(md5sum < "$WORK/$name-$r.wav" | cut -c1-32)")
  done
  local distinct
  distinct=$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)
  if [ "$distinct" -eq 1 ]; then ok "$name: $RUNS renders under load are bit-identical (${sums[0]})"
  else fail "$name: $RUNS renders under load gave $distinct different files" "${sums[*]}"; fi
}

scenario reference-ab "$WORK/demo" "$WORK/ab.yaml"
scenario seeks "$WORK/demo" "$WORK/seeks.yaml"
scenario vamp "$WORK/demo" "$WORK/vamp.yaml"
scenario resampled "$WORK/demo" "$WORK/seeks.yaml" --rate 44100
scenario small-blocks "$WORK/demo" "$WORK/ab.yaml" --block 32
scenario stem-file "$WORK/Two.stem.mp4" "$WORK/stemfile.yaml"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
