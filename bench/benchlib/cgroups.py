"""A private cgroup v2 subtree for this run: one child cgroup per server,
so its cpu.stat covers the server and every process it forks."""

import os
import subprocess
from pathlib import Path


def _own_cgroup():
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


def _cgroup2_mounts():
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "cgroup2":
            yield fields[1]


class CgroupHome:
    """netcook-bench.<pid> under our own cgroup; removed by cleanup()."""

    def __init__(self, base):
        self.base = base

    @classmethod
    def create(cls):
        """The home, or (None, why) when no cgroup v2 is usable here."""
        own = _own_cgroup()
        if own is None:
            return None, "no cgroup v2 membership in /proc/self/cgroup"
        reasons = []
        for mount in _cgroup2_mounts():
            base = Path(mount + own.rstrip("/")) / f"netcook-bench.{os.getpid()}"
            try:
                base.mkdir()
            except OSError as e:
                reasons.append(f"{base}: {e.strerror}")
                continue
            home = cls(base)
            why = home._probe()
            if why is None:
                return home, None
            home.cleanup()
            reasons.append(why)
        return None, "; ".join(reasons) or "no cgroup2 mount"

    def _probe(self):
        """Can a process be moved in, and is its CPU counted?"""
        probe = self.new("probe")
        result = subprocess.run(["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs"', str(probe)],
                                stderr=subprocess.PIPE, text=True, check=False)
        try:
            if result.returncode != 0:
                return f"{probe}: cannot move a process in: {result.stderr.strip()}"
            if "usage_usec" not in (probe / "cpu.stat").read_text():
                return f"{probe}/cpu.stat has no usage_usec"
        except OSError as e:
            return f"{probe}/cpu.stat: {e.strerror}"
        finally:
            self.remove(probe)
        return None

    def new(self, name):
        path = self.base / name
        path.mkdir()
        return path

    @staticmethod
    def pids(path):
        try:
            return [int(p) for p in (Path(path) / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    @staticmethod
    def remove(path):
        try:
            os.rmdir(path)
        except OSError:
            pass  # still populated: cleanup() says so

    def cleanup(self):
        """Removes every child cgroup and the home; returns what stayed."""
        left = []
        for child in self.base.iterdir() if self.base.exists() else []:
            if child.is_dir():
                for grandchild in child.iterdir():  # a server of several processes (benchlib.busroom)
                    if grandchild.is_dir():
                        self.remove(grandchild)
                self.remove(child)
                if child.exists():
                    left.append(str(child))
        self.remove(self.base)
        if self.base.exists():
            left.append(str(self.base))
        return left
