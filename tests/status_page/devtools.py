"""Headless Chromium driven over the DevTools protocol, stdlib only: the
browser started with --remote-debugging-port=0 (it writes the port it
picked into DevToolsActivePort in its profile folder), and a minimal
WebSocket client (RFC 6455: masked text frames out, fragmented and large
frames in, pings answered) for the page target's JSON-RPC."""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

TIMEOUT = 20.0


class WebSocket:
    def __init__(self, url, timeout=TIMEOUT):
        assert url.startswith("ws://")
        hostport, _, path = url[len("ws://"):].partition("/")
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.pending = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"WebSocket handshake refused: {head[:200]!r}")

    def _read(self, count):
        while len(self.pending) < count:
            chunk = self.sock.recv(max(65536, count - len(self.pending)))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.pending += chunk
        data, self.pending = self.pending[:count], self.pending[count:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        mask = os.urandom(4)  # a client must mask every frame
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def receive(self):
        """The next whole text message."""
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else None
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:    # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self):
        self.sock.close()


class ScriptError(ValueError):
    """A script evaluated in the page threw."""


class Page:
    """One page target: call(method, params) waits for its own reply; the
    events in between are kept in `events` ((method, params) pairs)."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, timeout=TIMEOUT):
        self.next_id += 1
        self.ws.sock.settimeout(timeout)
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self.events.append((reply["method"], reply.get("params", {})))

    def navigate(self, url, timeout=TIMEOUT):
        """Loads url and returns once its load event has fired."""
        self.call("Page.enable")
        self.call("Runtime.enable")  # for exceptions()
        self.events.clear()
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise AssertionError(f"cannot load {url}: {result['errorText']}")
        deadline = time.monotonic() + timeout
        while not any(method == "Page.loadEventFired" for method, _ in self.events):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{url}: no load event within {timeout} s")
            self.ws.sock.settimeout(left)
            try:
                message = json.loads(self.ws.receive())
            except socket.timeout:
                raise AssertionError(f"{url}: no load event within {timeout} s") from None
            if "method" in message:
                self.events.append((message["method"], message.get("params", {})))

    def exceptions(self):
        """What the page's scripts threw and did not catch, so far."""
        return [params.get("exceptionDetails", {}).get("exception", {}).get("description")
                or params.get("exceptionDetails", {}).get("text")
                for method, params in self.events if method == "Runtime.exceptionThrown"]

    def evaluate(self, expression):
        """The value of a JavaScript expression (JSON-able)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise ScriptError(f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def screenshot(self, path, bottom_selector="footer"):
        """A PNG of the page down to the bottom of bottom_selector."""
        width, height = self.evaluate(
            f"[innerWidth, Math.ceil(document.querySelector('{bottom_selector}')"
            ".getBoundingClientRect().bottom + scrollY + 4)]")
        data = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        with open(path, "wb") as png:
            png.write(base64.b64decode(data["data"]))

    def close(self):
        self.ws.close()


class Chromium:
    """chromium --headless with its own temporary profile."""

    def __init__(self, binary, width=1280, height=860):
        self.profile = tempfile.mkdtemp(prefix="netcook-chromium-")
        arguments = [binary, "--headless", f"--user-data-dir={self.profile}",
                     "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                     "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                     "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--mute-audio",
                     "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--hide-scrollbars", "about:blank"]
        # Without its sandbox: Chromium refuses to sandbox as root, and as
        # another user in a container it needs user namespaces the
        # container may not give. It only loads our own page from loopback.
        arguments.insert(1, "--no-sandbox")
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.port = self._devtools_port()

    def _devtools_port(self):
        active = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with open(active) as f:
                    port = f.readline().strip()
                if port:
                    return int(port)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)  # polling a file chromium writes; nothing to wait on
        raise AssertionError(f"chromium wrote no DevToolsActivePort within {TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode(errors="replace")
        except OSError:
            return ""

    def page(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=TIMEOUT) as r:
            targets = json.load(r)
        for target in targets:
            if target.get("type") == "page":
                return Page(target["webSocketDebuggerUrl"])
        raise AssertionError(f"chromium has no page target: {targets}")

    def close(self):
        """Ends the browser: Browser.close, so that it stops its helper
        processes itself; failing that, by its PID (SIGTERM, then
        SIGKILL). Then removes its profile."""
        if self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version",
                                            timeout=TIMEOUT) as r:
                    browser = Page(json.load(r)["webSocketDebuggerUrl"])
                try:
                    browser.call("Browser.close", timeout=5)
                finally:
                    browser.close()
            except (OSError, ConnectionError, RuntimeError, ValueError, KeyError):
                pass  # the signals below
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.log.close()
        # A helper process may still write into the profile for a moment.
        deadline = time.monotonic() + 5
        while os.path.exists(self.profile) and time.monotonic() < deadline:
            shutil.rmtree(self.profile, ignore_errors=True)
            if os.path.exists(self.profile):
                time.sleep(0.1)
