"""Server CPU time, children included, sampled often enough that the
measured window can be cut out of the whole run afterwards.

Two meters:
- CgroupMeter: the server runs alone in its own cgroup v2; cpu.stat's
  usage_usec counts every thread and process that ever ran in it, forked
  children included however short-lived. Exact (to the scheduler tick of a
  task still running). Its user_usec also says how much of that was the
  server's own code rather than the kernel's work for it.
- ProcTreeMeter, when no cgroup v2 is writable: schedstat of every thread of
  every live process in the server's tree, plus each one's cutime+cstime
  (children it has reaped). Reaped time is only known to 10 ms, and a child
  that exited but is not reaped yet counts nothing for a moment.
"""

import os
import threading
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


class CgroupMeter:
    method = "cgroup2"
    interval_s = 0.01

    def __init__(self, cgroup_dir):
        self.file = Path(cgroup_dir) / "cpu.stat"

    def read_ns(self):
        """(CPU ns, of which in user space ns)."""
        values = dict(line.split() for line in self.file.read_text().splitlines())
        if "usage_usec" not in values:
            raise RuntimeError(f"{self.file}: no usage_usec")
        user = values.get("user_usec")
        return int(values["usage_usec"]) * 1000, None if user is None else int(user) * 1000


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name, which may hold spaces."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def _children_by_parent():
    tree = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(entry.name)[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid):
    """pid and every live process below it."""
    tree = _children_by_parent()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def _process_ns(pid):
    total = 0
    for task in os.scandir(f"/proc/{pid}/task"):
        try:
            total += int(Path(task.path, "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    fields = _stat_fields(pid)
    reaped_ticks = int(fields[13]) + int(fields[14])  # cutime, cstime
    return total + reaped_ticks * 1_000_000_000 // CLK_TCK


class ProcTreeMeter:
    method = "proctree"
    interval_s = 0.05  # a scan of /proc is not free; it runs on the client's CPUs

    def __init__(self, root_pid):
        self.root_pid = root_pid

    def read_ns(self):
        """(CPU ns, None): schedstat does not split user from system."""
        total = 0
        for pid in descendants(self.root_pid):
            try:
                total += _process_ns(pid)
            except (OSError, ValueError, IndexError):
                pass  # exited between the scan and the read
        return total, None


class Sampler:
    """Reads a meter every interval_s in a thread: (monotonic s, ns, user ns
    or None) triples."""

    def __init__(self, meter):
        self._meter = meter
        self._samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self):
        before = time.monotonic()
        try:
            ns, user = self._meter.read_ns()
        except (OSError, RuntimeError, ValueError):
            return  # the server is gone; the run reports that
        self._samples.append(((before + time.monotonic()) / 2, ns, user))

    def _loop(self):
        while not self._stop.wait(self._meter.interval_s):
            self._sample()

    def _at(self, t, column):
        samples = self._samples
        for s0, s1 in zip(samples, samples[1:]):
            (t0, v0), (t1, v1) = (s0[0], s0[column]), (s1[0], s1[column])
            if t0 <= t <= t1 and v0 is not None and v1 is not None:
                return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return None

    def cpu_ns_between(self, start, end, column=1):
        """CPU used between two monotonic times, interpolated; None if the
        samples do not cover them."""
        a, b = self._at(start, column), self._at(end, column)
        return None if a is None or b is None else b - a

    def user_ns_between(self, start, end):
        """The part of it in user space; None when the meter cannot tell."""
        return self.cpu_ns_between(start, end, column=2)
