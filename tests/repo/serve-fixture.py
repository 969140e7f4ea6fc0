#!/usr/bin/env python3
"""Serves an rpm-md fixture tree on 127.0.0.1 (an ephemeral port, printed on stdout) for the repo tests.
/metalink?repo=NAME answers like MirrorManager with ROOT/metalink-NAME.xml. Exits by itself after
--lifetime seconds so that a crashed test cannot leave it running. With a third argument, every
request is appended to that file as "METHOD PATH STATUS USER-AGENT" (the tests check what was
fetched, and by whom: the harness's libcurl or apt inside a testbed). With a fourth argument
NAME=URL[,NAME=URL...], a package file /NAME/pool/... missing under ROOT is copied once from URL/pool/...
(the host's configured archive) into ROOT/NAME/pool/..., then served: a local mirror that fills
its pool on first use, like a caching proxy. Index files (dists/) are never fetched this way.

usage: serve-fixture.py ROOT [LIFETIME [REQUEST-LOG [UPSTREAMS]]]"""
import functools, http.server, os, sys, threading, urllib.parse, urllib.request

root, lifetime = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 600
request_log = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
upstreams = dict(u.split("=", 1) for u in sys.argv[4].split(",")) if len(sys.argv) > 4 and sys.argv[4] else {}
log_lock = threading.Lock()
fill_lock = threading.Lock()


def fill_pool(url_path):
    """Copies /NAME/pool/... from NAME's upstream into ROOT when it is not there yet."""
    parts = url_path.split("/", 3)  # "", NAME, "pool", rest
    if len(parts) < 4 or parts[2] != "pool" or parts[1] not in upstreams:
        return
    rel = urllib.parse.unquote(url_path).lstrip("/")
    if ".." in rel.split("/"):
        return
    target = os.path.join(root, rel)
    with fill_lock:
        if os.path.exists(target):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = target + ".part"
        try:
            with urllib.request.urlopen(upstreams[parts[1]].rstrip("/") + "/pool/" + parts[3], timeout=120) as r, \
                    open(tmp, "wb") as f:
                while True:
                    chunk = r.read(1 << 16)
                    if not chunk:
                        break
                    f.write(chunk)
            os.replace(tmp, target)
        except Exception:
            if os.path.exists(tmp):
                os.remove(tmp)


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if upstreams:
            fill_pool(url.path)
        if url.path == "/metalink":
            repo = urllib.parse.parse_qs(url.query).get("repo", [""])[0]
            path = os.path.join(root, "metalink-%s.xml" % os.path.basename(repo))
            if not os.path.exists(path):
                self.send_error(404, "no metalink for repo %r" % repo)
                return
            body = open(path).read().replace("@BASE@", "http://127.0.0.1:%d" % self.server.server_port).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/metalink+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_request(self, code="-", size="-"):
        if request_log:
            with log_lock, open(request_log, "a") as f:
                f.write("%s %s %s %s\n" % (self.command, self.path, getattr(code, "value", code),
                                            self.headers.get("User-Agent", "-")))

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
print(server.server_port, flush=True)
threading.Timer(lifetime, server.shutdown).start()
server.serve_forever()
