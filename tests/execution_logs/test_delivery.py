"""The delivery: settings by revision (the machine's, a version's, a Map Run child's parent's), the
records written from its own thread, a full queue dropping steps with one warning, close writing
what is queued. A real SQLite store holds the machines; the sink is an in-memory destination."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stepwell.execution_logs.delivery import Delivery
from stepwell.execution_logs.records import LogEvent
from stepwell.runtime.observers import Committed
from stepwell.runtime.store.records import MachineRecord, VersionRecord
from stepwell.runtime.store.sqlite import SqliteStore

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:orders-logs:*"
ALL = {
    "level": "ALL",
    "includeExecutionData": True,
    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": GROUP_ARN}}],
}
OFF = {"level": "OFF", "includeExecutionData": False}


class Kept:
    """A destination that keeps what it is given; ``hold`` makes its writes wait."""

    def __init__(self) -> None:
        self.events: list[LogEvent] = []
        self.entered = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        self.closed = False

    def write(self, events: list[LogEvent]) -> None:
        self.entered.set()
        self.hold.wait()
        self.events.extend(events)

    def close(self) -> None:
        self.closed = True

    def executions(self) -> list[str]:
        return [json.loads(e.message)["execution_arn"] for e in self.events]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "store.db")
    opened.open()
    yield opened
    opened.close()


def _machine(store: SqliteStore, revision: str, logging_configuration: dict[str, Any]) -> None:
    config = json.dumps({"loggingConfiguration": logging_configuration, "tracingConfiguration": {}})
    with store.writer.transaction() as tx:
        if tx.state_machine(MACHINE) is None:
            tx.insert_machine(
                MachineRecord(
                    MACHINE, "orders", "STANDARD", "ACTIVE", "{}", "role", config, revision, 1.0, 1.0
                )
            )
        else:
            tx.update_machine(
                MACHINE, definition="{}", role_arn="role", config=config, revision_id=revision, updated=2
            )


def _version(store: SqliteStore, number: int, revision: str, logging_configuration: dict[str, Any]) -> None:
    config = json.dumps({"loggingConfiguration": logging_configuration})
    with store.writer.transaction() as tx:
        tx.insert_version(VersionRecord(MACHINE, number, revision, "{}", "role", config, None, 1.0))


def _step(name: str, revision: str, machine_arn: str = MACHINE) -> Committed:
    events = (
        {"timestamp": 1764748800.0, "type": "ExecutionStarted", "id": 1, "previousEventId": 0},
        {"timestamp": 1764748800.5, "type": "ExecutionSucceeded", "id": 2, "previousEventId": 1},
    )
    arn = f"arn:aws:states:us-east-1:123456789012:execution:orders:{name}"
    return Committed(
        arn, machine_arn, "STANDARD", events, True, None, 1764748800.0, 0.0, revision_id=revision
    )


def test_a_step_of_a_logging_revision_is_written_from_the_deliverys_thread(store: SqliteStore) -> None:
    _machine(store, "r1", ALL)
    sink = Kept()
    delivery = Delivery(store, sink)
    delivery(_step("one", "r1"))
    delivery.close()
    assert sink.closed
    assert [json.loads(e.message)["type"] for e in sink.events] == ["ExecutionStarted", "ExecutionSucceeded"]
    assert {(e.log_group, e.machine_name) for e in sink.events} == {("orders-logs", "orders")}
    assert [e.timestamp for e in sink.events] == [1764748800000, 1764748800500]


def test_each_revision_logs_by_its_own_configuration(store: SqliteStore) -> None:
    _machine(store, "r1", ALL)
    _version(store, 1, "r1", ALL)
    _machine(store, "r2", OFF)  # updated since: the machine logs no more, its version 1 still does
    sink = Kept()
    delivery = Delivery(store, sink)
    delivery(_step("on-version-1", "r1"))
    delivery(_step("on-the-machine", "r2"))
    delivery(_step("child", "r1/Each", machine_arn=MACHINE + "/Each"))  # a Map Run's child
    delivery.close()
    assert sorted(set(sink.executions())) == [
        "arn:aws:states:us-east-1:123456789012:execution:orders:child",
        "arn:aws:states:us-east-1:123456789012:execution:orders:on-version-1",
    ]


def test_a_revision_is_read_when_its_step_is_told_not_when_the_thread_gets_to_it(
    store: SqliteStore,
) -> None:
    """The thread may be behind: an update committed after a step must not decide how it logs."""
    sink = Kept()
    sink.hold.clear()  # the thread is busy writing an earlier batch
    _machine(store, "first", ALL)
    delivery = Delivery(store, sink)
    delivery(_step("earlier", "first"))
    assert sink.entered.wait(10)
    _machine(store, "quiet", OFF)
    delivery(_step("quiet", "quiet"))  # an execution of the quiet revision, while the thread waits
    _machine(store, "loud", ALL)  # updated again before the thread reads anything more
    sink.hold.set()
    delivery.close()
    assert set(sink.executions()) == {"arn:aws:states:us-east-1:123456789012:execution:orders:earlier"}


def test_a_revision_that_logs_nothing_is_looked_up_once(store: SqliteStore) -> None:
    _machine(store, "quiet", OFF)
    _version(store, 1, "loud", ALL)
    sink = Kept()
    delivery = Delivery(store, sink)
    delivery(_step("quiet-1", "quiet"))
    delivery(_step("loud", "loud"))
    assert sink.entered.wait(10)  # the thread took the steps in order: "quiet" is looked up
    # The same revision now reads as logging (which no update can do: an update is a new
    # revision): the delivery does not read it again.
    _machine(store, "quiet", ALL)
    delivery(_step("quiet-2", "quiet"))
    delivery.close()
    assert set(sink.executions()) == {"arn:aws:states:us-east-1:123456789012:execution:orders:loud"}


def test_a_full_queue_drops_steps_with_one_warning(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    _machine(store, "r1", ALL)
    sink = Kept()
    sink.hold.clear()
    delivery = Delivery(store, sink, queue_steps=2)
    delivery(_step("written-first", "r1"))
    assert sink.entered.wait(10)  # the thread holds it in the sink: the queue is empty again
    with caplog.at_level(logging.WARNING, "stepwell.execution_logs"):
        for name in ("queued-1", "queued-2", "dropped-1", "dropped-2"):
            delivery(_step(name, "r1"))
    sink.hold.set()
    delivery.close()
    assert sorted(set(sink.executions())) == [
        f"arn:aws:states:us-east-1:123456789012:execution:orders:{name}"
        for name in ("queued-1", "queued-2", "written-first")
    ]
    warnings = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(warnings) == 1
    assert "2 steps wait" in warnings[0]


def test_steps_observed_after_close_are_not_written(store: SqliteStore) -> None:
    _machine(store, "r1", ALL)
    sink = Kept()
    delivery = Delivery(store, sink)
    delivery.close()
    delivery(_step("late", "r1"))
    assert sink.events == []


def test_a_failure_costs_its_batch_and_the_thread_goes_on(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    class FailingOnce(Kept):
        def write(self, events: list[LogEvent]) -> None:
            first = not self.entered.is_set()
            super().write(events)
            if first:
                del self.events[:]
                raise RuntimeError("a bug in a sink")

    _machine(store, "r1", ALL)
    sink = FailingOnce()
    sink.hold.clear()
    delivery = Delivery(store, sink)
    with caplog.at_level(logging.WARNING, "stepwell.execution_logs"):
        delivery(_step("lost", "r1"))
        assert sink.entered.wait(10)
        delivery(_step("written", "r1"))
        sink.hold.set()
        delivery.close()
    assert set(sink.executions()) == {"arn:aws:states:us-east-1:123456789012:execution:orders:written"}
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "execution logs: records could not be made or written"
    ]
