#!/usr/bin/env python3
"""Runs the real daemon under strace and checks that the sandbox of the
built netcookd.service would let it do what it did.

systemd denies a filtered system call with EPERM (SystemCallErrorNumber=),
so a call outside SystemCallFilter= does not crash the daemon under
systemd: some feature just fails in production. Nothing else runs the
daemon under the unit before the packaging end-to-end test, hence this
audit. The daemon serves every protocol under every model (plus a unix
socket and an IPv6 listener), each listener is used once, the configuration is
reloaded with one listener's model changed and the daemon is stopped with
SIGTERM, with NOTIFY_SOCKET and WATCHDOG_USEC set so sd_notify runs too.
Checked, from every process of the daemon (fork master and children too):
 - every system call is in the unit's SystemCallFilter= (expanded with
   `systemd-analyze syscall-filter`),
 - every socket(2) family is in RestrictAddressFamilies=,
 - no writable and executable mapping, and no mprotect(PROT_EXEC), when
   MemoryDenyWriteExecute=yes.
Not covered: the journal sink (the daemon logs to stderr here so that the
test can read it).

usage: syscall_audit.py NETCOOKD_SERVICE NETCOOKD_BINARY
Exits 77 (skipped) without strace or systemd-analyze, or when ptrace is
not permitted.
"""

import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MODELS = ["fork", "thread", "select", "epoll", "coroutine", "io_uring"]
PROTOCOLS = ["echo", "chat", "http"]
EXTRA_LISTENERS = ["unix-echo", "v6-echo"]  # echo listeners on other families
TIMEOUT = 20.0  # seconds for any one wait; generous for loaded CI machines


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(77)


def unit_settings(path):
    """The [Service] assignments of a unit file, in order, as (key, value)."""
    settings = []
    section = None
    with open(path) as unit:
        for line in unit:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                settings.append((key.strip(), value.strip()))
    return settings


