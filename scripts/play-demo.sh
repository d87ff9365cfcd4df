#!/usr/bin/env bash
# The first command: install what is missing, build stemdeck and its stage GUI, write the demo
# song if absent and play the demo set — and say which way:
#   - on a machine with a display: the stage GUI (stemdeck-gui);
#   - in a terminal: `stemdeck play` with its play screen and keys;
#   - with no audio device at all: a render of the demo set to demo.wav.
#   scripts/play-demo.sh [extra play options, e.g. --driver jack]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target stemdeck stemdeck-gui -j"$(nproc)"

[ -d sets/demo ] || ./build/release/stemdeck demo sets/demo
status=0
if [ -n "${DISPLAY:-}" ]; then
  echo "play-demo: a display ($DISPLAY): opening the stage GUI on the demo set"
  ./build/release/stemdeck-gui sets/demo.yaml "$@" || status=$?
  if [ "$status" -eq 1 ]; then # (it says why: most often a display it cannot open)
    echo "play-demo: the stage GUI could not start; playing in the terminal instead"
    status=0
    ./build/release/stemdeck play sets/demo.yaml "$@" || status=$?
  fi
else
  echo "play-demo: no display: playing the demo set in the terminal with the play screen"
  ./build/release/stemdeck play sets/demo.yaml "$@" || status=$?
fi
if [ "$status" -eq 69 ]; then
  echo "play-demo: no audio device here: rendering the demo set to demo.wav instead"
  ./build/release/stemdeck render sets/demo.yaml -o demo.wav
  echo "play-demo: rendered demo.wav; listen with any player, e.g. 'play demo.wav' (sox) or 'aplay demo.wav'"
  exit 0
fi
exit "$status"
