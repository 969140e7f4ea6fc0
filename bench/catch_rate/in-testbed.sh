#!/bin/sh
# The part of make-faults.sh that runs inside a trixie testbed with network (apt sources written by
# the harness from its mirror settings). Steps, each one `in-testbed.sh STEP`:
#   versions  apt-get update (binary + source lines), print "package version" for every package used
#   faults    download the real packages and build every injected-fault candidate (/out/faults)
# Every .deb is built reproducibly (SOURCE_DATE_EPOCH, --root-owner-group), so a rerun makes the same
# files and the harness reuses the image layers it built from them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# Packages the faults are made of (libssl3t64 only to check that openssl owns /etc/ssl/openssl.cnf).
PACKAGES="exim4-base exim4-config exim4-daemon-light munin-plugins-core openssl libssl3t64"

step_versions() {
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/harness-src.list
  apt-get update -qq -o APT::Update::Error-Mode=any >/dev/null
  for p in $PACKAGES; do echo "$p $(version_of "$p")"; done
  echo "exim4-source $(apt-cache showsrc --only-source exim4 | sed -n 's/^Version: //p' | sort -V | tail -n1)"
  echo "arch $(dpkg --print-architecture)"
}

step_faults() {
  rm -rf /build/dl /build/t /out/faults && mkdir -p /build/dl /build/t /out/faults && cd /build/dl
  apt-get download -qq $PACKAGES
  deb() { ls /build/dl/"$1"_*.deb; }
  cnf_pkg=
  for p in openssl libssl3t64; do
    if dpkg-deb -c "$(deb $p)" | grep '\./etc/ssl/openssl\.cnf$' >/dev/null; then cnf_pkg=$p; fi
  done
  # faults/openssl-*.yaml name openssl as the faulty package (true on trixie): say so if that changes.
  [ "$cnf_pkg" = openssl ] || { echo "in-testbed.sh: /etc/ssl/openssl.cnf is shipped by '$cnf_pkg', not openssl: update faults/openssl-*.yaml" >&2; exit 1; }
  echo "$cnf_pkg" > /out/faults/openssl-cnf-package
  t=/build/t F=/out/faults

  # unchanged: every package a suite installs from the candidate, repacked as is.
  for p in $(echo exim4-base exim4-config exim4-daemon-light munin-plugins-core openssl $cnf_pkg | tr ' ' '\n' | sort -u); do
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
  repack $t/b +fault2 $F/exiqgrep-frozen-inverted

  # munin-count-parser: exim_mailqueue's awk no longer matches exiqgrep -c's "N matches out of M messages".
  unpack "$(deb munin-plugins-core)" $t/m
  plugin=$t/m/usr/share/munin/plugins/exim_mailqueue
  cp $plugin $t/exim_mailqueue.orig
  sed -i 's|/\[0-9\]+ matches out of \[0-9\]+ messages/|/[0-9]+ matches of [0-9]+ messages/|' $plugin
  must_change $t/exim_mailqueue.orig $plugin "the plugin's awk edit"
  repack $t/m +fault5 $F/munin-count-parser

  # deps-uninstallable: exim4-daemon-light depends on a package no archive has.
  unpack "$(deb exim4-daemon-light)" $t/d
  sed -i 's/^Depends: /Depends: libexim4-harness-missing0 (>= 1), /' $t/d/DEBIAN/control
  grep -q libexim4-harness-missing0 $t/d/DEBIAN/control
  repack $t/d +fault4 $F/deps-uninstallable

  # deps-perl-dropped: exim4-base without perl (Getopt/Std.pm lives in perl-modules-*, not perl-base)
  # and without libfile-fcntllock-perl (which pulls perl back in).
  unpack "$(deb exim4-base)" $t/p && cp $t/p/DEBIAN/control $t/control.orig
  sed -i -e '/^Depends: /{s/ perl\(:any\)\?\( ([^)]*)\)\?,//g;s/, perl\(:any\)\?\( ([^)]*)\)\?$//;s/ libfile-fcntllock-perl\( ([^)]*)\)\?,//;s/, libfile-fcntllock-perl\( ([^)]*)\)\?$//}' $t/p/DEBIAN/control
  must_change $t/control.orig $t/p/DEBIAN/control "the Depends edit"
  if grep '^Depends:' $t/p/DEBIAN/control | grep -q 'perl[:, (]\|perl$'; then
    echo "in-testbed.sh: perl still in $(grep '^Depends:' $t/p/DEBIAN/control)" >&2; exit 1
  fi
  repack $t/p +fault3 $F/deps-perl-dropped

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
  repack $t/o1 +fault6 $F/openssl-min-tls13

  # openssl-seclevel-rsa: security level 3 needs 3072-bit RSA, so s_server refuses the 2048-bit certificate.
  unpack "$(deb $cnf_pkg)" $t/o2 && cnf=$t/o2/etc/ssl/openssl.cnf
  ssl_defaults $cnf 'CipherString = DEFAULT:@SECLEVEL=3'
  must_change $t/openssl.cnf.orig $cnf "the CipherString edit"
  repack $t/o2 +fault7 $F/openssl-seclevel-rsa

  # exim-tls-no-tls12: exim4-config's template makes GnuTLS refuse TLS 1.2 (2015-era senders).
  unpack "$(deb exim4-config)" $t/c1 && tmpl=$t/c1/etc/exim4/exim4.conf.template && cp $tmpl $t/template.orig
  sed -i 's/^\(\.ifdef MAIN_TLS_ENABLE\)$/\1\ntls_require_ciphers = NORMAL:-VERS-TLS1.2:-VERS-TLS1.1:-VERS-TLS1.0/' $tmpl
  must_change $t/template.orig $tmpl "the tls_require_ciphers edit"
  repack $t/c1 +fault8 $F/exim-tls-no-tls12

  # exim-config-unparsable: a main option exim does not know; the daemon cannot start.
  unpack "$(deb exim4-config)" $t/c2 && tmpl=$t/c2/etc/exim4/exim4.conf.template
  sed -i '0,/^\.ifdef MAIN_TLS_ENABLE$/s//tls_harness_injected_option = yes\n&/' $tmpl
  must_change $t/template.orig $tmpl "the unknown option edit"
  repack $t/c2 +fault9 $F/exim-config-unparsable

  # two-changes: the id regex fault in exim4-base and an unchanged openssl (another source package).
  mkdir -p $F/two-changes
  cp $F/exiqgrep-new-id-regex/*.deb $F/two-changes/
  cp $F/unchanged/openssl_*.deb $F/two-changes/
}

case "${1:-}" in
  versions) step_versions ;;
  faults) step_faults ;;
  *) echo "usage: in-testbed.sh versions|faults" >&2; exit 2 ;;
esac
