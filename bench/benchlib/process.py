"""Starting a server, waiting for the line that says it is ready, and
stopping it and everything it forked."""

import os
import re
import select
import signal
import subprocess
import threading
import time
from collections import deque

from .cpu import descendants

READY_TIMEOUT_S = 30  # a deadline for a failure, not a delay: readiness is a log line

# Every process we start with Popen (servers, load runs), by pid: cleanup
# kills those still running, and orphan reaping leaves their statuses to Popen.
started = {}


class StartError(Exception):
    pass


class ManagedServer:
    """One server process, its output copied to log_path.

    Two ways to know it is ready:
    - a log line: bound_re must have a group 'addr' (and may have a group
      'name': then every match is kept in addrs, by name); the server is
      ready once ready_re has matched (which may be the same line);
    - for servers that print nothing (nginx, socat, xinetd, ...): addr is
      given, and probe(addr) answering True says it serves.
    With a cgroup, the server moves itself into it before exec, so
    everything it ever forks is inside.
    """

    def __init__(self, argv, log_path, bound_re=None, ready_re=None, cgroup=None, addr=None, probe=None):
        self.argv = argv
        self.log_path = log_path
        self.bound_re = re.compile(bound_re or r"(?!)")
        self.ready_re = re.compile(ready_re or r"(?!)")
        self.cgroup = cgroup
        self.proc = None
        self.addr = addr
        self.addrs = {}
        self.probe = probe
        self.on_stop = None  # called once stopped: e.g. keeps a peer's config and logs
        self.tail = deque(maxlen=8)
        self._settled = threading.Event()  # ready, or output ended
        self._ready = False
        self._reader = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        argv = self.argv
        if self.cgroup is not None:
            argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(self.cgroup)] + argv
        # Own session: a Ctrl-C in the terminal reaches us, and we stop the
        # servers in order, rather than every process at once.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        started[self.proc.pid] = self.proc
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if self.probe is not None:
            self._wait_for_probe()
            return
        if not self._settled.wait(READY_TIMEOUT_S):
            raise StartError(f"not ready after {READY_TIMEOUT_S} s")
        if not self._ready:
            self.proc.wait()
            last = self.tail[-1] if self.tail else "no output"
            # "2026-01-01 12:00:00.000 critical [netcookd] the X model is ..." -> "the X model is ..."
            last = re.sub(r"^\S+ \S+ \w+ \[[^]]*\] ", "", last)
            raise StartError(f"exited with status {self.proc.returncode}: {last}")
        if self.addr is None:
            raise StartError("ready, but never said which address it is bound to")

    def _wait_for_probe(self):
        """Probes every 50 ms until it answers, the server exits or the
        deadline passes: the server says nothing we could wait on."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                last = self.tail[-1] if self.tail else "no output"
                raise StartError(f"exited with status {self.proc.returncode}: {last}")
            try:
                if self.probe(self.addr):
                    return
            except (OSError, ValueError, IndexError):
                pass
            self._settled.wait(0.05)  # wakes early if the output ends
        raise StartError(f"no answer on {self.addr} after {READY_TIMEOUT_S} s")

    def _read(self):
        with open(self.log_path, "w", encoding="utf-8") as log:
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                log.write(line + "\n")
                log.flush()
                self.tail.append(line)
                if m := self.bound_re.search(line):
                    self.addr = self.addr or m.group("addr")
                    if "name" in m.groupdict():
                        self.addrs[m.group("name")] = m.group("addr")
                if not self._ready and self.ready_re.search(line):
                    self._ready = True
                    self._settled.set()
        self._settled.set()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace_s=5):
        """SIGTERM, then SIGKILL; then whatever it forked. Returns pids that
        would not die."""
        if self.proc is None:
            return []
        forked = self._forked()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        stuck = kill_pids(set(forked + self._forked()) - {self.proc.pid})
        if self._reader is not None:
            self._reader.join(5)
        if self.on_stop is not None:
            self.on_stop()
            self.on_stop = None
        return stuck

    def _forked(self):
        if self.cgroup is not None:
            from .cgroups import CgroupHome
            return CgroupHome.pids(self.cgroup)
        return descendants(self.proc.pid) if self.proc.poll() is None else []


def kill_pids(pids, timeout_s=5):
    """SIGKILL through pidfds (no pid reuse race) and wait for the ends;
    returns the pids still alive."""
    fds = {}
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            continue  # already gone
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
            fds[fd] = pid
        except OSError:
            os.close(fd)
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    waiting = dict(fds)
    while waiting:
        ready = poller.poll(timeout_s * 1000)
        if not ready:
            break
        for fd, _ in ready:
            poller.unregister(fd)
            waiting.pop(fd, None)
    for fd in fds:
        os.close(fd)
    reap_orphans()
    return sorted(waiting.values())


def become_subreaper():
    """Orphans of our servers (a fork child whose parent died) become our
    children, so they can be found and reaped instead of escaping."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def orphans():
    """Processes below us that we did not start: adopted orphans and their
    children."""
    me = os.getpid()
    return [pid for pid in descendants(me) if pid != me and pid not in started]


def reap_orphans():
    """Collects the exit status of adopted orphans; a Popen child's status
    is left to Popen."""
    for pid in orphans():
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass  # not our child (a grandchild): its parent reaps it


def stop_everything():
    """Last resort on exit: every process we started and all below them."""
    for proc in started.values():
        if proc.poll() is None:
            proc.kill()
    for proc in started.values():
        proc.wait()
    return kill_pids(orphans())
