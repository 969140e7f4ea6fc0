#!/bin/sh
# Builds the exim binary of Debian's exim4-daemon-light from an unpacked exim4 source package (run in
# its top directory, inside a testbed that has the build dependencies): Debian's own light
# configuration (debian/EDITME.exim4-light.diff over src/EDITME, GnuTLS, Debian's paths; or, from the
# upstream tarball alone, exim4-light.mk) and the compiler flags debian/rules uses. Only the `exim` binary is built (no eximon, no utilities, no docs),
# so a second call after a patch recompiles only the changed files.
#   build-exim-light.sh build OUTDIR     -> OUTDIR/exim4
set -eu
[ "${1:-}" = build ] && [ -n "${2:-}" ] || { echo "usage: build-exim-light.sh build OUTDIR" >&2; exit 2; }
out=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f EDITME.exim4-light ]; then
  if [ -f debian/EDITME.exim4-light.diff ]; then
    patch -s -o EDITME.exim4-light src/EDITME debian/EDITME.exim4-light.diff
  else  # only the upstream tarball: Debian's light settings over upstream's EDITME
    cat src/EDITME "$here/exim4-light.mk" > EDITME.exim4-light
  fi
fi
mkdir -p Local
cmp -s EDITME.exim4-light Local/Makefile || cp EDITME.exim4-light Local/Makefile
# debian/rules: hardening=+all, LFS, CPPFLAGS appended to CFLAGS, LFLAGS = LDFLAGS, no TZ.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
eval "$(dpkg-buildflags --export=sh)"
CFLAGS="$CFLAGS $(getconf LFS_CFLAGS) -D_LARGEFILE_SOURCE -fno-strict-aliasing -Wall $CPPFLAGS"
LFLAGS=$LDFLAGS
EXIM_ARCHTYPE=$(dpkg-architecture -qDEB_TARGET_GNU_CPU)
export CFLAGS LFLAGS EXIM_ARCHTYPE LC_ALL=C
unset TZ || true
buildname=$(scripts/os-type)-$(scripts/arch-type)
# The top-level make creates build-$buildname (links to src/, the generated Makefile); then only the
# exim target inside it.
[ -f "build-$buildname/Makefile" ] || make FULLECHO='' makefile >/dev/null 2>&1 || make FULLECHO='' build-"$buildname"
make -C "build-$buildname" -j"$(nproc)" FULLECHO='' exim >/dev/null
mkdir -p "$out"
cp "build-$buildname/exim" "$out/exim4"
