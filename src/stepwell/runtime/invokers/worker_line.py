"""Which calls waiting for a worker process may be handed over (invokers/base.py) already.

A call is handed over once its hand-over is committed, and only then may it go to a worker. A call
that waits for its commit with a worker kept for it leaves that worker idle for a commit's time
(a millisecond or two): nothing next to a function that runs for seconds, but it halves the
throughput of functions that answer in a millisecond. So calls are let through ahead of a free
worker, but only as many as cover a commit: ``workers x commit time / call time`` more than the
workers (none for calls much longer than a commit, at most ``MOST_AHEAD`` per worker). The rest
wait here, not handed over: after a crash they simply run, and the calls in doubt are the ones on
a worker and the few let through ahead of one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MOST_AHEAD = 15  # calls handed over ahead of a free worker, per worker
WEIGHT = 0.05  # of a new measurement in the running averages


class WorkerLine:
    def __init__(self, workers: int):
        self.workers = workers
        self._changed = threading.Condition()
        self._through = 0  # calls let through: handing over, waiting for a worker, or on one
        self._commit_seconds = 0.0  # running average of the wait for a hand-over's commit
        self._call_seconds = 0.0  # running average of a call's time on its worker

    def ahead(self) -> int:
        """How many calls may be handed over beyond one per worker."""
        if not self._commit_seconds or not self._call_seconds:
            return 0
        covering = round(self.workers * self._commit_seconds / self._call_seconds)
        return min(MOST_AHEAD * self.workers, covering)

    @contextmanager
    def through(self) -> Iterator[None]:
        """Wait for a place among the calls let through; give it back after the call."""
        with self._changed:
            while self._through >= self.workers + self.ahead():
                self._changed.wait()
            self._through += 1
        try:
            yield
        finally:
            with self._changed:
                self._through -= 1
                self._changed.notify()

    def measured(self, commit_seconds: float, call_seconds: float) -> None:
        """One call's wait for its hand-over's commit, and its time on a worker."""
        with self._changed:
            before = self.ahead()
            self._commit_seconds = _average(self._commit_seconds, commit_seconds)
            self._call_seconds = _average(self._call_seconds, call_seconds)
            if self.ahead() > before:
                self._changed.notify_all()


def _average(average: float, value: float) -> float:
    return value if not average else average + WEIGHT * (value - average)
