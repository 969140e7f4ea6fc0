#!/bin/sh
# Builds a Fedora-shaped rpm-md tree from real RPMs (rpmbuild + createrepo_c + modifyrepo_c), with
# primary and updateinfo compressed with zstd as Fedora 41+ composes do, and a metalink per repo:
#   OUT/releases/40/Everything/x86_64/os/   exim 4.96-1.fc40, openssl 3.2.1-2.fc40
#   OUT/updates/40/Everything/x86_64/       openssl 3.2.2-1.fc40       (advisory FEDORA-2024-5d2e8c1a7b)
#   OUT/updates/testing/40/Everything/x86_64/ exim 4.97.1-1.fc40       (advisory FEDORA-2024-0b5e4ad2c0, rhbz#2258027)
#   OUT/metalink-<mm repo name>.xml
set -eu
OUT=$1
TOP=$(mktemp -d)
trap 'rm -rf "$TOP"' EXIT
mkdir -p "$OUT"

build() {  # name version release repo-dir
  cat > "$TOP/$1-$2.spec" <<SPEC
Name: $1
Version: $2
Release: $3
Summary: harness test package $1
License: MIT
BuildArch: x86_64
AutoReqProv: no
Source0: none
%description
Test package built by the harness repo tests.
%install
mkdir -p %{buildroot}/usr/share/$1
echo "$1 $2-$3" > %{buildroot}/usr/share/$1/VERSION
%files
/usr/share/$1/VERSION
SPEC
  rpmbuild --quiet --define "_topdir $TOP/build" --define "_build_id_links none" -bb "$TOP/$1-$2.spec" >/dev/null 2>&1 ||
    rpmbuild --define "_topdir $TOP/build" --define "_build_id_links none" -bb "$TOP/$1-$2.spec"
  mkdir -p "$OUT/$4"
  cp "$TOP/build/RPMS/x86_64/$1-$2-$3.x86_64.rpm" "$OUT/$4/"
}

updateinfo() {  # dir id type severity status name version release bug
  cat > "$TOP/updateinfo.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="updates@fedoraproject.org" status="$5" type="$3" version="2.0">
    <id>$2</id>
    <title>$6-$7-$8</title>
    <issued date="2024-01-20 01:02:03"/>
    <updated date="2024-01-21 01:02:03"/>
    <rights>Copyright (C) 2024 Red Hat, Inc. and others.</rights>
    <release>Fedora 40</release>
    <severity>$4</severity>
    <summary>$6-$7-$8 $5 update</summary>
    <description>Update to $7.</description>
    <solution>This update can be installed with the "dnf" update program.</solution>
    <references>
      <reference href="https://bugzilla.redhat.com/show_bug.cgi?id=$9" id="$9" type="bugzilla" title="test bug $9"/>
    </references>
    <pkglist>
      <collection short="F40">
        <name>Fedora 40</name>
        <package name="$6" version="$7" release="$8" epoch="0" arch="x86_64" src="https://download.fedoraproject.org/pub/fedora/linux/updates/40/Everything/x86_64/Packages/$6-$7-$8.x86_64.rpm">
          <filename>$6-$7-$8.x86_64.rpm</filename>
        </package>
      </collection>
    </pkglist>
  </update>
</updates>
XML
  modifyrepo_c --mdtype=updateinfo "$TOP/updateinfo.xml" "$OUT/$1/repodata" >/dev/null
}

# Recompress primary and updateinfo with zstd and rewrite location, checksum and size in repomd.xml.
zstdify() {  # dir
  python3 - "$OUT/$1" <<'PY'
import hashlib, os, re, subprocess, sys
base = sys.argv[1]
repomd_path = os.path.join(base, "repodata", "repomd.xml")
repomd = open(repomd_path).read()
def fix(m):
    block = m.group(0)
    if m.group(1) not in ("primary", "updateinfo"):
        return block
    href = re.search(r'<location href="([^"]+)"', block).group(1)
    raw = subprocess.run(["gzip", "-dc", os.path.join(base, href)], check=True, capture_output=True).stdout
    data = subprocess.run(["zstd", "-q", "-c", "-19"], input=raw, check=True, capture_output=True).stdout
    digest = hashlib.sha256(data).hexdigest()
    new_href = "repodata/%s-%s.xml.zst" % (digest, m.group(1))
    open(os.path.join(base, new_href), "wb").write(data)
    os.remove(os.path.join(base, href))
    block = block.replace(href, new_href)
    block = re.sub(r'<checksum type="sha256">[0-9a-f]+</checksum>', '<checksum type="sha256">%s</checksum>' % digest, block)
    block = re.sub(r'<size>\d+</size>', '<size>%d</size>' % len(data), block)
    return block
repomd = re.sub(r'<data type="([a-z_]+)">.*?</data>', fix, repomd, flags=re.S)
open(repomd_path, "w").write(repomd)
PY
}

metalink() {  # dir mm-name
  sum=$(sha256sum "$OUT/$1/repodata/repomd.xml" | cut -d' ' -f1)
  size=$(stat -c %s "$OUT/$1/repodata/repomd.xml")
  cat > "$OUT/metalink-$2.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="Sat, 20 Jan 2024 01:02:03 GMT" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>1705712523</mm0:timestamp>
   <size>$size</size>
   <verification>
    <hash type="md5">00000000000000000000000000000000</hash>
    <hash type="sha256">$sum</hash>
   </verification>
   <mm0:alternates>
    <mm0:alternate><mm0:timestamp>1705000000</mm0:timestamp><size>1</size>
     <verification><hash type="sha256">1111111111111111111111111111111111111111111111111111111111111111</hash></verification>
    </mm0:alternate>
   </mm0:alternates>
   <resources maxconnections="1">
    <url protocol="rsync" type="rsync" location="US" preference="100">rsync://mirror.invalid/$1/repodata/repomd.xml</url>
    <url protocol="http" type="http" location="US" preference="99">@BASE@/$1/repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>
XML
}

R=releases/40/Everything/x86_64/os
U=updates/40/Everything/x86_64
T=updates/testing/40/Everything/x86_64
build exim 4.96 1.fc40 "$R/Packages/e"
build openssl 3.2.1 2.fc40 "$R/Packages/o"
build openssl 3.2.2 1.fc40 "$U/Packages/o"
build exim 4.97.1 1.fc40 "$T/Packages/e"
for d in "$R" "$U" "$T"; do createrepo_c --quiet "$OUT/$d" >/dev/null; done
updateinfo "$U" FEDORA-2024-5d2e8c1a7b security Important stable openssl 3.2.2 1.fc40 2262451
updateinfo "$T" FEDORA-2024-0b5e4ad2c0 security Moderate testing exim 4.97.1 1.fc40 2258027
for d in "$R" "$U" "$T"; do zstdify "$d"; done
metalink "$R" fedora-40
metalink "$U" updates-released-f40
metalink "$T" updates-testing-f40
