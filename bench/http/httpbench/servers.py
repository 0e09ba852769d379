"""Starting one target: a netcookd with a single http listener, or our own
nginx on a generated configuration; and a check that each serves the body."""

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from modelbench.process import READY_TIMEOUT_S, ManagedServer, StartError, started
from modelbench.servers import NotLoopback, require_loopback

# netcookd logs "listener NAME: http/MODEL on ADDR" per listener, then "ready: N listeners".
NETCOOKD_BOUND = r"listener \S+: http/\w+ on (?P<addr>\S+)"
NETCOOKD_READY = r"\bready: \d+ listeners"
BODY = "Hello from Epoll Server!\n"   # netcookd's default body; nginx returns the same
CONTENT_TYPE = "text/plain; charset=utf-8"  # netcookd's default content_type
KEEPALIVE_TIMEOUT_S = 65
KEEPALIVE_REQUESTS = 100000


def netcookd_config(target):
    """One listener per daemon, so the daemon's CPU is this model's CPU."""
    workers = "    workers: 1\n" if target.model in ("epoll", "coroutine") else ""
    return f"""# Written by bench/http/run: the {target.model} model alone in one daemon.
log:
  level: info
  target: stderr
defaults:
  shutdown_timeout: 1s
listeners:
  - name: http-{target.name}
    protocol: http
    model: {target.model}
    listen: 127.0.0.1:0
{workers}    http:
      keepalive_timeout: {KEEPALIVE_TIMEOUT_S}s
      access_log: false
"""


def nginx_config(home, port):
    """1 worker, a fixed 200 with netcookd's body and Content-Type, no access
    log, keep-alive on; everything it writes stays in home."""
    temp = "\n".join(f"    {kind}_temp_path {home}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Written by bench/http/run: nginx with one worker, next to netcookd.
daemon off;
master_process on;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log notice;
events {{
    worker_connections 2048;
}}
http {{
    access_log off;
    keepalive_requests {KEEPALIVE_REQUESTS};
    keepalive_timeout {KEEPALIVE_TIMEOUT_S};
{temp}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type "{CONTENT_TYPE}";
            return 200 "{BODY.rstrip(chr(10))}\\n";
        }}
    }}
}}
"""


def free_port():
    """A loopback port nobody listens on now (nginx cannot be told port 0
    and report it); a race with another program is retried by the caller."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe(addr, timeout_s=2.0):
    """One keep-alive GET / on a fresh connection, as wrk sends it: (status,
    bytes of the response head, body) or raises OSError."""
    host, _, port = addr.rpartition(":")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise OSError(f"no complete response head from {addr}")
    status = int(head.split(b" ", 2)[1])
    return status, len(head) + len(sep), body.decode("utf-8", "replace")


def _expected(data):
    """Head plus Content-Length bytes, once the head is complete."""
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(head) + 4


class NginxServer(ManagedServer):
    """Our own nginx: master and one worker, on a config in a temp dir.

    nginx says nothing on stdout when it is ready (its error log is a file),
    so readiness is an HTTP probe that gets the body back."""

    def __init__(self, nginx, home, port, log_path, cgroup):
        argv = [nginx, "-p", f"{home}/", "-c", f"{home}/nginx.conf", "-e", f"{home}/error.log"]
        super().__init__(argv, log_path, r"(?!)", r"(?!)", cgroup)
        self.home = Path(home)
        self.addr = f"127.0.0.1:{port}"

    def start(self):
        argv = self.argv
        if self.cgroup is not None:
            argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(self.cgroup)] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        started[self.proc.pid] = self.proc
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"exited with status {self.proc.returncode}: {self.error_tail()}")
            try:
                if probe(self.addr, 1.0)[0] == 200:
                    return
            except (OSError, ValueError, IndexError):
                pass
            time.sleep(0.05)
        raise StartError(f"no answer on {self.addr} after {READY_TIMEOUT_S} s: {self.error_tail()}")

    def error_tail(self):
        try:
            lines = (self.home / "error.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1] if lines else (self.tail[-1] if self.tail else "no output")

    def keep_files(self, run_dir, name):
        """Copies the config and error log into the results, then removes the temp dir."""
        for src, dst in (("nginx.conf", run_dir / "configs" / f"{name}.conf"),
                         ("error.log", run_dir / "logs" / f"{name}.error.log")):
            try:
                shutil.copyfile(self.home / src, dst)
            except OSError:
                pass
        shutil.rmtree(self.home, ignore_errors=True)


def _start_nginx(target, paths, run_dir, cgroup):
    if not paths.nginx:
        raise StartError("nginx is not installed")
    last = None
    for _ in range(3):  # a port taken between free_port() and nginx's bind: try another
        home = tempfile.mkdtemp(prefix="netcook-httpbench-nginx.")
        port = free_port()
        Path(home, "nginx.conf").write_text(nginx_config(home, port))
        server = NginxServer(paths.nginx, home, port, run_dir / "logs" / f"{target.name}.log", cgroup)
        try:
            server.start()
            return server
        except StartError as e:
            last = e
            server.stop()
            server.keep_files(run_dir, target.name)
            if "Address already in use" not in str(e):
                break
    raise last


def check_response(server):
    """Raises StartError unless GET / answers 200 with the body; returns the
    size of the response head, for the report."""
    try:
        status, head_bytes, body = probe(server.addr)
    except (OSError, ValueError, IndexError) as e:
        raise StartError(f"GET / on {server.addr} failed: {e}") from e
    if status != 200 or body != BODY:
        raise StartError(f"GET / on {server.addr} answered {status} with {body[:60]!r}, not 200 {BODY!r}")
    return head_bytes


def start_target(target, paths, run_dir, cgroups):
    """A started ManagedServer that serves the body; raises StartError."""
    cgroup = cgroups.new(target.name) if cgroups is not None else None
    server = None
    try:
        if target.kind == "nginx":
            server = _start_nginx(target, paths, run_dir, cgroup)
        else:
            config = run_dir / "configs" / f"{target.name}.yaml"
            config.write_text(netcookd_config(target))
            server = ManagedServer([str(paths.netcookd), "-c", str(config)],
                                   run_dir / "logs" / f"{target.name}.log", NETCOOKD_BOUND, NETCOOKD_READY, cgroup)
            server.start()
        require_loopback(server.addr)
        server.head_bytes = check_response(server)
    except (StartError, NotLoopback):
        if server is not None:
            server.stop()
            if isinstance(server, NginxServer):
                server.keep_files(run_dir, target.name)
        if cgroup is not None:
            cgroups.remove(cgroup)
        raise
    return server
