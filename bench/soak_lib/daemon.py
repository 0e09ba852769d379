"""The daemon under test: a generated configuration with every protocol
under every model on 127.0.0.1 port 0, started and asked where each
listener is bound."""

import re
from dataclasses import dataclass

from benchlib.netaddr import require_loopback
from benchlib.process import ManagedServer, StartError

PROTOCOLS = ("echo", "chat", "http")
MODELS = ("fork", "thread", "select", "epoll", "coroutine")

# netcookd logs "listener NAME: PROTOCOL/MODEL on ADDR" per listener, then "ready: N listeners".
BOUND = re.compile(r"listener (?P<name>\S+): (?P<protocol>\w+)/(?P<model>\w+) on (?P<addr>\S+)")
READY = r"\bready: \d+ listeners"


@dataclass(frozen=True)
class Listener:
    name: str
    protocol: str
    model: str
    addr: str


def _listener_yaml(protocol, model, www):
    workers = "    workers: 1\n" if model in ("epoll", "coroutine") else ""
    specific = {
        "echo": "    echo:\n      mode: raw\n",
        # Flood control at its highest (netcookd.yaml(5)): 3 senders at
        # 30 lines/s in all are each at the default 10/s, where the least
        # drift would build a backlog over hours; the soak is about staying
        # up, not pacing (tests/integration/chat_flood_test.cpp is).
        "chat": "    chat:\n      max_line: 4KiB\n      rate: 1000000/s\n      burst: 1000000\n",
        # Files, not a fixed body: a fixed body answers 200 to any path, and
        # the load wants 404s too.
        "http": f"    http:\n      root: {www}\n      keepalive_timeout: 30s\n",
    }[protocol]
    return (f"  - name: {protocol}-{model}\n    protocol: {protocol}\n    model: {model}\n"
            f"    listen: 127.0.0.1:0\n{workers}{specific}")


def config_text(www):
    """All 15 combinations, as in config/examples/models.yaml, on port 0."""
    listeners = "".join(_listener_yaml(p, m, www) for p in PROTOCOLS for m in MODELS)
    return f"""# Written by bench/soak: every protocol under every model, one daemon.
log:
  level: info
  target: stderr
defaults:
  # The select model serves descriptors below FD_SETSIZE (1024) only.
  max_connections: 500
  idle_timeout: 5m
  read_timeout: 30s
  shutdown_timeout: 2s
  max_outbox: 256KiB
listeners:
{listeners}"""


def start(netcookd, config_path, log_path, www):
    """A ready ManagedServer and its 15 Listeners; raises StartError or
    benchlib's NotLoopback."""
    config_path.write_text(config_text(www))
    server = ManagedServer([str(netcookd), "-c", str(config_path)], log_path, BOUND.pattern, READY)
    try:
        server.start()
        # The ready line comes after every listener line, and the log is
        # flushed line by line: all of them are in the file now.
        listeners = [Listener(m["name"], m["protocol"], m["model"], require_loopback(m["addr"]))
                     for m in BOUND.finditer(log_path.read_text())]
    except BaseException:
        server.stop()
        raise
    if len(listeners) != len(PROTOCOLS) * len(MODELS):
        server.stop()
        raise StartError(f"expected {len(PROTOCOLS) * len(MODELS)} listeners, the log names {len(listeners)}")
    return server, listeners
