#!/usr/bin/env bash
# The man pages, generated from the programs' own --help (help2man), so they are never written
# twice: stemdeck(1) with a COMMANDS section holding every subcommand's --help, and stemdeck-gui(1),
# each also gzipped as Debian installs man pages (stemdeck.1.gz).
#   make-man.sh STEMDECK STEMDECK_GUI VERSION OUTDIR
set -euo pipefail
cli=${1:?usage: make-man.sh STEMDECK STEMDECK_GUI VERSION OUTDIR}
gui=${2:?} version=${3:?} out=${4:?}
mkdir -p "$out"
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
# A subcommand's help as a man section: its usage line and options, kept as the program prints them.
section() {
  printf '.SS "%s"\n.nf\n' "$1"
  sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
  printf '.fi\n'
}
{
  echo '[COMMANDS]'
  for c in render play devices check actions demo learn; do
    "$cli" "$c" --help | section "stemdeck $c"
  done
  "$cli" midi monitor --help | section "stemdeck midi monitor"
  "$cli" osc send --help | section "stemdeck osc send"
  "$cli" web token --help | section "stemdeck web token"
  "$cli" web qr --help | section "stemdeck web qr"
  cat <<'TXT'
[FILES]
.TP
.I /usr/share/stemdeck/controllers/
The shipped controller mappings; \fB\-\-controller\fR \fINAME\fR finds them by name
(e.g. \fBakai\-apc\-mini\-mk2\fR). A mapping of the same name in
\fI~/.config/stemdeck/controllers/\fR comes first; \fBlearn\fR writes there.
.TP
.I /usr/share/stemdeck/sets/
The example set files.
.TP
.I /usr/share/stemdeck/web/
The web remote's pages (\fBplay \-\-web\fR), read into memory when a show starts.
.TP
.I ~/.local/state/stemdeck/web\-tokens
The web remote's control and band tokens (0600), kept across restarts;
\fBstemdeck web token \-\-rotate\fR makes new ones.
.TP
.I ~/.config/stemdeck/
The stage screen's settings.
[EXIT STATUS]
0 on success, 1 on an error (the message names the file, the line and the fix), 69 when
\fBplay\fR finds no audio device.
[SEE ALSO]
.BR stemdeck\-gui (1),
.BR jackd (1).
The README: /usr/share/doc/stemdeck/README.md; the manual: /usr/share/doc/stemdeck/docs/manual/index.md
TXT
} >"$inc"
help2man --no-info --version-string="$version" --include="$inc" \
  --name="a live stem player: songs of up to eight stems in sample-accurate sync" \
  --output="$out/stemdeck.1" "$cli"
help2man --no-info --version-string="$version" \
  --name="the stage screen of stemdeck: the same options as stemdeck play" \
  --output="$out/stemdeck-gui.1" "$gui"
gzip -9nf -k "$out/stemdeck.1" "$out/stemdeck-gui.1"
