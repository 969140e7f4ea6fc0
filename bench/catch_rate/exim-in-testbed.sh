#!/bin/sh
# Inside a trixie testbed with network and the build dependencies (make-faults.sh): builds Debian's
# exim4-daemon-light binary from the real exim4 source package twice, as shipped (the exim Bug 3050
# fix in) and with the fix reverted (bug3050-revert.patch, only queue.o recompiles), checks it against
# the real package's binary, and repacks the real .deb around each: /out/exim/{fixed,revert}/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

step_exim() {
  rm -rf /build/exim && mkdir -p /build/exim /out/exim && cd /build/exim
  # The newest source version the mirror serves (a mirror may list a security update's source before
  # it carries the files), and the binary package of exactly that version to repack.
  # Some mirrors serve a source package's upstream tarball but not its .dsc/.debian.tar.xz: then the
  # tarball (checksum-verified by apt against Sources) is built with exim4-light.mk, without Debian's
  # patches, and the recipe says so in /out/exim/source.
  got=
  for v in $(apt-cache showsrc --only-source exim4 | sed -n 's/^Version: //p' | sort -rV); do
    if apt-get source -qq --only-source "exim4=$v" >/dev/null 2>&1; then got=$v; break; fi
    echo "in-testbed.sh: exim4 source $v: not all of its files are on the mirror" >&2
  done
  if [ -n "$got" ]; then
    src=$(find . -maxdepth 1 -type d -name 'exim4-*' | head -n1)
    echo "Debian source package exim4 $got (debian/EDITME.exim4-light.diff, Debian's patches)" > /out/exim/source
    apt-get download -qq "exim4-daemon-light=$got"
  else
    orig=$(ls exim4_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n1)
    [ -n "$orig" ] || { echo "in-testbed.sh: the mirror has no file of the exim4 source package" >&2; exit 1; }
    tar xf "$orig"
    src=$(find . -maxdepth 1 -type d -name 'exim-*' | head -n1)
    echo "upstream tarball $orig of Debian's exim4 source (exim4-light.mk; Debian's patches not applied)" > /out/exim/source
    apt-get download -qq exim4-daemon-light
  fi
  deb=$(ls exim4-daemon-light_*.deb)
  getent passwd Debian-exim >/dev/null || useradd --system --user-group --no-create-home Debian-exim
  cd "$src"
  sh "$here/build-exim-light.sh" build /build/exim/bin-fixed
  patch -p1 < "$here/bug3050-revert.patch"
  sh "$here/build-exim-light.sh" build /build/exim/bin-revert
  # The build must have the real package's features, lookups, authenticators, paths and TLS library.
  dpkg-deb -x "/build/exim/$deb" /build/exim/real
  features() { "$1" -C /dev/null -bV 2>&1 | grep -E '^(Support for|Lookups|Authenticators|Routers|Transports|Configuration file search path|Fixed never_users|Configure owner|Size of off_t)' || true; }
  features /build/exim/real/usr/sbin/exim4 > /build/exim/features-real
  features /build/exim/bin-revert/exim4 > /build/exim/features-built
  if ! diff -u /build/exim/features-real /build/exim/features-built >&2; then
    echo "in-testbed.sh: the built exim differs from the package's (above: - real, + built)" >&2; exit 1
  fi
  cp /build/exim/features-real /out/exim/features
  for b in fixed revert; do
    unpack "/build/exim/$deb" "/build/exim/tree-$b"
    install -m 4755 "/build/exim/bin-$b/exim4" "/build/exim/tree-$b/usr/sbin/exim4"
    repack "/build/exim/tree-$b" "+bug3050${b}1" "/out/exim/$b"
  done
}

step_exim
