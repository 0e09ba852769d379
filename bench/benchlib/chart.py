"""Two PNGs drawn by gnuplot, one panel per scenario: the rate (rates.png)
and the server CPU per operation (cpu.png), medians with min–max bars,
netcookd blue, its baseline (--baseline) orange, speed-of-light green,
peers grey. The data files and the script stay next to them, so they can
be redrawn."""

import math
import shutil
import subprocess

from .plan import TARGETS
from .summary import tabulate

COLOURS = {"netcookd": 0x1F77B4, "base": 0xFF7F0E, "sol": 0x2CA02C, "peer": 0x8C8C8C, "bus": 0x9467BD}
CHARTS = (("rates.png", 2, "{unit} (median, min–max)"),
          ("cpu.png", 5, "server CPU µs per {per} (median, min–max)"))


def _data(cells, scenario, unavailable):
    lines = ["# label rate_median rate_min rate_max cpu_median cpu_min cpu_max colour"]
    for key in scenario.targets:
        target = TARGETS[key]
        cell = cells.get((scenario.key, key))
        values = []
        for series in ((cell.rates, cell.cpus) if cell else ([], [])):
            values += ([sorted(series)[len(series) // 2], min(series), max(series)] if series
                       else [math.nan] * 3)
        if not values:
            values = [math.nan] * 6
        label = target.label + (" (n/a)" if target.server in unavailable or not cell else "")
        lines.append(f'"{label}" ' + " ".join("NaN" if math.isnan(v) else f"{v:.6g}" for v in values)
                     + f" {COLOURS[target.family]}")
    return "\n".join(lines) + "\n"


def _panel(dat, column, title, ylabel):
    return f"""set title "{title}" noenhanced
set ylabel "{ylabel}" noenhanced
plot '{dat}' using 0:{column}:8:xtic(1) with boxes lc rgb variable notitle, \\
     '' using 0:{column}:{column + 1}:{column + 2} with yerrorbars lc rgb 'black' pt 0 notitle
"""


def _script(scenarios, terminal, date):
    cols = min(4, len(scenarios))
    rows = math.ceil(len(scenarios) / cols)
    width = max(440, 32 * max(len(s.targets) for s in scenarios))  # echo-refuse has 20 bars
    out = ["# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png.",
           "set style fill solid 0.85 border -1", "set boxwidth 0.8", "set grid ytics",
           "set xtics rotate by -40 noenhanced font ',8'", "set yrange [0:*]", "set format y '%.1s%c'"]
    for png, column, ylabel in CHARTS:
        what = "rate" if column == 2 else "server CPU per operation"
        out += [f"set terminal {terminal} size {width * cols},{400 * rows}", f"set output '{png}'",
                f'set multiplot layout {rows},{cols} title "netcookd bench/run, {date}: {what}" noenhanced']
        for s in scenarios:
            out.append(_panel(f"chart-{s.key}.dat", column, s.key, ylabel.format(unit=s.unit, per=s.per)))
        out.append("unset multiplot")
    return "\n".join(out) + "\n"


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    return "pngcairo font ',10'" if ok.returncode == 0 else "png"


def render(records, scenarios, unavailable, run_dir, date):
    """Writes the data and chart.gp, runs gnuplot; returns ([(png, title)], why not or None)."""
    cells = tabulate(records)
    for s in scenarios:
        (run_dir / f"chart-{s.key}.dat").write_text(_data(cells, s, unavailable))
    gp = run_dir / "chart.gp"
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(scenarios, "pngcairo", date))
        return [], "gnuplot is not installed; chart.gp and the .dat files are there to draw it later"
    gp.write_text(_script(scenarios, _terminal(), date))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [], f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return [("rates.png", "rate per scenario, by target"),
            ("cpu.png", "server CPU per operation per scenario, by target")], None
