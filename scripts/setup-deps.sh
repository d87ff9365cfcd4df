#!/usr/bin/env bash
# Installs the Debian packages stemdeck builds and tests with, if any are missing.
# Non-interactive (jackd2's real-time question is preseeded to "no"). Needs root or sudo.
set -euo pipefail

PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config
  # libraries (Debian packages only)
  juce-modules-source librtmidi-dev libsndfile1-dev libconcurrentqueue-dev libyaml-cpp-dev
  libyaml-dev   # libyaml: long YAML files (an events script of 100 000 actions) in a fraction of yaml-cpp's time
  libsoxr-dev libcli11-dev libasound2-dev libjack-jackd2-dev
  nlohmann-json3-dev   # JSON: check --json (and, coming, the NI stem metadata and the remote API)
  libavformat-dev libavcodec-dev libavutil-dev   # FFmpeg: Native Instruments .stem.mp4 files
  liblo-dev   # liblo: OSC messages (remote/: the OSC surface)
  ableton-link-dev   # Ableton Link 3.0.6 (header-only, with asio): tempo and phase shared with other apps (engine/LinkSync)
  libespeak-ng-dev   # eSpeak NG: spoken guide cues synthesised at load, cached beside the set (control/GuideVoices)
  libebur128-dev     # EBU R128 loudness of each song's main output: check, loudness: match (control/Loudness)
  libltc-dev   # libltc: LTC timecode encoded off the audio thread (control/LtcEncoder), and its decoder in the tests
  libboost-dev   # Boost.Beast and Asio (1.74, header-only): the web remote's HTTP and WebSocket (remote/WebServer)
  libqrencode-dev   # the web remote's join QR codes
  librubberband-dev   # Rubber Band: tempo and key (so far its benchmark, tests/bench/StretchBench.cpp)
  # tests: Catch2, RealtimeSanitizer's runtime, a JACK server, sox to inspect audio, clang for
  # the libFuzzer harness
  catch2 libclang-rt-19-dev jackd2 sox clang
  ffmpeg   # the stem-file tests generate their .stem.mp4 files with it
  flac     # the reference FLAC encoder: 12- and 20-bit files for the format tests
  xvfb xdotool imagemagick   # the stage GUI's test: a virtual display, keys and clicks, a screenshot
  liblo-tools python3-liblo   # independent OSC clients for the OSC tests: oscsend, oscdump, and a Companion replay in Python
  python3-mido   # an independent Standard MIDI File reader for MIDI out's render tests (render --midi-out)
  espeak-ng python3-numpy   # the spoken guide's test: eSpeak NG's own command line says each cue on its own, numpy lines it up with the render
  chromium fonts-dejavu-core zbar-tools   # the web remote's tests: a real browser (puppeteer-core from npm drives it), its fonts, a QR decoder
  iproute2 util-linux   # the OSC and web security tests: network namespaces and a veth pair (ip netns, ip link)
  fuse3 libfuse3-dev   # a filesystem that stops answering, as a stalled network share (tests/stall)
  # packaging: man pages from --help, the .deb's library dependencies (dpkg-shlibdeps), and the
  # checks of what it installs (the .desktop entry, the systemd unit)
  help2man dpkg-dev file desktop-file-utils systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The web remote's browser test drives Debian's chromium with puppeteer-core, and its security test
# speaks WebSocket with ws: npm packages pinned in tests/web/package-lock.json (the machine's Node.js).
web_test_packages() {
  if [ ! -d tests/web/node_modules/puppeteer-core ] || [ ! -d tests/web/node_modules/ws ]; then
    echo "setup: npm packages for the web remote's tests (tests/web)"
    (cd tests/web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  web_test_packages
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
echo 'jackd2 jackd/tweak_rt_limits boolean false' | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
web_test_packages
echo "setup: done"
