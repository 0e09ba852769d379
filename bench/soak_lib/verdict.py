"""The growth rule. Load makes the figures swing from second to second (a
fork connection is a process, a thread connection a thread, every one an
fd), so single samples are not compared: the median of the first window
after warm-up is compared with the median of the last window of the run.
A window is a minute, or half of what follows warm-up if that is shorter.
Growth above MAX_GROWTH in any ruled figure fails the run."""

import statistics
from dataclasses import dataclass

from .sampler import RULED

MAX_GROWTH = 0.05
WINDOW_S = 60.0


@dataclass
class Growth:
    field: str
    first: float   # median of the first window after warm-up
    last: float    # median of the last window
    peak: float    # highest sample after warm-up

    @property
    def ratio(self):
        return (self.last - self.first) / self.first if self.first else 0.0

    @property
    def ok(self):
        return self.ratio <= MAX_GROWTH


@dataclass
class Windows:
    first: tuple   # (start_s, end_s)
    last: tuple


def windows(rows, warmup_s):
    """The two windows, or None when fewer than 2 samples follow warm-up."""
    after = [r["t_s"] for r in rows if r["t_s"] >= warmup_s]
    if len(after) < 2:
        return None
    end = after[-1]
    width = min(WINDOW_S, (end - warmup_s) / 2)
    return Windows((warmup_s, warmup_s + width), (end - width, end))


def growth(rows, warmup_s, fields=RULED):
    """[Growth] for each field, or [] when the run is too short to judge."""
    w = windows(rows, warmup_s)
    if w is None:
        return []
    first = [r for r in rows if w.first[0] <= r["t_s"] < w.first[1]]
    last = [r for r in rows if w.last[0] < r["t_s"] <= w.last[1]]
    after = [r for r in rows if r["t_s"] >= warmup_s]
    return [Growth(f, statistics.median(r[f] for r in first), statistics.median(r[f] for r in last),
                   max(r[f] for r in after)) for f in fields]
