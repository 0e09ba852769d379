"""What is measured: the HTTP servers (targets) and the loads (scenarios)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str                 # short key, used in file names and tables
    label: str                # what the tables call it
    kind: str                 # "netcookd" or "nginx"
    model: str | None = None  # netcookd concurrency model


TARGETS = [
    Target("fork", "netcookd fork", "netcookd", "fork"),
    Target("thread", "netcookd thread", "netcookd", "thread"),
    Target("select", "netcookd select", "netcookd", "select"),
    Target("epoll", "netcookd epoll", "netcookd", "epoll"),
    Target("coroutine", "netcookd coroutine", "netcookd", "coroutine"),
    Target("nginx", "nginx, 1 worker", "nginx"),
]

# The targets: these models (workers: 1) against 1-worker nginx, at
# these connection counts: requests/s at least nginx's, p99 no worse.
FAST_MODELS = ("epoll", "coroutine")
REFERENCE = "nginx"
TARGET_SCENARIOS = ("c50", "c500")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    conns: int

    @property
    def threads(self):
        """wrk -t: one load thread, two for 500 connections."""
        return 2 if self.conns >= 500 else 1


SCENARIOS = [
    Scenario("c1", "1 connection", 1),
    Scenario("c50", "50 connections", 50),
    Scenario("c500", "500 connections", 500),
]


def _select(keys, known, what):
    if not keys:
        return list(known.values())
    wanted = [k.strip() for k in keys.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValueError(f"unknown {what}(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [v for k, v in known.items() if k in wanted]


def select_targets(names):
    """The targets named in a comma-separated list (all when empty)."""
    return _select(names, {t.name: t for t in TARGETS}, "target")


def select_scenarios(keys):
    return _select(keys, {s.key: s for s in SCENARIOS}, "scenario")
