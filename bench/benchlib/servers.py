"""Starting each server of a run on its own generated configuration, on
127.0.0.1: the one netcookd (and with --baseline a second one, the
baseline's binary on the same configuration), and the peers. Each returns a
ready ManagedServer, or raises StartError (the server's targets are then n/a)."""

import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import configs
from .netaddr import NotLoopback, echo_probe, free_port, http_probe, https_probe, listening_addr, require_loopback
from .plan import BASE_SERVER, BUS_SERVER, TARGETS
from .process import ManagedServer, StartError

# netcookd logs "listener NAME: PROTOCOL/MODEL on ADDR" per listener, then "ready: N listeners".
NETCOOKD_BOUND = r"listener (?P<name>[^\s:]+): [\w+-]+/\w+ on (?P<addr>\S+)"
NETCOOKD_READY = r"\bready: \d+ listeners"
PEER_LINE = r"^listening on (?P<addr>\S+)$"        # bench/peers/*.py
NCAT_LINE = r"^Ncat: Listening on (?P<addr>\S+)$"  # says :0 for port 0: the port comes from /proc
NCAT_MAX_CONNS = 1000                              # ncat's own default is 100; the run has 200 clients
PORT_TRIES = 3                                     # a port taken between free_port() and the bind

PY_PEERS = {"py-forking": "forking_echo.py", "py-threading": "threading_echo.py",
            "py-select": "select_echo.py", "py-asyncio": "asyncio_echo.py", "py-chat": "select_chat.py"}
SOL = {"sol-echo": ("bench/netcook-sol-echo", echo_probe),
       "sol-echo-uring": ("bench/netcook-sol-echo-uring", echo_probe),
       "sol-echo-threads": ("bench/netcook-sol-echo-threads", echo_probe),
       "sol-echo-forks": ("bench/netcook-sol-echo-forks", echo_probe),
       "sol-http": ("bench/netcook-sol-http", http_probe)}
TOOL_OF = {"nginx-1": "nginx", "nginx-2": "nginx", "nginx-1-tls": "nginx", "ncat": "ncat", "socat": "socat",
           "xinetd": "xinetd", "iperf3": "iperf3", BUS_SERVER: "redis-server"}


class TempHome:
    """A temp dir for a peer's config, pid and logs; kept() copies the
    files worth keeping into the results before it is removed."""

    def __init__(self, name):
        self.path = Path(tempfile.mkdtemp(prefix=f"netcook-bench-{name}."))

    def keep(self, run_dir, name, files):
        for src in files:
            suffix = Path(src).suffix
            conf = suffix in (".conf", ".yaml")
            dst = run_dir / ("configs" if conf else "logs") / (f"{name}{suffix}" if conf else f"{name}.{src}")
            try:
                shutil.copyfile(self.path / src, dst)
            except OSError:
                pass
        shutil.rmtree(self.path, ignore_errors=True)


@contextlib.contextmanager
def _stopped_on_failure(server):
    try:
        yield
    except (StartError, NotLoopback):
        server.stop()
        raise


def _netcookd(ctx, name, cgroup, log):
    config = ctx.run_dir / "configs" / "netcookd.yaml"
    config.write_text(configs.netcookd(ctx.listeners, cert=ctx.tls))
    return _netcookd_on(ctx.paths.binary("daemon/netcookd"), config, ctx.listeners, cgroup, log)


def _baseline(ctx, name, cgroup, log):
    """The baseline's netcookd on the same configuration, written in a temp
    dir of its own (kept as configs/netcookd@base.yaml); ports are its own."""
    home = TempHome(name)
    config = home.path / "netcookd.yaml"
    # Without the guarded and TLS listeners: they have no twins, and a
    # baseline from before the guards or TLS would refuse their keys.
    listeners = [n for n in ctx.listeners if not (TARGETS[n].guard or TARGETS[n].tls)]
    config.write_text(configs.netcookd(listeners))
    if not _accepts(ctx.baseline, config):
        # From before chat flood control (which it does not have either).
        config.write_text(configs.netcookd(listeners, flood_keys=False))
    return _netcookd_on(ctx.baseline, config, listeners, cgroup, log,
                        on_stop=lambda: home.keep(ctx.run_dir, name, ("netcookd.yaml",)))


