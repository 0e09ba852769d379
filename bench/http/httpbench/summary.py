"""Runs grouped by target and scenario: medians, ranges, and the issue's
targets checked against them."""

from dataclasses import dataclass, field
from statistics import median

from .targets import FAST_MODELS, REFERENCE, TARGET_SCENARIOS


@dataclass
class Cell:
    """Every repetition of one scenario against one target."""
    rates: list = field(default_factory=list)    # requests/s
    p50s: list = field(default_factory=list)     # µs
    p99s: list = field(default_factory=list)     # µs
    cpus: list = field(default_factory=list)     # server µs per request
    clients: list = field(default_factory=list)  # wrk's CPU, % of one CPU
    sizes: list = field(default_factory=list)    # bytes read per response
    runs: int = 0
    bad_runs: int = 0      # no figures, socket errors, timeouts or a status other than 2xx/3xx
    problems: list = field(default_factory=list)

    def add(self, record):
        self.runs += 1
        if record.get("problem"):
            self.bad_runs += 1
            self.problems.append(record["problem"])
        result = record.get("wrk")
        if result is None:
            return
        self.rates.append(result["requests_per_s"])
        if "p99_us" in result:
            self.p50s.append(result["p50_us"])
            self.p99s.append(result["p99_us"])
        for key, values in (("client_cpu_pct", self.clients), ("server_us_per_request", self.cpus),
                            ("response_bytes", self.sizes)):
            if record.get(key) is not None:
                values.append(record[key])

    @property
    def rate(self):
        return median(self.rates) if self.rates else None

    @property
    def p99(self):
        return median(self.p99s) if self.p99s else None

    @property
    def cpu(self):
        return median(self.cpus) if self.cpus else None

    @property
    def clean(self):
        return self.runs > 0 and self.bad_runs == 0


def tabulate(records):
    """{(target name, scenario key): Cell}"""
    cells = {}
    for record in records:
        cells.setdefault((record["target"], record["scenario"]), Cell()).add(record)
    return cells


@dataclass
class Verdict:
    check: str
    kind: str     # "issue target" or "evidence"
    value: str
    goal: str
    result: str   # PASS, FAIL or n/a
    note: str = ""


def _fmt_us(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def _overlap(a, b):
    return min(a) <= max(b) and min(b) <= max(a)


def _verdicts_for(label, mine, ref, conns):
    """requests/s ≥ nginx, p99 ≤ nginx (the issue's), CPU/request ≤ nginx (evidence)."""
    clean = mine.clean
    dirty = [] if clean else ["netcookd runs with errors"]
    ratio = mine.rate / ref.rate
    notes = dirty + (["min–max ranges overlap"] if _overlap(mine.rates, ref.rates) else [])
    out = [Verdict(f"{label} / nginx requests/s, {conns} conns", "issue target", f"{ratio:.2f}", "≥ 1.00",
                   "PASS" if ratio >= 1.0 and clean else "FAIL", "; ".join(notes))]
    if mine.p99 is not None and ref.p99:
        ok = mine.p99 <= ref.p99 and clean
        notes = dirty + (["min–max ranges overlap"] if _overlap(mine.p99s, ref.p99s) else [])
        out.append(Verdict(f"{label} p99 vs nginx p99, {conns} conns", "issue target",
                           f"{_fmt_us(mine.p99)} vs {_fmt_us(ref.p99)}", "≤ nginx",
                           "PASS" if ok else "FAIL", "; ".join(notes)))
    if mine.cpu is not None and ref.cpu:
        cpu = mine.cpu / ref.cpu
        notes = dirty + (["min–max ranges overlap"] if _overlap(mine.cpus, ref.cpus) else [])
        out.append(Verdict(f"{label} / nginx server CPU µs per request, {conns} conns", "evidence",
                           f"{cpu:.2f} ({mine.cpu:.1f} vs {ref.cpu:.1f})", "≤ 1.00",
                           "PASS" if cpu <= 1.0 and clean else "FAIL", "; ".join(notes)))
    return out


def verdicts(cells, targets, scenarios):
    by_name = {t.name: t for t in targets}
    out = []
    for model in FAST_MODELS:
        target = by_name.get(model)
        if target is None:
            continue
        for scenario in (s for s in scenarios if s.key in TARGET_SCENARIOS):
            mine, ref = cells.get((model, scenario.key)), cells.get((REFERENCE, scenario.key))
            if mine is None or mine.rate is None or ref is None or not ref.rate:
                missing = [n for n, c in ((model, mine), (REFERENCE, ref)) if c is None or not c.rate]
                out.append(Verdict(f"{target.label} vs nginx, {scenario.conns} conns", "issue target", "n/a",
                                   "≥ nginx requests/s, ≤ nginx p99", "n/a",
                                   "no figures for " + " and ".join(missing)))
                continue
            out += _verdicts_for(target.label, mine, ref, scenario.conns)
    if not out:
        out.append(Verdict("epoll and coroutine vs nginx", "issue target", "n/a",
                           "≥ nginx requests/s, ≤ nginx p99", "n/a",
                           "not in this run: needs epoll or coroutine, nginx, and c50 or c500"))
    return out
