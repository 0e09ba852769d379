"""The mixed load, all at once for the whole run:
- the probes (probes.py) on all 15 listeners, paced, in one asyncio thread;
- chatload, looped, on each chat listener (its own thread each);
- bursts of echoload on the echo listeners and of wrk on the http
  listeners, one protocol's burst at a time, in turn over the five models,
  with a rest after each: the tools run flat out, and two cores are shared
  with the daemon and everything else on the machine."""

import asyncio
import threading

from . import tools
from .probes import Probes

BURST_S = 2       # each tool run in a burst
REST_S = 2        # after each burst; pacing, not synchronisation
# Each chatload run: members join, talk, leave. Long next to the gap between
# runs (a second of rest, start-up, joining), so membership is steady most of
# the time and the medians the growth rule compares stay in one mode.
CHAT_RUN_S = 25
CHAT_RATE = 30    # lines/s over a chatload run's senders


class Load:
    def __init__(self, paths, listeners, tally, www):
        self.paths, self.listeners, self.tally = paths, listeners, tally
        self.probes = Probes(listeners, tally, www)
        self.stop = threading.Event()
        self._threads = []
        self._loop = None
        self._loop_stop = None

    def of(self, protocol):
        return [l for l in self.listeners if l.protocol == protocol]

    def start(self):
        jobs = [(self._rotate, (self.of("echo"), tools.echo_burst)),
                (self._rotate, (self.of("http"), tools.http_burst)),
                (self._probe_thread, ())]
        chat = self.of("chat")
        jobs += [(self._chat, (l, i * CHAT_RUN_S / len(chat))) for i, l in enumerate(chat)]
        for target, args in jobs:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self._threads.append(thread)

    def finish(self):
        """Stops starting runs and waits for the running ones: each ends by
        itself (tools.RUN_GRACE_S at worst)."""
        self.stop.set()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop_stop.set)
        for thread in self._threads:
            thread.join()

    def _rotate(self, listeners, burst):
        while not self.stop.is_set():
            for listener in listeners:
                if self.stop.is_set():
                    return
                burst(self.paths, self.tally, listener, BURST_S)
                self.stop.wait(REST_S)

    def _chat(self, listener, offset_s):
        """Staggered by offset_s, so the listeners' members do not all
        join and leave at the same moment."""
        self.stop.wait(offset_s)
        while not self.stop.is_set():
            tools.chat_run(self.paths, self.tally, listener, CHAT_RUN_S, CHAT_RATE)
            self.stop.wait(1)

    def _probe_thread(self):
        async def main():
            self._loop_stop = asyncio.Event()
            self._loop = asyncio.get_running_loop()  # last: finish() tests it, then uses both
            if self.stop.is_set():
                return
            await self.probes.run(self._loop_stop)
        asyncio.run(main())
