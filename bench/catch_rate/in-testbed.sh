#!/bin/sh
# The part of make-faults.sh that runs inside a trixie testbed with network (apt sources written by
# the harness from its mirror settings). Steps, each one `in-testbed.sh STEP`:
#   versions  apt-get update (binary + source lines), print "package version" for every package used
#   exim      build Debian's exim4-daemon-light binary from the real exim4 source package, as shipped
#             and with the exim Bug 3050 fix reverted; repack the real .deb around each (/out/exim)
#   faults    download the real packages and build every injected-fault candidate (/out/faults)
# Every .deb is built reproducibly (SOURCE_DATE_EPOCH, --root-owner-group), so a rerun makes the same
# files and the harness reuses the image layers it built from them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C DEBIAN_FRONTEND=noninteractive
# Packages the faults are made of (the openssl.cnf owner is found at run time: openssl or libssl).
PACKAGES="exim4-base exim4-config exim4-daemon-light munin-plugins-core openssl libssl3t64"

version_of() { apt-cache show --no-all-versions "$1" | sed -n 's/^Version: //p' | head -n1; }

# A .deb tree: unpack, let the caller change it, then bump the version and rebuild.
unpack() { rm -rf "$2" && dpkg-deb -R "$1" "$2"; }
# repack TREE SUFFIX OUTDIR: version + SUFFIX, md5sums recomputed, reproducible build.
repack() {
  tree=$1 suffix=$2 outdir=$3
  sed -i "s/^Version: \(.*\)$/Version: \1$suffix/" "$tree/DEBIAN/control"
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -print | sed 's,^\./,,' | LC_ALL=C sort |
     xargs -r md5sum > DEBIAN/md5sums)
  find "$tree" -depth -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  mkdir -p "$outdir"
  pkg=$(sed -n 's/^Package: //p' "$tree/DEBIAN/control")
  ver=$(sed -n 's/^Version: //p' "$tree/DEBIAN/control")
  arch=$(sed -n 's/^Architecture: //p' "$tree/DEBIAN/control")
  dpkg-deb --root-owner-group -Zxz -b "$tree" "$outdir/${pkg}_$(echo "$ver" | sed 's/^[0-9]*://')_$arch.deb" >/dev/null
}
# Fail loudly when an edit did not apply (a new upstream version moved the text).
must_change() { if cmp -s "$1" "$2"; then echo "in-testbed.sh: $3 did not change $2" >&2; exit 1; fi; }

step_versions() {
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/harness-src.list
  apt-get update -qq -o APT::Update::Error-Mode=any >/dev/null
  for p in $PACKAGES; do echo "$p $(version_of "$p")"; done
  echo "exim4-source $(apt-cache showsrc --only-source exim4 | sed -n 's/^Version: //p' | sort -V | tail -n1)"
  echo "arch $(dpkg --print-architecture)"
}

step_exim() {
  rm -rf /work/exim && mkdir -p /work/exim /out/exim && cd /work/exim
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
  sh "$here/build-exim-light.sh" build /work/exim/bin-fixed
  patch -p1 < "$here/bug3050-revert.patch"
  sh "$here/build-exim-light.sh" build /work/exim/bin-revert
  # The build must have the real package's features, lookups, authenticators, paths and TLS library.
  dpkg-deb -x "/work/exim/$deb" /work/exim/real
  features() { "$1" -C /dev/null -bV 2>&1 | grep -E '^(Support for|Lookups|Authenticators|Routers|Transports|Configuration file search path|Fixed never_users|Configure owner|Size of off_t)' || true; }
  features /work/exim/real/usr/sbin/exim4 > /work/exim/features-real
  features /work/exim/bin-revert/exim4 > /work/exim/features-built
  if ! diff -u /work/exim/features-real /work/exim/features-built >&2; then
    echo "in-testbed.sh: the built exim differs from the package's (above: - real, + built)" >&2; exit 1
  fi
  cp /work/exim/features-real /out/exim/features
  for b in fixed revert; do
    unpack "/work/exim/$deb" "/work/exim/tree-$b"
    install -m 4755 "/work/exim/bin-$b/exim4" "/work/exim/tree-$b/usr/sbin/exim4"
    repack "/work/exim/tree-$b" "+bug3050${b}1" "/out/exim/$b"
  done
}

