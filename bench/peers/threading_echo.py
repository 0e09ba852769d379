#!/usr/bin/python3
"""Echo server from the Python cookbook: socketserver.ThreadingTCPServer,
one thread per connection. Echoes raw bytes on 127.0.0.1."""

import socketserver

from _common import BACKLOG, HOST, announce, parse_port


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except ConnectionError:
            pass  # a client that resets is done, not a server error


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = BACKLOG


def main():
    port = parse_port(__doc__)
    with Server((HOST, port), EchoHandler) as server:
        announce(server.server_address[1])
        server.serve_forever()


if __name__ == "__main__":
    main()
