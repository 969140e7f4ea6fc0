#!/usr/bin/env python3
"""A mirror that accepts connections on 127.0.0.1 (an ephemeral port, printed on stdout) and never
answers: the repo tests check that a download from it is reported as stalled and fails instead of
hanging. Exits by itself after LIFETIME seconds so that a crashed test cannot leave it running.

usage: mute-server.py [LIFETIME]"""
import socket, sys, threading, time

lifetime = float(sys.argv[1]) if len(sys.argv) > 1 else 300
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
held = []  # accepted connections stay open and silent


def accept():
    while True:
        conn, _ = server.accept()
        held.append(conn)


threading.Thread(target=accept, daemon=True).start()
time.sleep(lifetime)
