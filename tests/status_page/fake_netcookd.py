#!/usr/bin/env python3
"""A stand-in for netcookd, for working on the status page and on the
tests in tests/status_page and tests/prometheus without building the
daemon: it reads the small configurations those tests write (echo
and chat listeners, and http listeners with `status: true`), logs the lines they
wait for ("listener NAME: P/M on ADDRESS", "ready: N listeners"), echoes,
and serves the page (daemon/proto/http/status_page.html), /status.json
(the schema of the real daemon) and /metrics (Prometheus text) with the
echo listeners' real counts. Not a test of netcookd, and no test runs it;
by hand:

    NETCOOKD_BIN=tests/status_page/fake_netcookd.py tests/status_page/run
    tests/status_page/fake_netcookd.py --demo -c CONFIG   # with made-up load

--demo adds a chat and an http listener with made-up, changing figures,
for looking at the page. SIGTERM stops it."""

import argparse
import http.server
import json
import os
import random
import resource
import signal
import socket
import socketserver
import sys
import threading
import time

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "..", "daemon", "proto", "http", "status_page.html")
START = time.time()
LOCK = threading.Lock()


def log(text):
    sys.stderr.write(time.strftime("%H:%M:%S ") + text + "\n")
    sys.stderr.flush()


def read_config(path):
    """The listeners of a configuration in the tests' own simple layout."""
    listeners, current = [], None
    for raw in open(path):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("- name:"):
            current = {"name": stripped.split(":", 1)[1].strip(), "status": False}
            listeners.append(current)
        elif current is not None and ":" in stripped:
            key, value = (part.strip() for part in stripped.split(":", 1))
            if key in ("protocol", "model"):
                current[key] = value
            elif key == "listen":
                current["listen"] = value
            elif key == "status":
                current["status"] = value == "true"
    return listeners


class Counters:
    def __init__(self, spec):
        self.spec = spec
        self.accepted = self.active = self.received = self.sent = 0
        self.closed = {}
        self.requests = {}
        self.cpu = 0.0
        self.chat = None

    def document(self):
        entry = {
            "name": self.spec["name"], "protocol": self.spec["protocol"],
            "model": self.spec["model"], "address": self.spec["address"],
            "connections": {"accepted": self.accepted, "active": self.active,
                            "closed": dict(self.closed), "refused": {}},
            "bytes": {"received": self.received, "sent": self.sent},
            "cpu_seconds": self.cpu,
            "connection_duration": {"count": sum(self.closed.values()), "sum_seconds": 0.0},
        }
        if self.spec["protocol"] == "http":
            entry["http"] = {"requests": dict(self.requests),
                             "request_duration": {"count": sum(self.requests.values()),
                                                  "sum_seconds": 0.0}}
        if self.spec["protocol"] == "chat":
            entry["chat"] = dict(self.chat or {"members": 0, "lines": 0, "deliveries": 0})
        return entry


COUNTERS = []


def status_document():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    with LOCK:
        listeners = sorted((c.document() for c in COUNTERS), key=lambda l: l["name"])
    return {
        "version": "0.0.0-fake", "pid": os.getpid(), "start_time": START, "now": time.time(),
        "reloads": {"ok": 0, "failed": 0},
        "process": {"cpu_seconds": usage.ru_utime + usage.ru_stime,
                    "resident_memory_bytes": rss, "open_fds": len(os.listdir("/proc/self/fd")),
                    "max_fds": resource.getrlimit(resource.RLIMIT_NOFILE)[0]},
        "listeners": listeners,
    }


def metrics_text():
    doc = status_document()
    out = ["# TYPE netcookd_connections_accepted_total counter",
           "# TYPE netcookd_received_bytes_total counter",
           "# TYPE netcookd_sent_bytes_total counter",
           "# TYPE netcookd_connections_active gauge"]
    for l in doc["listeners"]:
        label = f'{{listener="{l["name"]}"}}'
        out.append(f"netcookd_connections_accepted_total{label} {l['connections']['accepted']}")
        out.append(f"netcookd_connections_active{label} {l['connections']['active']}")
        out.append(f"netcookd_received_bytes_total{label} {l['bytes']['received']}")
        out.append(f"netcookd_sent_bytes_total{label} {l['bytes']['sent']}")
    return "\n".join(out) + "\n"


def serve_echo(counters):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            started = time.thread_time()
            with LOCK:
                counters.accepted += 1
                counters.active += 1
            try:
                while True:
                    data = self.request.recv(65536)
                    if not data:
                        break
                    with LOCK:
                        counters.received += len(data)
                    self.request.sendall(data)
                    with LOCK:
                        counters.sent += len(data)
            except OSError:
                pass
            with LOCK:
                counters.active -= 1
                counters.closed["peer_closed"] = counters.closed.get("peer_closed", 0) + 1
                counters.cpu += time.thread_time() - started

    return Handler


