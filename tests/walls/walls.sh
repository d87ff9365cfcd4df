#!/usr/bin/env bash
# The module walls hold: a file of a module that includes a header across a forbidden arrow does
# not compile ("No such file or directory"), and the same file including a header across an
# allowed arrow does (so the failures are the walls, not something else). Each probe is an
# EXCLUDE_FROM_ALL target of the build (tests/CMakeLists.txt), built here one by one.
#   walls.sh BUILD_DIR
set -u
BUILD=${1:?usage: walls.sh BUILD_DIR}
fails=0; passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 15 | sed 's/^/       /'; }

# probe TARGET HEADER allowed|forbidden
probe() {
  local target=$1 header=$2 expect=$3 out
  if out=$(cmake --build "$BUILD" --target "$target" 2>&1); then
    if [ "$expect" = allowed ]; then ok "$target: includes $header (an allowed arrow)"
    else fail "$target: included $header across a forbidden arrow and built" "$out"; fi
  else
    if [ "$expect" = forbidden ] && grep -q "$header: No such file or directory" <<<"$out"; then
      ok "$target: cannot include $header (a forbidden arrow)"
    else fail "$target: expected $expect, the build said:" "$out"; fi
  fi
}

probe wall_set_sees_formats stemdeck/formats/AudioFile.h allowed
probe wall_set_sees_engine stemdeck/engine/Engine.h forbidden
probe wall_set_sees_control stemdeck/control/Song.h forbidden
probe wall_engine_sees_common stemdeck/Error.h allowed
probe wall_engine_sees_formats stemdeck/formats/StemReader.h forbidden
probe wall_engine_sees_stream stemdeck/stream/StemRing.h forbidden
probe wall_formats_sees_engine stemdeck/engine/StemSource.h forbidden
probe wall_stream_sees_set stemdeck/set/SetFile.h forbidden
probe wall_control_sees_set stemdeck/set/SetFile.h allowed
probe wall_control_sees_midi stemdeck/midi/Mapping.h forbidden
probe wall_control_sees_audio stemdeck/audio/DevicePlayer.h forbidden
probe wall_midi_sees_audio stemdeck/audio/DeviceOutput.h forbidden
probe wall_audio_sees_engine stemdeck/engine/Engine.h allowed
probe wall_audio_sees_control stemdeck/control/Action.h forbidden
probe wall_audio_sees_set stemdeck/set/SetFile.h forbidden
probe wall_yaml_sees_engine stemdeck/engine/Engine.h forbidden

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
