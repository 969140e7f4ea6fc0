#!/usr/bin/env python3
"""Serves an rpm-md fixture tree on 127.0.0.1 (an ephemeral port, printed on stdout) for the repo tests.
/metalink?repo=NAME answers like MirrorManager with ROOT/metalink-NAME.xml. Exits by itself after
--lifetime seconds so that a crashed test cannot leave it running. With a third argument, every
request is appended to that file as "METHOD PATH STATUS USER-AGENT" (the tests check what was
fetched, and by whom: the harness's libcurl or apt inside a testbed).

usage: serve-fixture.py ROOT [LIFETIME [REQUEST-LOG]]"""
import functools, http.server, os, sys, threading, urllib.parse

root, lifetime = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 600
request_log = sys.argv[3] if len(sys.argv) > 3 else None
log_lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
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
