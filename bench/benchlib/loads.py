"""The five load generators, each run once against one address and turned
into one record: rate, latency, server CPU per operation, and what went
wrong ('' when nothing did)."""

import json
import math

from . import guards, wrk
from .netaddr import split
from .runner import run_tool

CHAT_DRAIN_S = 3      # chatload waits for lines in flight until none came for this long (10x at most)
CHAT_JOIN_TIMEOUT_S = 15
BACKSTOP_S = 60       # beyond a tool's own bound: it ends by itself, this catches a hung one


def _json_line(text):
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def _record(argv, outcome):
    return {"argv": argv, "exit": outcome.status, "client_cpu_pct": outcome.client_cpu_pct,
            "stderr": outcome.err.strip().splitlines()[-5:], "rate": None, "p50_us": None,
            "p99_us": None, "server_cpu_ms": None, "cpu_per_op": None, "problem": ""}


STREAM_CHECK_EVERY = 8


def _cpu(record, cpu_ns, ops):
    record["server_cpu_ms"] = None if cpu_ns is None else round(cpu_ns / 1e6, 3)
    record["cpu_per_op"] = None if cpu_ns is None or ops <= 0 else round(cpu_ns / 1e3 / ops, 4)


def echoload(tools, scenario, target, addr, pid, meter, opts):
    mode = target.mode or scenario.mode  # a guarded listener is flooded with refused, whatever the scenario
    argv = [str(tools["echoload"]), mode, "-a", addr, "-c", str(scenario.conns), "-s", scenario.size,
            "-d", f"{opts.seconds:g}", "--warmup", f"{opts.warmup:g}", "--json", "--server-pid", str(pid)]
    if mode == "stream":
        # The client shares the CPUs with the server: comparing every echoed
        # byte costs it more than the server spends; one chunk in 8 is
        # compared, the rest discarded in the kernel (MSG_TRUNC).
        argv += ["--check-every", str(STREAM_CHECK_EVERY)]
    with guards.held(target, addr) as hold_problem:
        outcome = run_tool(argv, opts.seconds + opts.warmup + BACKSTOP_S, meter)
    record = _record(argv, outcome)
    result = record["tool"] = _json_line(outcome.out)
    if result is None:
        record["problem"] = (record["stderr"] or ["no output"])[-1]
        return record
    stream = mode == "stream"
    record["rate"] = result["mb_per_s"] if stream else result["rate_per_s"]
    record["p50_us"], record["p99_us"] = result.get("p50_us"), result.get("p99_us")
    cpu_ns, window_s = outcome.cpu_ns_before_exit(result["duration_s"])
    _cpu(record, cpu_ns, record["rate"] * window_s)
    user_ns = outcome.user_ns_before_exit(result["duration_s"])
    if user_ns is not None and record["rate"] * window_s > 0:  # the server's own code, not the kernel's
        record["user_cpu_per_op"] = round(user_ns / 1e3 / (record["rate"] * window_s), 4)
    if outcome.status != 0:
        counts = {k: result.get(k) for k in ("mismatches", "errors", "connect_failures", "failures")}
        record["problem"] = ", ".join(f"{k}={v}" for k, v in counts.items() if v) or f"exit {outcome.status}"
    if hold_problem:
        record["problem"] = ", ".join(p for p in (record["problem"], hold_problem) if p)
    return record


def iperf3(tools, scenario, target, addr, pid, meter, opts):
    """One direction, client to server, writes of the scenario's size: what
    loopback TCP carries with no echo. CPU is the receiving server's."""
    host, port = split(addr)
    seconds = max(1, round(opts.seconds))  # iperf3 takes whole seconds
    argv = [tools["iperf3"], "-c", host, "-p", str(port), "-l", scenario.size.upper(), "-t", str(seconds),
            "-O", str(math.ceil(opts.warmup)), "-J"]
    outcome = run_tool(argv, seconds + opts.warmup + BACKSTOP_S, meter)
    record = _record(argv, outcome)
    try:
        result = json.loads(outcome.out)
    except ValueError:
        result = None
    record["tool"] = result and {"end": result.get("end"), "error": result.get("error")}
    received = (result or {}).get("end", {}).get("sum_received")
    if not received or result.get("error"):
        record["problem"] = (result or {}).get("error") or (record["stderr"] or ["no output"])[-1]
        return record
    record["rate"] = received["bytes"] / received["seconds"] / 1e6
    cpu_ns, window_s = outcome.cpu_ns_before_exit(received["seconds"])
    _cpu(record, cpu_ns, record["rate"] * window_s)
    if outcome.status != 0:
        record["problem"] = f"exit {outcome.status}"
    return record


