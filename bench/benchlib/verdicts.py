"""The targets of issue 8 (item 3), and those issues 20 and 21 add, each a ratio measured in the same run,
checked against the figures: PASS, FAIL, or n/a when a side is missing."""

from dataclasses import dataclass

from .plan import MODELS, SCENARIOS, TARGETS, BUS_SERVER


@dataclass(frozen=True)
class Check:
    scenario: str
    mine: str      # target key
    ref: str       # target key; "" for an absolute check (lost lines)
    metric: str    # rate, cpu (per operation), p99 or lost
    goal: float    # the ratio's bound (lost: the count's)
    at_most: bool  # True: ratio <= goal; False: ratio >= goal
    floor: str = ""  # target key of the technique's own minimum, shown as its ratio to ref


def _checks():
    out = []
    for model, goal in (("epoll", 1.10), ("coroutine", 1.10)):
        out.append(Check("echo-pp50", f"echo-{model}", "sol-echo", "cpu", goal, True))
    for model, floor in (("thread", "sol-echo-threads"), ("fork", "sol-echo-forks")):
        out.append(Check("echo-pp50", f"echo-{model}", "sol-echo", "cpu", 2.0, True, floor=floor))
    out += [Check("echo-stream", "echo-epoll", "iperf3", "rate", 0.8, False),
            Check("echo-stream", "echo-epoll", "py-asyncio", "rate", 1.5, False)]
    for scenario in ("http-c50", "http-c500"):
        for model in ("epoll", "coroutine"):
            out += [Check(scenario, f"http-{model}", "nginx-1", "cpu", 0.8, True),
                    Check(scenario, f"http-{model}", "nginx-1", "p99", 1.0, True)]
    for model in ("epoll", "coroutine"):
        out.append(Check("http-c500-w2", f"http-{model}-w2", "nginx-2", "rate", 1.0, False))
    out += [Check("chat-c200", f"chat-{model}", "", "lost", 0, True) for model in MODELS]
    for model in ("epoll", "coroutine"):
        out += [Check("chat-c200", f"chat-{model}", "py-chat", "rate", 3.0, False),
                Check("chat-c200", f"chat-{model}", "py-chat", "cpu", 1 / 3, True)]
    out += [Check("echo-connect", "echo-fork", "socat", "rate", 2.0, False),
            Check("echo-connect", "echo-thread", "echo-fork", "rate", 5.0, False)]
    # Issue 21: TLS costs netcookd no more than nginx, per keep-alive request
    # and (within 10%) per full handshake.
    for model in ("epoll", "coroutine"):
        out += [Check("https-c50", f"https-{model}", "nginx-1-tls", "cpu", 1.0, True),
                Check("https-conn", f"https-{model}", "nginx-1-tls", "cpu", 1.1, True)]
    # Issue 22: io_uring below what epoll's system calls cost, and the fork
    # and thread models at their techniques' floor (fork's echo-pp50 check
    # is issue 8's, above).
    out += [Check("http-c50", "http-io_uring", "nginx-1", "cpu", 0.75, True),
            Check("http-c50", "http-io_uring", "nginx-1", "p99", 1.0, True),
            Check("echo-pp50", "echo-io_uring", "sol-echo", "cpu", 0.9, True, floor="sol-echo-uring"),
            Check("chat-c200", "chat-io_uring", "chat-epoll", "rate", 1.0, False),
            Check("echo-stream", "echo-io_uring", "echo-epoll", "rate", 1.0, False),
            Check("chat-c200", "chat-thread", "chat-epoll", "cpu", 3.0, True)]
    # Issue 20: every line reaches every member of a room served by two daemons.
    out += [Check(s.key, key, "", "lost", 0, True) for s in SCENARIOS if s.bus
            for key in s.targets if TARGETS[key].server == BUS_SERVER]
    return out


CHECKS = _checks()
_WHAT = {"rate": "rate", "cpu": "server CPU per op", "p99": "p99 latency"}


@dataclass
class Verdict:
    check: str
    scenario: str
    value: str
    goal: str
    result: str   # PASS, FAIL or n/a
    note: str = ""


def _values(cell, metric):
    return {"rate": cell.rates, "cpu": cell.cpus, "p99": cell.p99s}[metric]


def overlap(a, b):
    """Whether the min–max ranges of two series overlap (both non-empty)."""
    return bool(a and b) and min(a) <= max(b) and min(b) <= max(a)


def _judge(check, cells):
    mine = cells.get((check.scenario, check.mine))
    label = TARGETS[check.mine].label
    if check.metric == "lost":
        if mine is None or not mine.rates:
            return Verdict(f"{label}: lost lines", check.scenario, "n/a", "0", "n/a", "not measured")
        ok = mine.lost == 0 and mine.clean
        note = "" if mine.clean else "; ".join(sorted(set(mine.problems)))[:120]
        return Verdict(f"{label}: lost lines", check.scenario, f"{mine.lost:,}", "0", "PASS" if ok else "FAIL", note)
    ref = cells.get((check.scenario, check.ref))
    name = f"{label} / {TARGETS[check.ref].label}, {_WHAT[check.metric]}"
    goal = f"{'≤' if check.at_most else '≥'} {check.goal:.2f}"
    a = _values(mine, check.metric) if mine else []
    b = _values(ref, check.metric) if ref else []
    if not a or not b or min(b) <= 0:
        gone = [k for k, v in ((check.mine, a), (check.ref, b)) if not v]
        return Verdict(name, check.scenario, "n/a", goal, "n/a", "no figures for " + " and ".join(gone or ["ref"]))
    x, y = _median(a), _median(b)
    ratio = x / y
    passed = (ratio <= check.goal) if check.at_most else (ratio >= check.goal)
    notes = [] if mine.clean else ["netcookd runs with problems"]
    if not ref.clean:
        notes.append("reference runs with problems")
    if overlap(a, b):
        notes.append("min–max ranges overlap")
    floor = cells.get((check.scenario, check.floor)) if check.floor else None
    if floor and floor.cpus:
        notes.append(f"{TARGETS[check.floor].label}: {_median(floor.cpus) / y:.2f}")
    value = f"{ratio:.2f} ({_fmt(x, check.metric)} / {_fmt(y, check.metric)})"
    return Verdict(name, check.scenario, value, goal, "PASS" if passed and mine.clean else "FAIL", "; ".join(notes))


def _median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _fmt(value, metric):
    if metric == "p99":
        return f"{value / 1000:.2f} ms" if value >= 1000 else f"{value:.0f} µs"
    if metric == "cpu":
        return f"{value:.3g} µs"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def verdicts(cells, scenarios):
    """The checks whose scenario and targets were in the run (a filter may
    leave some out); n/a inside them when a side has no figures."""
    ran = {s.key: s.targets for s in scenarios}
    return [_judge(c, cells) for c in CHECKS
            if c.mine in ran.get(c.scenario, ()) and (not c.ref or c.ref in ran[c.scenario])]
