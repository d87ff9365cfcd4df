#!/usr/bin/env bash
# The first command: install what is missing, build stemdeck, generate the demo song if absent
# and play it. On a machine without an audio device it renders the demo to demo.wav instead.
#   scripts/play-demo.sh [extra `stemdeck play` options, e.g. --driver jack]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target stemdeck -j"$(nproc)"

./build/release/stemdeck demo sets/demo
status=0
./build/release/stemdeck play sets/demo "$@" || status=$?
if [ "$status" -eq 69 ]; then
  echo "No audio device here: rendering the demo to demo.wav instead."
  ./build/release/stemdeck render sets/demo -o demo.wav
  echo "Listen with any player, e.g. 'play demo.wav' (sox) or 'aplay demo.wav'."
  exit 0
fi
exit "$status"
