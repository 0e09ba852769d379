"""report.md: the setup, the targets table, with --baseline the before /
after table, the charts, a table per scenario, what was not measured and
why, and the method."""

from statistics import median

from . import busbench, compare, guards, tlsbench
from .plan import TARGETS
from .summary import tabulate
from .tables import fmt_cpu, fmt_rate, fmt_us, markdown_table, text_table, with_range
from .verdicts import verdicts


def _runs(cell):
    text = f"{cell.runs - cell.bad_runs}/{cell.runs}"
    if cell.problems:
        text += " (" + "; ".join(sorted(set(cell.problems)))[:120] + ")"
    return text


def scenario_table(cells, scenario, unavailable):
    chat = scenario.tool == "chatload"
    header = ["target", f"{scenario.unit} median (min–max)"]
    header += ["p50", "p99"] if scenario.has_latency else []
    header += [f"server CPU µs/{scenario.per} (min–max)", "client CPU"]
    header += ["Redis CPU µs/line (min–max)"] if scenario.bus else []
    header += ["lost lines"] if chat else []
    header += ["clean runs"]
    rows = []
    for key in scenario.targets:
        target = TARGETS[key]
        cell = cells.get((scenario.key, key))
        if target.server in unavailable or cell is None or not cell.runs:
            why = unavailable.get(target.server, "not run")
            rows.append([target.label, "n/a"] + ["–"] * (len(header) - 3) + [why[:100]])
            continue
        row = [target.label, with_range(cell.rates, fmt_rate)]
        if scenario.has_latency:
            row += [fmt_us(median(cell.p50s)) if cell.p50s else "–", fmt_us(cell.p99)]
        row += [with_range(cell.cpus, fmt_cpu), f"{median(cell.clients):.0f}%" if cell.clients else "–"]
        if scenario.bus:
            row.append(with_range(cell.redis, fmt_cpu))
        if chat:
            row.append(f"{cell.lost:,}" + (f" ({cell.skipped:,} skipped)" if cell.skipped else ""))
        rows.append(row + [_runs(cell)])
    return header, rows


def _verdict_table(found):
    return (["target (issues 8, 20, 21)", "scenario", "measured", "goal", "result", "note"],
            [[v.check, v.scenario, v.value, v.goal, v.result, v.note] for v in found])


def build(records, scenarios, unavailable, notes, context, charts):
    """(report.md text, the text printed at the end); context["baseline"],
    when there is one, titles the before / after section."""
    cells = tabulate(records)
    found = _verdict_table(verdicts(cells, scenarios))
    passed = sum(1 for row in found[1] if row[4] == "PASS")
    parts = [f"# netcookd: every model next to its peers — {context['date']}", "", context["setup"], "",
             "## Targets (same run)", ""]
    if found[1]:
        parts += [f"{passed} of {len(found[1])} pass. Ratios of medians; the figures behind each are in the "
                  "scenario tables below.", "", markdown_table(*found), ""]
    else:
        parts += ["None of the issues' targets is among the scenarios run.", ""]
    text = text_table(*found)
    if context.get("baseline"):
        before_after = compare.table(cells, scenarios)
        parts += [f"## Before / after (baseline: {context['baseline']})", "", compare.INTRO, "",
                  markdown_table(*before_after) if before_after[1] else "No netcookd target ran.", ""]
        text += f"\n\nbefore / after (baseline: {context['baseline']}):\n" + text_table(*before_after)
    for name, title in charts:
        parts += [f"![{title}]({name})", ""]
    for s in scenarios:
        parts += [f"## {s.title} (`{s.key}`)", "", markdown_table(*scenario_table(cells, s, unavailable)), ""]
        if s.key == guards.SCENARIO:
            refusing = guards.comparison(cells, s)
            parts += ["### Refusing vs serving", "", guards.INTRO, "", markdown_table(*refusing), ""]
            text += "\n\nrefusing vs serving (server CPU per connection):\n" + text_table(*refusing)
        if s.bus:
            shared = busbench.comparison(cells, s)
            parts += ["### One daemon vs two on one Redis", "", busbench.INTRO, "", markdown_table(*shared), ""]
            text += f"\n\n{s.key}: one daemon vs two on one Redis:\n" + text_table(*shared)
    if any(s.tls for s in scenarios):
        vs_nginx = tlsbench.comparison(cells, scenarios)
        parts += ["## TLS: netcookd against nginx", "", tlsbench.INTRO, "", markdown_table(*vs_nginx), ""]
        text += "\n\nTLS: netcookd against nginx (1 worker):\n" + text_table(*vs_nginx)
    if unavailable:
        parts += ["## Not measured", ""] + [f"- {name}: {why}" for name, why in unavailable.items()] + [""]
    if notes:
        parts += ["## Servers that stopped during the run", ""] + [f"- {n}" for n in notes] + [""]
    parts += ["## Method", "", context["method"], ""]
    return "\n".join(parts), text
