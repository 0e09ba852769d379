"""report.md and the tables printed at the end."""

from statistics import median

from modelbench.report import markdown_table, text_table

from .summary import tabulate, verdicts


def fmt_rate(value):
    return "–" if value is None else f"{value:,.0f}"


def fmt_us(value):
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1e6:.2f} s"
    return f"{value / 1000:.1f} ms" if value >= 1000 else f"{value:.0f} µs"


def fmt_cpu(value):
    return "–" if value is None else f"{value:.3f}"


def _range(values, fmt):
    if not values:
        return "–"
    text = fmt(median(values))
    if len(values) > 1:
        text += f" ({fmt(min(values))}–{fmt(max(values))})"
    return text


def fmt_lost(cell):
    if cell is None or not cell.rates:
        return "–"
    if cell.lost == 0:
        return "0"
    share = f" ({100 * cell.lost / cell.expected:.1f}%)" if cell.expected else ""
    return f"{cell.lost:,}{share}"


def _runs(cell):
    if cell is None:
        return "–"
    text = f"{cell.runs - cell.bad_runs}/{cell.runs}"
    if cell.problems:
        text += " (" + "; ".join(sorted(set(cell.problems)))[:160] + ")"
    return text


def summary_rows(cells, targets, scenarios, unavailable):
    """One line per target: median delivered lines/s per scenario, loss."""
    header = ["target"] + [f"{s.key} lines/s" for s in scenarios] + ["lost (all runs)", "clean runs"]
    rows = []
    for t in targets:
        if t.name in unavailable:
            rows.append([t.label] + ["n/a"] * (len(scenarios) + 2))
            continue
        row, lost, ok, total, measured = [t.label], 0, 0, 0, False
        for s in scenarios:
            cell = cells.get((t.name, s.key))
            row.append(fmt_rate(cell.rate if cell else None))
            if cell:
                lost += cell.lost
                ok, total = ok + cell.runs - cell.bad_runs, total + cell.runs
                measured = measured or bool(cell.rates)
        rows.append(row + [f"{lost:,}" if measured else "–", f"{ok}/{total}"])
    return header, rows


def scenario_table(cells, targets, scenario, unavailable):
    header = ["target", "delivered lines/s median (min–max)", "p50", "p99", "lost",
              "server CPU µs/delivery", "client CPU", "clean runs"]
    rows = []
    for t in targets:
        if t.name in unavailable:
            rows.append([t.label, "n/a"] + ["–"] * (len(header) - 2))
            continue
        cell = cells.get((t.name, scenario.key))
        if cell is None:
            rows.append([t.label] + ["–"] * (len(header) - 1))
            continue
        rows.append([t.label, _range(cell.rates, fmt_rate),
                     fmt_us(median(cell.p50s)) if cell.p50s else "–",
                     fmt_us(median(cell.p99s)) if cell.p99s else "–",
                     fmt_lost(cell), _range(cell.cpus, fmt_cpu),
                     f"{median(cell.clients):.0f}%" if cell.clients else "–", _runs(cell)])
    return markdown_table(header, rows)


def verdict_rows(found):
    return (["check (same run)", "value", "goal", "result", "note"],
            [[v.check, v.value, v.goal, v.result, v.note] for v in found])


def build(records, targets, scenarios, unavailable, notes, context, chart_name):
    """(report.md text, the text tables for stdout)."""
    cells = tabulate(records)
    summary = summary_rows(cells, targets, scenarios, unavailable)
    found = verdict_rows(verdicts(cells, targets, scenarios))
    parts = [f"# netcookd chat: five models vs ncat --chat and a Python select() server — {context['date']}",
             "", context["setup"], "", "## Summary (medians)", "", markdown_table(*summary), "",
             "## Targets (same run)", "", markdown_table(*found), ""]
    if unavailable:
        parts += ["Not measured:", ""] + [f"- {name}: {why}" for name, why in unavailable.items()] + [""]
    if notes:
        parts += ["Servers that exited during a run (restarted for the next one):", ""]
        parts += [f"- {note}" for note in notes] + [""]
    if chart_name:
        parts += [f"![delivered lines/s at saturation and server CPU per delivery]({chart_name})", ""]
    for s in scenarios:
        parts += [f"## {s.title} (`{s.key}`)", "", scenario_table(cells, targets, s, unavailable), ""]
    parts += ["## Method", "", context["method"], ""]
    text = text_table(*summary) + "\n\n" + text_table(*found)
    return "\n".join(parts), text
