#!/usr/bin/env bash
# The module walls hold: a file of a module that includes a header across a forbidden arrow does
# not compile ("No such file or directory"), and the same file including a header across an
# allowed arrow does (so the failures are the walls, not something else). Each probe is an
# EXCLUDE_FROM_ALL target of the build (tests/CMakeLists.txt, which writes the list of probes:
# one "TARGET HEADER allowed|forbidden" a line), built here one by one.
#   walls.sh BUILD_DIR PROBES_FILE
set -u
BUILD=${1:?usage: walls.sh BUILD_DIR PROBES_FILE}
PROBES=${2:?usage: walls.sh BUILD_DIR PROBES_FILE}
fails=0; passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 15 | sed 's/^/       /'; }

# probe TARGET HEADER allowed|forbidden
probe() {
  local target=$1 header=$2 expect=$3 out
  if out=$(cmake --build "$BUILD" --target "$target" 2>&1 </dev/null); then
    if [ "$expect" = allowed ]; then ok "$target: includes $header (an allowed arrow)"
    else fail "$target: included $header across a forbidden arrow and built" "$out"; fi
  else
    if [ "$expect" = forbidden ] && grep -q "$header: No such file or directory" <<<"$out"; then
      ok "$target: cannot include $header (a forbidden arrow)"
    else fail "$target: expected $expect, the build said:" "$out"; fi
  fi
}

while read -r target header expect; do
  probe "$target" "$header" "$expect"
done <"$PROBES"
[ $((passes + fails)) -gt 0 ] || fail "no probes in $PROBES"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
