"""A server's memory, summed over its process tree, from /proc.

RSS counts every page a process has mapped, so a forked child's pages
shared with its parent count once per process; PSS divides each shared page
among its sharers, and Private counts pages no other process maps. For one
process the three differ only by shared library pages.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Memory:
    processes: int = 0
    threads: int = 0
    rss_kib: int = 0
    pss_kib: int = 0
    private_kib: int = 0

    def minus(self, other):
        return Memory(*(a - b for a, b in zip(vars(self).values(), vars(other).values())))


def descendants(pid):
    """pid and every live process below it."""
    children = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
            ppid = int(text[text.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _fields(path, names):
    values = dict.fromkeys(names, 0)
    for line in Path(path).read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in values:
            values[key] = int(rest.split()[0])
    return values


def tree_memory(pid):
    """Memory of pid and everything below it; processes that end while
    being read are left out."""
    total = Memory()
    for member in descendants(pid):
        try:
            status = _fields(f"/proc/{member}/status", ("VmRSS", "Threads"))
            rollup = _fields(f"/proc/{member}/smaps_rollup",
                             ("Pss", "Private_Clean", "Private_Dirty"))
        except (OSError, ValueError):
            continue
        total.processes += 1
        total.threads += status["Threads"]
        total.rss_kib += status["VmRSS"]
        total.pss_kib += rollup["Pss"]
        total.private_kib += rollup["Private_Clean"] + rollup["Private_Dirty"]
    return total


def kernel_kib():
    """Slab plus TCP socket buffer memory, system-wide: both ends of every
    connection, and whatever else the machine does meanwhile."""
    slab = _fields("/proc/meminfo", ("Slab",))["Slab"]
    sockstat = Path("/proc/net/sockstat").read_text()
    match = re.search(r"^TCP:.* mem (\d+)", sockstat, re.M)
    pages = int(match.group(1)) if match else 0
    return slab + pages * os.sysconf("SC_PAGE_SIZE") // 1024


def listen_queue(port):
    """Connections waiting in the accept queue of the listener on port
    (any address), or None if no such listener is found."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return int(queues.split(":")[1], 16)  # rx_queue: the accept backlog
    return None
