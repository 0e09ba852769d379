"""What is measured: the chat servers (targets) and the loads (scenarios)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str                # short key, used in file names and tables
    label: str               # what the tables call it
    kind: str                # "netcookd", "ncat" or "python"
    model: str | None = None # netcookd concurrency model
    workers: int = 1         # netcookd epoll/coroutine reactor threads
    required: bool = False   # a netcookd model the targets check (zero loss, ...)

    @property
    def names(self):
        """Does a client send its name first (everything but ncat)?"""
        return self.kind != "ncat"


TARGETS = [
    Target("fork", "netcookd fork", "netcookd", "fork", required=True),
    Target("thread", "netcookd thread", "netcookd", "thread", required=True),
    Target("select", "netcookd select", "netcookd", "select", required=True),
    Target("epoll", "netcookd epoll", "netcookd", "epoll", required=True),
    Target("epoll-w2", "netcookd epoll, 2 workers", "netcookd", "epoll", workers=2, required=True),
    Target("coroutine", "netcookd coroutine", "netcookd", "coroutine", required=True),
    Target("coroutine-w2", "netcookd coroutine, 2 workers", "netcookd", "coroutine", workers=2, required=True),
    Target("ncat", "ncat --chat", "ncat"),
    Target("py-select", "Python select()", "python"),
]

# The throughput target: at saturation these deliver at least
# SATURATION_FACTOR times the Python select() server's lines/s, same run.
FAST_MODELS = ("epoll", "coroutine")
FLOOR = "py-select"
SATURATION_FACTOR = 3.0


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    clients: int
    rate: str        # netcook-chatload --rate: lines/s over all senders, or "max"

    @property
    def saturating(self):
        return self.rate == "max"


SCENARIOS = [
    Scenario("c10", "10 clients, all sending 1,000 lines/s in total", 10, "1000"),
    Scenario("c200", "200 clients, all sending 200 lines/s in total", 200, "200"),
    Scenario("c200max", "200 clients, all sending as fast as the server delivers (saturation)", 200, "max"),
]
SATURATION = "c200max"


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
