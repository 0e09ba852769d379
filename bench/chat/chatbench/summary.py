"""Runs grouped by target and scenario: medians, ranges, loss, and the
issue's targets checked against them."""

from dataclasses import dataclass, field
from statistics import median

from .targets import FAST_MODELS, FLOOR, SATURATION, SATURATION_FACTOR


@dataclass
class Cell:
    """Every repetition of one scenario against one target."""
    rates: list = field(default_factory=list)     # delivered lines/s in the window
    p50s: list = field(default_factory=list)
    p99s: list = field(default_factory=list)
    cpus: list = field(default_factory=list)      # server µs per delivery
    clients: list = field(default_factory=list)   # chatload's CPU, % of one CPU
    lost: int = 0                                 # over all runs
    expected: int = 0
    out_of_order: int = 0
    skipped: int = 0
    runs: int = 0
    bad_runs: int = 0      # exit status not 0: loss, disorder, a client lost or refused
    problems: list = field(default_factory=list)

    def add(self, record):
        self.runs += 1
        result = record.get("chatload")
        if record.get("exit") != 0:
            self.bad_runs += 1
            self.problems.append(_problem(record))
        if result is None:
            return
        self.rates.append(result["lines_per_s"])
        if result["window_delivered"] > 0:
            self.p50s.append(result["p50_us"])
            self.p99s.append(result["p99_us"])
        self.lost += result["lost"]
        self.expected += result["expected"]
        self.out_of_order += result["out_of_order"]
        self.skipped += result["skipped"]
        if record.get("client_cpu_pct") is not None:
            self.clients.append(record["client_cpu_pct"])
        if record.get("server_us_per_delivery") is not None:
            self.cpus.append(record["server_us_per_delivery"])

    @property
    def rate(self):
        return median(self.rates) if self.rates else None

    @property
    def cpu(self):
        return median(self.cpus) if self.cpus else None

    @property
    def measured(self):
        """Every run produced figures."""
        return self.runs > 0 and len(self.rates) == self.runs

    @property
    def lossless(self):
        return self.measured and self.lost == 0 and self.out_of_order == 0

    @property
    def clean(self):
        return self.runs > 0 and self.bad_runs == 0


def _problem(record):
    result = record.get("chatload")
    if result is None:
        return (record.get("stderr") or ["no output"])[-1]
    keys = ("lost", "out_of_order", "duplicates", "unexpected", "errors", "connect_failures", "join_failures")
    return ", ".join(f"{k}={result[k]:,}" for k in keys if result.get(k))


def tabulate(records):
    """{(target name, scenario key): Cell}"""
    cells = {}
    for record in records:
        cells.setdefault((record["target"], record["scenario"]), Cell()).add(record)
    return cells


@dataclass
class Verdict:
    check: str
    value: str
    goal: str
    result: str   # PASS, FAIL or n/a
    note: str = ""


def verdicts(cells, targets, scenarios):
    """Zero lost lines for every netcookd model in every scenario; epoll and
    coroutine at least SATURATION_FACTOR x the Python floor at saturation."""
    out = []
    for target in (t for t in targets if t.required):
        mine = [cells.get((target.name, s.key)) for s in scenarios]
        mine = [c for c in mine if c is not None]
        if not mine:
            out.append(Verdict(f"{target.label}: lost lines", "n/a", "0", "n/a", "not measured"))
            continue
        lost = sum(c.lost for c in mine)
        disorder = sum(c.out_of_order for c in mine)
        unmeasured = sum(c.runs - len(c.rates) for c in mine)
        ok = lost == 0 and disorder == 0 and unmeasured == 0
        notes = []
        if disorder:
            notes.append(f"{disorder:,} out of order")
        if unmeasured:
            notes.append(f"{unmeasured} run(s) without figures")
        other = sum(c.bad_runs for c in mine)
        if other and ok:
            notes.append(f"{other} run(s) with other problems (see tables)")
        out.append(Verdict(f"{target.label}: lost lines, all scenarios", f"{lost:,}", "0",
                           "PASS" if ok else "FAIL", "; ".join(notes)))
    floor = cells.get((FLOOR, SATURATION))
    for target in (t for t in targets if t.model in FAST_MODELS):
        check = f"{target.label} / Python select() lines/s at saturation"
        goal = f"≥ {SATURATION_FACTOR:.2f}"
        mine = cells.get((target.name, SATURATION))
        if mine is None or mine.rate is None or floor is None or not floor.rate:
            out.append(Verdict(check, "n/a", goal, "n/a", "not measured"))
            continue
        ratio = mine.rate / floor.rate
        ok = ratio >= SATURATION_FACTOR and mine.lossless
        notes = [] if mine.lossless else ["lost or out-of-order lines"]
        if mine.cpu is not None and floor.cpu:
            notes.append(f"server CPU per delivery ×{mine.cpu / floor.cpu:.2f}")
        if target.workers > 1:
            notes.append("extra: 2 workers")
        out.append(Verdict(check, f"{ratio:.2f}", goal, "PASS" if ok else "FAIL", "; ".join(notes)))
    return out
