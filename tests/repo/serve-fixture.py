#!/usr/bin/env python3
"""Serves an rpm-md fixture tree on 127.0.0.1 (an ephemeral port, printed on stdout) for the repo tests.
/metalink?repo=NAME answers like MirrorManager with ROOT/metalink-NAME.xml. Exits by itself after
--lifetime seconds so that a crashed test cannot leave it running."""
import functools, http.server, os, sys, threading, urllib.parse

root, lifetime = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 600


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

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
print(server.server_port, flush=True)
threading.Timer(lifetime, server.shutdown).start()
server.serve_forever()