step_faults() {
  rm -rf /work/dl /work/t /out/faults && mkdir -p /work/dl /work/t /out/faults && cd /work/dl
  apt-get download -qq $PACKAGES
  deb() { ls /work/dl/"$1"_*.deb; }
  cnf_pkg=
  for p in openssl libssl3t64; do
    if dpkg-deb -c "$(deb $p)" | grep -q '\./etc/ssl/openssl\.cnf$'; then cnf_pkg=$p; fi
  done
  [ -n "$cnf_pkg" ] || { echo "in-testbed.sh: no package ships /etc/ssl/openssl.cnf" >&2; exit 1; }
  echo "$cnf_pkg" > /out/faults/openssl-cnf-package
  t=/work/t F=/out/faults

  # unchanged: every package a suite installs from the candidate, repacked as is.
  for p in exim4-base exim4-config exim4-daemon-light openssl $cnf_pkg; do
    unpack "$(deb $p)" $t/u-$p && repack $t/u-$p +bench0 $F/unchanged
  done

  # exiqgrep-new-id-regex: the id alternation accepts only the old 16-character form (the 4.96 regex).
  unpack "$(deb exim4-base)" $t/a && cp $t/a/usr/sbin/exiqgrep $t/exiqgrep.orig
  sed -i 's/(?:\\w{6}-\\w{6}-\\w{2}|\\w{6}-\\w{11}-\\w{4})/(?:\\w{6}-\\w{6}-\\w{2})/' $t/a/usr/sbin/exiqgrep
  must_change $t/exiqgrep.orig $t/a/usr/sbin/exiqgrep "the id regex edit"
  repack $t/a +fault1 $F/exiqgrep-new-id-regex

  # exiqgrep-frozen-inverted: -z selects the messages that are NOT frozen.
  unpack "$(deb exim4-base)" $t/b
  sed -i '/# Exclude non frozen/{n;s/next unless (\$id{\$msg}{frozen});/next if ($id{$msg}{frozen});/}' $t/b/usr/sbin/exiqgrep
  must_change $t/exiqgrep.orig $t/b/usr/sbin/exiqgrep "the -z edit"
  repack $t/b +fault1 $F/exiqgrep-frozen-inverted

  # munin-count-parser: exim_mailqueue's awk no longer matches exiqgrep -c's "N matches out of M messages".
  unpack "$(deb munin-plugins-core)" $t/m
  plugin=$t/m/usr/share/munin/plugins/exim_mailqueue
  cp $plugin $t/exim_mailqueue.orig
  sed -i 's|/\[0-9\]+ matches out of \[0-9\]+ messages/|/[0-9]+ matches of [0-9]+ messages/|' $plugin
  must_change $t/exim_mailqueue.orig $plugin "the plugin's awk edit"
  repack $t/m +fault1 $F/munin-count-parser

  # deps-uninstallable: exim4-daemon-light depends on a package no archive has.
  unpack "$(deb exim4-daemon-light)" $t/d
  sed -i 's/^Depends: /Depends: libexim4-harness-missing0 (>= 1), /' $t/d/DEBIAN/control
  grep -q libexim4-harness-missing0 $t/d/DEBIAN/control
  repack $t/d +fault1 $F/deps-uninstallable

  # deps-perl-dropped: exim4-base without perl (Getopt/Std.pm lives in perl-modules-*, not perl-base)
  # and without libfile-fcntllock-perl (which pulls perl back in).
  unpack "$(deb exim4-base)" $t/p && cp $t/p/DEBIAN/control $t/control.orig
  sed -i -e '/^Depends: /{s/ perl\(:any\)\?\( ([^)]*)\)\?,//g;s/, perl\(:any\)\?\( ([^)]*)\)\?$//;s/ libfile-fcntllock-perl\( ([^)]*)\)\?,//;s/, libfile-fcntllock-perl\( ([^)]*)\)\?$//}' $t/p/DEBIAN/control
  must_change $t/control.orig $t/p/DEBIAN/control "the Depends edit"
  if grep '^Depends:' $t/p/DEBIAN/control | grep -q 'perl[:, (]\|perl$'; then
    echo "in-testbed.sh: perl still in $(grep '^Depends:' $t/p/DEBIAN/control)" >&2; exit 1
  fi
  repack $t/p +fault1 $F/deps-perl-dropped

  # openssl-min-tls13: the system-wide default refuses TLS 1.2 (openssl s_server and s_client).
  # trixie's openssl.cnf has no ssl_conf section: add one, as an administrator or a packager would.
  ssl_defaults() {  # ssl_defaults CNF LINE: a [system_default_sect] holding LINE
    sed -i 's/^providers = provider_sect$/&\nssl_conf = ssl_sect/' "$1"
    printf '\n[ssl_sect]\nsystem_default = system_default_sect\n\n[system_default_sect]\n%s\n' "$2" >> "$1"
    grep -q '^ssl_conf = ssl_sect$' "$1" || { echo "in-testbed.sh: no [openssl_init] providers line in $1" >&2; exit 1; }
  }
  unpack "$(deb $cnf_pkg)" $t/o1 && cnf=$t/o1/etc/ssl/openssl.cnf && cp $cnf $t/openssl.cnf.orig
  ssl_defaults $cnf 'MinProtocol = TLSv1.3'
  must_change $t/openssl.cnf.orig $cnf "the MinProtocol edit"
  repack $t/o1 +fault1 $F/openssl-min-tls13

  # openssl-seclevel-rsa: security level 3 needs 3072-bit RSA, so s_server refuses the 2048-bit certificate.
  unpack "$(deb $cnf_pkg)" $t/o2 && cnf=$t/o2/etc/ssl/openssl.cnf
  ssl_defaults $cnf 'CipherString = DEFAULT:@SECLEVEL=3'
  must_change $t/openssl.cnf.orig $cnf "the CipherString edit"
  repack $t/o2 +fault2 $F/openssl-seclevel-rsa

  # exim-tls-no-tls12: exim4-config's template makes GnuTLS refuse TLS 1.2 (2015-era senders).
  unpack "$(deb exim4-config)" $t/c1 && tmpl=$t/c1/etc/exim4/exim4.conf.template && cp $tmpl $t/template.orig
  sed -i 's/^\(\.ifdef MAIN_TLS_ENABLE\)$/\1\ntls_require_ciphers = NORMAL:-VERS-TLS1.2:-VERS-TLS1.1:-VERS-TLS1.0/' $tmpl
  must_change $t/template.orig $tmpl "the tls_require_ciphers edit"
  repack $t/c1 +fault1 $F/exim-tls-no-tls12

  # exim-config-unparsable: a main option exim does not know; the daemon cannot start.
  unpack "$(deb exim4-config)" $t/c2 && tmpl=$t/c2/etc/exim4/exim4.conf.template
  sed -i '0,/^\.ifdef MAIN_TLS_ENABLE$/s//tls_harness_injected_option = yes\n&/' $tmpl
  must_change $t/template.orig $tmpl "the unknown option edit"
  repack $t/c2 +fault2 $F/exim-config-unparsable

  # two-changes: the id regex fault in exim4-base and an unchanged openssl (another source package).
  mkdir -p $F/two-changes
  cp $F/exiqgrep-new-id-regex/*.deb $F/two-changes/
  cp $F/unchanged/openssl_*.deb $F/two-changes/
}

case "${1:-}" in
  versions) step_versions ;;
  exim) step_exim ;;
  faults) step_faults ;;
  *) echo "usage: in-testbed.sh versions|exim|faults" >&2; exit 2 ;;
esac
