#!/usr/bin/env bash
# Renders are repeatable: the scripted scenarios where timing could leak in (tests/cli/scenarios.sh:
# reference A/B, seeks, vamp loops, a resampled song, small blocks, a stem file with seeks, a set
# of two songs with markers), each rendered 3 times while two CPU hogs load the machine,
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

# shellcheck source=scenarios.sh
source "$(dirname "$0")/scenarios.sh"
make_scenarios "$BIN" "$WORK" || fail "making the scenarios' material"

for i in 1 2; do yes >/dev/null & HOGS+=($!); done

# scenario NAME SOURCE [render options…]
scenario() {
  local name=$1 src=$2; shift 2
  local sums=() r msg
  for r in $(seq "$RUNS"); do
    if ! msg=$("$BIN" render "$src" -o "$WORK/$name-$r.wav" "$@" 2>&1); then
      fail "$name: render $r failed" "$msg"; return
    fi
    sums+=("$(md5sum < "$WORK/$name-$r.wav" | cut -c1-32)")
  done
  local distinct
  distinct=$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)
  if [ "$distinct" -eq 1 ]; then ok "$name: $RUNS renders under load are bit-identical (${sums[0]})"
  else fail "$name: $RUNS renders under load gave $distinct different files" "${sums[*]}"; fi
}

# The scenarios where timing could leak into the output: the reference, seeks, loops, resampling,
# small blocks, a stem file, a set's song change.
while read -r name src options; do
  case $name in
    reference-ab|seeks|vamp|resampled|small-blocks|stem-file|demo-set)
      # shellcheck disable=SC2086 # options are words
      scenario "$name" "$src" $options ;;
  esac
done < <(scenarios "$WORK")

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
