#!/usr/bin/env bash
# Builds the benchmarks in Release (no sanitizers) and runs them; they print figures, they do
# not pass or fail. Takes a few minutes (eight five-minute stems are generated for the render
# comparison).
#   scripts/bench.sh [engine|render|stream|stemfile|sets|scripts|midi|osc|web|stretch|ticks|stress|soak]
#   (stress and soak take 10 minutes in real time each and are not in "all"; soak [SECONDS] plays
#    through a JACK server against ecasound, tests/bench/soak.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTEMDECK_TESTS=ON -DSTEMDECK_SANITIZE=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" --target stemdeck stemdeck_bench_engine stemdeck_bench_render stemdeck_bench_stream stemdeck_bench_sets stemdeck_bench_scripts stemdeck_bench_midi stemdeck_bench_osc stemdeck_bench_web \
  stemdeck_bench_stretch stemdeck_bench_stretch_path stemdeck_bench_ticks
what=${1:-all}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
if [ "$what" = all ] || [ "$what" = engine ]; then ./build/bench/tests/bench/stemdeck_bench_engine; fi
if [ "$what" = all ] || [ "$what" = render ]; then ./build/bench/tests/bench/stemdeck_bench_render; fi
if [ "$what" = all ] || [ "$what" = stream ]; then
  ./build/bench/tests/bench/stemdeck_bench_stream load
  ./build/bench/tests/bench/stemdeck_bench_stream memory "$PWD/build/bench/stemdeck"
fi
if [ "$what" = all ] || [ "$what" = stemfile ]; then ./build/bench/tests/bench/stemdeck_bench_stream stemfile "${2:-5}"; fi
if [ "$what" = all ] || [ "$what" = sets ]; then ./build/bench/tests/bench/stemdeck_bench_sets; fi
if [ "$what" = all ] || [ "$what" = scripts ]; then ./build/bench/tests/bench/stemdeck_bench_scripts "${2:-100000}"; fi
if [ "$what" = all ] || [ "$what" = midi ]; then # MIDI-to-audio latency through JACK: [MESSAGES] [PERIODS]
  ./build/bench/tests/bench/stemdeck_bench_midi "$PWD/build/bench/stemdeck" "$PWD/controllers" "${2:-250}" "${3:-64,128,256}"
fi
if [ "$what" = all ] || [ "$what" = osc ]; then # OSC-to-audio latency, a flood beside MIDI presses: [MESSAGES] [PERIOD] [SECONDS]
  ./build/bench/tests/bench/stemdeck_bench_osc "$PWD/build/bench/stemdeck" "$PWD/controllers" "${2:-200}" "${3:-128}" "${4:-10}"
fi
if [ "$what" = all ] || [ "$what" = web ]; then # web remote pages beside MIDI presses: [PAGES] [SECONDS] [PERIOD]
  ./build/bench/tests/bench/stemdeck_bench_web "$PWD/build/bench/stemdeck" "$PWD/controllers" "$PWD/tests/bench/web_clients.mjs" \
    "${2:-20}" "${3:-600}" "${4:-128}"
fi
if [ "$what" = all ] || [ "$what" = stretch ]; then
  ./build/bench/tests/bench/stemdeck_bench_stretch "${2:-30}"
  ./build/bench/tests/bench/stemdeck_bench_stretch_path "${2:-60}"
fi
if [ "$what" = all ] || [ "$what" = ticks ]; then # the control thread: [STEMS] [RUNS]
  ./build/bench/tests/bench/stemdeck_bench_ticks "${2:-8}" "${3:-3}"
fi
if [ "$what" = soak ]; then tests/bench/soak.sh build/bench/stemdeck "${2:-600}"; fi
if [ "$what" = stress ]; then ./build/bench/tests/bench/stemdeck_bench_stream stress "${2:-10}"; fi
