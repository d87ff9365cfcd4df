#!/usr/bin/env bash
# The Debian package: a Release build of stemdeck and stemdeck-gui, the man pages, the shipped
# mappings and sets, packed by CPack with its dependencies derived by dpkg-shlibdeps.
#   scripts/package.sh            → build/release/stemdeck_VERSION_ARCH.deb (its path is printed)
# Install it with:  sudo apt-get install ./build/release/stemdeck_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)"
(cd build/release && cpack -G DEB >/dev/null)
ls -1 "$PWD"/build/release/stemdeck_*.deb
