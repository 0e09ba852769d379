"""Two PNGs drawn by gnuplot: the rate (rates.png) and the server CPU per
operation (cpu.png). One panel per scenario, stacked, with the unit in its
title; a horizontal bar per target, its name on the left, the median written
at the bar's end and a min–max whisker. Colours: a fixed one per netcookd
model, so that two runs' charts compare; one for the speed-of-light loops;
grey for the peers; a --baseline twin is its model's colour lighter and
hatched, two daemons on Redis (issue 20) its model's colour darker. The data
files and chart.gp stay next to them: `gnuplot chart.gp` redraws them."""

import math
import shutil
import subprocess
from dataclasses import dataclass
from statistics import median

from .plan import BASE, TARGETS
from .summary import tabulate
from .tables import fmt_cpu

# Fixed across runs (Okabe–Ito, told apart by most colour-blind readers too).
# io_uring: the sixth model (issue 22).
MODEL_COLOURS = {"fork": 0xD55E00, "thread": 0xE69F00, "select": 0xCC79A7, "epoll": 0x0072B2,
                 "coroutine": 0x56B4E9, "io_uring": 0x009E73}
MODEL_ALIASES = {"iouring": "io_uring", "uring": "io_uring"}  # however the listeners end up spelt
OTHER_MODEL = 0x332288  # a netcookd target whose key names none of the above
SOL, PEER = 0xF0E442, 0xA0A0A0
BORDER = 0x404040

# Pixels: the chart is sized from its content, so that no name is cut.
FONT_PT = 10
CHAR_PX = 7.2       # a generous average width of a 10 pt sans character
BAR_PX = 22         # one target's row
PLOT_PX = 620       # the bars' width
PANEL_TOP_PX = 30   # the panel's title
PANEL_BOTTOM_PX = 46  # the x tics and the gap to the next panel
TITLE_PX = 34
LEGEND_ROW_PX = 20
LEGEND_SAMPLE_PX = 60  # the swatch and the gaps around an entry
LEGEND_GAP_PX = 18
VALUE_PX = 60       # room right of the longest bar for its value

# The .dat columns (one row per target; the header line names them too).
LABEL, RATE, CPU, FILL, HATCHED, HATCH, RATE_TEXT, CPU_TEXT = 1, 2, 5, 8, 9, 10, 11, 12


AXES = ["set border 3", "set grid xtics back lt 1 lw 1 lc rgb '#dddddd'", "set ytics scale 0 nomirror",
        "set xtics nomirror out"]


@dataclass(frozen=True)
class Chart:
    png: str
    column: int         # RATE or CPU: median, min and max in column, column + 1, column + 2
    text_column: int
    what: str           # in the chart's title
    caption: str        # report.md's alt text

    def panel_title(self, scenario):
        if self.column == RATE:
            return f"{scenario.key} — {scenario.unit}"
        return f"{scenario.key} — server CPU per {scenario.per} (µs)"


CHARTS = (Chart("rates.png", RATE, RATE_TEXT, "rate", "rate per scenario, by target"),
          Chart("cpu.png", CPU, CPU_TEXT, "server CPU per operation",
                "server CPU per operation per scenario, by target"))


def model_of(key):
    """The netcookd model a target key names (echo-epoll, http-epoll-w2,
    echo-fork-rate, chat-bus-thread, https-select@base...), or None."""
    for word in key.removesuffix(BASE).split("-"):
        word = MODEL_ALIASES.get(word, word)
        if word in MODEL_COLOURS:
            return word
    return None


def _mix(colour, towards, share):
    """colour moved `share` of the way to `towards`, channel by channel."""
    out = 0
    for shift in (16, 8, 0):
        a, b = (colour >> shift) & 0xFF, (towards >> shift) & 0xFF
        out |= round(a + (b - a) * share) << shift
    return out


def style(key):
    """(fill colour, hatch colour or None, legend entry) of a target's bar."""
    target = TARGETS[key]
    if target.family == "sol":
        return SOL, None, "speed-of-light loop"
    if target.family == "peer":
        return PEER, None, "peer"
    model = model_of(key)
    colour = MODEL_COLOURS[model] if model else OTHER_MODEL
    if target.family == "base":
        return _mix(colour, 0xFFFFFF, 0.6), colour, f"netcookd {model or 'other'}"
    if target.family == "bus":
        return _mix(colour, 0x000000, 0.45), None, f"netcookd {model or 'other'}"
    return colour, None, f"netcookd {model or 'other'}"