def serve_chat(counters):
    """Just enough of the chat protocol for the tests: a greeting, a name,
    a welcome; the member leaves when its connection ends."""
    counters.chat = {"members": 0, "lines": 0, "deliveries": 0}

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            with LOCK:
                counters.accepted += 1
                counters.active += 1
            joined = False
            try:
                self.wfile.write(b"* welcome to netcookd chat; send your name (/help for commands)\n")
                for line in self.rfile:
                    with LOCK:
                        counters.received += len(line)
                    if not joined and line.strip():
                        joined = True
                        with LOCK:
                            counters.chat["members"] += 1
                        self.wfile.write(b"* welcome " + line.strip() + b"@" +
                                         self.client_address[0].encode() + b", ...\n")
                    elif joined:
                        with LOCK:
                            counters.chat["lines"] += 1
            except OSError:
                pass
            with LOCK:
                counters.active -= 1
                if joined:
                    counters.chat["members"] -= 1
                counters.closed["peer_closed"] = counters.closed.get("peer_closed", 0) + 1

    return Handler


def serve_status(counters):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            started = time.thread_time()
            path = self.path.split("?", 1)[0]
            if path == "/":
                body, kind, code = open(PAGE, "rb").read(), "text/html; charset=utf-8", 200
            elif path == "/status.json":
                body, kind, code = json.dumps(status_document()).encode(), "application/json", 200
            elif path == "/metrics":
                body, kind, code = metrics_text().encode(), "text/plain; version=0.0.4", 200
            else:
                body, kind, code = b"not found\n", "text/plain", 404
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with LOCK:
                key = str(code)
                counters.requests[key] = counters.requests.get(key, 0) + 1
                counters.sent += len(body)
                counters.cpu += time.thread_time() - started

        def log_message(self, *args):
            pass

    return Handler


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def demo_load(stop):
    """Made-up figures for a chat and an http listener."""
    chat = Counters({"name": "chat", "protocol": "chat", "model": "coroutine",
                     "address": "127.0.0.1:7008"})
    web = Counters({"name": "web", "protocol": "http", "model": "thread",
                    "address": "[::]:8080"})
    # A room shared with other daemons through a bus: down for 10 s of
    # every minute, lines queueing meanwhile.
    chat.chat = {"members": 0, "lines": 0, "deliveries": 0,
                 "bus": {"up": True, "published": 0, "received": 0, "queued": 0,
                         "dropped": 0, "link_losses": 0}}
    with LOCK:
        COUNTERS.extend([chat, web])
    phase = 0.0
    while not stop.wait(0.25):
        phase += 0.02
        with LOCK:
            joins = random.randint(0, 2)
            chat.accepted += joins
            chat.active = max(0, min(40, chat.active + joins - random.randint(0, 2)))
            chat.chat["members"] = chat.active
            lines = random.randint(0, 6)
            chat.chat["lines"] += lines
            chat.chat["deliveries"] += lines * chat.active
            bus = chat.chat["bus"]
            up = time.time() % 60 >= 10
            if bus["up"] and not up:
                bus["link_losses"] += 1
            bus["up"] = up
            if up:
                bus["published"] += lines + bus["queued"]
                bus["received"] += 2 * lines + bus["queued"]
                bus["queued"] = 0
            else:
                bus["queued"] += lines
            chat.received += lines * 40
            chat.sent += lines * 40 * chat.active
            chat.cpu += lines * 4e-5
            hits = int(60 + 50 * (1 + __import__("math").sin(phase)) * random.random())
            web.accepted += hits // 4
            web.requests["200"] = web.requests.get("200", 0) + hits
            web.requests["404"] = web.requests.get("404", 0) + random.randint(0, 1)
            web.active = random.randint(3, 12)
            web.received += hits * 180
            web.sent += hits * 5200
            web.cpu += hits * 3.5e-5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    servers = []
    for spec in read_config(args.config):
        host, port = spec["listen"].rsplit(":", 1)
        counters = Counters(spec)
        if spec["status"]:
            handler = serve_status(counters)
        elif spec["protocol"] == "chat":
            handler = serve_chat(counters)
        else:
            handler = serve_echo(counters)
        server = Server((host.strip("[]"), int(port)), handler)
        spec["address"] = f"{host}:{server.server_address[1]}"
        with LOCK:
            COUNTERS.append(counters)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        log(f"listener {spec['name']}: {spec['protocol']}/{spec['model']} on {spec['address']}")
    if args.demo:
        threading.Thread(target=demo_load, args=(stop,), daemon=True).start()
    log(f"ready: {len(servers)} listeners")
    stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    log("stopped")


if __name__ == "__main__":
    main()
