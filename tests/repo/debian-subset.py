#!/usr/bin/env python3
"""Copies a real Debian archive subset for the local-mirror test: for each SUITE, its InRelease,
main/binary-amd64/Packages.xz and main/i18n/Translation-en.xz (what apt-get update fetches; also
under by-hash/SHA256/, where the archive serves it), laid out as OUT/NAME/dists/SUITE/... .
Fetched from the archives given (the host's configured mirrors) and kept as a cache: InRelease is
fetched again after a day, the indexes only when their checksum changed.

usage: debian-subset.py OUT NAME=URL:SUITE[,SUITE...] ...
e.g.   debian-subset.py ~/.cache/harness/test-mirror debian=URL:bookworm,bookworm-updates debian-security=URL:bookworm-security"""
import hashlib, os, re, sys, time, urllib.request

TIMEOUT = 120


def fetch(url, path):
    tmp = path + ".part"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r, open(tmp, "wb") as f:
        while True:
            chunk = r.read(1 << 16)
            if not chunk:
                break
            f.write(chunk)
    os.replace(tmp, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def subset(out, name, base, suite):
    dists = os.path.join(out, name, "dists", suite)
    inrelease = os.path.join(dists, "InRelease")
    if not os.path.exists(inrelease) or time.time() - os.path.getmtime(inrelease) > 86400:
        fetch("%s/dists/%s/InRelease" % (base, suite), inrelease)
    text = open(inrelease, encoding="utf-8", errors="replace").read()
    sums = text.split("SHA256:", 1)[1] if "SHA256:" in text else ""
    for index, required in (("main/binary-amd64/Packages.xz", True), ("main/i18n/Translation-en.xz", False)):
        m = re.search(r"^ ([0-9a-f]{64})\s+(\d+)\s+%s$" % re.escape(index), sums, re.M)
        if not m:
            if required:
                sys.exit("%s/dists/%s/InRelease lists no %s" % (base, suite, index))
            continue
        digest = m.group(1)
        folder, name = index.rsplit("/", 1)
        plain = os.path.join(dists, index)
        by_hash = os.path.join(dists, folder, "by-hash", "SHA256", digest)
        if not os.path.exists(by_hash) or sha256(by_hash) != digest:
            url = "%s/dists/%s/%s" % (
                base, suite, folder + "/by-hash/SHA256/" + digest if "Acquire-By-Hash: yes" in text else index)
            fetch(url, by_hash)
            if sha256(by_hash) != digest:
                sys.exit("%s: checksum differs from InRelease" % url)
        if os.path.lexists(plain):
            os.remove(plain)
        os.link(by_hash, plain)


def main():
    out = sys.argv[1]
    for arg in sys.argv[2:]:
        name, rest = arg.split("=", 1)
        base, suites = rest.rsplit(":", 1)
        for suite in suites.split(","):
            subset(out, name, base.rstrip("/"), suite)


main()
