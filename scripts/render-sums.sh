#!/usr/bin/env bash
# The MD5 of the samples of every scripted render scenario (tests/cli/scenarios.sh: the demo song
# and the demo set, reference A/B, seeks, vamp, scenes, a resampled song, small blocks, a .stem.mp4
# made by ffmpeg, a 44.1 kHz FLAC set). For a change that must not change what stemdeck plays (a
# refactor): run it with the binary before and after and compare the two lists.
#   scripts/render-sums.sh PATH/TO/stemdeck > sums.txt
set -euo pipefail
BIN=$(realpath "${1:?usage: scripts/render-sums.sh PATH/TO/stemdeck}")
here=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../tests/cli/scenarios.sh
source "$here/tests/cli/scenarios.sh"
make_scenarios "$BIN" "$WORK"

while read -r name src options; do
  # shellcheck disable=SC2086 # options are words
  "$BIN" render "$src" -o "$WORK/$name.wav" $options >/dev/null 2>"$WORK/$name.log" ||
    { echo "$name: render failed: $(tail -n 3 "$WORK/$name.log")"; continue; }
  # The audio's samples (a float WAV's PEAK chunk holds the time it was written).
  echo "$name $(sox "$WORK/$name.wav" -t raw - 2>/dev/null | md5sum | cut -c1-32)"
done < <(scenarios "$WORK")
