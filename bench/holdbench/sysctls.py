"""System settings a hold run may need, changed for the run only.

Each is changed only when its current value is too small for the run, and
put back as it was when the run ends, however it ends.
"""

from pathlib import Path


class Sysctls:
    def __init__(self, log):
        self.log = log
        self.saved = []  # (path, original text), in the order changed

    def _set(self, name, value):
        path = Path("/proc/sys") / name.replace(".", "/")
        before = path.read_text().strip()
        path.write_text(value)
        self.saved.append((path, before))
        self.log(f"sysctl {name}: {before!r} -> {value!r} for this run")

    def ensure_at_least(self, name, value):
        path = Path("/proc/sys") / name.replace(".", "/")
        if int(path.read_text().split()[0]) < value:
            self._set(name, str(value))

    def ensure_port_range(self, ports):
        """At least `ports` ephemeral ports per source address."""
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        if high - low + 1 < ports:
            low = max(1024, min(low, 65535 - ports))
            self._set("net.ipv4.ip_local_port_range", f"{low} {min(65535, low + ports)}")

    def restore(self):
        for path, before in reversed(self.saved):
            try:
                path.write_text(before)
                self.log(f"sysctl {path}: restored {before!r}")
            except OSError as e:
                self.log(f"sysctl {path}: could not restore {before!r}: {e}")
        self.saved.clear()
