"""The before/after section of a run with --baseline: each netcookd target
beside its twin (KEY@base, the same listener served by the baseline's
netcookd, measured in the same repetitions), the ratios current / baseline
of the medians of CPU per operation and of rate, and whether their min–max
ranges overlap (then the difference is within this run's noise)."""

from .plan import BASE, TARGETS, TWINS
from .tables import fmt_cpu, fmt_rate, with_range
from .verdicts import overlap

HEADER = ["scenario", "target", "rate, current", "rate, baseline", "rate ratio",
          "CPU µs/op, current", "CPU µs/op, baseline", "CPU ratio", "ranges overlap", "note"]


def _originals(scenario):
    """The netcookd targets of scenario that ran, themselves or their twins, in table order."""
    out = []
    for key in scenario.targets:
        original = key.removesuffix(BASE)
        if original + BASE in TWINS and original not in out:
            out.append(original)
    return out


def _ratio(mine, base):
    return f"{mine / base:.2f}" if mine is not None and base else "n/a"


def _row(scenario, key, now, base):
    now_rates, now_cpus = (now.rates, now.cpus) if now else ([], [])
    base_rates, base_cpus = (base.rates, base.cpus) if base else ([], [])
    overlapping = [what for what, a, b in (("rate", now_rates, base_rates), ("CPU", now_cpus, base_cpus))
                   if overlap(a, b)]
    measured = now_rates and base_rates
    notes = [f"{who} runs with problems" for who, cell in (("current", now), ("baseline", base))
             if cell is not None and cell.bad_runs]
    notes += [f"{who} not measured" for who, cell in (("current", now), ("baseline", base))
              if cell is None or not cell.rates]
    if measured and min(len(now_rates), len(base_rates)) < 2:
        notes.append("one run: no min–max range")
    return [f"{scenario.key} ({scenario.unit}, µs/{scenario.per})", TARGETS[key].label,
            with_range(now_rates, fmt_rate), with_range(base_rates, fmt_rate),
            _ratio(now and now.rate, base and base.rate),
            with_range(now_cpus, fmt_cpu), with_range(base_cpus, fmt_cpu),
            _ratio(now and now.cpu, base and base.cpu),
            (", ".join(overlapping) or "no") if measured else "–", "; ".join(notes)]


def table(cells, scenarios):
    """(header, rows): one row per scenario and netcookd target."""
    rows = []
    for s in scenarios:
        for key in _originals(s):
            rows.append(_row(s, key, cells.get((s.key, key)), cells.get((s.key, key + BASE))))
    return HEADER, rows


INTRO = ("Each netcookd target against its twin served by the baseline's netcookd (same configuration, "
         "own cgroup and ports), interleaved within every repetition. Ratios of medians, current / "
         "baseline: CPU per operation below 1 and rate above 1 mean the current build does better. "
         "\"ranges overlap\" names the figures whose min–max ranges overlap: a difference within this "
         "run's noise.")
