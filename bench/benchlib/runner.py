"""One load-generator run with the server's CPU sampled around it: the
part every tool shares. Every tool ends by itself; the backstop only
catches a hung one."""

import resource
import subprocess
import time
from dataclasses import dataclass

from .cpu import Sampler
from .process import started

# When a tool does not say when its window was, it is located backwards
# from the tool's exit (each prints right after its window) and trimmed by
# this fraction at each end, so connection set-up before it and teardown
# after it (e.g. 500 forked children exiting) never leak in.
TRIM = 0.1


@dataclass
class Outcome:
    status: int
    out: str
    err: str
    launched: float      # time.monotonic()
    exited: float
    client_cpu_pct: float  # the tool's own CPU over its run, 100 = one CPU
    sampler: Sampler
    side: dict = None      # name -> Sampler of another process read beside the server (Redis)

    def cpu_ns_before_exit(self, duration_s):
        """Server CPU over the trimmed window that ended at exit, and that
        window's length: (ns or None, seconds)."""
        start, end = self._window(duration_s)
        return self.sampler.cpu_ns_between(start, end), end - start

    def user_ns_before_exit(self, duration_s):
        """The user-space part of that CPU (ns), or None."""
        return self.sampler.user_ns_between(*self._window(duration_s))

    def _window(self, duration_s):
        return self.exited - duration_s * (1 - TRIM), self.exited - duration_s * TRIM


def _children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_tool(argv, backstop_s, meter=None, side_meters=None):
    """Runs argv to its end, sampling meter meanwhile (no meter: a warm-up),
    and side_meters ({name: meter}) likewise."""
    children_before = _children_cpu_s()
    sampler = Sampler(meter) if meter is not None else None
    side = {name: Sampler(m) for name, m in (side_meters or {}).items()}
    for s in ([sampler] if sampler is not None else []) + list(side.values()):
        s.__enter__()
    launched = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    started[proc.pid] = proc
    try:
        out, err = proc.communicate(timeout=backstop_s)
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
        for s in ([sampler] if sampler is not None else []) + list(side.values()):
            s.__exit__(None, None, None)
    client = 100 * (_children_cpu_s() - children_before) / max(exited - launched, 1e-6)
    return Outcome(proc.returncode, out, err, launched, exited, round(client, 1), sampler, side)