def syscall_groups():
    """Every @group of systemd-analyze syscall-filter, expanded to names."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"],
                         check=True, capture_output=True, text=True).stdout
    # Group headers (@name) start at the margin, their members and comments
    # are indented; a comment at the margin (the list of calls in no group)
    # ends the groups.
    raw, current = {}, None
    for line in out.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not line.startswith(" "):
            current = stripped if stripped.startswith("@") else None
            if current:
                raw[current] = []
        elif current is not None and not stripped.startswith("#"):
            raw[current].append(stripped)

    expanded = {}

    def expand(group):
        if group not in expanded:
            names = set()
            for item in raw.get(group, []):
                names |= expand(item) if item.startswith("@") else {item}
            expanded[group] = names
        return expanded[group]

    for group in raw:
        expand(group)
    return expanded


def allowed_syscalls(settings, groups):
    """Applies SystemCallFilter= lines the way systemd does: the first line
    decides allow list or deny list, later lines add or remove."""
    allowed, mode = None, None
    for key, value in settings:
        if key != "SystemCallFilter":
            continue
        deny = value.startswith("~")
        items = value.lstrip("~").split()
        names = set()
        for item in items:
            names |= groups[item] if item.startswith("@") else {item}
        if mode is None:
            mode = "deny" if deny else "allow"
            allowed = set() if mode == "allow" else None
        if mode == "allow":
            allowed = (allowed - names) if deny else (allowed | names)
        else:
            raise SystemExit("deny-list-only SystemCallFilter= is not supported by this audit")
    return allowed


def allowed_families(settings):
    families = None
    for key, value in settings:
        if key != "RestrictAddressFamilies":
            continue
        if value == "":
            families = None
        elif value.startswith("~"):
            raise SystemExit("deny-list RestrictAddressFamilies= is not supported by this audit")
        else:
            families = (families or set()) | set(value.split())
    return families


class Daemon:
    """netcookd under strace -f, its stderr read line by line."""

    def __init__(self, binary, config, trace, env):
        def lower_nofile():
            # Soft below hard, so that raise_fd_limit() really calls setrlimit.
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))

        self.process = subprocess.Popen(
            ["strace", "-f", "-qq", "-s", "0", "-o", trace, binary, "-c", config],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env, preexec_fn=lower_nofile)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stderr, selectors.EVENT_READ)
        self.buffer = b""
        self.lines = []

    def wait_for(self, pattern):
        """Reads stderr until a line matches pattern; returns the match."""
        deadline = time.monotonic() + TIMEOUT
        regex = re.compile(pattern)
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                text = line.decode(errors="replace")
                self.lines.append(text)
                match = regex.search(text)
                if match:
                    return match
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise AssertionError(f"no line matching {pattern!r} within {TIMEOUT} s; "
                                     "stderr so far:\n" + "\n".join(self.lines[-20:]))
            chunk = os.read(self.process.stderr.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"daemon exited before a line matching {pattern!r}; "
                                     "stderr:\n" + "\n".join(self.lines[-20:]))
            self.buffer += chunk

    def pid(self):
        # strace runs the daemon as its only child.
        children = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # "pid (comm) state ppid ...": comm may hold spaces.
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.process.pid:
                children.append(entry)
        if len(children) != 1:
            raise AssertionError(f"expected one daemon under strace, found {children}")
        return int(children[0])

    def signal(self, number):
        os.kill(self.pid(), number)

    def kill(self):
        """After a failure: SIGKILL to the daemon (its fork master and
        connection processes die with it: PR_SET_PDEATHSIG), then strace."""
        if self.process.poll() is None:
            try:
                self.signal(signal.SIGKILL)
            except (AssertionError, ProcessLookupError):
                self.process.kill()
        self.process.wait()

    def finish(self):
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("daemon did not stop within the timeout")
        return self.process.returncode


def exchange(address, send, until):
    """Connects, sends, and reads until `until` (bytes) appears."""
    if address.startswith("/"):
        family, target = socket.AF_UNIX, address
    else:
        host, port = address.rsplit(":", 1)
        family = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
        target = (host.strip("[]"), int(port))
    with socket.socket(family, socket.SOCK_STREAM) as client:
        client.settimeout(TIMEOUT)
        client.connect(target)
        client.sendall(send)
        received = b""
        while until not in received:
            chunk = client.recv(65536)
            if not chunk:
                break
            received += chunk
        if until not in received:
            raise AssertionError(f"{address}: expected {until!r}, got {received[:200]!r}")


def use_listener(protocol, address):
    if protocol == "echo":
        exchange(address, b"audit\n", b"audit\n")
    elif protocol == "chat":
        exchange(address, b"auditor\nhello\n/who\n", b"online: auditor")
    else:
        exchange(address, b"GET / HTTP/1.1\r\nHost: audit\r\nConnection: close\r\n\r\n",
                 b"audit page")


def write_config(path, root, socket_path, fork_model):
    lines = ["log:", "  level: debug", "  target: stderr", "listeners:"]
    for protocol in PROTOCOLS:
        for model in MODELS:
            lines += [f"  - name: {protocol}-{model}", f"    protocol: {protocol}",
                      f"    model: {fork_model if (protocol, model) == ('echo', 'fork') else model}",
                      "    listen: 127.0.0.1:0"]
            if protocol == "http":
                lines += ["    http:", f"      root: {root}"]
    lines += ["  - name: unix-echo", "    protocol: echo", "    model: epoll",
              f"    listen: unix:{socket_path}",
              "  - name: v6-echo", "    protocol: echo", "    model: thread",
              "    listen: '[::1]:0'"]
    with open(path, "w") as config:
        config.write("\n".join(lines) + "\n")


def traced_calls(trace_path):
    """(name, arguments) of every system call in strace's output. A call
    interrupted by another process's line is printed as "name(args
    <unfinished ...>" and later "<... name resumed>": the first line has
    the name and the arguments, the second is skipped."""
    call = re.compile(r"^\d+\s+([a-z0-9_]+)\((.*)")
    calls = []
    with open(trace_path) as trace:
        for line in trace:
            match = call.match(line)
            if match:
                calls.append((match.group(1), match.group(2)))
    return calls


def main():
    service, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    for tool in ("strace", "systemd-analyze"):
        if shutil.which(tool) is None:
            skip(f"{tool} not found")
    if subprocess.run(["strace", "-qq", "-o", "/dev/null", "true"]).returncode != 0:
        skip("strace cannot trace here (ptrace not permitted?)")

    settings = unit_settings(service)
    allowed = allowed_syscalls(settings, syscall_groups())
    families = allowed_families(settings)
    mdwe = ("MemoryDenyWriteExecute", "yes") in settings
    if allowed is None:
        raise SystemExit(f"{service} has no SystemCallFilter= allow list to audit against")

    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "www")
        os.mkdir(root)
        with open(os.path.join(root, "index.html"), "w") as page:
            page.write("<p>audit page</p>\n")
        config = os.path.join(work, "netcookd.yaml")
        socket_path = os.path.join(work, "echo.sock")
        write_config(config, root, socket_path, "fork")

        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(work, "notify"))
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(work, "notify"),
                   WATCHDOG_USEC="2000000")
        trace = os.path.join(work, "trace")
        daemon = Daemon(binary, config, trace, env)
        try:
            addresses = {}
            pattern = r"listener ([a-z0-9_-]+): [a-z]+/[a-z_]+ on (\S+)"
            while len(addresses) < len(PROTOCOLS) * len(MODELS) + len(EXTRA_LISTENERS):
                match = daemon.wait_for(pattern)
                addresses[match.group(1)] = match.group(2).removeprefix("unix:")
            daemon.wait_for(r"ready: ")
            notify.settimeout(TIMEOUT)
            while b"READY=1" not in notify.recv(4096):
                pass

            def use_all():
                for protocol in PROTOCOLS:
                    for model in MODELS:
                        use_listener(protocol, addresses[f"{protocol}-{model}"])
                for name in EXTRA_LISTENERS:
                    use_listener("echo", addresses[name])

            use_all()
            write_config(config, root, socket_path, "thread")  # echo-fork changes model
            daemon.signal(signal.SIGHUP)
            daemon.wait_for(r"reload done: .*1 changed")
            # The changed listener's line came just before "reload done".
            for line in reversed(daemon.lines):
                match = re.search(r"listener echo-fork: echo/thread on (\S+)", line)
                if match:
                    addresses["echo-fork"] = match.group(1)
                    break
            else:
                raise AssertionError("no start-up line for the reloaded echo-fork")
            use_all()
            daemon.signal(signal.SIGTERM)
            daemon.wait_for(r"\bstopped\b")
            status = daemon.finish()
        except BaseException:
            daemon.kill()
            raise
        finally:
            notify.close()
        if status != 0:
            raise AssertionError(f"daemon exited with status {status}")

        calls = traced_calls(trace)
    names = sorted({name for name, _ in calls})
    problems = []
    for name in names:
        if name not in allowed:
            problems.append(f"system call {name} is not allowed by SystemCallFilter=")
    if families is not None:
        for name, args in calls:
            if name in ("socket", "socketpair"):
                family = args.split(",", 1)[0]
                if family not in families:
                    problems.append(f"{name}({family}, ...) is not allowed by "
                                    "RestrictAddressFamilies=")
    if mdwe:
        for name, args in calls:
            if name == "mmap" and "PROT_WRITE" in args and "PROT_EXEC" in args or \
               name in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in args:
                problems.append(f"{name}({args.strip()[:80]}) breaks MemoryDenyWriteExecute=")

    print(f"traced {len(calls)} system calls of {len(names)} kinds: {' '.join(names)}")
    used_families = sorted({args.split(",", 1)[0] for name, args in calls
                            if name in ("socket", "socketpair")})
    print(f"socket families: {' '.join(used_families)}")
    for problem in sorted(set(problems)):
        print(f"FAIL: {problem}")
    if problems:
        sys.exit(1)
    print(f"ok: every one is allowed by {os.path.basename(service)}")


if __name__ == "__main__":
    main()
