"""What is measured: the targets (a netcookd listener or a peer server)
and the scenarios (one load, and the targets it runs against). With a
baseline (--baseline), every netcookd target has a twin, KEY@base, served
by the baseline's netcookd."""

import dataclasses
import fnmatch
from dataclasses import dataclass

MODELS = ("fork", "thread", "select", "epoll", "coroutine", "io_uring")
PROTOCOLS = ("echo", "http", "chat")
FAST = ("epoll", "coroutine", "io_uring")  # the reactor models: `workers`, and a w2 http target
BASE = "@base"                  # a twin's key is its netcookd target's key + BASE
BASE_SERVER = "netcookd" + BASE  # the baseline's daemon (benchlib.servers)
DAEMONS = ("netcookd", BASE_SERVER)
# Issue 20: a redis-server and two netcookd sharing each model's chat room
# through it (benchlib.busroom), one server in the fleet.
BUS_SERVER = "netcookd-bus"


@dataclass(frozen=True)
class Target:
    key: str             # unique; what --only matches
    label: str           # what tables and charts call it
    server: str          # the process serving it (benchlib.servers)
    listener: str = ""   # netcookd's listener name; "" for a peer
    family: str = "peer"  # netcookd, base, peer or sol: the chart's colour
    mode: str = ""       # echoload mode for this target, instead of the scenario's ("refused")
    guard: str = ""      # netcookd: the guard its listener refuses with (configs.GUARDS); "" for none
    tls: bool = False    # served over TLS (issue 21), with the run's certificate (benchlib.tls)


def _netcookd_targets():
    out = []
    for protocol in PROTOCOLS:
        for model in MODELS:
            name = f"{protocol}-{model}"
            out.append(Target(name, f"netcookd {model}", "netcookd", name, "netcookd"))
    for model in FAST:
        name = f"http-{model}-w2"
        out.append(Target(name, f"netcookd {model} w2", "netcookd", name, "netcookd"))
    return out


def _twin(target):
    """The same listener, served by the baseline's netcookd."""
    return Target(target.key + BASE, target.label + " (baseline)", BASE_SERVER, target.listener, "base")


def original(key):
    """The netcookd target a twin stands beside; key itself for the others."""
    return key.removesuffix(BASE)


# The guards of issue 19 a refusal flood meets: each its own echo listener
# per model (configs.GUARDS says how it refuses 127.0.0.1).
GUARDS = ("denied", "per-source", "rate")


def _guarded_targets():
    """Echo listeners that refuse every connection from 127.0.0.1; loaded
    with echoload's refused mode. No twins: a baseline from before the
    guards would not start on their configuration."""
    return [Target(f"echo-{model}-{guard}", f"netcookd {model}, {guard}", "netcookd", f"echo-{model}-{guard}",
                   "netcookd", mode="refused", guard=guard)
            for model in MODELS for guard in GUARDS]


def _bus_targets():
    """chat-bus-MODEL: the model's room served by two daemons on one Redis,
    the clients dealt out between them. No twins: a baseline from before
    the bus would not take its keys."""
    return [Target(f"chat-bus-{model}", f"netcookd {model}, 2 daemons + Redis", BUS_SERVER, f"chat-bus-{model}",
                   "bus") for model in MODELS]


def _tls_targets():
    """https-MODEL: http with the fixed body over TLS 1.3, on the run's
    certificate. No twins: a baseline from before TLS would not take the
    tls key."""
    return [Target(f"https-{model}", f"netcookd {model} (TLS)", "netcookd", f"https-{model}", "netcookd", tls=True)
            for model in MODELS]


TWINS = {t.key: t for t in map(_twin, _netcookd_targets())}
TARGETS = {t.key: t for t in _netcookd_targets() + _guarded_targets() + _bus_targets() + _tls_targets()
           + list(TWINS.values()) + [
    Target("sol-echo", "speed-of-light echo", "sol-echo", family="sol"),
    Target("sol-echo-uring", "speed-of-light io_uring echo", "sol-echo-uring", family="sol"),
    Target("sol-echo-threads", "speed-of-light thread-per-connection echo", "sol-echo-threads", family="sol"),
    Target("sol-echo-forks", "speed-of-light process-per-connection echo", "sol-echo-forks", family="sol"),
    Target("sol-http", "speed-of-light http", "sol-http", family="sol"),
    Target("socat", "socat fork", "socat"),
    Target("xinetd", "xinetd echo", "xinetd"),
    Target("iperf3", "iperf3 (one way)", "iperf3"),
    Target("py-forking", "Python ForkingTCPServer", "py-forking"),
    Target("py-threading", "Python ThreadingTCPServer", "py-threading"),
    Target("py-select", "Python select() echo", "py-select"),
    Target("py-asyncio", "Python asyncio echo", "py-asyncio"),
    Target("nginx-1", "nginx 1 worker", "nginx-1"),
    Target("nginx-2", "nginx 2 workers", "nginx-2"),
    Target("nginx-1-tls", "nginx 1 worker (TLS)", "nginx-1-tls", tls=True),
    Target("ncat", "ncat --chat", "ncat"),
    Target("py-chat", "Python select() chat", "py-chat"),
]}


