"""One netcook-echoload run against one target, with the server's CPU
(children included) over the measured window."""

import json
import resource
import subprocess
import time

from .cpu import Sampler
from .process import started

# The window is cut from the CPU samples backwards from echoload's exit. Its
# edges are trimmed by this fraction each, so the connection set-up before it
# and the teardown after it (e.g. 500 forked children exiting) never leak in;
# CPU per op then uses the rate times the trimmed length.
TRIM = 0.1


def echoload_argv(echoload, scenario, addr, server_pid, options):
    return [str(echoload), scenario.mode, "-a", addr, "-c", str(scenario.conns),
            "-s", scenario.size, "-d", f"{options.duration:g}", "--warmup", f"{options.warmup:g}",
            "--json", "--server-pid", str(server_pid)]


def _children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ops_per_s(scenario, result):
    """The rate in the unit CPU is divided by: messages, MB or connections."""
    return result["mb_per_s"] if scenario.mode == "stream" else result["rate_per_s"]


def run_once(echoload, scenario, server, meter, options):
    """A record for runs.jsonl; 'echoload' holds echoload's own JSON."""
    argv = echoload_argv(echoload, scenario, server.addr, server.pid, options)
    record = {"argv": argv}
    limit = options.warmup + options.duration + 60  # echoload ends by itself; this is a backstop
    children_before = _children_cpu_s()
    with Sampler(meter) as sampler:
        launched = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started[proc.pid] = proc
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        except BaseException:  # interrupted: no load may outlive us
            proc.kill()
            proc.wait()
            raise
        finally:
            del started[proc.pid]
        exited = time.monotonic()
    record["exit"] = proc.returncode
    # echoload's own CPU over its whole run: near 100% per load thread means
    # the client, not the server, set the rate.
    record["client_cpu_pct"] = round(100 * (_children_cpu_s() - children_before) / (exited - launched), 1)
    record["stderr"] = err.strip().splitlines()[-5:]
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        record["echoload"] = None
        return record
    result = json.loads(lines[-1])
    record["echoload"] = result
    duration = result["duration_s"]
    start, end = exited - duration * (1 - TRIM), exited - duration * TRIM
    cpu_ns = sampler.cpu_ns_between(start, end)
    ops = _ops_per_s(scenario, result) * (end - start)
    record["cpu_method"] = meter.method
    record["server_cpu_ms"] = None if cpu_ns is None else round(cpu_ns / 1e6, 3)
    record["server_us_per_op"] = None if cpu_ns is None or ops <= 0 else round(cpu_ns / 1e3 / ops, 4)
    return record
