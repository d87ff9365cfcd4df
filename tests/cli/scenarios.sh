# shellcheck shell=bash
# The scripted render scenarios, written once. Sourced by scripts/render-sums.sh (a refactor must
# not change what stemdeck plays) and tests/cli/render_repeat.sh (renders are repeatable under load).
#
#   make_scenarios BIN WORK   writes the material into WORK: the demo song and a set of it twice, the
#                             example set, a stem file made by the ffmpeg tool (not by us), the demo's
#                             stems as 44.1 kHz FLAC, and the events scripts
#   scenarios WORK            prints one scenario a line: NAME SOURCE [render options…]
# WORK must hold no spaces (a mktemp -d path does not).

make_scenarios() {
  local bin=$1 work=$2 here f
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  "$bin" demo "$work/demo" >/dev/null || return 1
  cp "$here/sets/example.yaml" "$work/example.yaml"
  printf 'name: Demo set\ncount_in: 1\nsongs:\n  - folder: demo\n    markers: { Build: 9, Breakdown: 17, Drop: 25 }\n  - folder: demo\n' \
    >"$work/twice.yaml"
  ffmpeg -nostdin -v error -y -f lavfi -i "sine=f=220:d=12:sample_rate=48000" \
    -f lavfi -i "sine=f=330:d=12:sample_rate=48000" \
    -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[m]" -map "[m]" -map 0:a -map 1:a -c:a aac -b:a 256k \
    -f mp4 "$work/Two.stem.mp4" || return 1
  mkdir -p "$work/flac"
  for f in "$work"/demo/0[1-4]_*.wav; do
    ffmpeg -nostdin -v error -y -i "$f" -ar 44100 -c:a flac "$work/flac/$(basename "${f%.wav}").flac" || return 1
  done
  cat >"$work/ab.yaml" <<'EOF'
events:
  - { frame: 0, action: reference }
  - { time: 3.0, action: stems }
  - { time: 5.5, action: toggle_reference }
  - { time: 9.0, action: toggle_reference }
  - { time: 12.0, action: stop }
EOF
  cat >"$work/seeks.yaml" <<'EOF'
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
  cat >"$work/vamp.yaml" <<'EOF'
events:
  - { time: 1.0, action: loop, value: 16-20 }
  - { time: 1.0, action: seek, value: 15.0 }
  - { time: 12.0, action: unloop }
  - { time: 14.0, action: reference }
  - { time: 16.0, action: stop }
EOF
  cat >"$work/scenes.yaml" <<'EOF'
events:
  - { time: 2.0, action: scene, value: 1, quantize: bar }
  - { time: 6.0, action: scene, value: 2 }
  - { time: 9.0, action: panic }
  - { time: 11.0, action: stop }
EOF
  cat >"$work/stemfile.yaml" <<'EOF'
events:
  - { time: 1.0, action: seek, value: 6.0 }
  - { time: 2.0, action: reference }
  - { time: 3.0, action: seek, value: 1.5 }
  - { time: 6.0, action: stop }
EOF
  cat >"$work/stop.yaml" <<'EOF'
events:
  - { time: 20.0, action: stop }
EOF
}

scenarios() {
  local w=$1
  cat <<EOF
demo $w/demo
demo-float $w/demo --float --block 64
demo-set $w/twice.yaml --events $w/stop.yaml
example-set $w/example.yaml --events $w/scenes.yaml
reference-ab $w/demo --events $w/ab.yaml
seeks $w/demo --events $w/seeks.yaml
vamp $w/demo --events $w/vamp.yaml
resampled $w/demo --events $w/seeks.yaml --rate 44100
small-blocks $w/demo --events $w/ab.yaml --block 32
stem-file $w/Two.stem.mp4 --events $w/stemfile.yaml
flac-44k $w/flac --events $w/seeks.yaml --rate 48000 --bpm 120
EOF
}
