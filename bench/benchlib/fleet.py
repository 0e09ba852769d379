"""The running servers of a run, one cgroup and one CPU meter each, and a
restart for a server that died (at most MAX_RESTARTS times)."""

from dataclasses import dataclass

from .cpu import CgroupMeter, ProcTreeMeter
from .plan import DAEMONS
from .process import StartError
from .servers import starter

MAX_RESTARTS = 3


@dataclass
class Context:
    """What a starter needs: paths, where results go, netcookd's listeners,
    the baseline's netcookd binary (--baseline; None without), the
    listeners of the two daemons on Redis (benchlib.busroom), and the
    certificate of the TLS targets (benchlib.tls; None without)."""
    paths: object
    run_dir: object
    listeners: list
    baseline: object = None
    bus_listeners: list = None
    tls: object = None


class Fleet:
    def __init__(self, ctx, cgroups, log):
        self.ctx, self.cgroups, self.log = ctx, cgroups, log
        self.servers, self.meters, self.unavailable = {}, {}, {}
        self.side_meters = {}  # server -> {name: meter} read beside it: Redis's CPU for BUS_SERVER
        self.notes, self.attempts = [], {}

    def start_all(self, names):
        for name in names:
            if name in self.unavailable:
                continue
            try:
                server = self._start(name)
                where = server.addr if name not in DAEMONS else f"{len(server.addrs)} listeners"
                self.log(f"{name}: ready on {where} (pid {server.pid})")
            except StartError as e:
                self.unavailable[name] = str(e)
                self.log(f"{name}: n/a: {e}")

    def _start(self, name):
        attempt = self.attempts[name] = self.attempts.get(name, 0) + 1
        label = name if attempt == 1 else f"{name}.{attempt}"
        cgroup = self.cgroups.new(label) if self.cgroups is not None else None
        log = self.ctx.run_dir / "logs" / f"{label}.log"
        try:
            server = starter(name)(self.ctx, name, cgroup, log)
        except BaseException:
            if cgroup is not None:
                self.cgroups.remove(cgroup)
            raise
        self.servers[name] = server
        if hasattr(server, "meters"):  # several processes, read apart (benchlib.busroom)
            self.meters[name], redis = server.meters()
            self.side_meters[name] = {"redis": redis}
        else:
            self.meters[name] = CgroupMeter(cgroup) if cgroup is not None else ProcTreeMeter(server.pid)
        return server

    def ready(self, name):
        """The server, restarted if it died; None if it is out."""
        server = self.servers.get(name)
        if server is None or server.alive():
            return server
        self._retire(name)
        if self.attempts[name] > MAX_RESTARTS:
            self.notes.append(f"{name}: died {MAX_RESTARTS + 1} times; left out of the remaining runs")
            return None
        try:
            server = self._start(name)
        except StartError as e:
            self.notes.append(f"{name}: could not be restarted: {e}")
            return None
        self.log(f"{name}: restarted")
        return server

    def check_after(self, name, scenario, rep):
        server = self.servers.get(name)
        if server is not None and not server.alive():
            last = server.tail[-1] if server.tail else "no output"
            note = (f"{name}: exited with status {server.proc.returncode} during {scenario} "
                    f"rep {rep}; last log line: `{last}`")
            self.notes.append(note)
            self.log(note)

    def _retire(self, name):
        server = self.servers.pop(name)
        stuck = server.stop()
        if stuck:
            self.log(f"could not stop pids {stuck}")
        if server.cgroup is not None:
            self.cgroups.remove(server.cgroup)

    def stop_all(self):
        for name in list(self.servers):
            self._retire(name)
