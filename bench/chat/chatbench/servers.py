"""Starting one target: a netcookd with a single chat listener, ncat --chat,
or the Python select() chat server."""

import os
import socket
import struct

from modelbench.process import ManagedServer, StartError
from modelbench.servers import NotLoopback, require_loopback

# netcookd logs "listener NAME: chat/MODEL on ADDR" per listener, then "ready: N listeners".
NETCOOKD_BOUND = r"listener \S+: chat/\w+ on (?P<addr>\S+)"
NETCOOKD_READY = r"\bready: \d+ listeners"
PEER_LINE = r"^listening on (?P<addr>\S+)$"
# ncat -v says "Ncat: Listening on 127.0.0.1:0" for port 0: the real port comes from /proc.
NCAT_LINE = r"^Ncat: Listening on (?P<addr>\S+)$"
# ncat's own default is 100 connections; the issue runs 200 clients.
NCAT_MAX_CONNS = 1000


def netcookd_config(target):
    """One listener per daemon, so the daemon's CPU is this target's CPU."""
    workers = f"    workers: {target.workers}\n" if target.model in ("epoll", "coroutine") else ""
    return f"""# Written by bench/chat/run: the {target.model} model alone in one daemon.
log:
  level: info
  target: stderr
defaults:
  shutdown_timeout: 1s
listeners:
  - name: chat-{target.name}
    protocol: chat
    model: {target.model}
    listen: 127.0.0.1:0
{workers}"""


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


def _server_for(target, paths, run_dir, cgroup, log):
    if target.kind == "netcookd":
        config = run_dir / "configs" / f"{target.name}.yaml"
        config.write_text(netcookd_config(target))
        return ManagedServer([str(paths.netcookd), "-c", str(config)], log, NETCOOKD_BOUND, NETCOOKD_READY, cgroup)
    if target.kind == "ncat":
        if not paths.ncat:
            raise StartError("ncat is not installed")
        argv = [paths.ncat, "--chat", "--max-conns", str(NCAT_MAX_CONNS), "-v", "-l", "127.0.0.1", "0"]
        return ManagedServer(argv, log, NCAT_LINE, NCAT_LINE, cgroup)
    script = paths.peers / "select_chat.py"
    return ManagedServer([paths.python, "-B", str(script), "--port", "0"], log, PEER_LINE, PEER_LINE, cgroup)


def start_target(target, paths, run_dir, cgroups, attempt=1):
    """A started, ready ManagedServer for target; raises StartError."""
    name = target.name if attempt == 1 else f"{target.name}.{attempt}"
    cgroup = cgroups.new(name) if cgroups is not None else None
    server = _server_for(target, paths, run_dir, cgroup, run_dir / "logs" / f"{name}.log")
    try:
        server.start()
        if target.kind == "ncat":
            try:
                server.addr = listening_addr(server.pid)
            except OSError as e:
                raise StartError(f"cannot find its port in /proc: {e}") from e
            if server.addr is None:
                raise StartError("says it listens, but has no listening TCP socket")
        require_loopback(server.addr)
    except (StartError, NotLoopback):
        server.stop()
        if cgroup is not None:
            cgroups.remove(cgroup)
        raise
    return server
