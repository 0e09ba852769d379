"""What is measured: the servers (targets) and the loads (scenarios)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str                # short key, used in file names and tables
    label: str               # what the tables call it
    model: str | None        # netcookd concurrency model, None for a Python peer
    script: str | None       # bench/peers/ script of a Python peer
    counterpart: str | None  # the Python peer a netcookd model must beat


TARGETS = [
    Target("fork", "netcookd fork", "fork", None, "py-forking"),
    Target("thread", "netcookd thread", "thread", None, "py-threading"),
    Target("select", "netcookd select", "select", None, "py-select"),
    Target("epoll", "netcookd epoll", "epoll", None, "py-asyncio"),
    Target("coroutine", "netcookd coroutine", "coroutine", None, "py-asyncio"),
    Target("py-forking", "Python ForkingTCPServer", None, "forking_echo.py", None),
    Target("py-threading", "Python ThreadingTCPServer", None, "threading_echo.py", None),
    Target("py-select", "Python select() loop", None, "select_echo.py", None),
    Target("py-asyncio", "Python asyncio", None, "asyncio_echo.py", None),
]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    mode: str    # netcook-echoload mode
    conns: int
    size: str
    unit: str    # of the rate
    per: str     # what server CPU is divided by

    @property
    def has_latency(self):
        return self.mode in ("pingpong", "connect")


SCENARIOS = [
    Scenario("pp1", "ping-pong, 1 connection, 64 B messages", "pingpong", 1, "64", "msgs/s", "msg"),
    Scenario("pp50", "ping-pong, 50 connections, 64 B messages", "pingpong", 50, "64", "msgs/s", "msg"),
    Scenario("pp500", "ping-pong, 500 connections, 64 B messages", "pingpong", 500, "64", "msgs/s", "msg"),
    Scenario("stream", "stream, 1 connection, 16 KiB writes", "stream", 1, "16k", "MB/s", "MB"),
    Scenario("connect", "connect, 8 in flight, 64 B each", "connect", 8, "64", "conns/s", "conn"),
]


def select_targets(names):
    """The targets named in a comma-separated list (all when empty)."""
    if not names:
        return list(TARGETS)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {t.name: t for t in TARGETS}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [t for t in TARGETS if t.name in wanted]


def select_scenarios(keys):
    if not keys:
        return list(SCENARIOS)
    wanted = [k.strip() for k in keys.split(",") if k.strip()]
    known = {s.key: s for s in SCENARIOS}
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [s for s in SCENARIOS if s.key in wanted]
