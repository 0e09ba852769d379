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
    return f"{value / 1000:.2f} ms" if value >= 1000 else f"{value:.0f} µs"


def fmt_cpu(value):
    return "–" if value is None else f"{value:.1f}"


def _range(values, fmt):
    if not values:
        return "–"
    text = fmt(median(values))
    if len(values) > 1:
        text += f" ({fmt(min(values))}–{fmt(max(values))})"
    return text


def _runs(cell):
    text = f"{cell.runs - cell.bad_runs}/{cell.runs}"
    if cell.problems:
        text += " (" + "; ".join(sorted(set(cell.problems)))[:160] + ")"
    return text


def summary_rows(cells, targets, scenarios, unavailable):
    """One line per target: per connection count, requests/s, p99 and CPU per request."""
    header = ["target"]
    for s in scenarios:
        header += [f"{s.key} req/s", f"{s.key} p99", f"{s.key} CPU µs/req"]
    header.append("clean runs")
    rows = []
    for t in targets:
        if t.name in unavailable:
            rows.append([t.label] + ["n/a"] * (3 * len(scenarios) + 1))
            continue
        row, ok, total = [t.label], 0, 0
        for s in scenarios:
            cell = cells.get((t.name, s.key))
            if cell is None:
                row += ["–"] * 3
                continue
            row += [fmt_rate(cell.rate), fmt_us(cell.p99), fmt_cpu(cell.cpu)]
            ok, total = ok + cell.runs - cell.bad_runs, total + cell.runs
        rows.append(row + [f"{ok}/{total}"])
    return header, rows


def scenario_table(cells, targets, scenario, unavailable):
    header = ["target", "requests/s median (min–max)", "p50", "p99 median (min–max)",
              "server CPU µs/request median (min–max)", "client CPU", "bytes/response", "clean runs"]
    rows = []
    for t in targets:
        cell = cells.get((t.name, scenario.key))
        if t.name in unavailable or cell is None:
            rows.append([t.label, "n/a" if t.name in unavailable else "–"] + ["–"] * (len(header) - 2))
            continue
        rows.append([t.label, _range(cell.rates, fmt_rate),
                     fmt_us(median(cell.p50s)) if cell.p50s else "–", _range(cell.p99s, fmt_us),
                     _range(cell.cpus, fmt_cpu),
                     f"{median(cell.clients):.0f}%" if cell.clients else "–",
                     f"{median(cell.sizes):.0f}" if cell.sizes else "–", _runs(cell)])
    return markdown_table(header, rows)


def verdict_rows(found):
    return (["check (same run)", "kind", "value", "goal", "result", "note"],
            [[v.check, v.kind, v.value, v.goal, v.result, v.note] for v in found])


def build(records, targets, scenarios, unavailable, notes, context, chart_name):
    """(report.md text, the text tables for stdout)."""
    cells = tabulate(records)
    summary = summary_rows(cells, targets, scenarios, unavailable)
    found = verdict_rows(verdicts(cells, targets, scenarios))
    parts = [f"# netcookd http: five models vs nginx (1 worker) under wrk — {context['date']}",
             "", context["setup"], "", "## Summary (medians)", "", markdown_table(*summary), "",
             "## Targets (same run)", "", context["targets_intro"], "", markdown_table(*found), ""]
    if unavailable:
        parts += ["Not measured:", ""] + [f"- {name}: {why}" for name, why in unavailable.items()] + [""]
    if notes:
        parts += ["Servers that exited during a run (restarted for the next one):", ""]
        parts += [f"- {note}" for note in notes] + [""]
    if chart_name:
        parts += [f"![requests/s, p99 and server CPU per request by target and connections]({chart_name})", ""]
    for s in scenarios:
        parts += [f"## {s.title} (`{s.key}`, wrk -t{s.threads} -c{s.conns})", "",
                  scenario_table(cells, targets, s, unavailable), ""]
    parts += ["## Method", "", context["method"], ""]
    text = text_table(*summary) + "\n\n" + text_table(*found)
    return "\n".join(parts), text
