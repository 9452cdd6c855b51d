"""Status-change events, written to the store's event outbox in the transaction of the change.

When the server delivers "Step Functions Execution Status Change" events (stepwell/events), each
change of a Standard execution's status that a batch commits (its start, its end, a redrive) is
written to the outbox in that same transaction: a crash never loses one, and never leaves one
for a change that did not commit. Delivery, after the commit, is stepwell/events/delivery.py.
Without it (``Runtime.status_events`` None, the default) nothing here runs: no row, no statement.

"Only standard workflows emit events to EventBridge" (Step Functions Developer Guide): Express
executions, which run in memory (runtime/local.py), write none.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

from stepwell.engine.redrive import REDRIVABLE_ENDS
from stepwell.runtime.store.records import RUNNING, ExecutionRecord

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch, Live


class StatusEvents(Protocol):
    """What the runtime needs of the event delivery (stepwell/events/delivery.py)."""

    @property
    def destinations(self) -> tuple[str, ...]:
        """Where each event goes: one outbox row per destination."""

    def event(self, execution: ExecutionRecord, machine_deleting: bool) -> bytes:
        """The event telling the execution's status, its record as it is after the change."""

    def written(self) -> None:
        """Called after a commit that wrote events (on the executor's thread: quick)."""


def started(batch: Batch, events: StatusEvents, execution: ExecutionRecord) -> None:
    """A new execution, or a redriven one: RUNNING."""
    _write(batch, events, events.event(execution, False))


def ended(
    batch: Batch,
    events: StatusEvents,
    live: Live,
    *,
    output: str | None,
    error: str | None,
    cause: str | None,
    kept_snapshot: bool,
) -> None:
    """The execution's end, as flush writes it."""
    finish = live.finished
    base = live.new_record or live.record
    assert finish is not None and base is not None
    execution = dataclasses.replace(
        base,
        status=finish.status,
        output=output,
        error=error,
        cause=cause,
        stopped=live.stopped,
        has_snapshot=kept_snapshot,
    )
    # Only an end a redrive may go on from says whether its machine is being deleted.
    deleting = finish.status in REDRIVABLE_ENDS and batch.machine_deleting(live.machine_arn)
    _write(batch, events, events.event(execution, deleting))


def _write(batch: Batch, events: StatusEvents, event: bytes) -> None:
    batch.db.add_event(event, events.destinations)
    batch.after.append(lambda executor: events.written())  # wakes the delivery: cheap, idempotent


def redriven(record: ExecutionRecord, *, count: int, date: float, token: str | None) -> ExecutionRecord:
    """The execution's record once RedriveExecution ran it again (as redrive_execution writes it)."""
    return dataclasses.replace(
        record,
        status=RUNNING,
        output=None,
        error=None,
        cause=None,
        stopped=None,
        redrive_count=count,
        redrive_date=date,
        redrive_token=token,
        has_snapshot=True,
    )
