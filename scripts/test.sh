#!/usr/bin/env bash
# The second command: install what is missing, build the test configuration (warnings as errors,
# ASan + UBSan; the real-time check and benchmarks build against an unsanitised core) and run
# every test with ctest.
#   scripts/test.sh [extra ctest options, e.g. -R render]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DSTEMDECK_TESTS=ON -DSTEMDECK_SANITIZE=ON -DSTEMDECK_WERROR=ON >/dev/null
cmake --build build/test -j"$(nproc)"
cd build/test
ctest --output-on-failure -j"$(nproc)" "$@"