def wrk_run(tools, scenario, target, addr, pid, meter, opts):
    threads = 2 if scenario.conns >= 500 else 1
    scheme = "https" if target.tls else "http"
    warmup = math.ceil(opts.warmup)
    if warmup > 0:  # unmeasured, same shape: connections open, caches warm
        run_tool(wrk.argv(tools["wrk"], threads, scenario.conns, addr, warmup, scheme), warmup + BACKSTOP_S)
    seconds = max(1, round(opts.seconds))  # wrk takes whole seconds
    # The measured run opens its connections afresh: their handshakes fall in
    # the first moments of the run, which the window's trim leaves out.
    argv = wrk.argv(tools["wrk"], threads, scenario.conns, addr, seconds, scheme)
    outcome = run_tool(argv, seconds + wrk.WRK_TIMEOUT_S + BACKSTOP_S, meter)
    record = _record(argv, outcome)
    result = record["tool"] = wrk.parse(outcome.out)
    if result is None:
        record["problem"] = (record["stderr"] or ["no output"])[-1]
        return record
    record["rate"] = result["requests_per_s"]
    record["p50_us"], record["p99_us"] = result.get("p50_us"), result.get("p99_us")
    cpu_ns, window_s = outcome.cpu_ns_before_exit(result["duration_s"])
    _cpu(record, cpu_ns, record["rate"] * window_s)
    user_ns = outcome.user_ns_before_exit(result["duration_s"])
    if user_ns is not None and record["rate"] * window_s > 0:  # TLS: what the kernel does not (kTLS would)
        record["user_cpu_per_op"] = round(user_ns / 1e3 / (record["rate"] * window_s), 4)
    record["problem"] = wrk.problems(result) or ("" if outcome.status == 0 else f"exit {outcome.status}")
    return record


def chatload(tools, scenario, target, addr, pid, meter, opts, side_meters=None):
    """addr: one address, or a tuple of them, one per daemon serving the
    room (chatload deals the clients out between them). side_meters:
    {"redis": meter} for a room on Redis, whose CPU per line is recorded
    beside the daemons'."""
    addrs = addr if isinstance(addr, tuple) else (addr,)
    argv = [str(tools["chatload"])] + [a for one in addrs for a in ("-a", one)]
    argv += ["-c", str(scenario.conns), "--rate", scenario.rate, "-d", f"{opts.seconds:g}", "--warmup", f"{opts.warmup:g}", "--drain", str(CHAT_DRAIN_S),
            "--timeout", str(CHAT_JOIN_TIMEOUT_S), "--json", "--server-pid", str(pid)]
    if target.key != "ncat":  # netcookd and the Python server greet and want a name
        argv.append("--names")
    backstop = CHAT_JOIN_TIMEOUT_S + opts.warmup + opts.seconds + 10 * CHAT_DRAIN_S + BACKSTOP_S
    outcome = run_tool(argv, backstop, meter, side_meters)
    record = _record(argv, outcome)
    result = record["tool"] = _json_line(outcome.out)
    if result is None:
        record["problem"] = (record["stderr"] or ["no output"])[-1]
        return record
    record["rate"] = result["lines_per_s"]
    record["skipped"] = result.get("skipped", 0)
    if result["window_delivered"] > 0:
        record["p50_us"], record["p99_us"] = result["p50_us"], result["p99_us"]
    record["lost"], record["expected"] = result["lost"], result["expected"]
    # chatload's window is on CLOCK_MONOTONIC, like time.monotonic(): cut exactly.
    cpu_ns = outcome.sampler.cpu_ns_between(result["window_begin_ns"] / 1e9, result["window_end_ns"] / 1e9)
    _cpu(record, cpu_ns, result["window_delivered"])
    for name, sampler in (outcome.side or {}).items():
        side_ns = sampler.cpu_ns_between(result["window_begin_ns"] / 1e9, result["window_end_ns"] / 1e9)
        record[f"{name}_cpu_ms"] = None if side_ns is None else round(side_ns / 1e6, 3)
        record[f"{name}_cpu_per_op"] = (None if side_ns is None or result["window_delivered"] <= 0 else
                                        round(side_ns / 1e3 / result["window_delivered"], 4))
    if outcome.status != 0:
        keys = ("lost", "out_of_order", "order_mismatches", "duplicates", "unexpected", "errors", "connect_failures",
                "join_failures")
        record["problem"] = ", ".join(f"{k}={result[k]}" for k in keys if result.get(k)) or f"exit {outcome.status}"
    return record


