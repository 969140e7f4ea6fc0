#!/usr/bin/env python3
"""The HTTP side of the local Fedora world: serves ROOT (the mirror tree under /pub/fedora/linux/, the
signing key) on 127.0.0.1 and answers MirrorManager's metalink query the way
mirrors.fedoraproject.org does:

    /metalink?repo=fedora-41|updates-released-f41|updates-testing-f41|rawhide&arch=x86_64|aarch64

with the sha256, size and URLs of that repository's repodata/repomd.xml, computed when asked (so a
repository rebuilt while the world runs is announced at once). Unknown repo, or an arch the tree does
not hold: 404 naming it.

The tree is served as MIRRORS (3) mirrors: mirror 1 at /pub/fedora/linux/, mirror N > 1 at
/mirrorN/pub/fedora/linux/ (the same files). The metalink lists them as MirrorManager lists the
mirrors it picked: https/http <url> entries with preference 100, 99, 98 and a country, plus an rsync
entry (which clients skip), in an order that is not the preference order (clients sort).

usage: serve.py ROOT PORT_FILE REQUEST_LOG [LIFETIME [FAULTS]]
Listens on an ephemeral port and writes it to PORT_FILE once listening; appends
"METHOD PATH STATUS USER-AGENT" per request to REQUEST_LOG; exits after LIFETIME seconds (0: never),
so a caller that dies cannot leave it running for ever.

FAULTS (written by `fedora-world mirror`, read on every request, so a fault starts and ends at once)
holds lines "STATUS PREFIX NAME": a request whose path starts with PREFIX is answered STATUS (503: the
mirror is down for that repository, 404: the repository is gone) with a body naming NAME, as a broken
mirror would; STATUS "stale" serves repodata/repomd.xml under PREFIX with a line appended (a mirror
whose copy is not the one the metalink vouches for). The metalink keeps answering: MirrorManager is
another service than the mirror.
"""
import email.utils, functools, hashlib, http.server, os, re, sys, threading, urllib.parse

root, port_file, request_log = sys.argv[1], sys.argv[2], sys.argv[3]
lifetime = float(sys.argv[4]) if len(sys.argv) > 4 else 0
faults_file = sys.argv[5] if len(sys.argv) > 5 else None
log_lock = threading.Lock()

# MirrorManager repo names -> path under pub/fedora/linux/ (the layout of the Fedora mirror tree).
REPOS = [
    (re.compile(r"^fedora-(\d+)$"), "releases/{0}/Everything/{1}/os/"),
    (re.compile(r"^updates-released-f(\d+)$"), "updates/{0}/Everything/{1}/"),
    (re.compile(r"^updates-testing-f(\d+)$"), "updates/testing/{0}/Everything/{1}/"),
    (re.compile(r"^(rawhide)$"), "development/rawhide/Everything/{1}/os/"),
]
MIRRORS = 3
# (mirror number, preference, country) in the order the metalink lists them: not by preference.
LISTED = [(2, 99, "DE"), (1, 100, "US"), (3, 98, "FR")]


def mirror_prefix(n):
    return "" if n == 1 else "/mirror%d" % n


def metalink(base, repo, arch):
    for pattern, path in REPOS:
        m = pattern.match(repo)
        if m:
            rel = "pub/fedora/linux/" + path.format(m.group(1), arch)
            break
    else:
        return None
    repomd = os.path.join(root, rel, "repodata", "repomd.xml")
    if not os.path.isfile(repomd):
        return None
    data = open(repomd, "rb").read()
    mtime = int(os.stat(repomd).st_mtime)
    urls = "".join('    <url protocol="http" type="http" location="%s" preference="%d">%s%s/%srepodata/repomd.xml</url>\n'
                   % (country, pref, base, mirror_prefix(n), rel) for n, pref, country in LISTED)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="{email.utils.formatdate(mtime, usegmt=True)}" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>{mtime}</mm0:timestamp>
   <size>{len(data)}</size>
   <verification>
    <hash type="md5">{hashlib.md5(data).hexdigest()}</hash>
    <hash type="sha1">{hashlib.sha1(data).hexdigest()}</hash>
    <hash type="sha256">{hashlib.sha256(data).hexdigest()}</hash>
    <hash type="sha512">{hashlib.sha512(data).hexdigest()}</hash>
   </verification>
   <resources maxconnections="1">
{urls}    <url protocol="rsync" type="rsync" location="US" preference="100">rsync://127.0.0.1/{rel}repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>
""".encode()


def fault_for(path):
    """(status, name) of the first fault whose prefix PATH starts with, or None. STATUS is an int, or
    "stale"."""
    if not faults_file:
        return None
    try:
        lines = open(faults_file).read().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and path.startswith(parts[1]):
            return (parts[0] if parts[0] == "stale" else int(parts[0])), parts[2]
    return None


class Handler(http.server.SimpleHTTPRequestHandler):
    def faulted(self):
        path = urllib.parse.urlsplit(self.path).path
        fault = fault_for(path)
        if fault is None:
            return False
        status, name = fault
        if status == "stale":
            if not path.endswith("/repodata/repomd.xml"):
                return False
            local = self.translate_path(path)
            if not os.path.isfile(local):
                return False
            body = open(local, "rb").read() + b"<!-- stale copy on this mirror (fedora-world mirror fault) -->\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return True
        self.send_error(status, "%s: %s (fedora-world mirror fault)" %
                        (name, "service unavailable" if status == 503 else "no such repository on this mirror"))
        return True

    def do_HEAD(self):
        if not self.faulted():
            super().do_HEAD()

    def do_GET(self):
        if self.faulted():
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/metalink":
            q = urllib.parse.parse_qs(url.query)
            repo, arch = q.get("repo", [""])[0], q.get("arch", [""])[0]
            body = metalink("http://127.0.0.1:%d" % self.server.server_port, repo, arch) if re.fullmatch(r"[a-z0-9_]+", arch) else None
            if body is None:
                self.send_error(404, "no repository repo=%r arch=%r in this world" % (repo, arch))
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/metalink+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def translate_path(self, path):
        # Mirror N > 1 serves the same tree under /mirrorN/.
        m = re.match(r"^/mirror(\d+)(/.*)$", urllib.parse.urlsplit(path).path)
        if m and 1 < int(m.group(1)) <= MIRRORS:
            path = m.group(2)
        return super().translate_path(path)

    def list_directory(self, path):  # a mirror serves files, not listings
        self.send_error(404, "no directory listings")
        return None

    def log_request(self, code="-", size="-"):
        with log_lock, open(request_log, "a") as f:
            f.write("%s %s %s %s\n" % (self.command, self.path, getattr(code, "value", code),
                                        self.headers.get("User-Agent", "-")))

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_port)
os.replace(port_file + ".tmp", port_file)
if lifetime > 0:
    threading.Timer(lifetime, server.shutdown).start()
server.serve_forever()
