"""What the load did and what went wrong, shared by every load thread."""

import threading
import time
from collections import Counter

KEEP_PROBLEMS = 50  # the first ones are explained in the report; all are counted


class Tally:
    def __init__(self):
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self.ops = Counter()       # (listener, kind) -> checks that passed
        self.failures = Counter()  # (listener, kind) -> checks that failed
        self.runs = Counter()      # (listener, tool) -> tool runs
        self.problems = []         # (t_s, listener, kind, text), the first KEEP_PROBLEMS

    def ok(self, listener, kind, n=1):
        with self._lock:
            self.ops[(listener, kind)] += n

    def ran(self, listener, tool):
        with self._lock:
            self.runs[(listener, tool)] += 1

    def fail(self, listener, kind, text, n=1):
        with self._lock:
            self.failures[(listener, kind)] += n
            if len(self.problems) < KEEP_PROBLEMS:
                self.problems.append((round(time.monotonic() - self._t0, 1), listener, kind, text))

    def total_failures(self):
        with self._lock:
            return sum(self.failures.values())
