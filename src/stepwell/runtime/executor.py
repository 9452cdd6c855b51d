"""The executor: the one thread that advances Standard executions and writes the store.

Work arrives on a queue (API writes, task results, callbacks) and from a heap of timers. The
loop takes everything that is ready, applies it in ONE transaction (``Batch``: history, snapshots,
timers and the task outbox of every execution touched), commits, and only then acts on the world
(calls functions, wakes activity pollers, starts children, answers waiting API calls). A crash
therefore leaves each execution at its last committed step; ``recover`` picks up from there.

Group commit is what makes this fast: eight clients starting executions at once cost one
transaction, not eight. Fairness bounds it: an engine step runs a bounded number of states (the
engine's STEP_BUDGET, then a resume timer), and a transaction stops taking work after
``TRANSACTION_SLICE`` seconds, leaving the rest, in order, for the next one — so an execution that
loops forever shares the writer with every other execution and API call instead of holding it.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any, TypeVar

from stepwell.engine.advance import EXECUTION_TIMEOUT_TIMER
from stepwell.engine.events import Event
from stepwell.errors import ServiceError
from stepwell.runtime import tasks
from stepwell.runtime.batch import Batch
from stepwell.runtime.dispatch import Dispatcher
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.protocol import Conflict, Store

log = logging.getLogger("stepwell.executor")

T = TypeVar("T")
MAX_BATCH = 256  # work items per transaction
TRANSACTION_SLICE = 0.02  # seconds of work after which a transaction takes no more items
EXIT_LEASE_LOST = 75  # EX_TEMPFAIL: restart the node, it joins again as a new one
MAX_CONFLICTS = 8  # attempts of work that another node's writes keep invalidating
_Item = tuple[Callable[[Batch], Any], "Future[Any] | None"]  # work and who waits for its commit


class Executor:
    def __init__(self, store: Store, runtime: Runtime):
        self.store = store
        self.runtime = runtime
        self._queue: deque[Callable[[Batch], Any]] = deque()
        self._futures: deque[Future[Any] | None] = deque()
        self._timers: list[tuple[float, str, str]] = []  # (due epoch seconds, execution arn, timer id)
        self._wake = threading.Condition()
        self._running = False
        self._thread: threading.Thread | None = None
        self._membership: threading.Thread | None = None
        self._stopped: threading.Event | None = None  # made by start(): run_here needs none
        workers = _worker_processes(runtime)
        runtime.dispatcher = Dispatcher(workers, runtime.function_workers, tasks.call_invoker)

    # ---- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._running = True
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stepwell-executor", daemon=True)
        self._thread.start()
        if self.store.exclusive:
            self.submit(lambda batch: batch.recover()).result()
            return
        self.store.join(self.runtime.node_lease)
        self.store.listen(self._notice)
        self._membership = threading.Thread(target=self._keep_lease, name="stepwell-lease", daemon=True)
        self._membership.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._wake:
            self._running = False
            self._wake.notify()
        if self._stopped is not None:
            self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # ---- many nodes on one database ------------------------------------------------------
    def _keep_lease(self) -> None:
        """Renew this node's lease three times per lease period and adopt the work of nodes whose
        lease has expired. A node that finds its own lease expired (it was paused, or cut off
        from the database, for longer than the lease) may have had its work adopted: it stops at
        once rather than act on timers and calls that are no longer its own."""
        lease = self.runtime.node_lease
        stopped = self._stopped
        assert stopped is not None  # start() made it
        while not stopped.wait(lease / 3):
            try:
                if not self.store.renew(lease):
                    log.critical(
                        "this node's lease expired: its work may belong to another node now; stopping"
                    )
                    os._exit(EXIT_LEASE_LOST)
                for dead in self.store.dead_nodes():
                    adopted = self.submit(partial(Batch.adopt, dead_node=dead)).result(timeout=lease)
                    if adopted is not None:
                        log.warning("adopted the work of node %s, whose lease expired: %s", dead, adopted)
            except Exception:  # the database is away for a moment: try again at the next renewal
                log.exception("could not renew this node's lease")

    def _notice(self, topic: str, subject: str) -> None:
        if topic == tasks.ACTIVITY:
            self.runtime.activity_ready(subject)

    @property
    def alive(self) -> bool:
        """Whether the writer's thread runs: once it has ended, no submitted work runs any more."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def queued(self) -> int:
        """Work waiting for a transaction (read by the metrics' scrape: a length, read whole)."""
        return len(self._queue)

    @property
    def timers(self) -> int:
        """Timers this node holds, due or not."""
        return len(self._timers)

    # ---- work in ----------------------------------------------------------------------------
    def submit(self, work: Callable[[Batch], T]) -> Future[T]:
        """Run ``work(batch)`` in the executor thread, inside the next transaction; the future
        resolves after the commit (or fails with the exception ``work`` raised)."""
        future: Future[T] = Future()
        self._enqueue(work, future)
        return future

    def deliver(self, execution_arn: str, event: Event) -> None:
        """An outside event for an execution (a task result, a callback, ...)."""
        self._enqueue(lambda batch: batch.step(execution_arn, event), None)

    def enqueue(self, work: Callable[[Batch], object]) -> None:
        """Run ``work(batch)`` in a coming transaction; nobody waits for it."""
        self._enqueue(work, None)

    def add_timer(self, due: float, execution_arn: str, timer_id: str) -> None:
        with self._wake:
            heapq.heappush(self._timers, (due, execution_arn, timer_id))
            self._wake.notify()

    def _enqueue(self, work: Callable[[Batch], Any], future: Future[Any] | None) -> None:
        with self._wake:
            self._queue.append(work)
            self._futures.append(future)
            self._wake.notify()

    # ---- the loop ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._running and not self._queue and not self._timer_due():
                    self._wake.wait(self._until_next_timer())
                if not self._running and not self._queue:
                    return  # stopping: the work already queued was committed first
                count = min(MAX_BATCH, len(self._queue))
                items = [(self._queue.popleft(), self._futures.popleft()) for _ in range(count)]
                fired = self._pop_due_timers() if self._running else []
            self._run_batch(items, fired)

    # ---- the loop in the caller's thread (the in-process runner) ---------------------------
    def run_here(self, done: Callable[[], bool]) -> None:
        """Be the writer in the calling thread, without a thread of its own, until ``done()``
        holds after a commit: the in-process runner, whose store (a MemoryStore) is its own.

        The loop is the same (group commit, timers, after-commit actions); what differs is
        failure: a batch that fails raises here, to the runner's caller, rather than being
        retried item by item (there is no other writer to conflict with, nor other work to
        save). Raises RuntimeError when nothing can make progress any more."""
        self._running = True
        while not done():
            with self._wake:
                while not self._queue and not self._timer_due():
                    if self._idle():
                        raise RuntimeError(
                            "the execution is waiting for nothing: no task, timer or event can resume it"
                        )
                    self._wake.wait(self._until_next_timer())
                count = min(MAX_BATCH, len(self._queue))
                items = [(self._queue.popleft(), self._futures.popleft()) for _ in range(count)]
                fired = self._pop_due_timers()
            try:
                self._transaction(items, fired)
            except _Unexpected as unexpected:
                raise unexpected.__cause__ or unexpected from None

    def _idle(self) -> bool:
        """No work queued, no call under way and no timer but executions' timeouts: an execution
        still running waits for a callback (which an in-process run cannot receive)."""
        dispatcher = self.runtime.dispatcher
        if dispatcher is not None and dispatcher.busy():
            return False
        return all(timer_id == EXECUTION_TIMEOUT_TIMER for _, _, timer_id in self._timers)

    def _timer_due(self) -> bool:
        return bool(self._timers) and self._timers[0][0] <= self.runtime.clock()

    def _until_next_timer(self) -> float | None:
        if not self._timers:
            return None
        return max(0.0, self._timers[0][0] - self.runtime.clock())

    def _pop_due_timers(self) -> list[tuple[float, str, str]]:
        now = self.runtime.clock()
        fired: list[tuple[float, str, str]] = []
        while self._timers and self._timers[0][0] <= now and len(fired) < MAX_BATCH:
            fired.append(heapq.heappop(self._timers))
        return fired

    def _put_back(self, items: list[_Item], fired: list[tuple[float, str, str]]) -> None:
        """Work a transaction had no time for goes first into the next one."""
        with self._wake:
            for work, future in reversed(items):
                self._queue.appendleft(work)
                self._futures.appendleft(future)
            for timer in fired:
                heapq.heappush(self._timers, timer)

    def _run_batch(self, items: list[_Item], fired: list[tuple[float, str, str]]) -> None:
        """One transaction for everything ready. Work refused with a ServiceError is answered and
        the batch goes on (such work checks before it writes); any other failure rolls the whole
        batch back and every item is run again alone, so one bad item cannot sink the others."""
        try:
            self._transaction(items, fired)
        except _Unexpected as unexpected:
            if isinstance(unexpected.__cause__, Conflict):
                self._retry_after_conflict(items, fired)
            elif len(items) + len(fired) <= 1:
                self._failed(items, unexpected)
            else:
                for timer in fired:
                    self._run_batch([], [timer])
                for item in items:
                    self._run_batch([item], [])

    def _retry_after_conflict(self, items: list[_Item], fired: list[tuple[float, str, str]]) -> None:
        """Another node advanced an execution this batch read (store.Conflict): run the work again,
        each item alone, reading the execution anew. Work that another writer beats every time is
        given up after MAX_CONFLICTS attempts."""
        if len(items) + len(fired) > 1:
            for timer in fired:
                self._retry_after_conflict([], [timer])
            for item in items:
                self._retry_after_conflict([item], [])
            return
        for attempt in range(1, MAX_CONFLICTS + 1):
            time.sleep(0.001 * attempt)  # the winner's commit lands meanwhile
            try:
                self._transaction(items, fired)
                return
            except _Unexpected as unexpected:
                if not isinstance(unexpected.__cause__, Conflict):
                    self._failed(items, unexpected)
                    return
        log.error("work lost to another writer %d times and was given up: %s", MAX_CONFLICTS, fired or items)
        self._failed(items, _Unexpected())

    def _failed(self, items: list[_Item], unexpected: _Unexpected) -> None:
        log.error("work failed and was rolled back", exc_info=unexpected.__cause__)
        for _, future in items:
            if future is not None and not future.done():
                future.set_exception(unexpected.__cause__ or unexpected)

    def _transaction(self, items: list[_Item], fired: list[tuple[float, str, str]]) -> None:
        writer = self.store.writer
        batch: Batch | None = None
        answers: list[tuple[Future[Any] | None, Any, BaseException | None]] = []
        slice_ends = time.perf_counter() + TRANSACTION_SLICE
        done_timers = done_items = 0
        try:
            with writer.transaction() as db:
                batch = Batch(self.runtime, db)
                # Work from outside first (API calls, task results: short), then timers, at least
                # one of each per transaction: executions resuming a long run of states, however
                # many, cannot keep an API call waiting longer than one slice, nor the reverse.
                for work, future in items:
                    if done_items and time.perf_counter() > slice_ends:
                        break
                    try:
                        answers.append((future, work(batch), None))
                    except ServiceError as refused:
                        answers.append((future, None, refused))
                    done_items += 1
                for _, arn, timer_id in fired:
                    if done_timers and time.perf_counter() > slice_ends:
                        break
                    batch.timer_fired(arn, timer_id)
                    done_timers += 1
                batch.flush()
                flushed = time.perf_counter()
        except Exception as failure:
            if batch is not None:
                batch.rolled_back()
            raise _Unexpected() from failure
        if self.runtime.metrics is not None:
            self.runtime.metrics.committed(time.perf_counter() - flushed)
        if done_timers < len(fired) or done_items < len(items):
            self._put_back(items[done_items:], fired[done_timers:])
        for future, value, error in answers:
            if future is None:
                if error is not None:
                    log.warning("background work refused: %s", error)
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)
        batch.after_commit(self)


def _worker_processes(runtime: Runtime) -> int:
    lambdas = getattr(runtime.invokers, "lambdas", None)
    local = getattr(lambdas, "local", None)
    return int(getattr(local, "size", 1))


class _Unexpected(Exception):
    """A batch failed for a reason other than a ServiceError (its transaction rolled back)."""
