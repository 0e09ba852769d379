"""What the script tests that start a real netcookd share (stdlib only):
the daemon as a child process whose log (stderr) is read line by line,
the listeners' addresses read from its "listener NAME: P/M on ADDRESS"
lines, HTTP GETs to its status listener, and bounded echo load with
known connection and byte counts.

Every wait is bounded by a deadline; nothing sleeps to synchronise."""

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import threading
import time
import urllib.request

TIMEOUT = 20.0  # seconds for any one wait; generous for loaded CI machines


def skip(reason):
    """Exit code 77: meson counts the test as skipped."""
    print(f"SKIP: {reason}", flush=True)
    raise SystemExit(77)


def free_loopback_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (for programs,
    like prometheus, that cannot report the port they picked)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_and_echo_config(path, echo_model="epoll", chat=False):
    """A configuration with a status listener and an echo listener (and a
    chat listener if asked) on ephemeral loopback ports, logging to stderr
    where the test reads it."""
    lines = ["log:", "  level: info", "  target: stderr",
             "listeners:",
             "  - name: echo", "    protocol: echo", f"    model: {echo_model}",
             "    listen: 127.0.0.1:0"]
    if chat:
        lines += ["  - name: chat", "    protocol: chat", "    model: coroutine",
                  "    listen: 127.0.0.1:0"]
    lines += ["  - name: status", "    protocol: http", "    model: epoll",
              "    listen: 127.0.0.1:0",
              "    http:", "      status: true"]
    with open(path, "w") as config:
        config.write("\n".join(lines) + "\n")


class Daemon:
    """netcookd -c CONFIG as a child; its stderr is read line by line."""

    def __init__(self, binary, config):
        self.process = subprocess.Popen(
            [binary, "-c", config], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stderr, selectors.EVENT_READ)
        self.buffer = b""
        self.lines = []
        self.addresses = {}

    def wait_for(self, pattern, timeout=TIMEOUT):
        """Reads the log until a line matches pattern; returns the match.
        Listener address lines seen on the way are remembered."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        address_line = re.compile(r"listener ([a-z0-9_-]+): [a-z]+/[a-z_]+ on (\S+)")
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                text = line.decode(errors="replace")
                self.lines.append(text)
                found = address_line.search(text)
                if found:
                    self.addresses[found.group(1)] = found.group(2)
                match = regex.search(text)
                if match:
                    return match
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise AssertionError(f"no log line matching {pattern!r} within {timeout} s "
                                     "(the log is above)")
            chunk = os.read(self.process.stderr.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"the daemon exited before a log line matching {pattern!r} "
                                     "(the log is above)")
            self.buffer += chunk

    def wait_ready(self):
        """Until the daemon says it is ready; returns {name: address}."""
        self.wait_for(r"\bready: ")
        return dict(self.addresses)

    def tail(self, count=30):
        """The last lines of the log, read to the end if the daemon has
        exited (a test prints them when it fails)."""
        if self.process.poll() is not None and not self.process.stderr.closed:
            rest = self.process.stderr.read()
            self.lines += (self.buffer + rest).decode(errors="replace").splitlines()
            self.buffer = b""
        return "\n".join(self.lines[-count:])

    def stop(self):
        """SIGTERM, then a bounded wait; SIGKILL if it does not stop.
        Returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("the daemon did not stop within the timeout")
        self.selector.close()
        self.process.stderr.close()
        return self.process.returncode

    def kill(self):
        """After a failure: SIGKILL by PID (the fork model's children die
        with it: PR_SET_PDEATHSIG)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def http_get(url, timeout=5.0):
    """(status, headers, body) of a GET; raises OSError when unreachable."""
    request = urllib.request.Request(url, headers={"Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until(what, predicate, timeout=TIMEOUT, poll=0.1):
    """Calls predicate until it returns a true value, bounded; returns it.
    `poll` paces the calls to a remote program (a page or a server that
    updates once a second), it does not order anything."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError, KeyError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise AssertionError(f"{what}: not within {timeout} s{detail}")
        time.sleep(poll)


def status_json(base_url):
    status, _, body = http_get(base_url + "/status.json")
    if status != 200:
        raise AssertionError(f"GET /status.json answered {status}")
    return json.loads(body)


def listener_of(document, name):
    for listener in document["listeners"]:
        if listener["name"] == name:
            return listener
    raise KeyError(f"no listener {name!r} in status.json")


def split_address(address):
    host, port = address.rsplit(":", 1)
    return host.strip("[]"), int(port)


def echo_exchange(address, payload):
    """One connection: sends payload, reads it back whole, closes."""
    with socket.create_connection(split_address(address), timeout=TIMEOUT) as client:
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        received = bytearray()
        while len(received) < len(payload):
            chunk = client.recv(65536)
            if not chunk:
                break
            received += chunk
    if bytes(received) != payload:
        raise AssertionError(f"echo at {address}: {len(received)} of {len(payload)} bytes came back")


def echo_load(address, connections, size, parallel=8):
    """`connections` echo exchanges of `size` bytes each, `parallel` at a
    time. Returns the bytes sent (each one is echoed back)."""
    payload = bytes((i * 7 + 3) % 256 for i in range(size))
    errors = []
    lock = threading.Lock()
    next_index = [0]

    def worker():
        while True:
            with lock:
                if next_index[0] >= connections or errors:
                    return
                next_index[0] += 1
            try:
                echo_exchange(address, payload)
            except (OSError, AssertionError) as error:
                with lock:
                    errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(min(parallel, connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise AssertionError(f"echo load: {errors[0]}")
    return connections * size


class HeldConnections:
    """`count` echo connections kept open (each has echoed one byte, so
    the daemon has surely accepted it) until close()."""

    def __init__(self, address, count):
        self.sockets = []
        try:
            for _ in range(count):
                client = socket.create_connection(split_address(address), timeout=TIMEOUT)
                self.sockets.append(client)
                client.sendall(b"h")
                if client.recv(1) != b"h":
                    raise AssertionError(f"echo at {address}: a held connection got no echo")
        except BaseException:
            self.close()
            raise

    def close(self):
        for client in self.sockets:
            client.close()
        self.sockets = []


class ChatMember:
    """A chat connection that has joined under `name`: the server's
    welcome for it has arrived, so the room counts it."""

    def __init__(self, address, name):
        self.sock = socket.create_connection(split_address(address), timeout=TIMEOUT)
        self.received = b""
        try:
            self._read_until(b"send your name")
            self.sock.sendall(name.encode() + b"\n")
            self._read_until(b"* welcome " + name.encode() + b"@")
        except BaseException:
            self.sock.close()
            raise

    def _read_until(self, text):
        while text not in self.received:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError(f"chat: connection closed before {text!r}; got {self.received!r}")
            self.received += chunk

    def close(self):
        self.sock.close()
