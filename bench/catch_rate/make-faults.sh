#!/bin/sh
# Builds the catch-rate benchmark's injected-fault candidates from Debian trixie's real packages and
# prints the folder that holds them (one subfolder per fault: the .debs plus fault.yaml), usable as
# `local:FOLDER/NAME@debian:trixie:stable`.
#
#   bench/catch_rate/make-faults.sh [--harness BIN]
#
# The work happens in a trixie testbed with network (`harness testbed up --network`, apt sources
# written by the harness from its mirror settings, so --debian-mirror applies): in-testbed.sh and
# exim-in-testbed.sh (helpers in lib.sh).
# Cached by content under $XDG_CACHE_HOME/harness (default ~/.cache/harness):
#   exim-bug3050/<key>/{fixed,revert}/   key = the recipe, the patch, the exim4 source version
#   catch-rate/<key>/<fault>/            key = every recipe file, fault file and package version
# so a rerun with nothing changed only asks the archive for the versions.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
harness=$root/build/bin/harness
while [ $# -gt 0 ]; do
  case $1 in
    --harness) harness=$2; shift 2 ;;
    *) echo "make-faults.sh: unknown argument '$1' (usage: make-faults.sh [--harness BIN])" >&2; exit 2 ;;
  esac
done
[ -x "$harness" ] || { echo "make-faults.sh: no harness binary at $harness (build it, or pass --harness BIN)" >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/harness
log() { echo "make-faults: $*" >&2; }

# The build dependencies of exim4-daemon-light only (debian/control lists the heavy daemon's and
# eximon's too); the harness caches this image by content.
packages=build-essential,dpkg-dev,patch,libgnutls28-dev,libdb5.3-dev,libpcre2-dev,libidn2-dev,libidn-dev,libnsl-dev,libident-dev,pkgconf,perl
log "starting a trixie testbed with the build dependencies"
name=$(timeout 1800 "$harness" -q testbed up --release trixie --network --packages "$packages")
cleanup() { timeout 120 "$harness" -q testbed down "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
x() { t=$1; shift; timeout $((t + 60)) "$harness" -q testbed exec "$name" --timeout "$t" -- "$@"; }

x 60 rm -rf /recipe
timeout 120 podman cp "$here" "$name:/recipe"
versions=$(x 900 sh /recipe/in-testbed.sh versions)
log "versions: $(echo "$versions" | tr '\n' ' ')"

hash_of() { sha256sum | cut -c1-16; }
exim_key=$( { cat "$here/lib.sh" "$here/exim-in-testbed.sh" "$here/build-exim-light.sh" "$here/exim4-light.mk" "$here/bug3050-revert.patch"
             echo "$versions" | grep -E '^(exim4-source|exim4-daemon-light|arch) '; } | hash_of)
faults_key=$( { cat "$here"/*.sh "$here"/*.mk "$here/bug3050-revert.patch" "$here"/faults/*.yaml; echo "$versions"; } | hash_of)
out=$cache/catch-rate/$faults_key
if [ -f "$out/COMPLETE" ]; then log "cached: $out"; echo "$out"; exit 0; fi

exim=$cache/exim-bug3050/$exim_key
if [ ! -f "$exim/COMPLETE" ]; then
  log "building exim4-daemon-light from source, with and without the Bug 3050 fix (a few minutes)"
  start=$(date +%s)
  x 2400 sh /recipe/exim-in-testbed.sh
  rm -rf "$exim.tmp" && mkdir -p "$exim.tmp"
  timeout 300 podman cp "$name:/out/exim/." "$exim.tmp/"
  echo "$versions" > "$exim.tmp/versions"
  touch "$exim.tmp/COMPLETE" && rm -rf "$exim" && mv "$exim.tmp" "$exim"
  log "exim built in $(( $(date +%s) - start )) s: $exim"
else
  log "exim builds cached: $exim"
fi

log "downloading trixie's packages and building the faults"
x 1800 sh /recipe/in-testbed.sh faults
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
timeout 300 podman cp "$name:/out/faults/." "$out.tmp/"
mkdir -p "$out.tmp/exim-bp-dash-h" "$out.tmp/exim-bp-fixed"
cp "$exim"/revert/*.deb "$out.tmp/exim-bp-dash-h/"
cp "$exim"/fixed/*.deb "$out.tmp/exim-bp-fixed/"
for f in "$here"/faults/*.yaml; do
  n=$(basename "$f" .yaml)
  [ -d "$out.tmp/$n" ] || { log "faults/$n.yaml has no built folder (in-testbed.sh makes none named $n)"; exit 1; }
  cp "$f" "$out.tmp/$n/fault.yaml"
done
echo "$versions" > "$out.tmp/versions"
touch "$out.tmp/COMPLETE" && rm -rf "$out" && mv "$out.tmp" "$out"
log "built: $out"
echo "$out"