HTTPS_TIMEOUT_S = 10  # httpsload's bound on each connect, read and write


def httpsload(tools, scenario, target, addr, pid, meter, opts):
    """Issue 21: new connections, a full TLS 1.3 handshake each (httpsload
    never offers a session), verified against the run's certificate. CPU
    per handshake: the server's over httpsload's own window (it reports it
    on CLOCK_MONOTONIC), per connection served in it."""
    argv = [str(tools["httpsload"]), "-a", addr, "-c", str(scenario.conns), "-d", f"{opts.seconds:g}",
            "--warmup", f"{opts.warmup:g}", "--timeout", str(HTTPS_TIMEOUT_S), "--cacert", str(tools["tls_ca"]),
            "--json"]
    outcome = run_tool(argv, opts.seconds + opts.warmup + HTTPS_TIMEOUT_S + BACKSTOP_S, meter)
    record = _record(argv, outcome)
    result = record["tool"] = _json_line(outcome.out)
    if result is None:
        record["problem"] = (record["stderr"] or ["no output"])[-1]
        return record
    record["rate"] = result["rate_per_s"]
    if result["completed"] > 0:  # else httpsload's percentiles and tickets are zeros, not figures
        record["p50_us"], record["p99_us"] = result["p50_us"], result["p99_us"]
        record["tickets_per_conn"] = result["tickets_per_conn"]
    cpu_ns = outcome.sampler.cpu_ns_between(result["window_begin_ns"] / 1e9, result["window_end_ns"] / 1e9)
    _cpu(record, cpu_ns, result["completed"])
    user_ns = outcome.sampler.user_ns_between(result["window_begin_ns"] / 1e9, result["window_end_ns"] / 1e9)
    if user_ns is not None and result["completed"] > 0:
        record["user_cpu_per_op"] = round(user_ns / 1e3 / result["completed"], 4)
    keys = ("connect_failures", "handshake_failures", "errors", "bad_responses", "resumed")
    problems = [f"{k}={result[k]}" for k in keys if result.get(k)]
    # The client asks for nothing else; anything else is a server to look at.
    if result["completed"] and (result["version"], result["group"]) != ("TLSv1.3", "prime256v1"):
        problems.append(f"negotiated {result['version']} on {result['group']}")
    record["problem"] = ", ".join(problems) or ("" if outcome.status == 0 else f"exit {outcome.status}")
    return record


def run(tools, scenario, target, addr, pid, meter, opts, side_meters=None):
    if target.key == "iperf3":
        return iperf3(tools, scenario, target, addr, pid, meter, opts)
    if scenario.tool == "chatload":
        return chatload(tools, scenario, target, addr, pid, meter, opts, side_meters)
    return {"echoload": echoload, "wrk": wrk_run, "httpsload": httpsload}[scenario.tool](tools, scenario, target, addr, pid, meter, opts)
