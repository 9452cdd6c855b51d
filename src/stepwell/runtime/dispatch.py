"""Which function and service calls go out now, decided inside the executor's transactions.

A call is in doubt after a crash only once it has been handed over (given to a worker process, sent
on the wire): such a call may have run, so recovery fails it as in flight; a call that never left
its queue simply runs after the restart. The row says which: "started" or "queued". For that to
be true the "started" mark must be committed before the call goes out.

Marking each call in a transaction of its own would cost a round trip per call. Instead the
executor hands calls out against *places*, one per call that can really be under way at once:

    workers   functions of the local worker pool: one place per worker process, plus a few ahead
              of them when calls are short (``ahead``), so a worker never idles for a commit;
    threads   everything else (http:invoke, AWS services, remote and in-thread functions): one
              place per thread of the runtime's pool, which runs them.

A call scheduled while its lane has a free place is written "started" in the transaction that
schedules it and goes out right after the commit; otherwise it is written "queued" and waits here.
A call's end comes back through the executor (``finished``): in that transaction its place passes
to the next queued call, whose row becomes "started" — no extra transaction, no thread waiting for
a commit. A queued call whose task ended meanwhile (timeout, stop) fails that update and is dropped.

Concurrency: every method runs in the executor's thread, inside a transaction; a transaction that
rolls back undoes what it took (``Batch.undo``), so places and queues always match the store.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from stepwell.engine.commands import InvokeTask

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch
    from stepwell.runtime.executor import Executor

WORKERS, THREADS = "workers", "threads"
QUEUED, STARTED = "queued", "started"
MOST_AHEAD = 15  # calls handed to the worker pool beyond its workers, per worker, at most
WEIGHT = 0.05  # of a new measurement in the running averages


@dataclass(slots=True)
class Call:
    """A call the engine asked for, waiting for a place or under way."""

    arn: str
    command: InvokeTask
    token: str
    lane: str
    dispatched: float = 0.0  # when it went out
    freed: float = 0.0  # when the place it took was freed by the call before it, if it waited


@dataclass
class Lane:
    places: int  # calls under way at most (before ``ahead``)
    busy: int = 0
    waiting: deque[Call] = field(default_factory=deque)
    measured: bool = False  # whether calls may run ahead of the places (the worker pool only)
    call_seconds: float = 0.0  # running average of a call's time once under way
    gap_seconds: float = 0.0  # running average of a place's idle time between two calls

    def limit(self) -> int:
        """``places`` plus as many calls as cover the time a place waits for its next call's commit
        (none for calls much longer than a commit, so that only calls really under way are in doubt)."""
        if not self.measured or not self.call_seconds or not self.gap_seconds:
            return self.places
        ahead = round(self.places * self.gap_seconds / self.call_seconds)
        return self.places + min(MOST_AHEAD * self.places, ahead)


class Dispatcher:
    def __init__(self, workers: int, threads: int, go: Callable[[Executor, Call], None]):
        self.lanes = {WORKERS: Lane(workers, measured=True), THREADS: Lane(threads)}
        self._go = go  # sends a call out (after the commit); its end comes back as ``finished``

    @property
    def threads_needed(self) -> int:
        """Threads that can be busy with calls at once: a worker-pool call holds one while it waits."""
        workers = self.lanes[WORKERS].places
        return self.lanes[THREADS].places + workers * (1 + MOST_AHEAD)

    def busy(self) -> bool:
        """Whether a call is under way or waits for a place (its outcome is still to come)."""
        return any(lane.busy or lane.waiting for lane in self.lanes.values())

    def call(self, batch: Batch, call: Call) -> str:
        """A new call (its row about to be written): the status to write, "started" or "queued"."""
        lane = self.lanes[call.lane]
        if lane.busy < lane.limit():
            self._take(batch, lane, call)
            return STARTED
        self._wait(batch, lane, call)
        return QUEUED

    def requeue(self, batch: Batch, call: Call) -> None:
        """After a restart: a call whose row is still queued."""
        lane = self.lanes[call.lane]
        if lane.busy < lane.limit() and batch.db.hand_over_task(call.token, QUEUED, STARTED):
            self._take(batch, lane, call)
        else:
            self._wait(batch, lane, call)

    def finished(self, batch: Batch, call: Call) -> None:
        """The call has ended (its outcome is applied in the same transaction): its place goes to
        the next call that waits, if any."""
        lane = self.lanes[call.lane]
        now = time.perf_counter()
        lane.busy -= 1
        batch.undo.append(lambda: _give_back(lane))
        if lane.measured:
            lane.call_seconds = _average(lane.call_seconds, now - call.dispatched)
        while lane.waiting and lane.busy < lane.limit():
            waiting = lane.waiting.popleft()
            batch.undo.append(partial(lane.waiting.appendleft, waiting))
            if batch.db.hand_over_task(waiting.token, QUEUED, STARTED):
                waiting.freed = now
                self._take(batch, lane, waiting)

    def _take(self, batch: Batch, lane: Lane, call: Call) -> None:
        lane.busy += 1
        batch.undo.append(lambda: _release(lane))
        batch.after.append(lambda executor: self._send(executor, lane, call))

    def _wait(self, batch: Batch, lane: Lane, call: Call) -> None:
        lane.waiting.append(call)
        batch.undo.append(lane.waiting.pop)

    def _send(self, executor: Executor, lane: Lane, call: Call) -> None:
        call.dispatched = now = time.perf_counter()
        if lane.measured and call.freed:
            lane.gap_seconds = _average(lane.gap_seconds, now - call.freed)
        self._go(executor, call)


def _release(lane: Lane) -> None:
    lane.busy -= 1


def _give_back(lane: Lane) -> None:
    lane.busy += 1


def _average(average: float, value: float) -> float:
    return value if not average else average + WEIGHT * (value - average)
