"""Short runs of the load tools, looped: netcook-echoload (pingpong and
connect churn), netcook-chatload (members join, talk at a set rate, leave)
and wrk (keep-alive, a new connection per request, and 404s). Every run
ends by itself; its exit status and its error fields count as failures."""

import json
import subprocess

from benchlib.wrk import parse as parse_wrk
from benchlib.process import started

RUN_GRACE_S = 30  # beyond a run's own length: a hung tool is killed and counted

# Fields of the tools' --json output that must be 0.
ECHO_BAD = ("mismatches", "errors", "connect_failures", "failures")
CHAT_BAD = ("lost", "out_of_order", "duplicates", "unexpected", "errors", "connect_failures", "join_failures")
WRK_BAD = ("connect_errors", "read_errors", "write_errors", "timeouts")


def _run(argv, length_s):
    """(exit status, stdout, stderr); Popen so Ctrl-C cleanup can find it."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    started[proc.pid] = proc
    try:
        out, err = proc.communicate(timeout=length_s + RUN_GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, out, f"killed after {length_s + RUN_GRACE_S} s; " + err
    finally:
        started.pop(proc.pid, None)
    return proc.returncode, out, err


def _json_run(tally, listener, kind, argv, length_s, bad_fields, count_field):
    status, out, err = _run(argv, length_s)
    tally.ran(listener.name, kind)
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    bad = {k: result[k] for k in bad_fields if result and result.get(k)}
    if status != 0 or result is None or bad:
        why = ", ".join(f"{k}={v}" for k, v in bad.items()) or f"exit status {status}"
        tally.fail(listener.name, kind, f"{why}; {err.strip().splitlines()[0] if err.strip() else 'no stderr'}",
                   max(1, sum(bad.values())))
    if result:
        tally.ok(listener.name, kind, int(result.get(count_field) or 0))


def echo_burst(paths, tally, listener, seconds):
    """pingpong on 3 connections, then connect churn with 2 in flight."""
    base = [str(paths.echoload)]
    common = ["-a", listener.addr, "--warmup", "0", "--timeout", "10", "--json"]
    _json_run(tally, listener, "echoload pingpong",
              base + ["pingpong", "-c", "3", "-s", "256", "-d", str(seconds)] + common,
              seconds, ECHO_BAD, "msgs")
    _json_run(tally, listener, "echoload connect",
              base + ["connect", "-c", "2", "-s", "64", "-d", str(seconds)] + common,
              seconds, ECHO_BAD, "connects")


def chat_run(paths, tally, listener, seconds, rate):
    """6 members join, 3 of them talk at `rate` lines/s in all, all leave."""
    argv = [str(paths.chatload), "-a", listener.addr, "--names", "-c", "6", "-S", "3", "--rate", str(rate),
            "-d", str(seconds), "--warmup", "0", "--drain", "3", "--timeout", "10", "--json"]
    _json_run(tally, listener, "chatload", argv, seconds + 30, CHAT_BAD, "delivered")


def _wrk(paths, tally, listener, kind, seconds, path, extra, want_status_ok):
    argv = [paths.wrk, "-t1", "-c", "2", "-d", f"{seconds}s", "--timeout", "10s", *extra,
            f"http://{listener.addr}{path}"]
    status, out, err = _run(argv, seconds)
    tally.ran(listener.name, kind)
    result = parse_wrk(out)
    if status != 0 or result is None:
        tally.fail(listener.name, kind, f"wrk exit status {status}: {(err or out).strip()[-200:]}")
        return
    bad = {k: result[k] for k in WRK_BAD if result.get(k)}
    non_2xx = result["non_2xx"]
    if want_status_ok and non_2xx:
        bad["non_2xx"] = non_2xx
    elif not want_status_ok and non_2xx != result["requests"]:
        bad["2xx_where_404_expected"] = result["requests"] - non_2xx
    if bad:
        tally.fail(listener.name, kind, ", ".join(f"{k}={v}" for k, v in bad.items()), sum(bad.values()))
    tally.ok(listener.name, kind, result["requests"] - sum(bad.values()))


def http_burst(paths, tally, listener, seconds):
    """wrk: keep-alive, then a new connection per request, then 404s."""
    _wrk(paths, tally, listener, "wrk keep-alive", seconds, "/", [], True)
    _wrk(paths, tally, listener, "wrk close", seconds, "/style.css", ["-H", "Connection: close"], True)
    _wrk(paths, tally, listener, "wrk 404", seconds, "/no-such-file", [], False)
