#!/usr/bin/env bash
# The house's size rules, measured: source files over 400 lines, and functions over 80 lines
# (clang-tidy's readability-function-size, counting every line from the signature to the closing
# brace, comments and blank lines included). docs/ARCHITECTURE.md names the functions allowed over 80.
#   scripts/sizes.sh [BUILD_DIR]    (a configured build with compile_commands.json; default build/test)
# Takes a few minutes on two cores (every file is parsed once, JUCE's headers too).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath "${1:-$here/build/test}")
[ -f "$BUILD/compile_commands.json" ] || { echo "no $BUILD/compile_commands.json: configure a build first (scripts/test.sh)"; exit 1; }
cd "$here"

echo "Files over 400 lines (src/, include/):"
find src include -name '*.cpp' -o -name '*.h' | sort | xargs wc -l | awk '$2 != "total" && $1 > 400 { printf "  %5d  %s\n", $1, $2; n++ } END { if (!n) print "  none" }'

echo "Functions over 80 lines:"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The compile database lists a unity build's batch files, not its sources: each source of a batch
# gets the batch's command. Only our own files (src/), each once; GCC-only warning flags are not
# clang's.
python3 - "$BUILD/compile_commands.json" "$here/src/" "$work" >"$work/compile_commands.json" <<'PY'
import json, re, sys
db, root = json.load(open(sys.argv[1])), sys.argv[2]
out, seen, copies = [], set(), {}
def copy(header):
    if header not in copies:
        copies[header] = "%s/pch%d.hxx" % (sys.argv[3], len(copies))
        open(copies[header], "w").write(open(header).read())
    return copies[header]
for e in db:
    sources = [e["file"]]
    if re.search(r"/Unity/unity_[0-9]+_cxx\.cxx$", e["file"]):
        sources = re.findall(r'#include "([^"]+)"', open(e["file"]).read())
    for src in sources:
        if src.startswith(root) and src not in seen:
            seen.add(src)
            # (GCC's precompiled header is not clang's: its text is included from a copy instead.)
            cmd = re.sub(r"-include (\S+cmake_pch\.hxx)", lambda m: "-include " + copy(m.group(1)), e["command"])
            cmd = cmd.replace("-Winvalid-pch", "").replace(e["file"], src)
            out.append({"directory": e["directory"], "file": src, "command": cmd})
json.dump(out, sys.stdout)
PY
run-clang-tidy -p "$work" -j "$(nproc)" -quiet \
  -checks='-*,readability-function-size' \
  -config='{CheckOptions: [{key: readability-function-size.LineThreshold, value: 80}]}' \
  -extra-arg=-Wno-unknown-warning-option \
  "^$here/src/" >"$work/out" 2>/dev/null || true
sed -i 's/\x1b\[[0-9;]*m//g' "$work/out" # (run-clang-tidy colours its output)
# "FILE:LINE:COL: warning: function 'NAME' exceeds …" then "note: N lines including whitespace and comments"
awk -v root="$here/" '
  /warning: function .* exceeds recommended size/ {
    split($0, p, ":"); file = p[1]; line = p[2]; sub(root, "", file)
    match($0, /function .[^ ]+. exceeds/); name = substr($0, RSTART + 10, RLENGTH - 19)
  }
  /note: [0-9]+ lines including whitespace/ && file != "" {
    match($0, /[0-9]+ lines/); n = substr($0, RSTART, RLENGTH - 6)
    key = file ":" line
    if (!(key in seen)) { seen[key] = 1; printf "  %5d  %s:%s %s\n", n, file, line, name; count++ }
    file = ""
  }
  END { if (!count) print "  none" }' "$work/out" | sort -rn
