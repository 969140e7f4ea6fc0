#!/bin/sh
# Builds the fuzz targets' seed corpora from the project's real data into OUT/<target>/ (one folder
# per fuzz_* binary): the exiqgrep queue listings and case files, the plans and starttls scenarios,
# the rpm-md tree tests/repo/make-rpmmd-fixture.sh builds from real RPMs, the host's own apt lists
# (InRelease, Packages) and apt sources and os-release. Nothing here is committed: the corpora are
# generated (bench/fuzz/run-fuzz.sh and the ctest hook call this), except fuzz/regressions/.
#   fuzz/make-seeds.sh OUT
set -eu
OUT=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
seed() {  # target name < content
  mkdir -p "$OUT/$1"
  cat > "$OUT/$1/$2"
}
n=0
each() {  # target prefix-file files...: copies each file (with an optional first byte from prefix-file)
  t=$1; p=$2; shift 2
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if [ -n "$p" ]; then printf "$p" | cat - "$f" | seed "$t" "$n-$(basename "$f")"; else seed "$t" "$n-$(basename "$f")" < "$f"; fi
  done
}

X=$SRC/scenarios/exiqgrep
each fuzz_queue_listing "" "$X"/queues/*.txt
each fuzz_exiqgrep_cases "" "$X"/cases/*.yaml "$X"/queues/*.yaml
printf '#queries\n' | cat - "$X/queries.yaml" | seed fuzz_exiqgrep_cases queries.yaml
# exiqgrep argument vectors (NUL-separated) as queries.yaml writes them.
python3 - "$X/queries.yaml" "$OUT/fuzz_exiqgrep_query" <<'PY'
import os, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
found = []
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get("args"), list): found.append([str(a) for a in v["args"]])
        for x in v.values(): walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
walk(doc)
for i, args in enumerate(found or [["-c", "-f", "root"]]):
    open(os.path.join(sys.argv[2], "q%d" % i), "wb").write("\0".join(args).encode())
PY
each fuzz_plan_yaml "" "$SRC"/scenarios/plans/*.yaml
each fuzz_client_profile "" "$SRC"/scenarios/starttls/clients/*.yaml
each fuzz_starttls_scenarios '\000' "$SRC/scenarios/starttls/certsets.yaml"
each fuzz_starttls_scenarios '\001' "$SRC/scenarios/starttls/expectations.yaml"
each fuzz_starttls_scenarios '\002' "$SRC/scenarios/starttls/receivers.yaml"
each fuzz_starttls_scenarios '\003' "$SRC"/scenarios/starttls/clients/*.yaml
for spec in debian:bookworm:stable debian:bookworm:proposed-updates debian:trixie:stable fedora:41:updates-testing local:./rpms; do
  printf '%s' "$spec" | seed fuzz_candidate_spec "$(echo "$spec" | tr -c 'a-z0-9-' _)"
done

# SMTP: an exim banner, an EHLO reply, the STARTTLS go-ahead, a refusal (0xff ends one read).
printf '220 mx.example.org ESMTP Exim 4.96 Sat, 05 Dec 2026 06:00:00 +0000\r\n' | seed fuzz_smtp_reply banner
printf '250-mx.example.org Hello client.harness.test [127.0.0.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n\377250-PIPE_CONNECT\r\n250-STARTTLS\r\n250 HELP\r\n' | seed fuzz_smtp_reply ehlo
printf '220 TLS go ahead\r\n' | seed fuzz_smtp_reply go
printf '454 TLS currently unavailable\r\n' | seed fuzz_smtp_reply refused
# Server answers to a replayed hello: TLS 1.3 ServerHello (X25519), a HelloRetryRequest (P-256), a
# TLS 1.2 ServerHello with ALPN, a handshake_failure alert, the TLS 1.3 one split over 1-byte records.
python3 - "$OUT/fuzz_server_answer" <<'PY'
import os, sys
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
def rec(msg, frag=1 << 14, t=22):
    return b"".join(bytes([t, 3, 3]) + len(msg[i:i + frag]).to_bytes(2, "big") + msg[i:i + frag] for i in range(0, len(msg), frag))
def sh(suite, random, ext):
    body = b"\x03\x03" + random + b"\x20" + b"\xab" * 32 + suite.to_bytes(2, "big") + b"\x00"
    if ext: body += len(ext).to_bytes(2, "big") + ext
    return b"\x02\x00" + len(body).to_bytes(2, "big") + body
v13 = b"\x00\x2b\x00\x02\x03\x04"
share = b"\x00\x33\x00\x24\x00\x1d\x00\x20" + b"\x11" * 32
hrr = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
seeds = {
    "tls13": rec(sh(0x1302, b"\x42" * 32, v13 + share)),
    "hrr": rec(sh(0x1301, hrr, v13 + b"\x00\x33\x00\x02\x00\x17")),
    "tls12-alpn": rec(sh(0xc030, b"\x42" * 32, b"\x00\x10\x00\x07\x00\x05\x04smtp")),
    "alert": b"\x15\x03\x03\x00\x02\x02\x28",
    "tls13-split": rec(sh(0x1302, b"\x42" * 32, v13 + share), 1),
}
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
PY

# Debian: the host's apt lists (a Release with its SHA256 list cut to 40 entries; 30 Packages
# stanzas), its apt sources and os-release.
for f in /var/lib/apt/lists/*_InRelease; do
  [ -f "$f" ] || continue
  awk '/^SHA256:/ {s=1; print; next} s && /^ / {if (++k <= 40) print; next} {s=0; if (!/^ /) print}' "$f" | seed fuzz_debian_release "$(basename "$f")"
done
for f in /var/lib/apt/lists/*_Packages* "$HOME"/.cache/harness/metadata/by-hash/*-Packages.xz; do
  [ -f "$f" ] || continue
  case $f in *.lz4) cat=lz4cat ;; *.xz) cat=xzcat ;; *.gz) cat=zcat ;; *) cat=cat ;; esac
  command -v $cat >/dev/null || continue
  { $cat "$f" 2>/dev/null || true; } | awk 'BEGIN{RS=""; ORS="\n\n"} NR<=30' | seed fuzz_debian_packages "$(basename "$f" | cut -c1-60)"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && seed fuzz_apt_sources "$(basename "$f")" < "$f"
done
[ -f /etc/os-release ] && seed fuzz_os_release host < /etc/os-release
printf 'NAME="Fedora Linux"\nVERSION="41 (Forty One)"\nID=fedora\nVERSION_ID=41\nVARIANT_ID=cloud\n' | seed fuzz_os_release fedora
printf 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian\n' | seed fuzz_os_release sid

# rpm-md: the test fixture built from real RPMs when rpmbuild and createrepo_c are here.
if command -v createrepo_c >/dev/null && command -v rpmbuild >/dev/null && command -v zstd >/dev/null; then
  if sh "$SRC/tests/repo/make-rpmmd-fixture.sh" "$TMP/rpmmd" >/dev/null 2>&1; then
    for f in $(find "$TMP/rpmmd" -name repomd.xml); do n=$((n + 1)); seed fuzz_repomd "repomd-$n.xml" < "$f"; done
    for f in "$TMP"/rpmmd/metalink-*.xml; do seed fuzz_metalink "$(basename "$f")" < "$f"; done
    for f in $(find "$TMP/rpmmd" -name '*-primary.xml.zst'); do n=$((n + 1)); { printf '\000'; zstd -dc "$f"; } | seed fuzz_rpmmd_libsolv "primary-$n.xml"; done
    for f in $(find "$TMP/rpmmd" -name '*-updateinfo.xml.zst'); do n=$((n + 1)); { printf '\001'; zstd -dc "$f"; } | seed fuzz_rpmmd_libsolv "updateinfo-$n.xml"; done
  fi
fi
printf '<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision><data type="primary"><checksum type="sha256">aa</checksum><location href="repodata/aa-primary.xml.zst"/><size>12</size></data></repomd>\n' | seed fuzz_repomd minimal.xml
printf '<metalink version="3.0" xmlns="http://www.metalinker.org/" xmlns:mm0="http://fedorahosted.org/mirrormanager"><files><file name="repomd.xml"><size>3</size><verification><hash type="sha256">cur</hash></verification><resources><url protocol="https" preference="50">https://b/repodata/repomd.xml</url></resources></file></files></metalink>\n' | seed fuzz_metalink minimal.xml

# Koji hub answers as koji's hub marshals them (struct with nil, i8 and an array; a fault).
printf "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>build_id</name>\n<value><int>1001</int></value>\n</member>\n<member>\n<name>nvr</name>\n<value><string>exim-4.98.2-1.fc41</string></value>\n</member>\n<member>\n<name>epoch</name>\n<value><nil/></value></member>\n<member>\n<name>size</name>\n<value><i8>5000000000</i8></value></member>\n<member>\n<name>arches</name>\n<value><array><data>\n<value><string>x86_64</string></value>\n<value>noarch</value>\n<value><boolean>1</boolean></value>\n<value><double>1.5</double></value>\n</data></array></value></member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n" | seed fuzz_xmlrpc getbuild.xml
printf "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1000</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>Invalid method: getBiuld</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n" | seed fuzz_xmlrpc fault.xml

# Bodhi's update and Copr's project as their APIs serialise them (first byte: 0 Bodhi, 1 Copr).
printf '\000{"update": {"alias": "FEDORA-2024-e1b4c7a9f2", "title": "exim-4.98.2-1.fc41", "status": "testing", "request": null, "type": "bugfix", "severity": "medium", "release": {"name": "F41", "long_name": "Fedora 41", "version": "41"}, "builds": [{"nvr": "exim-4.98.2-1.fc41", "signed": true}], "bugs": [{"bug_id": 2258027, "security": false}]}}' | seed fuzz_fedora_services bodhi.json
printf '\001{"id": 70421, "name": "exim-next", "ownername": "@exim", "full_name": "@exim/exim-next", "storage": "backend", "chroot_repos": {"fedora-41-x86_64": "https://copr.invalid/results/@exim/exim-next/fedora-41-x86_64/", "fedora-rawhide-aarch64": "https://copr.invalid/results/@exim/exim-next/fedora-rawhide-aarch64/"}}' | seed fuzz_fedora_services copr.json

# bugzillarc as python-bugzilla writes it.
printf '[bugzilla.redhat.com]\napi_key = abcdef0123456789\n\n[https://bugzilla.invalid/rest]\nuser = me\napi_key: k2\n; comment\n' | seed fuzz_bugzillarc rc

# Report writers take structured random bytes; a few shapes to start from.
for i in 1 2 3; do head -c 2000 "$X/queues/doc-spec-example-bp.txt" | seed fuzz_report_writers "listing-$i"; done
printf '\033]0;title\007\033[2J<script>&amp;]]>\000\377\376' | seed fuzz_report_writers escapes
# results.json as a run writes it (tests/report writes one; this is its shape).
printf '{"run_id":"20261128-020000-abcd","plan":"default","status":"ok","streams":[{"name":"baseline","spec":"debian:bookworm:stable"}],"results":[{"suite":"exiqgrep","id":"c1","stream":"baseline","outcome":"pass","message":"ok"}]}\n' | seed fuzz_results_json minimal.json
# Inputs that once crashed a target (fuzz/regressions/<target>/, small and committed): every run
# starts from them, so a fix that regresses is found in its first seconds.
for d in "$SRC"/fuzz/regressions/*/; do
  mkdir -p "$OUT/$(basename "$d")"
  cp "$d"* "$OUT/$(basename "$d")/"
done
echo "seeds in $OUT: $(ls "$OUT" | wc -l) targets, $(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1)"
