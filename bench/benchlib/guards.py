"""The echo-refuse scenario (issue 19: refusing costs little): the one
connection each guarded listener needs held open while the flood runs, and
the table that sets the server's CPU per refusal beside its CPU per
connection served."""

import contextlib
import socket

from .netaddr import split
from .plan import GUARDS, MODELS
from .tables import fmt_cpu, fmt_rate

SCENARIO = "echo-refuse"
HOLD_TIMEOUT_S = 3  # connect and one echo; a fork child on a busy machine takes a while

# Guards that refuse 127.0.0.1 only once it holds a connection
# (max_connections_per_source: 1) or has spent its token (connection_rate
# 1/h, burst 1): the run holds one admitted connection through the flood.
# The rate listener admits one per hour, so from the second run on the held
# one is refused too, which is as good.
HELD = {"per-source": True, "rate": False}  # guard: must the held connection be served


@contextlib.contextmanager
def held(target, addr):
    """Holds the connection target's guard needs while the body runs;
    yields what went wrong ('' when nothing did)."""
    if target.guard not in HELD:
        yield ""
        return
    host, port = split(addr)
    try:
        sock = socket.create_connection((host, port), timeout=HOLD_TIMEOUT_S)
    except OSError as e:
        yield f"could not open the held connection: {e}"
        return
    with sock:
        try:
            sock.sendall(b"x")
            served = sock.recv(1) == b"x"
        except OSError:
            served = False
        yield "" if served or not HELD[target.guard] else "the held connection was not served"


def _figure(cell):
    """'CPU µs (user µs)' of a cell's medians: the server's CPU per connection
    and, where the meter tells, the part of it in netcookd's own code."""
    if cell is None or cell.cpu is None:
        return "–"
    return fmt_cpu(cell.cpu) + (f" ({fmt_cpu(cell.user)})" if cell.user is not None else "")


def comparison(cells, scenario):
    """(header, rows): per model, server CPU per connection served and per
    refusal under each guard, and how many times cheaper a refusal is."""
    header = ["model", "served: µs/conn (user)"] + [f"{g}: µs/refusal (user)" for g in GUARDS]
    header += [f"{g}: refusals/s" for g in GUARDS[:1]] + [f"served ÷ {g}" for g in GUARDS]
    rows = []
    for model in MODELS:
        keys = [f"echo-{model}"] + [f"echo-{model}-{g}" for g in GUARDS]
        if not any(k in scenario.targets for k in keys):
            continue
        found = [cells.get((SCENARIO, k)) for k in keys]
        cpus = [c.cpu if c is not None else None for c in found]
        denied = found[1]
        row = [model] + [_figure(c) for c in found]
        row.append(fmt_rate(denied.rate) if denied is not None else "–")
        row += [f"{cpus[0] / cpu:.1f}×" if cpus[0] and cpu else "–" for cpu in cpus[1:]]
        rows.append(row)
    return header, rows


INTRO = ("Medians of the table above. Served: connect, send 1 byte, read its echo, close "
         "(echoload connect -s 1); refused: connect, send nothing, wait for the server to close, close "
         "with a reset (echoload refused); both 8 in flight from one client thread, from 127.0.0.1. "
         "µs: the server's CPU (its cgroup's usage_usec) per connection; in brackets the part in user "
         "space (user_usec): netcookd's own code, the rest being the kernel's accept, close and TCP work "
         "charged to it. served ÷ guard: CPU per connection served over CPU per refusal, i.e. how many "
         "refusals cost what one served connection does. The refusals/s are what one client thread "
         "made the server refuse; near 100% client CPU (table above), the client set that rate.")
