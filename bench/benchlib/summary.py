"""Runs grouped by scenario and target: medians and ranges."""

from dataclasses import dataclass, field
from statistics import median


@dataclass
class Cell:
    """Every repetition of one scenario against one target."""
    rates: list = field(default_factory=list)
    p50s: list = field(default_factory=list)
    p99s: list = field(default_factory=list)
    cpus: list = field(default_factory=list)      # server CPU µs per operation
    users: list = field(default_factory=list)     # the user-space part of it (echoload, cgroup meter)
    clients: list = field(default_factory=list)   # the load tool's CPU, % of one CPU
    redis: list = field(default_factory=list)     # chat on a bus: Redis's CPU µs per delivered line
    tickets: list = field(default_factory=list)   # https-conn: session tickets the server sent per connection
    skipped: int = 0                              # chat at a fixed rate: lines due but not sent, over all runs
    lost: int = 0                                 # chat: over all runs
    expected: int = 0
    runs: int = 0
    bad_runs: int = 0                             # a problem: errors, loss, a failed tool
    problems: list = field(default_factory=list)

    def add(self, record):
        self.runs += 1
        if record["problem"]:
            self.bad_runs += 1
            self.problems.append(record["problem"])
        if record["rate"] is None:
            return
        self.rates.append(record["rate"])
        for values, key in ((self.p50s, "p50_us"), (self.p99s, "p99_us"), (self.cpus, "cpu_per_op"),
                            (self.clients, "client_cpu_pct"), (self.users, "user_cpu_per_op"),
                            (self.redis, "redis_cpu_per_op"), (self.tickets, "tickets_per_conn")):
            if record.get(key) is not None:
                values.append(record[key])
        self.lost += record.get("lost", 0)
        self.skipped += record.get("skipped", 0)
        self.expected += record.get("expected", 0)

    @property
    def rate(self):
        return median(self.rates) if self.rates else None

    @property
    def cpu(self):
        return median(self.cpus) if self.cpus else None

    @property
    def user(self):
        return median(self.users) if self.users else None

    @property
    def p99(self):
        return median(self.p99s) if self.p99s else None

    @property
    def clean(self):
        return self.runs > 0 and self.bad_runs == 0


def tabulate(records):
    """{(scenario key, target key): Cell}"""
    cells = {}
    for record in records:
        cells.setdefault((record["scenario"], record["target"]), Cell()).add(record)
    return cells
