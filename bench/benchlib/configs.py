"""The configurations a run generates: one netcookd with every protocol x
model listener, nginx with 1 or 2 workers, and xinetd's internal echo."""

from .plan import FAST, TARGETS

BODY = "Hello from Epoll Server!\n"   # netcookd's default body; nginx returns the same
CONTENT_TYPE = "text/plain; charset=utf-8"  # netcookd's default content_type
KEEPALIVE_TIMEOUT_S = 65
KEEPALIVE_REQUESTS = 100000
# Chat flood control at its highest rate and burst (netcookd.yaml(5)): it
# never holds a member back, even at --rate max, yet every line still pays
# for its token check, so the figures include it. The default (10/s, burst
# 50) would measure the pacing, not the server.
CHAT_FLOOD = ["      rate: 1000000/s", "      burst: 1000000"]

# How each guarded listener (plan.GUARDS) refuses the load, which comes from
# 127.0.0.1: every connection denied; one held open by the run (guards.held)
# and every other over the limit; or, once the held one has spent the only
# token, no token for an hour. Echo's refusal is a close without a byte.
GUARDS = {
    "denied": ["    deny: [127.0.0.0/8]"],
    "per-source": ["    max_connections_per_source: 1"],
    "rate": ["    connection_rate: { per_source: 1/h, burst: 1 }"],
}


def _tls_keys(cert):
    """Issue 21: TLS 1.3 only, as nginx's `ssl_protocols TLSv1.3`; the rest
    netcookd's defaults."""
    return ["    tls:", f"      certificate: {cert.cert}", f"      key: {cert.key}", '      min_version: "1.3"']


def _listener(target, flood_keys, cert=None):
    protocol, model = target.listener.split("-")[:2]
    if target.tls:  # https-MODEL: http over TLS
        protocol = "http"
    workers = 2 if target.listener.endswith("-w2") else 1
    lines = [f"  - name: {target.listener}", f"    protocol: {protocol}", f"    model: {model}",
             "    listen: 127.0.0.1:0"]
    if model in FAST:
        lines.append(f"    workers: {workers}")
    if protocol == "echo":
        lines += ["    echo:", "      mode: raw"]
    lines += GUARDS.get(target.guard, [])
    if protocol == "http":
        lines += ["    http:", f"      keepalive_timeout: {KEEPALIVE_TIMEOUT_S}s", "      access_log: false"]
    if protocol == "chat" and flood_keys:
        lines += ["    chat:", *CHAT_FLOOD]
    if target.tls:
        lines += _tls_keys(cert)
    return "\n".join(lines)


def netcookd(listeners, flood_keys=True, cert=None):
    """One daemon, every listener on a port of its own (port 0: the daemon
    logs the one it got). Only one listener is loaded at a time, so the
    daemon's CPU during a run is that listener's. Without flood_keys, for a
    baseline from before chat flood control, which would refuse them. cert
    (benchlib.tls): the certificate of the TLS listeners, if any."""
    body = "\n".join(_listener(TARGETS[name], flood_keys, cert) for name in listeners)
    return f"""# Written by bench/run: every protocol x model listener in one daemon.
log:
  level: info
  target: stderr
defaults:
  shutdown_timeout: 1s
listeners:
{body}
"""


def _bus_listener(listener, redis_url):
    """chat-bus-MODEL: the model's room, bench-MODEL, on the bus. Each model
    has a room of its own, so a run loads one room and one listener per
    daemon; the other listeners stay idle."""
    model = listener.removeprefix("chat-bus-")
    lines = [f"  - name: {listener}", "    protocol: chat", f"    model: {model}", "    listen: 127.0.0.1:0"]
    if model in FAST:
        lines.append("    workers: 1")
    lines += ["    chat:", *CHAT_FLOOD, f"      room: bench-{model}", f"      bus: {redis_url}"]
    return "\n".join(lines)


def netcookd_bus(listeners, redis_url, side):
    """One of the two daemons of issue 20's set-up: every chat-bus-MODEL
    listener, on the private Redis at redis_url. Both daemons get the same
    listeners and rooms; the chat keys otherwise as chat-MODEL's."""
    body = "\n".join(_bus_listener(name, redis_url) for name in listeners)
    return f"""# Written by bench/run: daemon {side} of two sharing chat rooms through Redis.
log:
  level: info
  target: stderr
defaults:
  shutdown_timeout: 1s
listeners:
{body}
"""


def _nginx_tls(cert):
    """Issue 21: TLS 1.3 on the run's certificate; sessions as nginx has
    them by default (stateless tickets, two per TLS 1.3 handshake, as
    netcookd's OpenSSL defaults send): the same work per handshake. The
    load generator never resumes."""
    if cert is None:
        return "", ""
    return " ssl", f"""
        ssl_certificate {cert.cert};
        ssl_certificate_key {cert.key};
        ssl_protocols TLSv1.3;"""


def nginx(home, port, workers, cert=None):
    """A fixed 200 with netcookd's body and Content-Type, no access log,
    keep-alive on; everything it writes stays in home. With cert
    (benchlib.tls), over TLS 1.3 only."""
    temp = "\n".join(f"    {kind}_temp_path {home}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    ssl, ssl_keys = _nginx_tls(cert)
    return f"""# Written by bench/run: nginx with {workers} worker(s){" over TLS" if cert else ""}, next to netcookd.
daemon off;
master_process on;
worker_processes {workers};
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
        listen 127.0.0.1:{port}{ssl};{ssl_keys}
        location / {{
            default_type "{CONTENT_TYPE}";
            return 200 "{BODY.rstrip(chr(10))}\\n";
        }}
    }}
}}
"""


def xinetd(home, port):
    """xinetd's built-in echo (RFC 862), forked per connection. Its defaults
    would stop the connection-rate run: cps 50 per second, then the service
    is off for 10 s; instances and per_source are unlimited here."""
    return f"""# Written by bench/run: xinetd's internal echo service alone.
defaults
{{
    log_type = FILE {home}/xinetd.log
    instances = UNLIMITED
    per_source = UNLIMITED
    cps = 1000000 1
}}

service echo
{{
    type = INTERNAL UNLISTED
    id = echo-stream
    socket_type = stream
    protocol = tcp
    wait = no
    user = root
    bind = 127.0.0.1
    port = {port}
}}
"""