def short(value):
    """A figure in at most 4 significant characters: 850, 85.3k, 1.24M."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1, "")):
        if abs(value) >= scale * 0.9995 or scale == 1:  # 999,999 is 1M, not 1000k
            text = f"{value / scale:.3g}"
            return (f"{value / scale:.0f}" if "e" in text else text) + suffix
    return ""


def _median_min_max(series):
    if not series:
        return [math.nan] * 3
    return [median(series), min(series), max(series)]  # the median as report.md's tables have it


def _number(value):
    return "NaN" if math.isnan(value) else f"{value:.6g}"


def _label(key, cell, unavailable):
    target = TARGETS[key]
    return target.label + (" (n/a)" if target.server in unavailable or not cell else "")


def _data(cells, scenario, unavailable):
    lines = ["# label rate_median rate_min rate_max cpu_median cpu_min cpu_max fill hatched hatch "
             "rate_text cpu_text"]
    for key in scenario.targets:
        cell = cells.get((scenario.key, key))
        rate = _median_min_max(cell.rates if cell else [])
        cpu = _median_min_max(cell.cpus if cell else [])
        fill, hatch, _ = style(key)
        label = _label(key, cell, unavailable)
        texts = [short(rate[0]) if not math.isnan(rate[0]) else "",
                 fmt_cpu(cpu[0]) if not math.isnan(cpu[0]) else ""]
        lines.append(f'"{label}" ' + " ".join(map(_number, rate + cpu))
                     + f" {fill} {int(hatch is not None)} {hatch or 0} " + " ".join(f'"{t}"' for t in texts))
    return "\n".join(lines) + "\n"


def _nice_step(span, count=5):
    """A 1, 2 or 5 times a power of ten step giving about `count` tics over span."""
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _largest(cells, scenario, column):
    """The longest whisker's end in the panel (at least the longest bar's)."""
    values = [v for key in scenario.targets if (cell := cells.get((scenario.key, key)))
              for v in (cell.rates if column == RATE else cell.cpus) if not math.isnan(v)]
    return max(values, default=0)


def _xaxis(largest):
    """The x range (room left for the values right of the bars) and the tics."""
    top = largest / (1 - VALUE_PX / PLOT_PX) if largest > 0 else 1
    step = _nice_step(top)
    tics = []
    value = 0
    while value <= top * (1 + 1e-9):
        tics.append(f'"{short(value) if step >= 1 else f"{value:.3g}"}" {value:.6g}')
        value = round(value + step, 12)
    return f"set xrange [0:{top:.6g}]\nset xtics ({', '.join(tics)})"


@dataclass(frozen=True)
class Layout:
    """The canvas, from the longest name and the number of targets."""
    width: int
    height: int
    left: int           # pixels left of the bars
    legend_rows: int
    legend_columns: int

    @classmethod
    def of(cls, scenarios, labels, legend, title):
        left = int(max(len(label) for label in labels) * CHAR_PX) + 24
        width = max(left + PLOT_PX + 30, int(len(title) * CHAR_PX) + 40)
        column = int(max(len(entry[0]) for entry in legend) * CHAR_PX) + LEGEND_SAMPLE_PX
        columns = max(1, min(len(legend), (width - 20) // column))
        rows = math.ceil(len(legend) / columns)
        height = TITLE_PX + rows * LEGEND_ROW_PX + LEGEND_GAP_PX + sum(cls.panel_px(s) for s in scenarios)
        return cls(width, height, left, rows, columns)

    @staticmethod
    def panel_px(scenario):
        return PANEL_TOP_PX + BAR_PX * len(scenario.targets) + PANEL_BOTTOM_PX

    def x(self, px):
        return f"{px / self.width:.5f}"

    def y(self, px_from_top):
        return f"{1 - px_from_top / self.height:.5f}"


def legend_entries(scenarios):
    """[(title, fill, hatch)] for what the charts show, models in a fixed order."""
    seen = {}
    for s in scenarios:
        for key in s.targets:
            fill, _, name = style(key)
            family = TARGETS[key].family
            if family in ("netcookd", "base", "bus"):
                seen.setdefault(name, (MODEL_COLOURS.get(model_of(key) or "", OTHER_MODEL), None))
            else:
                seen.setdefault(name, (fill, None))
            if family == "base":
                seen.setdefault("--baseline twin (lighter, hatched)", (0xFFFFFF, BORDER))
            if family == "bus":
                seen.setdefault("2 daemons + Redis (darker)", (_mix(0x808080, 0, 0.45), None))
    order = [f"netcookd {m}" for m in MODEL_COLOURS] + ["netcookd other", "speed-of-light loop", "peer"]
    ranked = sorted(seen, key=lambda n: order.index(n) if n in order else len(order))
    return [(name, *seen[name]) for name in ranked]


def _legend(layout, legend):
    """An empty plot whose key is the legend, under the chart's title."""
    top = TITLE_PX
    bottom = TITLE_PX + layout.legend_rows * LEGEND_ROW_PX + 6
    out = ["unset title", "unset border", "unset xtics", "unset ytics", "unset grid", "set xrange [0:1]",
           "set yrange [0:1]",
           f"set lmargin at screen {layout.x(10)}", f"set rmargin at screen {layout.x(layout.width - 10)}",
           f"set tmargin at screen {layout.y(top)}", f"set bmargin at screen {layout.y(bottom)}",
           f"set key inside center center vertical maxrows {layout.legend_rows} Left reverse "
           "samplen 2 spacing 1.1 width 0 noautotitle"]
    plots = []
    for name, fill, hatch in legend:
        if hatch is None:
            plots.append(f"NaN with boxes fs solid 1 border rgb '#{BORDER:06x}' fc rgb '#{fill:06x}' "
                         f'title "{name}"')
        else:
            plots.append(f"NaN with boxes fs pattern 4 border rgb '#{BORDER:06x}' fc rgb '#{hatch:06x}' "
                         f'title "{name}"')
    return out + ["plot " + ", \\\n     ".join(plots), "unset key"] + AXES


