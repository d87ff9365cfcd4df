#!/usr/bin/env bash
# stemdeck installed like a real program:
#  1. `cmake --install` into a clean prefix: the layout (programs, mappings, sets, man pages,
#     .desktop entry, icon, the README and the manual), and the installed stemdeck finds its
#     shipped mappings by name there;
#  2. the Debian package CPack makes: its dependencies are Debian package names derived by
#     dpkg-shlibdeps; `apt-get install ./stemdeck_….deb` installs it on this machine; the installed
#     programs run (version, the demo rendered from the installed share folder, check, a shipped
#     mapping found by name); then it is removed again.
#   package_test.sh BUILD_DIR
set -u
BUILD=$(realpath "${1:?usage: package_test.sh BUILD_DIR}")
WORK=$(mktemp -d)
installed=0
cleanup() {
  [ "$installed" -eq 1 ] && env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq stemdeck >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
fails=0; passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 15 | sed 's/^/       /'; }
check() { local what=$1; shift; if out=$("$@" 2>&1); then ok "$what"; else fail "$what" "$out"; fi; }

# --- 1. a clean prefix ---------------------------------------------------------------------------
P=$WORK/prefix
check "cmake --install into a clean prefix" cmake --install "$BUILD" --prefix "$P"
for f in bin/stemdeck bin/stemdeck-gui share/man/man1/stemdeck.1.gz share/man/man1/stemdeck-gui.1.gz \
         share/stemdeck/controllers/akai-apc-mini-mk2.yaml share/stemdeck/sets/demo.yaml \
         share/stemdeck/sets/example.yaml share/applications/stemdeck-gui.desktop \
         share/stemdeck/web/index.html share/stemdeck/web/remote.js share/stemdeck/web/remote.css \
         share/stemdeck/web/keepawake.mp4 share/doc/stemdeck/docs/manual/web-remote.md \
         share/icons/hicolor/scalable/apps/stemdeck.svg share/doc/stemdeck/README.md \
         share/doc/stemdeck/docs/manual/index.md share/doc/stemdeck/docs/manual/actions.md \
         share/doc/stemdeck/docs/ARCHITECTURE.md share/doc/stemdeck/docs/stage-view.png \
         share/doc/stemdeck/show.conf.example lib/systemd/user/stemdeck.service \
         lib/systemd/user/stemdeck-gui.service; do
  [ -e "$P/$f" ] && ok "installed $f" || fail "installed $f: missing"
done
# The installed programs are not sanitised builds.
if nm -D "$P/bin/stemdeck" 2>/dev/null | grep -q "__asan_init"; then fail "bin/stemdeck is an ASan build"
else ok "bin/stemdeck is not a sanitised build"; fi
# The man page holds every subcommand's help.
for c in render play devices check actions demo learn "midi monitor" "web token"; do
  zgrep -q "stemdeck $c" "$P/share/man/man1/stemdeck.1.gz" && ok "man page: stemdeck $c" || fail "man page: no stemdeck $c"
done
check "desktop entry is valid" desktop-file-validate "$P/share/applications/stemdeck-gui.desktop"
out=$("$P/bin/stemdeck" devices 2>&1)
if grep -q "shipped in $P/share/stemdeck/controllers" <<<"$out" && grep -q "akai-apc-mini-mk2" <<<"$out"; then
  ok "installed stemdeck lists the mappings shipped in its own prefix"
else fail "installed stemdeck does not find its prefix's mappings" "$out"; fi

# --- 2. the Debian package -------------------------------------------------------------------------
if ! out=$(cd "$BUILD" && cpack -G DEB -B "$WORK/deb" 2>&1); then
  fail "cpack -G DEB" "$out"
else
  deb=$(ls "$WORK"/deb/stemdeck_*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then fail "cpack made no .deb" "$out"; else ok "cpack made $(basename "$deb")"; fi
fi
if [ -n "${deb:-}" ]; then
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "       Depends: $depends"
  # Derived by dpkg-shlibdeps from the programs: the libraries they link, as Debian names them.
  for lib in libsndfile1 libjack libsoxr0 libavformat libyaml-cpp libasound2 libc6 libstdc++6 libx11-6 librtmidi libespeak-ng1 libebur128-1; do
    grep -q "$lib" <<<"$depends" && ok "Depends names $lib" || fail "Depends lacks $lib" "$depends"
  done
  contents=$(dpkg-deb -c "$deb")
  grep -q "./usr/bin/stemdeck$" <<<"$contents" && ok "the package holds /usr/bin/stemdeck" ||
    fail "the package lacks /usr/bin/stemdeck"
  if [ "$(id -u)" -ne 0 ]; then
    fail "installing the package needs root (CI runs as root)"
  elif out=$(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" 2>&1); then
    installed=1
    ok "apt-get install ./$(basename "$deb")"
  else
    fail "apt-get install ./$(basename "$deb")" "$out"
  fi
fi
if [ "$installed" -eq 1 ]; then
  want=$(sed -n 's/^project(stemdeck VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
  out=$(/usr/bin/stemdeck --version 2>&1)
  [ "$out" = "stemdeck $want" ] && ok "stemdeck --version: $out" || fail "stemdeck --version said '$out', want $want"
  out=$(/usr/bin/stemdeck-gui --version 2>&1)
  [ "$out" = "stemdeck-gui $want" ] && ok "stemdeck-gui --version: $out" || fail "stemdeck-gui --version: '$out'"
  # The demo from the installed share folder: its set file, the song written beside it.
  mkdir -p "$WORK/show"
  cp /usr/share/stemdeck/sets/demo.yaml "$WORK/show/"
  check "installed stemdeck writes the demo song" /usr/bin/stemdeck demo "$WORK/show/demo"
  check "installed stemdeck renders the installed demo set" \
    /usr/bin/stemdeck render "$WORK/show/demo.yaml" -o "$WORK/demo.wav"
  if [ -s "$WORK/demo.wav" ] && [ "$(sox --i -D "$WORK/demo.wav" | cut -d. -f1)" -ge 30 ]; then
    ok "the render is the whole song ($(sox --i -d "$WORK/demo.wav"))"
  else fail "the render is missing or short"; fi
  check "installed stemdeck checks the demo set" /usr/bin/stemdeck check "$WORK/show/demo.yaml"
  out=$(/usr/bin/stemdeck devices 2>&1)
  grep -q "shipped in /usr/share/stemdeck/controllers" <<<"$out" && ok "installed stemdeck finds /usr/share/stemdeck" ||
    fail "installed stemdeck does not find /usr/share/stemdeck" "$out"
  [ -f /usr/share/man/man1/stemdeck.1.gz ] && ok "man page installed (stemdeck.1.gz)" ||
    fail "no /usr/share/man/man1/stemdeck.1.gz"
  # The user service as installed: systemd's own check (--man=no: man-db need not be installed).
  check "systemd-analyze verify stemdeck.service" systemd-analyze verify --man=no /usr/lib/systemd/user/stemdeck.service
  check "systemd-analyze verify stemdeck-gui.service" \
    systemd-analyze verify --man=no /usr/lib/systemd/user/stemdeck-gui.service
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
