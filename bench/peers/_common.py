"""Shared bits of the Python cookbook echo servers: argument parsing and
the one "listening on" line the benchmark waits for."""

import argparse
import sys

HOST = "127.0.0.1"

# socketserver's defaults (listen backlog 5, at most 40 forked children) make
# a 500-connection run fail on set-up rather than measure anything; every
# peer uses the same generous backlog as netcookd (SOMAXCONN).
BACKLOG = 4096


def parse_port(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port on 127.0.0.1 (0: any free port)")
    return parser.parse_args().port


def announce(port):
    """Tell whoever started us that the socket is listening."""
    print(f"listening on {HOST}:{port}", flush=True)