def _accepts(binary, config):
    """Whether netcookd `binary` takes `config` (--check-config)."""
    try:
        return subprocess.run([str(binary), "--check-config", "-c", str(config)], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _netcookd_on(binary, config, listeners, cgroup, log, on_stop=None):
    """A netcookd serving config, ready, with every one of listeners on loopback."""
    server = ManagedServer([str(binary), "-c", str(config)], log, NETCOOKD_BOUND, NETCOOKD_READY, cgroup)
    server.on_stop = on_stop
    with _stopped_on_failure(server):
        server.start()
        missing = [n for n in listeners if n not in server.addrs]
        if missing:
            raise StartError(f"ready, but never said where {', '.join(missing)} listen")
        for addr in server.addrs.values():
            require_loopback(addr)
    return server


def _on_free_port(ctx, name, cgroup, log, make):
    """make(port, home) -> (argv, probe, ready_re, files to keep); retried
    on another port when the start fails (the port may have been taken)."""
    why = None
    for _ in range(PORT_TRIES):
        home, port = TempHome(name), free_port()
        argv, probe, ready_re, files = make(port, home.path)
        server = ManagedServer(argv, log, None, ready_re, cgroup, addr=f"127.0.0.1:{port}", probe=probe)
        server.on_stop = lambda h=home, f=files: h.keep(ctx.run_dir, name, f)
        try:
            server.start()
            return server
        except StartError as e:
            why = e
            server.stop()
    raise why


def _nginx(ctx, name, cgroup, log):
    """nginx-WORKERS, or nginx-WORKERS-tls on the run's certificate."""
    workers = int(name.split("-")[1])
    cert = ctx.tls if TARGETS[name].tls else None

    def make(port, home):
        (home / "nginx.conf").write_text(configs.nginx(home, port, workers, cert))
        argv = [ctx.paths.tools["nginx"], "-p", f"{home}/", "-c", f"{home}/nginx.conf", "-e", f"{home}/error.log"]
        probe = https_probe(cert.cert) if cert else http_probe
        return argv, probe, None, ("nginx.conf", "error.log")
    return _on_free_port(ctx, name, cgroup, log, make)


def _socat(ctx, name, cgroup, log):
    def make(port, _home):
        listen = f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,backlog=4096"
        return [ctx.paths.tools["socat"], listen, "EXEC:cat"], echo_probe, None, ()
    return _on_free_port(ctx, name, cgroup, log, make)


def _xinetd(ctx, name, cgroup, log):
    def make(port, home):
        (home / "xinetd.conf").write_text(configs.xinetd(home, port))
        argv = [ctx.paths.tools["xinetd"], "-dontfork", "-f", f"{home}/xinetd.conf", "-pidfile", f"{home}/pid"]
        return argv, echo_probe, None, ("xinetd.conf",)
    return _on_free_port(ctx, name, cgroup, log, make)


def _iperf3(ctx, name, cgroup, log):
    # A probe connection would start a test: readiness is its line instead.
    def make(port, _home):
        argv = [ctx.paths.tools["iperf3"], "-s", "-B", "127.0.0.1", "-p", str(port), "--forceflush"]
        return argv, None, r"Server listening on", ()
    return _on_free_port(ctx, name, cgroup, log, make)


def _sol(ctx, name, cgroup, log):
    target, probe = SOL[name]
    binary = ctx.paths.binary(target)
    if binary is None:
        raise StartError(f"{target} is not built (not in this checkout yet)")
    return _on_free_port(ctx, name, cgroup, log, lambda port, _h: ([str(binary), f"127.0.0.1:{port}"],
                                                                    probe, None, ()))


def _python(ctx, name, cgroup, log):
    script = ctx.paths.peers / PY_PEERS[name]
    server = ManagedServer([ctx.paths.python, "-B", str(script), "--port", "0"], log, PEER_LINE, PEER_LINE, cgroup)
    with _stopped_on_failure(server):
        server.start()
        require_loopback(server.addr)
    return server


def _ncat(ctx, name, cgroup, log):
    argv = [ctx.paths.tools["ncat"], "--chat", "--max-conns", str(NCAT_MAX_CONNS), "-v", "-l", "127.0.0.1", "0"]
    server = ManagedServer(argv, log, NCAT_LINE, NCAT_LINE, cgroup)
    with _stopped_on_failure(server):
        server.start()
        try:
            server.addr = listening_addr(server.pid)
        except OSError as e:
            raise StartError(f"cannot find its port in /proc: {e}") from e
        if server.addr is None:
            raise StartError("says it listens, but has no listening TCP socket")
        require_loopback(server.addr)
    return server


def starter(name):
    if name == "netcookd":
        return _netcookd
    if name == BASE_SERVER:
        return _baseline
    if name == BUS_SERVER:
        from . import busroom  # it builds on this module
        return busroom.start
    if name in PY_PEERS:
        return _python
    if name in SOL:
        return _sol
    return {"nginx": _nginx, "socat": _socat, "xinetd": _xinetd, "iperf3": _iperf3,
            "ncat": _ncat}[TOOL_OF[name]]
