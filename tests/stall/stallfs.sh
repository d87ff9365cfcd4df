# A StallFs mount (tests/stall/StallFs.c) for the scripts that use one: tests/stall/stall_test.sh and
# scripts/verdicts.sh source this. One mount at a time, in MNT, its daemon in FSPID.

# stall_mount STALLFS MODE DIR LOG: a fresh StallFs --stall=MODE at DIR; 1 when it does not mount
# within 10 s (FUSE not allowed here: LOG says why).
stall_mount() {
  MNT=$3
  mkdir -p "$MNT"
  "$1" --stall="$2" "$MNT" >"$4" 2>&1 &
  FSPID=$!
  for _ in $(seq 200); do
    mountpoint -q "$MNT" && return 0
    kill -0 "$FSPID" 2>/dev/null || break
    sleep 0.05
  done
  stall_unmount
  return 1
}

# stall_unmount: the daemon goes first (that ends any request asleep in the mount), then the mount.
stall_unmount() {
  [ -n "${FSPID:-}" ] && { kill -KILL "$FSPID" 2>/dev/null; wait "$FSPID" 2>/dev/null; }
  [ -n "${MNT:-}" ] && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null; }
  FSPID=""
  MNT=""
}
