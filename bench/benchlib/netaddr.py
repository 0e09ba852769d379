"""Loopback addresses: the only ones a run loads, free ports for servers
that cannot report port 0, and probes that say a server serves."""

import ipaddress
import os
import socket
import ssl
import struct


class NotLoopback(Exception):
    """A server bound somewhere other than loopback: the whole run refuses."""


def require_loopback(addr):
    """Refuses (raises NotLoopback) anything but 127.x.x.x:PORT or [::1]:PORT."""
    host, _, port = addr.rpartition(":")
    host = host.strip("[]")
    try:
        loopback = ipaddress.ip_address(host).is_loopback and port.isdigit()
    except ValueError:
        loopback = False
    if not loopback:
        raise NotLoopback(f"bound to {addr}, which is not loopback: refusing to load it")
    return addr


def split(addr):
    host, _, port = addr.rpartition(":")
    return host.strip("[]"), int(port)


def free_port():
    """A loopback port nobody listens on now, for servers that cannot be
    told port 0 and report it; a race with another program is retried by
    the caller."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addr(pid):
    """The IPv4 address:port a process listens on, from /proc (its socket
    inodes matched against /proc/PID/net/tcp); None if there is none."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    with open(f"/proc/{pid}/net/tcp", encoding="ascii") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                ip_hex, port_hex = local.split(":")
                ip = socket.inet_ntoa(struct.pack("<I", int(ip_hex, 16)))
                return f"{ip}:{int(port_hex, 16)}"
    return None


def echo_probe(addr, timeout_s=1.0):
    """True when a few bytes sent to addr come back."""
    message = b"netcook-bench probe\n"
    with socket.create_connection(split(addr), timeout=timeout_s) as s:
        s.sendall(message)
        data = b""
        while len(data) < len(message):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data == message


def http_get(addr, timeout_s=2.0, cafile=None):
    """One keep-alive GET / on a fresh connection, as wrk sends it: (status,
    bytes of the response head, body) or raises OSError. With cafile, over
    TLS 1.3, the server's certificate verified against it for 127.0.0.1."""
    with socket.create_connection(split(addr), timeout=timeout_s) as plain, _tls(plain, cafile) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise OSError(f"no complete response head from {addr}")
    status = int(head.split(b" ", 2)[1])
    return status, len(head) + len(sep), body.decode("utf-8", "replace")


def _expected(data):
    """Head plus Content-Length bytes, once the head is complete."""
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(head) + 4


def _tls(sock, cafile):
    if cafile is None:
        return sock
    context = ssl.create_default_context(cafile=str(cafile))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context.wrap_socket(sock, server_hostname=sock.getpeername()[0])


def http_probe(addr):
    return http_get(addr, 1.0)[0] == 200


def https_probe(cafile):
    """A probe for a server of the run's certificate (benchlib.tls)."""
    return lambda addr: http_get(addr, 1.0, cafile)[0] == 200
