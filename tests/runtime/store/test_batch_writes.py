"""What a Batch writes, in an order every store takes: an execution started in the batch has its
row written at the batch's end (with the state it reached), so its timers, which a store may key
by the row's number, wait for the row, even when a read sends the batch's other writes earlier."""

from __future__ import annotations

import json

from stepwell.runtime.batch import Batch
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.protocol import Store
from tests.runtime.store.test_contract import machine

WAIT_THEN_PASS = json.dumps(
    {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
    }
)


def test_a_timer_of_an_execution_started_in_the_batch_is_written_after_its_row(store: Store) -> None:
    waiting = machine("m", definition=WAIT_THEN_PASS)
    with store.writer.transaction() as db:
        db.insert_machine(waiting)
    runtime = Runtime(clock=lambda: 1000.0)
    with store.writer.transaction() as db:
        batch = Batch(runtime, db)
        first, _ = batch.start_execution(waiting, "first", "{}", {})
        assert db.take_timer(first, "none", 2000.0) is None  # a read: what was held is sent
        second, _ = batch.start_execution(waiting, "second", "{}", {})
        batch.flush()
    with store.writer.transaction() as db:
        timers = sorted((t.execution_arn, t.due) for t in db.timers())
        assert timers == [(first, 1030.0), (second, 1030.0)]
        assert db.running(first) is not None and db.running(second) is not None


def test_an_execution_that_ends_in_the_batch_that_started_it_leaves_no_timer(store: Store) -> None:
    timed = machine(
        "t",
        definition=json.dumps(
            {"TimeoutSeconds": 60, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        ),
    )
    with store.writer.transaction() as db:
        db.insert_machine(timed)
    with store.writer.transaction() as db:
        batch = Batch(Runtime(clock=lambda: 1000.0), db)
        arn, _ = batch.start_execution(timed, "quick", "{}", {})
        batch.flush()
    with store.writer.transaction() as db:
        assert db.timers() == []
        assert db.execution(arn).status == "SUCCEEDED"  # type: ignore[union-attr]
