"""Issue 20's set-up: chat rooms kept in Redis and served by two netcookd
daemons. A private redis-server (own temp dir, no persistence, loopback,
a free port) and two daemons, each with a chat listener per model, the
listener of a model naming the same room on that Redis in both. It stands
in the fleet as one server (BUS_SERVER): started, checked and stopped as a
whole, each process in a cgroup of its own below the fleet's, so the
daemons' CPU (both) and Redis's are read apart."""

import shutil
import tempfile
from pathlib import Path

from . import configs
from .cpu import CgroupMeter, ProcTreeMeter
from .netaddr import free_port, require_loopback
from .process import ManagedServer, StartError
from .servers import NETCOOKD_BOUND, NETCOOKD_READY, PORT_TRIES

DAEMON_NAMES = ("a", "b")
REDIS_READY = r"Ready to accept connections"
REDIS_IN_USE = "Address already in use"


class BusRoom:
    """redis-server and two netcookd on it. Quacks like a ManagedServer for
    the fleet: pid, addr, addrs (listener -> (address on a, address on b)),
    alive(), stop(), proc and tail (of the part that died), cgroup."""

    def __init__(self, ctx, name, cgroup, log_path):
        self.ctx, self.name, self.cgroup = ctx, name, cgroup
        self.logs = Path(log_path).parent
        self.home = Path(tempfile.mkdtemp(prefix=f"netcook-bench-{name}."))
        self.redis = None
        self.daemons = []
        self.addrs = {}
        self.addr = None

    # --- starting ------------------------------------------------------

    def start(self):
        try:
            self._start_redis()
            url = f"redis://{self.redis.addr}/0"
            for side in DAEMON_NAMES:
                self.daemons.append(self._start_daemon(side, url))
        except BaseException:
            self.stop()
            raise
        for listener in self.ctx.bus_listeners:
            self.addrs[listener] = tuple(d.addrs[listener] for d in self.daemons)
        self.addr = f"redis {self.redis.addr}, daemons pid {self.pid}"

    def _part_cgroup(self, part):
        if self.cgroup is None:
            return None
        path = Path(self.cgroup) / part
        path.mkdir(exist_ok=True)
        return path

    def _start_redis(self):
        binary = self.ctx.paths.tools.get("redis-server")
        if not binary:
            raise StartError("redis-server is not installed")
        why = None
        for attempt in range(PORT_TRIES):
            port = free_port()
            data = self.home / "redis"
            data.mkdir(exist_ok=True)
            argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
                    "--protected-mode", "yes", "--databases", "1"]
            log = self.logs / f"{self.name}.redis{'' if attempt == 0 else f'.{attempt + 1}'}.log"
            server = ManagedServer(argv, log, None, REDIS_READY, self._part_cgroup("redis"),
                                   addr=f"127.0.0.1:{port}")
            try:
                server.start()
                require_loopback(server.addr)
                self.redis = server
                return
            except StartError as e:
                why = e
                server.stop()
                if not any(REDIS_IN_USE in line for line in server.tail):
                    break  # not the port: another one would not help
        raise StartError(f"redis-server: {why}")

    def _start_daemon(self, side, url):
        config = self.home / f"netcookd-{side}.yaml"
        config.write_text(configs.netcookd_bus(self.ctx.bus_listeners, url, side))
        argv = [str(self.ctx.paths.binary("daemon/netcookd")), "-c", str(config)]
        server = ManagedServer(argv, self.logs / f"{self.name}.{side}.log", NETCOOKD_BOUND, NETCOOKD_READY,
                               self._part_cgroup(f"netcookd-{side}"))
        try:
            server.start()
            missing = [n for n in self.ctx.bus_listeners if n not in server.addrs]
            if missing:
                raise StartError(f"daemon {side}: ready, but never said where {', '.join(missing)} listen")
            for addr in server.addrs.values():
                require_loopback(addr)
        except StartError as e:
            server.stop()
            raise StartError(f"daemon {side}: {e}") from e
        return server

    # --- what the fleet asks -------------------------------------------

    @property
    def parts(self):
        return [p for p in [self.redis] + self.daemons if p is not None]

    @property
    def pid(self):
        """The daemons' pids as chatload's --server-pid takes them: a,b."""
        return ",".join(str(d.pid) for d in self.daemons)

    def alive(self):
        return len(self.daemons) == len(DAEMON_NAMES) and all(p.alive() for p in self.parts)

    def _dead(self):
        return next((p for p in self.parts if not p.alive()), self.parts[0])

    @property
    def proc(self):
        return self._dead().proc

    @property
    def tail(self):
        return self._dead().tail

    def meters(self):
        """(the daemons' meter, Redis's meter)."""
        if self.cgroup is not None:
            return (SumMeter([CgroupMeter(d.cgroup) for d in self.daemons]), CgroupMeter(self.redis.cgroup))
        return SumMeter([ProcTreeMeter(d.pid) for d in self.daemons]), ProcTreeMeter(self.redis.pid)

    def stop(self):
        """The daemons first (their members leave through Redis), then
        Redis; their configs and Redis's log kept. Returns pids that would
        not die."""
        stuck = []
        for part in self.daemons + ([self.redis] if self.redis else []):
            stuck += part.stop()
            if part.cgroup is not None:
                try:
                    part.cgroup.rmdir()
                except OSError:
                    pass
        for side in DAEMON_NAMES:
            try:
                shutil.copyfile(self.home / f"netcookd-{side}.yaml",
                                self.ctx.run_dir / "configs" / f"{self.name}.{side}.yaml")
            except OSError:
                pass
        shutil.rmtree(self.home, ignore_errors=True)
        self.daemons, self.redis = [], None
        return stuck


class SumMeter:
    """Several meters read as one: both daemons' CPU."""

    def __init__(self, meters):
        self.meters = meters
        self.method = meters[0].method
        self.interval_s = max(m.interval_s for m in meters)

    def read_ns(self):
        total, user = 0, 0
        for meter in self.meters:
            ns, u = meter.read_ns()
            total += ns
            user = None if user is None or u is None else user + u
        return total, user


def start(ctx, name, cgroup, log_path):
    room = BusRoom(ctx, name, cgroup, log_path)
    room.start()
    return room