@dataclass(frozen=True)
class Scenario:
    key: str
    protocol: str
    title: str
    tool: str            # echoload, iperf3 (same scenario as echoload stream), wrk, chatload, httpsload
    mode: str            # echoload mode, or "" for the others
    conns: int           # connections, or chat clients
    size: str            # echoload message / write size
    unit: str            # of the rate
    per: str             # what server CPU is divided by
    targets: tuple       # target keys, in table order
    default: bool = True
    rate: str = "max"    # chatload's --rate: max (saturation) or lines/s over all senders

    @property
    def bus(self):
        """Issue 20's comparison: one daemon against two on one Redis."""
        return any(TARGETS[k].server == BUS_SERVER for k in self.targets)

    @property
    def tls(self):
        """Issue 21: over TLS, every target on the run's certificate."""
        return any(TARGETS[k].tls for k in self.targets)

    @property
    def has_latency(self):
        return self.mode != "stream"


_ECHO_ALL = tuple(f"echo-{m}" for m in MODELS) + ("sol-echo", "sol-echo-uring", "sol-echo-threads",
                                                  "sol-echo-forks", "socat",
                                                  "xinetd", "py-forking", "py-threading", "py-select",
                                                  "py-asyncio")
_HTTP_ALL = tuple(f"http-{m}" for m in MODELS) + ("sol-http", "nginx-1")
# Each model's room in one daemon, then shared by two daemons through Redis.
_CHAT_BUS = tuple(k for m in MODELS for k in (f"chat-{m}", f"chat-bus-{m}"))
# A rate every model carries in both set-ups on 2 shared CPUs: 200 senders
# of 2.5 lines/s each, 99,500 deliveries/s (each line to 199 members); the
# thread model's ceiling in chat-c200 is some 250,000.
CHAT_BUS_RATE = 500
# Issue 21: http over TLS 1.3 on one ECDSA P-256 certificate, each model
# against nginx with 1 worker, as http-c50 sets them.
_HTTPS = tuple(f"https-{m}" for m in MODELS) + ("nginx-1-tls",)
HTTPS_CONN_CLIENTS = 8  # as echo-connect: enough in flight to keep a server busy on 2 CPUs

SCENARIOS = [
    Scenario("echo-pp50", "echo", "echo ping-pong, 64 B, 50 connections", "echoload", "pingpong", 50, "64",
             "msgs/s", "msg", _ECHO_ALL),
    Scenario("echo-stream", "echo", "echo stream, 128 KiB writes, 1 connection", "echoload", "stream", 1,
             "128k", "MB/s", "MB", ("echo-epoll", "echo-coroutine", "echo-io_uring", "sol-echo", "sol-echo-uring", "iperf3",
                                    "py-asyncio")),
    Scenario("echo-connect", "echo", "connections/s: open, one 64 B echo, close; 8 in flight", "echoload",
             "connect", 8, "64", "conns/s", "conn",
             ("echo-fork", "echo-thread", "echo-epoll", "echo-coroutine", "echo-io_uring", "sol-echo", "sol-echo-uring", "socat",
              "xinetd", "py-forking", "py-threading")),
    Scenario("http-c50", "http", "http fixed body, 50 connections, workers: 1", "wrk", "", 50, "",
             "req/s", "req", _HTTP_ALL),
    Scenario("http-c500", "http", "http fixed body, 500 connections, workers: 1", "wrk", "", 500, "",
             "req/s", "req", _HTTP_ALL),
    Scenario("http-c500-w2", "http", "http fixed body, 500 connections, workers: 2", "wrk", "", 500, "",
             "req/s", "req", ("http-epoll-w2", "http-coroutine-w2", "http-io_uring-w2", "nginx-2")),
    Scenario("https-c50", "http", "https fixed body, TLS 1.3, 50 keep-alive connections, workers: 1", "wrk",
             "", 50, "", "req/s", "req", _HTTPS),
    Scenario("https-conn", "http", f"https connections/s: a full TLS 1.3 handshake (ECDHE P-256, ECDSA "
             f"P-256, no resumption) and one GET each, {HTTPS_CONN_CLIENTS} in flight, workers: 1", "httpsload",
             "", HTTPS_CONN_CLIENTS, "", "conns/s", "handshake", _HTTPS),
    Scenario("chat-c200", "chat", "chat, 200 clients at saturation (--rate max)", "chatload", "", 200, "",
             "lines/s", "line", tuple(f"chat-{m}" for m in MODELS) + ("py-chat", "ncat")),
    Scenario("echo-refuse", "echo", "refusals: new connections, 8 in flight, refused by deny, "
             "max_connections_per_source or connection_rate, beside the same flood served (one 1 B echo)",
             "echoload", "connect", 8, "1", "conns/s", "conn",
             tuple(k for m in MODELS for k in (f"echo-{m}",) + tuple(f"echo-{m}-{g}" for g in GUARDS)),
             default=False),
    Scenario("chat-bus-c200", "chat", "chat, 200 clients at saturation (--rate max): one daemon, or two "
             "daemons sharing the room through one Redis with 100 clients each", "chatload", "", 200, "",
             "lines/s", "line", _CHAT_BUS, default=False),
    Scenario("chat-bus-c200-rate", "chat", f"chat, 200 clients at {CHAT_BUS_RATE} lines/s in all: one "
             "daemon, or two daemons sharing the room through one Redis with 100 clients each", "chatload", "",
             200, "", "lines/s", "line", _CHAT_BUS, default=False, rate=str(CHAT_BUS_RATE)),
    Scenario("echo-pp500", "echo", "echo ping-pong, 64 B, 500 connections", "echoload", "pingpong", 500, "64",
             "msgs/s", "msg", _ECHO_ALL, default=False),
    Scenario("http-c1", "http", "http fixed body, 1 connection, workers: 1", "wrk", "", 1, "",
             "req/s", "req", _HTTP_ALL, default=False),
]


