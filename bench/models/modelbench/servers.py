"""Starting one target: a netcookd with a single listener, or a Python peer."""

import ipaddress

from .process import ManagedServer, StartError


class NotLoopback(Exception):
    """A server bound somewhere other than loopback: the whole run refuses."""

# netcookd logs "listener NAME: echo/MODEL on ADDR" per listener, then "ready: N listeners".
NETCOOKD_BOUND = r"listener \S+: echo/\w+ on (?P<addr>\S+)"
NETCOOKD_READY = r"\bready: \d+ listeners"
PEER_LINE = r"^listening on (?P<addr>\S+)$"


def netcookd_config(model):
    """One listener per daemon, so the daemon's CPU is this model's CPU."""
    workers = "    workers: 1\n" if model in ("epoll", "coroutine") else ""
    return f"""# Written by bench/models/run: the {model} model alone in one daemon.
log:
  level: info
  target: stderr
defaults:
  shutdown_timeout: 1s
listeners:
  - name: bench-{model}
    protocol: echo
    model: {model}
    listen: 127.0.0.1:0
{workers}    echo:
      mode: raw
"""


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


def start_target(target, paths, run_dir, cgroups):
    """A started, ready ManagedServer for target; raises StartError."""
    cgroup = cgroups.new(target.name) if cgroups is not None else None
    log = run_dir / "logs" / f"{target.name}.log"
    if target.model is not None:
        config = run_dir / "configs" / f"{target.name}.yaml"
        config.write_text(netcookd_config(target.model))
        server = ManagedServer([str(paths.netcookd), "-c", str(config)], log,
                               NETCOOKD_BOUND, NETCOOKD_READY, cgroup)
    else:
        script = paths.peers / target.script
        server = ManagedServer([paths.python, "-B", str(script), "--port", "0"], log,
                               PEER_LINE, PEER_LINE, cgroup)
    try:
        server.start()
        require_loopback(server.addr)
    except (StartError, NotLoopback):
        server.stop()
        if cgroup is not None:
            cgroups.remove(cgroup)
        raise
    return server
