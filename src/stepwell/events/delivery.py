"""Delivery of the event outbox: a thread per destination, at least once, in order per node.

The events were written with the status changes they tell (runtime/status_outbox.py), one row
per destination. Each destination's thread claims its oldest rows (through the executor: the
store's one writer) and hands them to the destination; the ones it accepted are deleted in the
transaction of the next claim, the ones it refused released at once. So an event is gone only
once its destination accepted it; a crash before the delete sends it again (at least once:
receivers tell repeats apart by the event's ``id``). Rows left at a stop, or a crash, are
delivered after the next start.

Concurrency: one thread per destination per node; on a shared store (PostgreSQL) a claim is a
hold (``claim_events``: SKIP LOCKED, ``LEASE`` seconds by the database's clock), so two nodes never
deliver one row at once; a node that died holding rows gives them up with its node lease.
Order: a destination gets its events in the order they were written by one node; a refused one
holds back those after it (a webhook) until it is accepted. Across nodes, and for PutEvents
entries refused alone, events may arrive out of order, as AWS's own do ("best effort").

Retries: a destination that refuses is left alone for a back-off that starts at ``FIRST_RETRY``
and doubles up to ``LAST_RETRY``, with jitter; the others are not held back. Threads wake after
each commit that wrote events (``written``), and every ``POLL`` seconds (rows of another node's,
one that died).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from functools import partial
from typing import TypeVar

from stepwell.asl import jsoncodec
from stepwell.events.destinations import Destination
from stepwell.events.status_change import status_change
from stepwell.runtime import ids
from stepwell.runtime.batch import Batch
from stepwell.runtime.executor import Executor
from stepwell.runtime.store.records import ExecutionRecord, OutboxEvent

log = logging.getLogger("stepwell.events")
T = TypeVar("T")

FIRST_RETRY = 0.5  # seconds
LAST_RETRY = 60.0
POLL = 5.0  # seconds between looks at the outbox when nothing woke the thread
LEASE = 60.0  # seconds a node holds the rows it claimed (more than a run of sends can take)
WRITE_TIMEOUT = 30.0  # seconds to wait for the executor to commit a claim or an outcome


class EventDelivery:
    """The events of this server (runtime/status_outbox.py's StatusEvents) and their delivery."""

    def __init__(self, executor: Executor, destinations: Sequence[Destination]):
        self.executor = executor
        self._destinations = list(destinations)
        self.destinations = tuple(d.name for d in self._destinations)
        self._stopping = threading.Event()
        self._wakes = [threading.Event() for _ in self._destinations]
        self._threads: list[threading.Thread] = []

    # ---- what the runtime calls (StatusEvents) -----------------------------------------------
    def event(self, execution: ExecutionRecord, machine_deleting: bool) -> bytes:
        return jsoncodec.dumps(
            status_change(execution, event_id=ids.uuid4(), machine_deleting=machine_deleting)
        )

    def written(self) -> None:
        for wake in self._wakes:
            wake.set()

    # ---- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._report_strays()
        for destination, wake in zip(self._destinations, self._wakes, strict=True):
            thread = threading.Thread(
                target=self._deliver, args=(destination, wake), name=f"stepwell-events-{len(self._threads)}"
            )
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop before the executor does (the threads write through it). A send under way may
        outlast ``timeout``: its rows are delivered again after the next start."""
        self._stopping.set()
        self.written()
        for thread, destination in zip(self._threads, self._destinations, strict=True):
            thread.join(timeout)
            if not thread.is_alive():  # one still sending closes nothing under its own feet
                destination.close()

    def _report_strays(self) -> None:
        """Events waiting for destinations this node does not have (the configuration changed)
        stay: a node that has them, or this one started with them again, delivers them."""
        waiting = self.executor.store.reader.events_waiting()
        for name, count in waiting.items():
            if name not in self.destinations:
                log.warning(
                    "%d status-change events wait for a destination not configured here: %s", count, name
                )

    # ---- one destination's thread --------------------------------------------------------------
    def _deliver(self, destination: Destination, wake: threading.Event) -> None:
        refusals = 0
        accepted: list[int] = []  # deleted with the next claim: one transaction, not two
        while not self._stopping.is_set():
            wake.clear()  # before the claim: a commit after it wakes the next wait
            try:
                claimed = self._write(partial(_settle_and_claim, accepted, destination))
                accepted = []
                if not claimed:
                    wake.wait(POLL)
                    continue
                answers = destination.send([event.body for event in claimed])
                accepted = [event.seq for event, ok in zip(claimed, answers, strict=True) if ok]
                refused = [event.seq for event, ok in zip(claimed, answers, strict=True) if not ok]
                if not refused:
                    refusals = 0
                    continue
                self._write(partial(_settle, accepted, refused))  # others may claim them at once
                accepted = []
            except Exception:  # the store is away, or a destination misbehaved: try again later
                log.exception("delivering status-change events to %s", destination.name)
            refusals += 1
            self._stopping.wait(back_off(refusals))
        if accepted:
            with suppress(Exception):  # not deleted: sent again after the next start
                self._write(partial(_settle, accepted, []))

    def _write(self, work: Callable[[Batch], T]) -> T:
        try:
            return self.executor.submit(work).result(WRITE_TIMEOUT)
        except FutureTimeout:
            raise RuntimeError("the executor did not commit in time") from None


def _settle_and_claim(accepted: list[int], destination: Destination, batch: Batch) -> list[OutboxEvent]:
    _settle(accepted, [], batch)
    return batch.db.claim_events(destination.name, destination.run, LEASE, batch.runtime.clock())


def _settle(accepted: list[int], refused: list[int], batch: Batch) -> None:
    if accepted:
        batch.db.delete_events(accepted)
    if refused:
        batch.db.release_events(refused)


def back_off(refusals: int, draw: Callable[[], float] = random.random) -> float:
    """Seconds to leave a destination alone after its ``refusals``-th refusal in a row: doubling
    from FIRST_RETRY to LAST_RETRY, each drawn between half that and all of it (jitter: nodes
    and destinations that failed together do not all come back at once)."""
    ceiling = min(LAST_RETRY, FIRST_RETRY * 2 ** min(refusals - 1, 16))
    return ceiling * (0.5 + draw() / 2)