def _words(text):
    return [w.strip() for w in (text or "").split(",") if w.strip()]


def _with_twins(targets):
    """Each netcookd target followed by its twin: A B A B within a repetition."""
    return tuple(k for key in targets for k in ((key, key + BASE) if key + BASE in TWINS else (key,)))


def select(scenario_keys, protocols, only, baseline=False):
    """The scenarios to run, each with its targets filtered by the --only
    patterns (fnmatch on target keys, e.g. 'echo-*,socat'); with baseline,
    every netcookd target's twin stands right after it, filtered likewise.
    Raises ValueError on a name that matches nothing."""
    known = {s.key: s for s in SCENARIOS}
    keys = _words(scenario_keys)
    for key in keys:
        if key not in known:
            raise ValueError(f"unknown scenario {key}; known: {', '.join(known)}")
    wanted_protocols = _words(protocols)
    for p in wanted_protocols:
        if p not in PROTOCOLS:
            raise ValueError(f"unknown protocol {p}; known: {', '.join(PROTOCOLS)}")
    patterns = _words(only)
    names = [k for k in TARGETS if baseline or k not in TWINS]
    for pattern in patterns:
        if not fnmatch.filter(names, pattern):
            twins = " (twins KEY@base need --baseline)" if fnmatch.filter(TWINS, pattern) else ""
            raise ValueError(f"--only {pattern} matches no target{twins}; known: {', '.join(names)}")
    chosen = []
    for s in SCENARIOS:
        if (s.key in keys if keys else s.default) and (not wanted_protocols or s.protocol in wanted_protocols):
            keys_in = _with_twins(s.targets) if baseline else s.targets
            targets = tuple(t for t in keys_in if not patterns or any(fnmatch.fnmatch(t, p) for p in patterns))
            if targets:
                chosen.append(dataclasses.replace(s, targets=targets))
    if not chosen:
        raise ValueError("the filters leave nothing to run")
    return chosen


def daemon_listeners(scenarios):
    """netcookd's listeners: every protocol x model one, and the guarded
    and TLS ones only when a scenario runs them (a run without them writes
    the configuration it always did)."""
    wanted = {key for s in scenarios for key in s.targets}
    return [t.key for t in TARGETS.values()
            if t.server == "netcookd" and (not (t.guard or t.tls) or t.key in wanted)]


def needs_tls(scenarios):
    """Whether the run needs its certificate."""
    return any(s.tls for s in scenarios)


def bus_listeners(scenarios):
    """The chat-bus-MODEL listeners each of the two daemons gets: those the
    scenarios run."""
    wanted = {key for s in scenarios for key in s.targets}
    return [t.key for t in TARGETS.values() if t.server == BUS_SERVER and t.key in wanted]


def rep_order(runs, rep):
    """(scenario, key) runs of repetition `rep` (1-based): a twin runs right
    after its netcookd target, and every other repetition right before it,
    so that neither build always goes first."""
    if rep % 2:
        return runs
    order = list(runs)
    for i in range(len(order) - 1):
        if order[i + 1][1] == order[i][1] + BASE:
            order[i], order[i + 1] = order[i + 1], order[i]
    return order
