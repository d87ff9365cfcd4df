#!/usr/bin/env bash
# Fuzzes the set-file, running-order, lyrics (LRC, ChordPro), readme, events-script and controller-mapping parsers, the MP4 box walker and NI
# stem metadata reader, the OSC handler (liblo's decoding, stemdeck's and AbleSet's addresses) and the web remote's
# message handler (a page's JSON) with libFuzzer (clang, ASan + UBSan).
#   tests/fuzz/fuzz.sh [SECONDS_PER_PARSER] [BUILD_DIR]
# CI runs 6 s per parser; for a longer hunt: tests/fuzz/fuzz.sh 3600 (an hour each). A crash
# leaves its input as crash-* in the build dir and fails the run.
set -euo pipefail
seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(realpath -m "${2:-$root/build/fuzz}")
mkdir -p "$out"
CXX=${CXX_FUZZ:-clang++}
flags=(-std=c++20 -O1 -gline-tables-only -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
for inc in "$root"/include/*; do flags+=(-I"$inc"); done
# (every part of the set-file parser: src/set/SetFile*.cpp, so a new part is never left out of the link)
sources=($(cd "$root" && ls src/set/SetFile*.cpp) src/set/Lyrics.cpp src/set/Cue.cpp src/set/StoredScenes.cpp
         src/set/RunningOrder.cpp src/set/RunningOrderFile.cpp
         src/set/Readme.cpp src/control/EventScript.cpp src/common/Text.cpp src/common/Timecode.cpp src/midi/Mapping.cpp
         src/formats/NiMetadata.cpp src/control/Action.cpp src/common/Files.cpp src/common/Db.cpp src/yaml/Yaml.cpp src/yaml/Tree.cpp
         src/remote/Osc.cpp src/remote/OscAddresses.cpp src/remote/OscFeedback.cpp src/remote/AbleSet.cpp
         src/remote/RemoteValues.cpp src/remote/WebProtocol.cpp)
objs=()
pids=()
for s in "${sources[@]}"; do
  o="$out/$(basename "$s" .cpp).o"
  # (rebuilt when the source or any header is newer than the object; as many at once as there are
  # cores: beside ctest's other tests, mostly e2e tests waiting on JACK, the second core is free)
  if [ ! -f "$o" ] || [ "$root/$s" -nt "$o" ] || [ -n "$(find "$root/src" "$root/include" -name '*.h' -newer "$o" -print -quit)" ]; then
    rm -f "$o"
    while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
    "$CXX" "${flags[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" -c "$root/$s" -o "$o" &
    pids+=($!)
  fi
  objs+=("$o")
done
for p in "${pids[@]}"; do wait "$p" || { echo "FAIL: a parser did not compile for fuzzing"; exit 1; }; done
# One harness for every parser (it reads which from STEMDECK_FUZZ_TARGET): built once, not once a parser.
bin="$out/fuzz_parsers"
"$CXX" "${flags[@]}" "$here/FuzzParsers.cpp" "${objs[@]}" -lyaml-cpp -lyaml -llo -o "$bin"
status=0
for target in 1:set 2:readme 3:events 4:mapping 5:ni 6:osc 7:web 8:order 9:lyrics; do
  n=${target%%:*}; name=${target#*:}
  mkdir -p "$out/corpus_$name"
  cp -n "$here/corpus/$name"/* "$out/corpus_$name/" 2>/dev/null || true
  [ "$name" = set ] && cp -n "$root"/sets/*.yaml "$out/corpus_$name/" 2>/dev/null || true
  [ "$name" = mapping ] && cp -n "$root"/controllers/*.yaml "$out/corpus_$name/" 2>/dev/null || true
  echo "fuzzing the $name parser for $seconds s"
  if ! (cd "$out" && STEMDECK_FUZZ_TARGET="$n" "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 "corpus_$name" 2>"$out/fuzz_$name.log"); then
    status=1
    echo "FAIL: the $name parser crashed; the input is in $out (crash-*):"
    tail -n 40 "$out/fuzz_$name.log"
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/fuzz_$name.log" | sed 's/^/  /'
  fi
done
exit $status
