"""report.md and the table printed at the end."""

from statistics import median

from .summary import tabulate, verdicts


def fmt_rate(value, scenario):
    if value is None:
        return "–"
    return f"{value:,.1f}" if scenario.mode == "stream" else f"{value:,.0f}"


def fmt_us(value):
    if value is None:
        return "–"
    return f"{value / 1000:.1f} ms" if value >= 1000 else f"{value:.0f} µs"


def fmt_cpu(value):
    return "–" if value is None else f"{value:.2f}"


def _range(cell, scenario):
    if cell is None or not cell.rates:
        return "–"
    text = fmt_rate(cell.rate, scenario)
    if len(cell.rates) > 1:
        text += f" ({fmt_rate(min(cell.rates), scenario)}–{fmt_rate(max(cell.rates), scenario)})"
    return text


def _runs(cell):
    if cell is None:
        return "–"
    text = f"{cell.runs - cell.bad_runs}/{cell.runs}"
    if cell.problems:
        text += " (" + "; ".join(sorted(set(cell.problems)))[:120] + ")"
    return text


def summary_rows(cells, targets, scenarios, unavailable):
    """Header and rows of the one-line-per-target table."""
    header = ["target"] + [f"{s.key} {s.unit}" for s in scenarios] + ["CPU µs/msg pp50", "clean runs"]
    rows = []
    for t in targets:
        if t.name in unavailable:
            rows.append([t.label] + ["n/a"] * (len(scenarios) + 2))
            continue
        row = [t.label]
        ok = total = 0
        for s in scenarios:
            cell = cells.get((t.name, s.key))
            row.append(fmt_rate(cell.rate if cell else None, s))
            if cell:
                ok, total = ok + cell.runs - cell.bad_runs, total + cell.runs
        pp50 = cells.get((t.name, "pp50"))
        row += [fmt_cpu(pp50.cpu if pp50 else None), f"{ok}/{total}"]
        rows.append(row)
    return header, rows


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda row: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def verdict_rows(found):
    return (["check (at 50 connections)", "value", "goal", "result", "note"],
            [[v.check, v.value, v.goal, v.result, v.note] for v in found])


def scenario_table(cells, targets, scenario, unavailable):
    header = ["target", f"{scenario.unit} median (min–max)"]
    if scenario.has_latency:
        header += ["p50", "p99"]
    header += [f"server CPU µs/{scenario.per}", "client CPU", "clean runs"]
    rows = []
    for t in targets:
        if t.name in unavailable:
            rows.append([t.label, "n/a"] + ["–"] * (len(header) - 2))
            continue
        cell = cells.get((t.name, scenario.key))
        row = [t.label, _range(cell, scenario)]
        if scenario.has_latency:
            row += [fmt_us(median(cell.p50s)) if cell and cell.p50s else "–",
                    fmt_us(median(cell.p99s)) if cell and cell.p99s else "–"]
        row += [fmt_cpu(cell.cpu if cell else None),
                f"{median(cell.clients):.0f}%" if cell and cell.clients else "–", _runs(cell)]
        rows.append(row)
    return markdown_table(header, rows)


def build(records, targets, scenarios, unavailable, context, chart_name):
    """(report.md text, the text table for stdout)."""
    cells = tabulate(records)
    summary = summary_rows(cells, targets, scenarios, unavailable)
    found = verdict_rows(verdicts(cells, targets))
    parts = [f"# netcookd models vs Python cookbook servers — {context['date']}", "",
             context["setup"], "", "## Summary (medians)", "", markdown_table(*summary), "",
             "## Targets (same run)", "", markdown_table(*found), ""]
    if unavailable:
        parts += ["Not measured:", ""] + [f"- {name}: {why}" for name, why in unavailable.items()] + [""]
    if chart_name:
        parts += [f"![messages/s by model and connection count]({chart_name})", ""]
    for s in scenarios:
        parts += [f"## {s.title}", "", scenario_table(cells, targets, s, unavailable), ""]
    parts += ["## Method", "", context["method"], ""]
    text = text_table(*summary) + "\n\n" + text_table(*found)
    return "\n".join(parts), text
