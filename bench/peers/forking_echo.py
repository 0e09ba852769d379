#!/usr/bin/python3
"""Echo server from the Python cookbook: socketserver.ForkingTCPServer,
one process per connection. Echoes raw bytes on 127.0.0.1."""

import socketserver

from _common import BACKLOG, HOST, announce, parse_port


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except ConnectionError:
            pass  # a client that resets is done, not a server error


class Server(socketserver.ForkingTCPServer):
    allow_reuse_address = True
    request_queue_size = BACKLOG
    # The default (40) blocks the accept loop once 40 connections are open.
    max_children = 4096


def main():
    port = parse_port(__doc__)
    with Server((HOST, port), EchoHandler) as server:
        announce(server.server_address[1])
        server.serve_forever()


if __name__ == "__main__":
    main()
