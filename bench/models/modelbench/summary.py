"""Runs grouped by target and scenario: medians, ranges, and the issue's
targets checked against them."""

from dataclasses import dataclass, field
from statistics import median

CPU_TARGET = 1.10  # coroutine within 10% of epoll in server CPU per message


@dataclass
class Cell:
    """Every repetition of one scenario against one target."""
    rates: list = field(default_factory=list)
    p50s: list = field(default_factory=list)
    p99s: list = field(default_factory=list)
    cpus: list = field(default_factory=list)
    clients: list = field(default_factory=list)  # echoload's CPU, % of one CPU
    runs: int = 0
    bad_runs: int = 0      # exit status not 0: a mismatch, an error, a failed connect
    problems: list = field(default_factory=list)

    def add(self, record):
        self.runs += 1
        result = record.get("echoload")
        if record.get("exit") != 0:
            self.bad_runs += 1
            self.problems.append(_problem(record))
        if result is None:
            return
        self.rates.append(result["mb_per_s"] if result["mode"] == "stream" else result["rate_per_s"])
        if result.get("p50_us") is not None:
            self.p50s.append(result["p50_us"])
            self.p99s.append(result["p99_us"])
        if record.get("client_cpu_pct") is not None:
            self.clients.append(record["client_cpu_pct"])
        if record.get("server_us_per_op") is not None:
            self.cpus.append(record["server_us_per_op"])

    @property
    def rate(self):
        return median(self.rates) if self.rates else None

    @property
    def cpu(self):
        return median(self.cpus) if self.cpus else None

    @property
    def clean(self):
        return self.runs > 0 and self.bad_runs == 0


def _problem(record):
    result = record.get("echoload")
    if result is None:
        return (record.get("stderr") or ["no output"])[-1]
    counts = {k: result.get(k) for k in ("mismatches", "errors", "connect_failures", "failures")}
    return ", ".join(f"{k}={v}" for k, v in counts.items() if v)


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


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def verdicts(cells, targets):
    """The issue's targets, all at 50 connections (pp50)."""
    by_name = {t.name: t for t in targets}
    out = []
    co = cells.get(("coroutine", "pp50"))
    ep = cells.get(("epoll", "pp50"))
    ratio = _ratio(co and co.cpu, ep and ep.cpu)
    check = "coroutine / epoll server CPU per message"
    if ratio is None:
        out.append(Verdict(check, "n/a", f"≤ {CPU_TARGET:.2f}", "n/a", _missing(co, ep, "coroutine", "epoll")))
    else:
        ok = ratio <= CPU_TARGET and co.clean and ep.clean
        out.append(Verdict(check, f"{ratio:.2f}", f"≤ {CPU_TARGET:.2f}", "PASS" if ok else "FAIL",
                           "" if co.clean and ep.clean else "runs with errors"))
    for target in targets:
        if target.counterpart is None:
            continue
        peer = by_name.get(target.counterpart)
        check = f"{target.label} / {peer.label if peer else target.counterpart} messages/s"
        mine, theirs = cells.get((target.name, "pp50")), cells.get((target.counterpart, "pp50"))
        ratio = _ratio(mine and mine.rate, theirs and theirs.rate)
        if ratio is None:
            out.append(Verdict(check, "n/a", "> 1.00", "n/a",
                               _missing(mine, theirs, target.name, target.counterpart)))
            continue
        ok = ratio > 1.0 and mine.clean
        notes = [] if mine.clean else ["netcookd runs with errors"]
        cpu = _ratio(mine.cpu, theirs.cpu)
        if cpu is not None:
            notes.append(f"server CPU per message ×{cpu:.2f}")
        out.append(Verdict(check, f"{ratio:.2f}", "> 1.00", "PASS" if ok else "FAIL", "; ".join(notes)))
    return out


def _missing(a, b, name_a, name_b):
    gone = [n for n, c in ((name_a, a), (name_b, b)) if c is None or c.rate is None]
    return "no pp50 figures for " + " and ".join(gone) if gone else "no CPU figures"
