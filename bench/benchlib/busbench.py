"""Issue 20's table: per model, a chat room of 200 members in one daemon
beside the same room shared by two daemons through one Redis (100 members
on each), measured in the same run: deliveries/s, p99, lost lines, the
daemons' CPU per delivered line and Redis's."""

from .plan import MODELS
from .tables import fmt_cpu, fmt_rate, fmt_us


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def comparison(cells, scenario):
    """(header, rows): one row per model whose two targets ran."""
    header = ["model", "lines/s: 1 daemon", "lines/s: 2 daemons", "2 ÷ 1", "p99: 1", "p99: 2",
              "lost: 1", "lost: 2", "daemons' CPU µs/line: 1", "daemons' CPU µs/line: 2", "2 ÷ 1",
              "Redis CPU µs/line", "Redis CPU per line sent (µs)"]
    rows = []
    for model in MODELS:
        one = cells.get((scenario.key, f"chat-{model}"))
        two = cells.get((scenario.key, f"chat-bus-{model}"))
        if one is None and two is None:
            continue
        row = [model]
        row += [fmt_rate(c.rate) if c else "–" for c in (one, two)]
        row.append(_ratio(two and two.rate, one and one.rate))
        row += [fmt_us(c.p99) if c else "–" for c in (one, two)]
        row += [f"{c.lost:,}" + (f" ({c.skipped:,} skipped)" if c.skipped else "") if c else "–" for c in (one, two)]
        row += [fmt_cpu(c.cpu) if c else "–" for c in (one, two)]
        row.append(_ratio(two and two.cpu, one and one.cpu))
        redis = _median(two.redis) if two and two.redis else None
        row.append(fmt_cpu(redis))
        # A line is published once and read by both daemons whatever the room's size: per line sent.
        row.append(fmt_cpu(redis * (scenario.conns - 1)) if redis is not None else "–")
        rows.append(row)
    return header, rows


def _median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


INTRO = ("Medians of the table above, from the same run. 1: the model's chat listener in the one daemon "
         "every scenario uses, 200 members. 2: two more netcookd processes (each a listener of that model, "
         "the same `room`, the same `bus`: a private redis-server on a loopback port started for the run, "
         "no persistence), 100 members on each; a line goes from its author's daemon to Redis and back "
         "to both. lines/s: deliveries, one line to 199 members counting 199, whichever daemon delivered "
         "it; lost: lines that did not reach every other member, wherever its author was (chatload checks "
         "every member gets every other member's lines once and in its author's order, and that every "
         "member's first 8192 lines are in the order clients 0 and 1, one on each daemon, saw them). "
         "Daemons' CPU: "
         "both daemons' cgroups (1: the one daemon's) over chatload's window, per delivered line; Redis "
         "CPU: redis-server's own cgroup, the same window, per delivered line, and per line sent (× 199). "
         "The machine's 2 CPUs are shared by chatload, the daemons and Redis: two daemons and Redis "
         "compete with each other and with the load for the same 2 CPUs, so read the rates as what "
         "this box does, not as what two machines would.")
