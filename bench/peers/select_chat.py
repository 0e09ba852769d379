#!/usr/bin/python3
"""Chat server from the Python cookbook: one select.select() loop over
non-blocking sockets, speaking netcookd's chat protocol on 127.0.0.1.

The server greets with "* ..."; a client's first line is its name (1-32 of
A-Za-z0-9_.-, unique ignoring case); the answer is "* welcome NAME@IP, N
online: NAMES"; every other line a member sends goes to every other member
as "[NAME@IP] TEXT"; joins and leaves are announced. No commands: this is
the floor netcookd is compared with, not a second implementation."""

import re
import select
import socket

from _common import BACKLOG, HOST, announce, parse_port

# Like netcookd's max_outbox: a member whose unsent output exceeds this is
# cut off, so one client that does not read cannot grow memory without bound.
MAX_PENDING = 256 * 1024
MAX_LINE = 4096
NAME = re.compile(rb"[A-Za-z0-9_.-]{1,32}")
GREETING = b"* welcome to the Python select() chat; send your name\n"


class Client:
    __slots__ = ("sock", "host", "name", "inbuf", "outbuf", "broken")

    def __init__(self, sock, host):
        self.sock = sock
        self.host = host
        self.name = None        # bytes once joined
        self.inbuf = b""        # the start of a line without its LF yet
        self.outbuf = bytearray()
        self.broken = False     # a send failed; dropped after this round

    def send_now(self):
        """Writes what the socket takes now; select() reports when it takes more."""
        try:
            sent = self.sock.send(self.outbuf)
        except BlockingIOError:
            return
        except OSError:
            self.broken = True
            return
        del self.outbuf[:sent]


class Room:
    def __init__(self):
        self.clients = {}       # socket -> Client
        self.members = {}       # case-folded name -> Client, in join order

    def accept_all(self, listener):
        while True:
            try:
                sock, (host, _) = listener.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            # As netcookd does: small relayed lines go out at once instead of
            # waiting for the previous segment's ACK (Nagle), so latency
            # compares the servers, not the TCP stack's timers.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = Client(sock, host.encode())
            client.outbuf += GREETING
            self.clients[sock] = client

    def broadcast(self, data, sender=None):
        """Like the cookbook's broadcast(): every other member gets the data
        at once (and like select_echo.py, what a socket does not take now
        waits in its buffer for select() to say it is writable)."""
        for member in self.members.values():
            if member is not sender:
                member.outbuf += data
                member.send_now()

    def roster(self):
        return b", ".join(m.name for m in self.members.values())

    def join(self, client, line):
        name = line.strip()
        if not NAME.fullmatch(name):
            client.outbuf += b"! invalid name\n"
            return
        if name.lower() in self.members:
            client.outbuf += b"! name taken: " + name + b"\n"
            return
        client.name = name
        self.members[name.lower()] = client
        who = name + b"@" + client.host
        online = str(len(self.members)).encode()
        client.outbuf += b"* welcome " + who + b", " + online + b" online: " + self.roster() + b"\n"
        self.broadcast(b"* " + who + b" joined (" + online + b" online)\n", client)

    def leave(self, client):
        self.clients.pop(client.sock, None)
        client.sock.close()
        if client.name is not None and self.members.get(client.name.lower()) is client:
            del self.members[client.name.lower()]
            who = client.name + b"@" + client.host
            self.broadcast(b"* " + who + b" left (" + str(len(self.members)).encode() + b" online)\n")

    def on_readable(self, client):
        try:
            data = client.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.leave(client)
            return
        lines = (client.inbuf + data).split(b"\n")
        client.inbuf = lines.pop()
        if len(client.inbuf) > MAX_LINE:
            self.leave(client)
            return
        while lines and client.name is None:
            self.join(client, lines.pop(0).rstrip(b"\r"))
        texts = [line.rstrip(b"\r") for line in lines]
        if texts:
            prefix = b"[" + client.name + b"@" + client.host + b"] "
            self.broadcast(b"".join(prefix + text + b"\n" for text in texts if text), client)

    def drop_broken_and_slow(self):
        """Members whose send failed, or who have not read MAX_PENDING bytes."""
        while doomed := [c for c in self.clients.values() if c.broken or len(c.outbuf) > MAX_PENDING]:
            for client in doomed:
                self.leave(client)  # may break others: their "left" notice fails too


def serve(listener):
    room = Room()
    while True:
        writers = [sock for sock, client in room.clients.items() if client.outbuf]
        readable, writable, _ = select.select([listener] + list(room.clients), writers, [])
        for sock in writable:
            if sock in room.clients:
                room.clients[sock].send_now()
        for sock in readable:
            if sock is listener:
                room.accept_all(listener)
            elif sock in room.clients:
                room.on_readable(room.clients[sock])
        room.drop_broken_and_slow()


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
