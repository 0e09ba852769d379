"""RSS and open fds over the run, drawn by gnuplot from samples.csv; the
script is kept next to the PNG so it can be redrawn."""

import shutil
import subprocess


def _script(png, csv, title, terminal, warmup_s, windows):
    marks = f"set arrow from {warmup_s},graph 0 to {warmup_s},graph 1 nohead dt 2 lc rgb 'gray40'\n"
    if windows is not None:
        for (a, b), name in ((windows.first, "first"), (windows.last, "last")):
            marks += (f"set object rect from {a},graph 0 to {b},graph 1 behind "
                      f"fc rgb '#eeeeee' fs solid border lc rgb '#cccccc'  # {name} window\n")
    return f"""set terminal {terminal} size 1100,560
set output '{png}'
set title "{title}" noenhanced
set datafile separator ','
set key below horizontal
set xlabel "seconds since the daemon was ready (dashed: end of warm-up; grey: compared windows)"
set ylabel "RSS of the process tree (MiB)"
set y2label "open fds / tasks (process tree)"
set ytics nomirror
set y2tics
set autoscale xfix
set yrange [0:*]
set y2range [0:*]
set grid
{marks}plot '{csv}' using 1:($2/1024) skip 1 with lines lw 2 title "RSS (MiB)", \\
     '' using 1:($6/1024) skip 1 with lines lw 1 title "RSS of the main process (MiB)", \\
     '' using 1:3 skip 1 axes x1y2 with lines lw 1 title "open fds", \\
     '' using 1:4 skip 1 axes x1y2 with lines lw 1 title "tasks (threads + processes)"
"""


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    return "pngcairo font ',10'" if ok.returncode == 0 else "png"


def render(run_dir, title, warmup_s, windows):
    """Writes chart.gp and soak.png from samples.csv; returns the PNG's
    name, or (None, why)."""
    gp, png = run_dir / "chart.gp", run_dir / "soak.png"
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(png.name, "samples.csv", title, "pngcairo", warmup_s, windows))
        return None, "gnuplot is not installed; chart.gp is there to draw it later"
    gp.write_text(_script(png.name, "samples.csv", title, _terminal(), warmup_s, windows))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None, f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return png.name, None
