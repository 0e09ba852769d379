#!/usr/bin/python3
"""Echo server from the Python cookbook: one select.select() loop over
non-blocking sockets. Echoes raw bytes on 127.0.0.1."""

import select
import socket

from _common import BACKLOG, HOST, announce, parse_port

# Stop reading a client whose echo is not being read back (as netcookd's
# max_outbox does), so a slow reader cannot grow memory without bound.
MAX_PENDING = 256 * 1024


def accept_all(listener, pending):
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        pending[conn] = bytearray()


def close(conn, pending):
    del pending[conn]
    conn.close()


def on_readable(conn, pending):
    try:
        data = conn.recv(65536)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    if not data:
        close(conn, pending)
        return
    pending[conn] += data
    on_writable(conn, pending)


def on_writable(conn, pending):
    out = pending[conn]
    try:
        sent = conn.send(out)
    except BlockingIOError:
        return
    except OSError:
        close(conn, pending)
        return
    del out[:sent]


def serve(listener):
    pending = {}  # client socket -> bytes received but not yet echoed
    while True:
        readers = [c for c, out in pending.items() if len(out) < MAX_PENDING]
        writers = [c for c, out in pending.items() if out]
        readable, writable, _ = select.select([listener] + readers, writers, [])
        for conn in writable:
            if conn in pending:
                on_writable(conn, pending)
        for conn in readable:
            if conn is listener:
                accept_all(listener, pending)
            elif conn in pending:
                on_readable(conn, pending)


def main():
    port = parse_port(__doc__)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, port))
    listener.listen(BACKLOG)
    listener.setblocking(False)
    announce(listener.getsockname()[1])
    serve(listener)


if __name__ == "__main__":
    main()
