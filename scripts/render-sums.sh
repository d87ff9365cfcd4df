#!/usr/bin/env bash
# The MD5 of the samples of every scripted render scenario: the demo song and the demo set, reference A/B, seeks,
# vamp, scenes, a resampled song, small blocks, a .stem.mp4 made by ffmpeg, a 44.1 kHz FLAC set.
# For a change that must not change what stemdeck plays (a refactor): run it with the binary
# before and after and compare the two lists.
#   scripts/render-sums.sh PATH/TO/stemdeck > sums.txt
set -euo pipefail
BIN=$(realpath "${1:?usage: scripts/render-sums.sh PATH/TO/stemdeck}")
here=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" demo "$WORK/demo" >/dev/null
cp "$here/sets/example.yaml" "$WORK/example.yaml"
printf 'name: Demo set\ncount_in: 1\nsongs:\n  - folder: demo\n    markers: { Build: 9, Breakdown: 17, Drop: 25 }\n  - folder: demo\n' \
  >"$WORK/twice.yaml"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=12:sample_rate=48000" -f lavfi -i "sine=f=330:d=12:sample_rate=48000" \
  -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[m]" -map "[m]" -map 0:a -map 1:a -c:a aac -b:a 256k \
  -f mp4 "$WORK/Two.stem.mp4"
mkdir -p "$WORK/flac"
for f in "$WORK"/demo/0[1-4]_*.wav; do
  ffmpeg -nostdin -v error -y -i "$f" -ar 44100 -c:a flac "$WORK/flac/$(basename "${f%.wav}").flac"
done

cat >"$WORK/ab.yaml" <<'EOF'
events:
  - { frame: 0, action: reference }
  - { time: 3.0, action: stems }
  - { time: 5.5, action: toggle_reference }
  - { time: 9.0, action: toggle_reference }
  - { time: 12.0, action: stop }
EOF
cat >"$WORK/seeks.yaml" <<'EOF'
events:
  - { time: 1.0, action: seek, value: 20.0 }
  - { time: 3.5, action: seek, value: 40.0 }
  - { time: 5.0, action: seek, value: 2.5, quantize: bar }
  - { time: 6.0, action: mute, stem: 1 }
  - { time: 6.5, action: gain, stem: 2, value: -6dB }
  - { time: 7.0, action: filter, stem: 3, value: -0.6 }
  - { time: 8.0, action: solo, stem: 4, quantize: beat }
  - { time: 9.0, action: stop }
EOF
cat >"$WORK/vamp.yaml" <<'EOF'
events:
  - { time: 1.0, action: loop, value: 16-20 }
  - { time: 1.0, action: seek, value: 15.0 }
  - { time: 12.0, action: unloop }
  - { time: 14.0, action: reference }
  - { time: 16.0, action: stop }
EOF
cat >"$WORK/scenes.yaml" <<'EOF'
events:
  - { time: 2.0, action: scene, value: 1, quantize: bar }
  - { time: 6.0, action: scene, value: 2 }
  - { time: 9.0, action: panic }
  - { time: 11.0, action: stop }
EOF
cat >"$WORK/stemfile.yaml" <<'EOF'
events:
  - { time: 1.0, action: seek, value: 6.0 }
  - { time: 2.0, action: reference }
  - { time: 3.0, action: seek, value: 1.5 }
  - { time: 6.0, action: stop }
EOF
cat >"$WORK/stop.yaml" <<'EOF'
events:
  - { time: 20.0, action: stop }
EOF

# sum NAME SOURCE [render options…]
sum() {
  local name=$1 src=$2; shift 2
  "$BIN" render "$src" -o "$WORK/$name.wav" "$@" >/dev/null 2>"$WORK/$name.log" ||
    { echo "$name: render failed: $(tail -n 3 "$WORK/$name.log")"; return; }
  # The audio's samples (a float WAV's PEAK chunk holds the time it was written).
  echo "$name $(sox "$WORK/$name.wav" -t raw - 2>/dev/null | md5sum | cut -c1-32)"
}

sum demo "$WORK/demo"
sum demo-float "$WORK/demo" --float --block 64
sum demo-set "$WORK/twice.yaml" --events "$WORK/stop.yaml"
sum example-set "$WORK/example.yaml" --events "$WORK/scenes.yaml"
sum reference-ab "$WORK/demo" --events "$WORK/ab.yaml"
sum seeks "$WORK/demo" --events "$WORK/seeks.yaml"
sum vamp "$WORK/demo" --events "$WORK/vamp.yaml"
sum resampled "$WORK/demo" --events "$WORK/seeks.yaml" --rate 44100
sum small-blocks "$WORK/demo" --events "$WORK/ab.yaml" --block 32
sum stem-file "$WORK/Two.stem.mp4" --events "$WORK/stemfile.yaml"
sum flac-44k "$WORK/flac" --events "$WORK/seeks.yaml" --rate 48000 --bpm 120
