"""One PNG, two panels: delivered lines/s at saturation (bars with min–max)
and server CPU per delivery in every scenario, drawn by gnuplot from a data
file kept next to it."""

import shutil
import subprocess

from .summary import tabulate
from .targets import SATURATION


def _data(records, targets, scenarios, unavailable):
    cells = tabulate(records)
    lines = ["# target saturation_median saturation_min saturation_max "
             + " ".join(f"cpu_{s.key}" for s in scenarios)]
    for t in targets:
        label = f"{t.label} (n/a)" if t.name in unavailable else t.label
        sat = cells.get((t.name, SATURATION))
        rates = sat.rates if sat else []
        values = [f"{v:.0f}" for v in ((sat.rate, min(rates), max(rates)) if rates else (0, 0, 0))]
        for s in scenarios:
            cell = cells.get((t.name, s.key))
            values.append(f"{cell.cpu:.4f}" if cell and cell.cpu is not None else "NaN")
        lines.append(f'"{label}" ' + " ".join(values))
    return "\n".join(lines) + "\n"


def _script(png, dat, title, terminal, scenarios):
    cpu_plots = ", \\\n     ".join(
        f"'{dat}' using {5 + i}:xtic(1) title \"{s.key}\"" for i, s in enumerate(scenarios))
    return f"""set terminal {terminal} size 1400,640
set output '{png}'
set multiplot layout 1,2 title "{title}" noenhanced
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -30 noenhanced
set key top right
set yrange [0:*]

set title "{SATURATION}: delivered lines/s (median; bars: min–max)" noenhanced
set style data histogram
set style histogram errorbars gap 2 lw 1
set boxwidth 0.8
set format y "%.0s%c"
plot '{dat}' using 2:3:4:xtic(1) notitle

set title "server CPU µs per delivered line (median, log scale)" noenhanced
set style histogram clustered gap 2
set logscale y
set yrange [*:*]
set format y "%g"
plot {cpu_plots}
unset multiplot
"""


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    return "pngcairo font ',10'" if ok.returncode == 0 else "png"


def render(records, targets, scenarios, unavailable, run_dir, title):
    """Writes chart.dat and chart.gp; returns (the PNG's name, None) or (None, why)."""
    dat, gp, png = run_dir / "chart.dat", run_dir / "chart.gp", run_dir / "chat.png"
    dat.write_text(_data(records, targets, scenarios, unavailable))
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(png.name, dat.name, title, "pngcairo", scenarios))
        return None, "gnuplot is not installed; chart.gp and chart.dat are there to draw it later"
    gp.write_text(_script(png.name, dat.name, title, _terminal(), scenarios))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None, f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return png.name, None
