#!/usr/bin/env bash
# The end-to-end, real-time and streaming tests under load: two CPU hogs run while the whole set
# of them runs RUNS times in a row (stopping at the first failure), then 50 consecutive JACK starts
# and 10 + 10 JACK server stops. Needs the test build (scripts/test.sh).
#   scripts/stress.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
[ -x build/test/stemdeck ] || { echo "stress: build the tests first (scripts/test.sh)"; exit 2; }
HOGS=()
trap 'for p in "${HOGS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
for _ in 1 2; do yes >/dev/null & HOGS+=($!); done
echo "stress: two CPU hogs running (${HOGS[*]})"
cd build/test
# Whole runs, one after another (a run: every e2e, rt and stream test once, then the streaming Catch
# tests plain and under ThreadSanitizer), stopping at the first failure: "N runs in a row".
for run in $(seq "$RUNS"); do
  ctest -L "e2e|rt|stream" --output-on-failure -j1 >"stress-run.log" 2>&1 ||
    { cat stress-run.log; echo "stress: run $run failed (after $((run - 1)) clean runs)"; exit 1; }
  ./tests/stemdeck_tests "[stream]" >/dev/null || { echo "stress: [stream] failed on run $run"; exit 1; }
  TSAN_OPTIONS=halt_on_error=1 ./tests/stemdeck_tsan_tests "[stream]" >/dev/null ||
    { echo "stress: [stream] under TSan failed on run $run"; exit 1; }
  echo "stress: run $run of $RUNS passed ($(date +%H:%M:%S))"
done
./tests/stemdeck_e2e_trust ./stemdeck starts 50
./tests/stemdeck_e2e_trust ./stemdeck server-stop 10
./tests/stemdeck_e2e_trust ./stemdeck crash-resume 20
echo "stress: $RUNS runs of the e2e, rt and stream tests, 50 starts, 20 server stops and 20 crashes passed under load"
