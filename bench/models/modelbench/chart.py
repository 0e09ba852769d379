"""messages/s by model and connection count: grouped bars with min–max
error bars, drawn by gnuplot from a data file kept next to the PNG."""

import shutil
import subprocess

from .summary import tabulate

PINGPONG = ("pp1", "pp50", "pp500")


def _data(records, targets, unavailable):
    cells = tabulate(records)
    lines = ["# target " + " ".join(f"{k}_median {k}_min {k}_max" for k in PINGPONG)]
    for t in targets:
        label = f"{t.name} (n/a)" if t.name in unavailable else t.name
        values = []
        for key in PINGPONG:
            cell = cells.get((t.name, key))
            rates = cell.rates if cell else []
            values += [cell.rate, min(rates), max(rates)] if rates else [0, 0, 0]
        lines.append(f'"{label}" ' + " ".join(f"{v:.0f}" for v in values))
    return "\n".join(lines) + "\n"


def _script(png, dat, title, terminal):
    return f"""set terminal {terminal} size 1200,620
set output '{png}'
set title "{title}" noenhanced
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top right
set ylabel "messages/s (median; bars: min–max)"
set yrange [0:*]
set grid ytics
set xtics rotate by -25 noenhanced
set format y "%.0s%c"
plot '{dat}' using 2:3:4:xtic(1) title "1 connection", \\
     '' using 5:6:7 title "50 connections", \\
     '' using 8:9:10 title "500 connections"
"""


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    return "pngcairo font ',10'" if ok.returncode == 0 else "png"


def render(records, targets, unavailable, run_dir, title):
    """Writes chart.dat and chart.gp; returns the PNG's name, or (None, why)."""
    dat, gp, png = run_dir / "chart.dat", run_dir / "chart.gp", run_dir / "messages.png"
    dat.write_text(_data(records, targets, unavailable))
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(png.name, dat.name, title, "pngcairo"))
        return None, "gnuplot is not installed; chart.gp and chart.dat are there to draw it later"
    gp.write_text(_script(png.name, dat.name, title, _terminal()))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None, f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return png.name, None