def _panel(layout, top, scenario, chart, largest):
    """One scenario's bars, `top` pixels down the canvas."""
    dat = f"chart-{scenario.key}.dat"
    n = len(scenario.targets)
    c = chart.column
    bar = f"(column({c}) == column({c}) ? column({c}) : 0)"  # an n/a target keeps its row and name
    rows = "($0 - 0.38):($0 + 0.38)"
    return [f'set title "{chart.panel_title(scenario)}"',
            f"set lmargin at screen {layout.x(layout.left)}",
            f"set rmargin at screen {layout.x(layout.left + PLOT_PX)}",
            f"set tmargin at screen {layout.y(top + PANEL_TOP_PX)}",
            f"set bmargin at screen {layout.y(top + PANEL_TOP_PX + BAR_PX * n)}",
            f"set yrange [{n - 0.5}:-0.5]", _xaxis(largest),
            f"plot '{dat}' using (0):0:(0):{bar}:{rows}:{FILL}:ytic({LABEL}) with boxxyerror "
            f"fs solid 1 border rgb '#{BORDER:06x}' fc rgb variable, \\",
            f"     '' using (0):0:(0):(column({HATCHED}) > 0 ? {bar} : NaN):{rows}:{HATCH} with boxxyerror "
            f"fs transparent pattern 4 border rgb '#{BORDER:06x}' fc rgb variable, \\",
            f"     '' using {c}:0:{c + 1}:{c + 2} with xerrorbars lc rgb 'black' pt 0 ps 0, \\",
            f"     '' using {c + 2}:0:{chart.text_column} with labels left offset 0.6,0"]


def _title(date, chart):
    return f"netcookd bench/run, {date}: {chart.what} (bar: median of the runs; whisker: min–max)"


def _script(cells, scenarios, unavailable, terminal, date):
    legend = legend_entries(scenarios)
    labels = [_label(k, cells.get((s.key, k)), unavailable) for s in scenarios for k in s.targets]
    layout = Layout.of(scenarios, labels, legend, max((_title(date, c) for c in CHARTS), key=len))
    out = ["# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png from the chart-*.dat files.",
           f"set terminal {terminal} size {layout.width},{layout.height}",
           "set termoption noenhanced", "unset key"] + AXES
    for chart in CHARTS:
        out += [f"set output '{chart.png}'",
                f'set multiplot title "{_title(date, chart)}"']
        out += _legend(layout, legend)
        top = TITLE_PX + layout.legend_rows * LEGEND_ROW_PX + LEGEND_GAP_PX
        for s in scenarios:
            out += _panel(layout, top, s, chart, _largest(cells, s, chart.column))
            top += Layout.panel_px(s)
        out += ["unset multiplot"]
    return "\n".join(out) + "\n"


def _terminal():
    ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, check=False)
    # gd's points come out larger than cairo's: its 8 is about cairo's 10.
    return f"pngcairo font 'sans,{FONT_PT}'" if ok.returncode == 0 else "png font 'sans,8'"


def render(records, scenarios, unavailable, run_dir, date):
    """Writes the data and chart.gp, runs gnuplot; returns ([(png, title)], why not or None)."""
    cells = tabulate(records)
    for s in scenarios:
        (run_dir / f"chart-{s.key}.dat").write_text(_data(cells, s, unavailable))
    gp = run_dir / "chart.gp"
    if shutil.which("gnuplot") is None:
        gp.write_text(_script(cells, scenarios, unavailable, f"pngcairo font 'sans,{FONT_PT}'", date))
        return [], "gnuplot is not installed; chart.gp and the .dat files are there to draw it later"
    gp.write_text(_script(cells, scenarios, unavailable, _terminal(), date))
    result = subprocess.run(["gnuplot", gp.name], cwd=run_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [], f"gnuplot failed: {result.stderr.strip()[-300:]}"
    return [(chart.png, chart.caption) for chart in CHARTS], None
