"""wrk's command line and what it prints: requests/s, the latency
distribution (--latency), bytes read and errors."""

import re

WRK_TIMEOUT_S = 10  # a response slower than this is a timeout, not a latency: keep it rare

_UNIT_US = {"us": 1, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
_UNIT_B = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_TOTALS = re.compile(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def argv(wrk, threads, conns, addr, duration_s, scheme="http"):
    """scheme https: wrk's OpenSSL client, one handshake per connection,
    then keep-alive requests as over http."""
    return [wrk, "-t", str(threads), "-c", str(conns), "-d", f"{duration_s}s",
            "--timeout", f"{WRK_TIMEOUT_S}s", "--latency", f"{scheme}://{addr}/"]


def parse(text):
    """wrk's report as a dict (latencies in µs), or None if it has no rate."""
    rate = _RATE.search(text)
    totals = _TOTALS.search(text)
    if rate is None or totals is None:
        return None
    result = {
        "requests_per_s": float(rate.group(1)),
        "requests": int(totals.group(1)),
        "duration_s": float(totals.group(2)) * _UNIT_US[totals.group(3)] / 1e6,
        "bytes_read": float(totals.group(4)) * _UNIT_B[totals.group(5)],
    }
    for pct, value, unit in _PERCENTILE.findall(text):
        result[f"p{pct}_us"] = float(value) * _UNIT_US[unit]
    socket = _SOCKET.search(text)
    errors = [int(n) for n in socket.groups()] if socket else [0, 0, 0, 0]
    result.update(zip(("connect_errors", "read_errors", "write_errors", "timeouts"), errors))
    non_2xx = _NON_2XX.search(text)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return result


def problems(result):
    """What went wrong in a run, '' when nothing did."""
    keys = ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx")
    return ", ".join(f"{k}={result[k]:,}" for k in keys if result.get(k))
