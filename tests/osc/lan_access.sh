#!/usr/bin/env bash
# OSC on a network address, from other addresses: two network namespaces of the test's own joined
# by a veth pair (the player's 10.77.0.1, the clients' 10.77.0.2 and 10.77.0.3), so that senders
# are not this machine's loopback. Needs root (CI is root; elsewhere the test is skipped, 77).
#   lan_access.sh STEMDECK
set -u
STEMDECK=$(readlink -f "${1:?usage: lan_access.sh STEMDECK}")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root for network namespaces"; exit 77; fi
A=sdosc-a-$$ B=sdosc-b-$$
WORK=$(mktemp -d)
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
ip netns add "$A" && ip netns add "$B" || { echo "FAIL - cannot make network namespaces"; exit 1; }
ip link add va-$$ netns "$A" type veth peer name vb-$$ netns "$B" || { echo "FAIL - cannot make a veth pair"; exit 1; }
ip -n "$A" link set lo up && ip -n "$B" link set lo up
ip -n "$A" addr add 10.77.0.1/24 dev va-$$ && ip -n "$A" link set va-$$ up
ip -n "$B" addr add 10.77.0.2/24 dev vb-$$ && ip -n "$B" addr add 10.77.0.3/24 dev vb-$$ && ip -n "$B" link set vb-$$ up
ip netns exec "$B" /usr/bin/python3 "$HERE/lan_access.py" "$STEMDECK" "$WORK" "$A" "vb-$$"
