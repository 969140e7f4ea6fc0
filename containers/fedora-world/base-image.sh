#!/bin/sh
# Inside a bookworm testbed that has dnf, rpm, gnupg and the runtime libraries exim links against:
# turns it into the base of the local Fedora world, an rpm-based userland for dnf:
#   - rpm's database in /var/lib/rpm (Debian's rpm defaults to ~/.rpmdb);
#   - a file-less `base-provides` rpm that declares what the Debian userland already has (sonames,
#     every /usr/bin and /usr/sbin file under both the /usr and the / spelling except openssl's, perl
#     and its modules, rtld(GNU_HASH)) and system-release(releasever) = 41, so dnf resolves the automatic Requires of
#     rpmbuild-built packages and picks 41 as $releasever;
#   - Fedora's dnf.conf defaults and Fedora's three .repo files (metalinks of mirrors.fedoraproject.org,
#     unreachable here: a testbed must write the repositories it uses, as it would on a real mirror);
#   - apt's sources and lists removed (dnf is the package manager of this image).
set -eu
export LC_ALL=C
mkdir -p /etc/rpm /etc/yum.repos.d /etc/dnf /etc/pki/rpm-gpg
echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros.dbpath
rpm --initdb

top=$(mktemp -d)
{
  find /usr/lib /lib64 \( -name '*.so' -o -name '*.so.*' \) -type f 2>/dev/null | while read -r f; do
    # elfdeps exits 1 on a file that is not ELF (e.g. *.socket units): skip those.
    /usr/lib/rpm/elfdeps --provides "$f" 2>/dev/null || true
  done
  # Debian's openssl package is not declared: the world's `fedora` repository has an `openssl` rpm
  # (the starttls suite's s_server), which must be what a testbed installs, not a capability of this base.
  dpkg -L openssl 2>/dev/null | sort > "$top/openssl-files" || true
  for f in /usr/bin/* /usr/sbin/*; do echo "$f"; echo "${f#/usr}"; done | sort | comm -23 - "$top/openssl-files" |
    grep -v '^/bin/openssl$\|^/bin/c_rehash$'
  perl -e 'print "$_\n" for grep { -d } @INC' | while read -r d; do
    (cd "$d" && find . -name '*.pm' | sed -e 's|^\./||' -e 's|\.pm$||' -e 's|/|::|g' -e 's|.*|perl(&)|')
  done
  echo "perl(:VERSION) = $(perl -e 'printf "%vd", $^V')"
  # The perl package itself, with Fedora's epoch (4): rpm's generated `perl >= 0:5.006` needs it.
  echo "perl = 4:$(perl -e 'printf "%vd", $^V')"
  echo "perl(:MODULE_COMPAT_$(perl -e 'printf "%vd", $^V'))"
  echo "/bin/sh"; echo "/usr/bin/sh"
  echo "rtld(GNU_HASH)"
  echo "system-release(releasever) = 41"
} | sort -u | sed 's/^/Provides: /' > "$top/provides"
cat > "$top/base-provides.spec" <<SPEC
Name: base-provides
Version: 41
Release: 1
Summary: What the Debian userland of this image provides, declared for rpm
License: MIT
BuildArch: noarch
$(cat "$top/provides")
%description
The local Fedora world's base is a Debian bookworm userland with dnf and rpm. This file-less package
declares its libraries, programs and perl modules so that dnf can resolve rpm packages against it.
%files
SPEC
rpmbuild --quiet -bb --define "_topdir $top/build" "$top/base-provides.spec" >/dev/null
rpm -i --force-debian "$top"/build/RPMS/noarch/base-provides-41-1.noarch.rpm
echo "base-image.sh: base-provides declares $(wc -l < "$top/provides") capabilities" >&2
rm -rf "$top"

cat > /etc/dnf/dnf.conf <<'CONF'
[main]
gpgcheck=True
installonly_limit=3
clean_requirements_on_remove=True
best=False
skip_if_unavailable=False
CONF
for r in fedora:fedora-\$releasever:1: updates:updates-released-f\$releasever:1:' - Updates' \
         "updates-testing:updates-testing-f\$releasever:0: - Test Updates"; do
  id=${r%%:*} rest=${r#*:}; mm=${rest%%:*} rest=${rest#*:}; enabled=${rest%%:*} title=${rest#*:}
  file=/etc/yum.repos.d/fedora.repo
  [ "$id" = fedora ] || file=/etc/yum.repos.d/fedora-$id.repo
  cat > "$file" <<REPO
[$id]
name=Fedora \$releasever - \$basearch$title
metalink=https://mirrors.fedoraproject.org/metalink?repo=$mm&arch=\$basearch
enabled=$enabled
countme=1
repo_gpgcheck=0
type=rpm
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-\$releasever-\$basearch
skip_if_unavailable=False
REPO
done
rm -rf /etc/apt/sources.list /etc/apt/sources.list.d/* /var/lib/apt/lists/* /var/cache/apt/*.bin
rm -rf /root/.rpmdb /tmp/* /var/tmp/*
