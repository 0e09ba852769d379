"""report.md: the verdict, the growth table, failures, and what the load did."""

from collections import defaultdict

from .verdict import MAX_GROWTH, growth, windows

EXPLAIN = ("procs", "main_rss_kb", "main_fds", "main_tasks", "master_rss_kb", "master_fds", "conn_rss_kb",
           "conn_fds", "fd_socket", "fd_pipe", "fd_anon", "fd_file", "fd_other")
LABELS = {"rss_kb": "RSS, process tree (kB)", "fds": "open fds, process tree", "tasks": "tasks (threads + processes)",
          "procs": "processes", "main_rss_kb": "RSS, main process (kB)", "main_fds": "fds, main process",
          "main_tasks": "threads, main process", "master_rss_kb": "RSS, fork master (kB)",
          "master_fds": "fds, fork master", "conn_rss_kb": "RSS, fork connection processes (kB)",
          "conn_fds": "fds, fork connection processes", "fd_socket": "fds: sockets",
          "fd_pipe": "fds: pipes", "fd_anon": "fds: anon inodes (epoll, eventfd, signalfd, ...)",
          "fd_file": "fds: files", "fd_other": "fds: other"}


def _fmt(x):
    return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"


def _growth_table(rows, warmup_s, fields, ruled):
    out = ["| figure | first window median | last window median | growth | peak after warm-up |"
           + (" rule |" if ruled else ""),
           "|---|--:|--:|--:|--:|" + ("---|" if ruled else "")]
    for g in growth(rows, warmup_s, fields):
        verdict = f" {'ok' if g.ok else f'**grew more than {MAX_GROWTH:.0%}**'} |" if ruled else ""
        out.append(f"| {LABELS[g.field]} | {_fmt(g.first)} | {_fmt(g.last)} | {g.ratio:+.1%} | {_fmt(g.peak)} |"
                   + verdict)
    return "\n".join(out)


def _load_table(tally):
    per = defaultdict(dict)
    for (listener, kind), n in tally.ops.items():
        per[listener][kind] = n
    for (listener, kind), n in tally.failures.items():
        per[listener].setdefault(kind, 0)
    out = ["| listener | passed checks (failures) |", "|---|---|"]
    for listener in sorted(per):
        cells = []
        for kind, n in sorted(per[listener].items()):
            bad = tally.failures.get((listener, kind), 0)
            runs = sum(v for (l, k), v in tally.runs.items() if l == listener and k == kind)
            cells.append(f"{kind} {n:,}" + (f" in {runs} runs" if runs else "") + (f" (**{bad} failed**)" if bad else ""))
        out.append(f"| {listener} | {'; '.join(cells)} |")
    return "\n".join(out)


def build(ctx):
    """ctx: rows, warmup_s, tally, verdict, reasons, setup, method, png,
    chat_lines, daemon_exit. Returns the markdown."""
    rows, warmup_s, tally = ctx["rows"], ctx["warmup_s"], ctx["tally"]
    w = windows(rows, warmup_s)
    where = (f"first window {w.first[0]:.0f}–{w.first[1]:.0f} s, last window {w.last[0]:.0f}–{w.last[1]:.0f} s"
             if w else "too short to compare")
    parts = [f"# netcookd soak, {ctx['date']}", "",
             f"**{ctx['verdict']}**" + (": " + "; ".join(ctx["reasons"]) if ctx["reasons"] else ""), "",
             ctx["setup"], "",
             f"## Growth after warm-up ({where}, {len(rows)} samples)", "",
             _growth_table(rows, warmup_s, ("rss_kb", "fds", "tasks"), True), "",
             "Not ruled, to tell where growth would come from:", "",
             _growth_table(rows, warmup_s, EXPLAIN, False), ""]
    if ctx["png"]:
        parts += [f"![RSS and open fds over time]({ctx['png']})", ""]
    parts += [f"## Failures: {tally.total_failures()}", ""]
    if tally.problems:
        parts += ["First problems (seconds since the load started):", ""]
        parts += [f"- {t} s {listener} {kind}: {text}" for t, listener, kind, text in tally.problems]
        parts.append("")
    parts += ["## What the load did", "", _load_table(tally), "",
              "Steady chat members (one per chat listener, from start to end), lines received: "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(ctx["chat_lines"].items())) + ".", "",
              f"The daemon's exit status after SIGTERM at the end: {ctx['daemon_exit']}.", "",
              "## Method", "", ctx["method"], ""]
    return "\n".join(parts)
