"""What the report says around the figures (machine, versions, method), the
results directory, and the one-line summaries printed while it runs."""

import datetime
import math
import os
import platform
import subprocess
from pathlib import Path

from .plan import TARGETS
from .runner import TRIM
from .setup import tool_versions
from .tables import fmt_cpu, fmt_rate, fmt_us

RUN_OVERHEAD_S = {"echoload": 0.3, "wrk": 0.6, "chatload": 2.0, "httpsload": 0.3}  # start, join, drain: for the estimate


def results_dir(root, out):
    if out:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
    else:
        base = root / "bench" / "results" / datetime.date.today().isoformat()
        path, n = base, 1
        while path.exists():
            n += 1
            path = base.with_name(f"{base.name}-{n}")
        path.mkdir(parents=True)
    for sub in ("logs", "configs"):
        (path / sub).mkdir(exist_ok=True)
    return path


def load_average(log):
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        log(f"the machine is busy (load average {load:.1f} on {os.cpu_count()} CPUs): expect noisy figures")
    return load


def estimate_s(args, live):
    total = 0.0
    for scenario, _ in live:
        warm = math.ceil(args.warmup) + max(1, round(args.seconds)) if scenario.tool == "wrk" else \
            args.warmup + args.seconds
        total += warm + RUN_OVERHEAD_S[scenario.tool]
    return total * args.reps


def brief(record, scenario):
    if record["rate"] is None:
        return f"failed (status {record['exit']}): {record['problem']}"
    text = (f"{fmt_rate(record['rate'])} {scenario.unit}, p99 {fmt_us(record['p99_us'])}, "
            f"server {fmt_cpu(record['cpu_per_op'])} µs/{scenario.per}, client {record['client_cpu_pct']:.0f}%")
    return text + (f"  [{record['problem']}]" if record["problem"] else "")


def listing(scenarios):
    width = max([18] + [len(key) + 1 for s in scenarios for key in s.targets])
    lines = []
    for s in scenarios:
        lines.append(f"{s.key}: {s.title}")
        lines += [f"    {key:{width}} {TARGETS[key].label}" for key in s.targets]
    return "\n".join(lines)


def _output(argv):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (result.stdout + result.stderr).strip().splitlines()[0] if (result.stdout + result.stderr).strip() else "?"


def describe(args, paths, cgroups, cgroup_why, load_start, baseline=None):
    commit = _output(["git", "--no-optional-locks", "-C", str(paths.root), "describe", "--always", "--dirty"])
    version = _output([str(paths.binary("daemon/netcookd")), "--version"])
    load_end = os.getloadavg()[0]
    busy = max(load_start, load_end) > (os.cpu_count() or 1)
    meter = (f"cgroup v2, one per server under `{cgroups.base}` (cpu.stat usage_usec: every thread and "
             "forked process, exact; user_usec its user-space part)" if cgroups is not None else
             f"/proc process tree (no cgroup v2: {cgroup_why}): schedstat of every thread of every live "
             "process below the server plus their cutime+cstime")
    tools = tool_versions(paths, ["wrk", "nginx", "ncat", "socat", "xinetd", "iperf3", "redis-server"])
    return (f"- Machine: Linux {platform.release()}, {os.cpu_count()} CPUs shared by the load tools and "
            f"the servers; load average {load_start:.2f} at start, {load_end:.2f} at end"
            f"{' (busy: other work competed for the CPUs, so the figures are noisy)' if busy else ''}.\n"
            f"- netcookd: {version} at {commit}, release build in `{paths.build.name}`; "
            f"peers: {tools}; {_output([args.python, '--version'])}.\n"
            f"{_baseline_line(baseline)}"
            f"- Each run: {args.warmup:g} s warm-up + {args.seconds:g} s measured; {args.reps} repetition(s), "
            "interleaved (repetition → scenario → target: A B A B ...), so every target sees the same "
            f"machine conditions.\n- Server CPU: {meter}.")


def _baseline_line(baseline):
    """The baseline's netcookd (--baseline), or nothing without one."""
    if baseline is None:
        return ""
    version = _output([str(baseline.binary), "--version"])
    at = f" at {baseline.describe}" if baseline.describe else ""
    return (f"- Baseline: {version}{at}, `{baseline.binary}` (as built there), a second daemon on the "
            "same configuration, its targets KEY@base.\n")


METHOD = f"""\
- One netcookd (`configs/netcookd.yaml`) holds all 15 protocol x model
  listeners on 127.0.0.1 port 0, plus http epoll and coroutine with
  `workers: 2`; epoll and coroutine have `workers: 1` otherwise, echo is raw.
  Only one listener is loaded at a time, so the daemon's CPU during a run is
  that listener's. Each peer runs on its own generated config in a temp dir
  (copied to `configs/`): nginx `worker_processes 1` or `2` returning the same
  body, `socat TCP-LISTEN:P,fork,reuseaddr EXEC:cat`, xinetd's INTERNAL echo
  (cps, instances unlimited), `iperf3 -s`, `ncat --chat`, bench/peers/*.py,
  and the speed-of-light loops build/bench/netcook-sol-{{echo,echo-threads,echo-forks,http}}.
- Loads: netcook-echoload (ping-pong; stream comparing one chunk in 8,
  the rest discarded with MSG_TRUNC; connect; refused, on echo-refuse's
  guarded listeners: connect, wait for the server's close), `iperf3 -c -l 128K
  -t T -O W` (one direction: no echo, so it carries each byte once where an
  echo server carries it twice), `wrk -t1 -c50` / `-t2 -c500` after an
  unmeasured run of the same shape, netcook-chatload `-c 200 --rate max`
  (the chat-bus scenarios: also `--rate N`, and `-a A -a B`, the clients
  dealt out between two daemons sharing the room through one Redis),
  and over TLS (issue 21): `wrk https://` for https-c50, and
  netcook-httpsload for https-conn (each connection a full TLS 1.3
  handshake, ECDHE P-256, never resumed, one GET with `Connection: close`,
  read to the server's close). Both servers of the TLS targets serve one
  certificate the run makes (ECDSA P-256, self-signed for 127.0.0.1,
  `configs/tls-cert.pem`): netcookd `tls: {{certificate, key, min_version:
  "1.3"}}`, nginx `ssl_protocols TLSv1.3;`, sessions at both servers'
  defaults (two stateless TLS 1.3 tickets per handshake).
  `runs.jsonl` holds each command and the tool's figures.
- Server CPU per operation: each server runs in its own cgroup, sampled every
  10 ms; the window is chatload's own (it reports it on CLOCK_MONOTONIC), or
  for the other tools located backwards from their exit and trimmed by
  {TRIM:.0%} at each end so set-up and teardown stay out; then divided by the
  operations in it: messages, MB echoed (iperf3: MB received), connections,
  requests, delivered lines; httpsload reports its window like chatload,
  and its CPU per handshake is per connection served in it (handshake,
  request, response and close). Two daemons on Redis (chat-bus-*): each daemon
  and redis-server in a cgroup of its own; the daemons' CPU is both
  cgroups', Redis's is read beside it over the same window.
- client CPU: the load tool's own CPU over its run (100% = one CPU): near its
  thread count means the tool, not the server, set the rate; compare CPU per
  operation then.
- Medians over the repetitions; min–max in brackets. A run is clean when the
  tool reported no mismatch, error, timeout, non-2xx or lost line.
- Targets: a ratio of medians in the same run; PASS needs the ratio and clean
  netcookd runs. Two CPUs are shared by clients, servers and whatever else
  runs on the machine: compare the ranges, and rerun on a quiet machine
  before drawing conclusions."""
