"""One netcook-chatload run against one target, with the server's CPU
(children included) over exactly the measured window."""

import json
import resource
import subprocess
import time

from modelbench.cpu import Sampler
from modelbench.process import started

DRAIN_S = 3      # chatload waits for lines in flight until none came for this long (10x at most)
JOIN_TIMEOUT_S = 15


def chatload_argv(chatload, scenario, target, server, options):
    argv = [str(chatload), "-a", server.addr, "-c", str(scenario.clients), "--rate", scenario.rate,
            "-d", f"{options.duration:g}", "--warmup", f"{options.warmup:g}", "--drain", str(DRAIN_S),
            "--timeout", str(JOIN_TIMEOUT_S), "--threads", str(options.load_threads),
            "--json", "--server-pid", str(server.pid)]
    return argv + (["--names"] if target.names else [])


def _children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backstop_s(options):
    """chatload ends by itself; this only catches a hung client."""
    return JOIN_TIMEOUT_S + options.warmup + options.duration + 10 * DRAIN_S + 60


def run_once(chatload, scenario, target, server, meter, options):
    """A record for runs.jsonl; 'chatload' holds chatload's own JSON."""
    argv = chatload_argv(chatload, scenario, target, server, options)
    record = {"argv": argv}
    children_before = _children_cpu_s()
    with Sampler(meter) as sampler:
        launched = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started[proc.pid] = proc
        try:
            out, err = proc.communicate(timeout=backstop_s(options))
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
    # chatload's own CPU over its whole run (connect and join included):
    # near 100% per load thread means the client, not the server, set the pace.
    record["client_cpu_pct"] = round(100 * (_children_cpu_s() - children_before) / (exited - launched), 1)
    record["stderr"] = err.strip().splitlines()[-5:]
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        record["chatload"] = None
        return record
    result = json.loads(lines[-1])
    record["chatload"] = result
    # chatload's steady clock is CLOCK_MONOTONIC, like time.monotonic().
    begin, end = result["window_begin_ns"] / 1e9, result["window_end_ns"] / 1e9
    cpu_ns = sampler.cpu_ns_between(begin, end)
    record["cpu_method"] = meter.method
    record["server_cpu_ms"] = None if cpu_ns is None else round(cpu_ns / 1e6, 3)
    delivered = result["window_delivered"]
    record["server_us_per_delivery"] = (None if cpu_ns is None or delivered <= 0
                                        else round(cpu_ns / 1e3 / delivered, 4))
    return record
