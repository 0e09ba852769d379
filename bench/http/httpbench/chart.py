"""One PNG, three panels by target and connection count: requests/s (bars
with min–max), p99 latency and server CPU µs per request, drawn by gnuplot
from a data file kept next to it."""

import shutil
import subprocess

from .summary import tabulate


def _data(records, targets, scenarios, unavailable):
    cells = tabulate(records)
    header = ["# target"]
    for s in scenarios:
        header += [f"{s.key}_rate {s.key}_min {s.key}_max {s.key}_p99_ms {s.key}_cpu_us"]
    lines = [" ".join(header)]
    for t in targets:
        label = f"{t.label} (n/a)" if t.name in unavailable else t.label
        values = []
        for s in scenarios:
            cell = cells.get((t.name, s.key))
            if cell is None or not cell.rates:
                values += ["0", "0", "0", "NaN", "NaN"]
                continue
            values += [f"{cell.rate:.0f}", f"{min(cell.rates):.0f}", f"{max(cell.rates):.0f}",
                       "NaN" if cell.p99 is None else f"{cell.p99 / 1000:.4f}",
                       "NaN" if cell.cpu is None else f"{cell.cpu:.3f}"]
        lines.append(f'"{label}" ' + " ".join(values))
    return "\n".join(lines) + "\n"


def _script(png, dat, title, terminal, scenarios):
    def plots(column, errorbars):
        parts = []
        for i, s in enumerate(scenarios):
            base = 2 + 5 * i
            using = f"{base}:{base + 1}:{base + 2}" if errorbars else f"{base + column}"
            parts.append(f"'{dat}' using {using}{':xtic(1)' if i == 0 else ''} title \"{s.conns} conn\"")
        return ", \\\n     ".join(parts)
    return f"""set terminal {terminal} size 1500,620
set output '{png}'
set multiplot layout 1,3 title "{title}" noenhanced
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -35 noenhanced
set key below horizontal
set boxwidth 0.9
set style data histogram

set title "requests/s (median; bars: min–max)" noenhanced
set style histogram errorbars gap 2 lw 1
set yrange [0:*]
set format y "%.0s%c"
plot {plots(0, True)}

set title "p99 latency, ms (median, log scale)" noenhanced
set style histogram clustered gap 2
set logscale y
set yrange [*:*]
set format y "%g"
plot {plots(3, False)}

set title "server CPU µs per request (median)" noenhanced
unset logscale y
set yrange [0:*]
plot {plots(4, False)}
unset multiplot
"""


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    return "pngcairo font ',10'" if ok.returncode == 0 else "png"


def render(records, targets, scenarios, unavailable, run_dir, title):
    """Writes chart.dat and chart.gp; returns (the PNG's name, None) or (None, why)."""
    dat, gp, png = run_dir / "chart.dat", run_dir / "chart.gp", run_dir / "http.png"
    dat.write_text(_data(records, targets, scenarios, unavailable))
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(png.name, dat.name, title, "pngcairo", scenarios))
        return None, "gnuplot is not installed; chart.gp and chart.dat are there to draw it later"
    gp.write_text(_script(png.name, dat.name, title, _terminal(), scenarios))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None, f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return png.name, None
