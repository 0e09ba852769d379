"""Paced clients on every listener for the whole run, in one asyncio loop:
they keep a steady, light load on all 15 listeners while the tools' bursts
rotate, and they send what the tools do not (404s, malformed requests, a
chat member that stays from start to end). Every check that fails counts."""

import asyncio
import os

TIMEOUT_S = 10  # an answer slower than this is a failure, not a latency
MALFORMED = b"GET / HTTP/1.1\r\nHost: soak\r\nthis line has no colon\r\n\r\n"


class Probes:
    def __init__(self, listeners, tally, www):
        self.listeners, self.tally = listeners, tally
        self.index = (www / "index.html").read_bytes()
        self.style_len = (www / "style.css").stat().st_size
        self.chat_lines = {}  # listener name -> lines the steady member received

    async def run(self, stop):
        """Until the asyncio.Event stop is set; then every probe ends."""
        tasks = []
        for listener in self.listeners:
            host, _, port = listener.addr.rpartition(":")
            where = (host.strip("[]"), int(port))
            if listener.protocol == "echo":
                tasks += [self._loop(stop, listener, "echo keep", self._echo_keep, where, 0.2),
                          self._loop(stop, listener, "echo keep", self._echo_keep, where, 0.2),
                          self._loop(stop, listener, "echo new conn", self._echo_new, where, 1.0)]
            elif listener.protocol == "http":
                tasks += [self._loop(stop, listener, "http keep-alive", self._http_keep, where, 0.3),
                          self._loop(stop, listener, "http new conn", self._http_new, where, 1.0),
                          self._loop(stop, listener, "http malformed", self._http_bad, where, 2.0)]
            else:
                tasks.append(self._chat_member(stop, listener, where))
        await asyncio.gather(*tasks)

    async def _loop(self, stop, listener, kind, body, where, pace_s):
        """body(where, stop, pace_s) runs again and again; each exception is
        one failure, and the next round starts on a new connection."""
        while not stop.is_set():
            try:
                await body(listener, where, stop, pace_s)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
                self.tally.fail(listener.name, kind, f"{type(e).__name__}: {e}")
                await _pause(stop, pace_s)

    async def _echo_keep(self, listener, where, stop, pace_s):
        """One connection for 50 round trips of 32 bytes, one every pace_s."""
        reader, writer = await _connect(where)
        try:
            for _ in range(50):
                message = os.urandom(32)
                writer.write(message)
                echoed = await asyncio.wait_for(reader.readexactly(len(message)), TIMEOUT_S)
                if echoed != message:
                    raise ValueError("echo differs from what was sent")
                self.tally.ok(listener.name, "echo keep")
                if await _pause(stop, pace_s):
                    return
        finally:
            writer.close()

    async def _echo_new(self, listener, where, stop, pace_s):
        reader, writer = await _connect(where)
        try:
            message = os.urandom(16)
            writer.write(message)
            if await asyncio.wait_for(reader.readexactly(16), TIMEOUT_S) != message:
                raise ValueError("echo differs from what was sent")
        finally:
            writer.close()
        self.tally.ok(listener.name, "echo new conn")
        await _pause(stop, pace_s)

    async def _http_keep(self, listener, where, stop, pace_s):
        """One keep-alive connection for 30 requests; every 5th is a 404."""
        reader, writer = await _connect(where)
        try:
            for n in range(30):
                missing = n % 5 == 4
                writer.write(_get("/soak-missing" if missing else "/", keep_alive=True))
                status, headers, body = await _response(reader)
                if missing and status != 404:
                    raise ValueError(f"GET /soak-missing: {status}, expected 404")
                if not missing and (status != 200 or body != self.index):
                    raise ValueError(f"GET /: {status}, or not index.html")
                if headers.get("connection") == "close":
                    raise ValueError("the server closed a keep-alive connection")
                self.tally.ok(listener.name, "http keep-alive")
                if await _pause(stop, pace_s):
                    return
        finally:
            writer.close()

    async def _http_new(self, listener, where, stop, pace_s):
        reader, writer = await _connect(where)
        try:
            writer.write(_get("/style.css", keep_alive=False))
            status, _, body = await _response(reader)
            if status != 200 or len(body) != self.style_len:
                raise ValueError(f"GET /style.css: {status}, {len(body)} bytes")
            if await asyncio.wait_for(reader.read(1), TIMEOUT_S) != b"":
                raise ValueError("no close after Connection: close")
        finally:
            writer.close()
        self.tally.ok(listener.name, "http new conn")
        await _pause(stop, pace_s)

    async def _http_bad(self, listener, where, stop, pace_s):
        """A header line without a colon: 400, then the server closes."""
        reader, writer = await _connect(where)
        try:
            writer.write(MALFORMED)
            status, _, _ = await _response(reader)
            if status != 400:
                raise ValueError(f"malformed request answered {status}, expected 400")
            if await asyncio.wait_for(reader.read(1), TIMEOUT_S) != b"":
                raise ValueError("no close after a 400")
        finally:
            writer.close()
        self.tally.ok(listener.name, "http malformed")
        await _pause(stop, pace_s)

    async def _chat_member(self, stop, listener, where):
        """Joins at the start and reads every line until the end: being cut
        off, or the server closing, is a failure."""
        kind = "chat steady member"
        self.chat_lines[listener.name] = 0
        try:
            reader, writer = await _connect(where)
            await asyncio.wait_for(reader.readline(), TIMEOUT_S)  # the greeting
            writer.write(f"soak-{listener.model}\n".encode())
            while not stop.is_set():
                read = asyncio.ensure_future(reader.readline())
                done, _ = await asyncio.wait({read, asyncio.ensure_future(stop.wait())},
                                             return_when=asyncio.FIRST_COMPLETED)
                if read not in done:
                    read.cancel()
                    break
                line = read.result()
                if not line.endswith(b"\n"):
                    raise ConnectionError("the server closed the connection")
                self.chat_lines[listener.name] += 1
            writer.close()
            self.tally.ok(listener.name, kind)
        except (OSError, asyncio.TimeoutError, ValueError) as e:
            self.tally.fail(listener.name, kind, f"{type(e).__name__}: {e}")


async def _pause(stop, seconds):
    """Waits up to seconds; True if the run is stopping."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return stop.is_set()


async def _connect(where):
    return await asyncio.wait_for(asyncio.open_connection(*where), TIMEOUT_S)


def _get(path, keep_alive):
    connection = "keep-alive" if keep_alive else "close"
    return f"GET {path} HTTP/1.1\r\nHost: soak\r\nConnection: {connection}\r\n\r\n".encode()


async def _response(reader):
    """(status, headers with lower-case names, body) of one response."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ValueError(f"not a status line: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await asyncio.wait_for(reader.readexactly(length), TIMEOUT_S) if length else b""
    return int(parts[1]), headers, body
