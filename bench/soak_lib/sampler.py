"""Once a second: the daemon's whole process tree (the main process, the
fork master and every connection process it forked), its RSS, open fds by
kind, processes and threads. Rows go to samples.csv as they are taken."""

import csv
import os
import threading
import time

from benchlib.cpu import descendants

FIELDS = ("t_s", "rss_kb", "fds", "tasks", "procs",
          "main_rss_kb", "main_fds", "main_tasks", "master_rss_kb", "master_fds", "conn_rss_kb", "conn_fds",
          "fd_socket", "fd_pipe", "fd_anon", "fd_file", "fd_other")
RULED = ("rss_kb", "fds", "tasks")  # what the growth rule checks; the rest explains


def _status(pid):
    """(VmRSS kB, Threads) from /proc/PID/status."""
    rss = threads = 0
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def _fd_kind(target):
    if target.startswith("socket:"):
        return "fd_socket"
    if target.startswith("pipe:"):
        return "fd_pipe"
    if target.startswith("anon_inode:"):
        return "fd_anon"  # epoll, eventfd, signalfd, timerfd, pidfd
    if target.startswith("/"):
        return "fd_file"
    return "fd_other"


def _fd_kinds(pid):
    """The kind of each open fd of pid; raises FileNotFoundError when pid
    is gone. An fd closed between the listing and its readlink is skipped
    (the process is busy; it is not gone)."""
    fd_dir = f"/proc/{pid}/fd"
    kinds = []
    for fd in os.listdir(fd_dir):
        try:
            kinds.append(_fd_kind(os.readlink(f"{fd_dir}/{fd}")))
        except FileNotFoundError:
            continue
    return kinds


def _roles(root_pid):
    """{pid: role} below root_pid: 'main' (the daemon), 'master' (the fork
    master: a child of the daemon) and 'conn' (a process the fork master
    forked for a connection, and anything below it)."""
    roles = {}
    for pid in descendants(root_pid):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        roles[pid] = "main" if pid == root_pid else "master" if ppid == root_pid else "conn"
    return roles


def take(root_pid):
    """One sample of root_pid's tree as a dict (t_s left to the caller)."""
    row = dict.fromkeys(FIELDS, 0)
    for pid, role in _roles(root_pid).items():
        try:
            rss, threads = _status(pid)
            kinds = _fd_kinds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue  # a connection process that ended during the scan
        row["procs"] += 1
        row["tasks"] += threads  # Threads: counts the main thread too
        row["rss_kb"] += rss
        row[f"{role}_rss_kb"] += rss
        row[f"{role}_fds"] += len(kinds)
        if role == "main":
            row["main_tasks"] = threads
        for kind in kinds:
            row[kind] += 1
        row["fds"] += len(kinds)
    return row


class Sampler:
    """Samples every interval_s in a thread, from start() until stop()."""

    def __init__(self, root_pid, csv_path, interval_s=1.0):
        self.root_pid, self.interval_s = root_pid, interval_s
        self.rows = []
        self._file = open(csv_path, "w", newline="", encoding="utf-8")
        self._csv = csv.DictWriter(self._file, FIELDS)
        self._csv.writeheader()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._t0 = None

    def start(self):
        self._t0 = time.monotonic()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._file.close()

    def _loop(self):
        tick = self._t0
        while True:
            row = take(self.root_pid)
            if row["procs"] == 0:
                return  # the daemon is gone; the run reports that
            row["t_s"] = round(time.monotonic() - self._t0, 2)
            self.rows.append(row)
            self._csv.writerow(row)
            self._file.flush()
            tick += self.interval_s  # a fixed grid, whatever a scan costs
            if self._stop.wait(max(0.0, tick - time.monotonic())):
                return
