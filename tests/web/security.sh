#!/usr/bin/env bash
# The web remote's security model from another address: two network namespaces of the test's own
# joined by a veth pair (the player's 10.77.1.1, the phone's 10.77.1.2), so that the client is not
# this machine's loopback (where no token is needed). Needs root (CI is root; elsewhere skipped, 77).
#   security.sh STEMDECK
set -u
STEMDECK=$(readlink -f "${1:?usage: security.sh STEMDECK}")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root for network namespaces"; exit 77; fi
A=sdweb-a-$$ B=sdweb-b-$$
WORK=$(mktemp -d)
cleanup() {
  [ -n "${PLAY:-}" ] && kill "$PLAY" 2>/dev/null; [ -n "${PLAY:-}" ] && wait "$PLAY" 2>/dev/null
  [ -n "${JACKD:-}" ] && kill "$JACKD" 2>/dev/null && wait "$JACKD" 2>/dev/null
  ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$A" && ip netns add "$B" || { echo "FAIL - cannot make network namespaces"; exit 1; }
ip link add wa-$$ netns "$A" type veth peer name wb-$$ netns "$B" || { echo "FAIL - cannot make a veth pair"; exit 1; }
ip -n "$A" link set lo up && ip -n "$B" link set lo up
ip -n "$A" addr add 10.77.1.1/24 dev wa-$$ && ip -n "$A" link set wa-$$ up
ip -n "$B" addr add 10.77.1.2/24 dev wb-$$ && ip -n "$B" link set wb-$$ up
export XDG_STATE_HOME="$WORK/state" JACK_DEFAULT_SERVER=stemdeck-web-sec-$$
"$STEMDECK" demo "$WORK/demo" >/dev/null || { echo "FAIL - stemdeck demo"; exit 1; }
ip netns exec "$A" jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r 48000 -p 256 >"$WORK/jackd.log" 2>&1 &
JACKD=$!
ip netns exec "$A" jack_wait -w -t 10 >/dev/null 2>&1 || { echo "FAIL - no JACK server"; exit 1; }
ip netns exec "$A" "$STEMDECK" play "$WORK/demo" --driver jack --web 10.77.1.1:8080 --at-end stop >"$WORK/play.log" 2>&1 &
PLAY=$!
for _ in $(seq 150); do grep -q 'web remote: http://10.77.1.1:8080' "$WORK/play.log" && break; sleep 0.1; done
grep -q 'web remote: http://10.77.1.1:8080' "$WORK/play.log" || { echo "FAIL - play did not open the web remote"; cat "$WORK/play.log"; exit 1; }
# The client's side: node with ws (tests/web/node_modules), in the phone's namespace. It rotates
# the tokens with `stemdeck web token --rotate` in the player's, and stops the player at the end.
ip netns exec "$B" node "$HERE/security.mjs" "$STEMDECK" "$WORK" "$A" "$PLAY"
rc=$?
[ $rc -ne 0 ] && { echo "--- play.log"; cat "$WORK/play.log"; }
exit $rc
