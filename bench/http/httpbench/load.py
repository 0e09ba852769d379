"""One wrk run against one target (after an unmeasured warm-up run), with
the server's CPU, children included, over the measured window."""

import resource
import subprocess
import time

from modelbench.cpu import Sampler
from modelbench.load import TRIM
from modelbench.process import started

from .wrk import WRK_TIMEOUT_S, parse, problems, wrk_argv


def _children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_wrk(argv, duration_s):
    """(exit status, stdout, stderr); wrk ends by itself, the limit is a backstop."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    started[proc.pid] = proc
    try:
        out, err = proc.communicate(timeout=duration_s + WRK_TIMEOUT_S + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    except BaseException:  # interrupted: no load may outlive us
        proc.kill()
        proc.wait()
        raise
    finally:
        del started[proc.pid]
    return proc.returncode, out, err


def run_once(wrk, scenario, server, meter, options):
    """A record for runs.jsonl; 'wrk' holds the parsed figures, 'output' wrk's text."""
    if options.warmup > 0:
        _run_wrk(wrk_argv(wrk, scenario, server.addr, options.warmup), options.warmup)
    argv = wrk_argv(wrk, scenario, server.addr, options.duration)
    record = {"argv": argv}
    children_before = _children_cpu_s()
    with Sampler(meter) as sampler:
        launched = time.monotonic()
        status, out, err = _run_wrk(argv, options.duration)
        exited = time.monotonic()
    record["exit"] = status
    # wrk's own CPU over its run (100% = one CPU; -t2 can reach 200%): near
    # its threads' count means the client, not the server, set the rate.
    record["client_cpu_pct"] = round(100 * (_children_cpu_s() - children_before) / (exited - launched), 1)
    record["output"] = out.strip().splitlines()
    record["stderr"] = err.strip().splitlines()[-5:]
    result = parse(out)
    record["wrk"] = result
    if result is None:
        record["problem"] = (record["stderr"] or ["no output"])[-1]
        return record
    record["problem"] = problems(result) or ("" if status == 0 else f"exit status {status}")
    # wrk prints right after its window: locate it backwards from the exit,
    # trimmed at both ends so connection set-up and teardown stay out.
    duration = result["duration_s"]
    start, end = exited - duration * (1 - TRIM), exited - duration * TRIM
    cpu_ns = sampler.cpu_ns_between(start, end)
    requests = result["requests_per_s"] * (end - start)
    record["cpu_method"] = meter.method
    record["server_cpu_ms"] = None if cpu_ns is None else round(cpu_ns / 1e6, 3)
    record["server_us_per_request"] = None if cpu_ns is None or requests <= 0 else round(cpu_ns / 1e3 / requests, 3)
    record["response_bytes"] = round(result["bytes_read"] / result["requests"], 1) if result["requests"] else None
    return record
