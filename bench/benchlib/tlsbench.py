"""Issue 21's table: per model, http over TLS 1.3 beside nginx on the same
certificate, from the same run: server CPU per keep-alive request and its
p99 (https-c50), server CPU per full handshake (https-conn), each as a
ratio to nginx's; and what TLS adds to a plain request when http-c50 ran
too."""

from .plan import MODELS
from .tables import fmt_cpu, fmt_rate, fmt_us

NGINX = "nginx-1-tls"
NGINX_PLAIN = "nginx-1"


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def _figures(cells, key, plain_key):
    """One row's cells: https-c50, https-conn and the plain http-c50 twin."""
    return cells.get(("https-c50", key)), cells.get(("https-conn", key)), cells.get(("http-c50", plain_key))


def _row(label, figures, nginx):
    keep, conn, plain = figures
    ref_keep, ref_conn, _ = nginx
    row = [label]
    row += [fmt_rate(keep.rate) if keep else "–", fmt_cpu(keep.cpu) if keep else "–",
            fmt_cpu(keep.user) if keep else "–", _ratio(keep and keep.cpu, ref_keep and ref_keep.cpu),
            fmt_us(keep.p99) if keep else "–", _ratio(keep and keep.p99, ref_keep and ref_keep.p99)]
    row += [fmt_cpu(plain.cpu) if plain else "–", _ratio(keep and keep.cpu, plain and plain.cpu)]
    row += [fmt_rate(conn.rate) if conn else "–", fmt_cpu(conn.cpu) if conn else "–",
            fmt_cpu(conn.user) if conn else "–", _ratio(conn and conn.cpu, ref_conn and ref_conn.cpu),
            f"{_median(conn.tickets):.1f}" if conn and conn.tickets else "–"]
    return row


def comparison(cells, scenarios):
    """(header, rows): a row per model with any TLS figure, then nginx's."""
    header = ["server", "https-c50 req/s", "CPU µs/req", "user", "÷ nginx", "p99", "÷ nginx",
              "plain http-c50 CPU µs/req", "TLS ÷ plain", "https-conn conns/s", "CPU µs/handshake", "user",
              "÷ nginx", "tickets/conn"]
    nginx = _figures(cells, NGINX, NGINX_PLAIN)
    rows = []
    for model in MODELS:
        figures = _figures(cells, f"https-{model}", f"http-{model}")
        if figures[0] or figures[1]:
            rows.append(_row(f"netcookd {model}", figures, nginx))
    if nginx[0] or nginx[1]:
        rows.append(_row("nginx 1 worker", nginx, nginx))
    return header, rows


def _median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


INTRO = ("Medians of the scenario tables, from the same run; ÷ nginx: the ratio to nginx with 1 worker on the "
         "same certificate (ECDSA P-256, TLS 1.3 only, sessions at both servers' defaults: two stateless "
         "tickets per handshake); user: the user-space "
         "part of the CPU (what is not the kernel's: with kernel TLS, record encryption would move out of "
         "it); the targets are epoll "
         "and coroutine at most 1.0x per keep-alive request and 1.1x per handshake. https-c50: wrk over "
         "https, 50 keep-alive connections, so nearly every request is record encryption, not handshakes. "
         "plain http-c50: the same listener's model without TLS, when http-c50 ran too (nginx: its plain "
         "1-worker server). https-conn: netcook-httpsload, each connection a full handshake (ECDHE P-256, "
         "never resumed) and one GET with `Connection: close`: its CPU per handshake is everything the "
         "server spent per connection. tickets/conn: NewSessionTicket messages the server sent per "
         "connection (the client drops them; each costs the server an encryption).")
