"""The delivery of the event outbox (events/delivery.py), embedded as the server assembles it: the
events of every status change reach each destination, in order, and leave the outbox once
accepted; a destination that refuses is tried again with back-off and holds no other back; with
no destination, nothing is written at all."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from stepwell.events.delivery import FIRST_RETRY, LAST_RETRY, EventDelivery, back_off
from stepwell.runtime.executor import Executor
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.sqlite import SqliteStore
from stepwell.service import Service

ROLE = "arn:aws:iam::123456789012:role/r"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}}
WAIT = 15.0  # seconds to wait for what takes well under one


@dataclass
class Collected:
    """A destination in the test's memory: it accepts what it is sent, after refusing ``refuse`` sends."""

    name: str
    refuse: int = 0
    run: int = 10
    sends: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, events: list[bytes]) -> list[bool]:
        with self.lock:
            self.sends += 1
            if self.refuse > 0:
                self.refuse -= 1
                return [False] * len(events)
            self.events += [json.loads(event) for event in events]
            return [True] * len(events)

    def close(self) -> None:
        pass

    def statuses(self, arn: str) -> list[str]:
        with self.lock:
            return [e["detail"]["status"] for e in self.events if e["resources"] == [arn]]


class Embedded:
    """A store, its executor, the service and (given destinations) the event delivery."""

    def __init__(self, path: Path, destinations: list[Collected]):
        self.store = SqliteStore(path)
        self.store.open()
        self.runtime = Runtime(wait_time_scale=0)
        self.executor = Executor(self.store, self.runtime)
        self.delivery = EventDelivery(self.executor, destinations) if destinations else None
        self.runtime.status_events = self.delivery
        self.executor.start()
        if self.delivery is not None:
            self.delivery.start()
        self.service = Service(self.store, self.executor, self.runtime)

    def call(self, operation: str, **request: Any) -> dict[str, Any]:
        return asyncio.run(self.service.call(operation, request))

    def machine(self, definition: dict[str, Any], machine_type: str = "STANDARD") -> str:
        name = f"m{time.monotonic_ns()}"
        made = self.call(
            "CreateStateMachine",
            name=name,
            definition=json.dumps(definition),
            roleArn=ROLE,
            type=machine_type,
        )
        return str(made["stateMachineArn"])

    def run(self, machine_arn: str, input_text: str = "{}") -> str:
        arn = str(self.call("StartExecution", stateMachineArn=machine_arn, input=input_text)["executionArn"])
        wait_until(lambda: self.call("DescribeExecution", executionArn=arn)["status"] != "RUNNING", "its end")
        return arn

    def close(self) -> None:
        if self.delivery is not None:
            self.delivery.stop()
        self.executor.stop()
        self.runtime.close()
        self.store.close()


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
    return value


@pytest.fixture
def embed(tmp_path: Path) -> Iterator[Callable[..., Embedded]]:
    made: list[Embedded] = []

    def make(*destinations: Collected) -> Embedded:
        made.append(Embedded(tmp_path / f"s{len(made)}.db", list(destinations)))
        return made[-1]

    yield make
    for embedded in made:
        embedded.close()


def test_every_status_change_reaches_the_destination_once_and_leaves_the_outbox(
    embed: Callable[..., Embedded],
) -> None:
    hook = Collected("http://127.0.0.1:9/hook")
    server = embed(hook)
    passed = server.run(server.machine(PASS), '{"n":1}')
    failed = server.run(server.machine(FAIL))
    wait_until(lambda: len(hook.statuses(failed)) == 2, "the failure's events")
    assert hook.statuses(passed) == ["RUNNING", "SUCCEEDED"]
    assert hook.statuses(failed) == ["RUNNING", "FAILED"]
    ids = [e["id"] for e in hook.events]
    assert len(set(ids)) == len(ids) == 4
    wait_until(lambda: server.store.reader.events_waiting() == {}, "the outbox emptied")


def test_a_refusing_destination_is_tried_again_and_holds_no_other_back(
    embed: Callable[..., Embedded],
) -> None:
    broken, working = Collected("http://127.0.0.1:9/broken", refuse=2), Collected("eventbridge")
    server = embed(broken, working)
    arn = server.run(server.machine(PASS))
    wait_until(lambda: working.statuses(arn) == ["RUNNING", "SUCCEEDED"], "the working destination's events")
    wait_until(lambda: broken.statuses(arn) == ["RUNNING", "SUCCEEDED"], "the broken one's, once it works")
    assert broken.sends >= 3, "refused twice, then accepted"
    wait_until(lambda: server.store.reader.events_waiting() == {}, "the outbox emptied")


def test_without_a_destination_the_outbox_is_never_written(embed: Callable[..., Embedded]) -> None:
    quiet = embed()
    quiet.run(quiet.machine(PASS))
    quiet.run(quiet.machine(FAIL))
    assert quiet.store.reader.events_waiting() == {}
    refused = Collected("http://127.0.0.1:9/down", refuse=1_000_000)
    told = embed(refused)
    told.run(told.machine(PASS))
    assert told.store.reader.events_waiting() == {refused.name: 2}, "the same run, told, writes its events"


def test_an_express_execution_is_told_to_no_one(embed: Callable[..., Embedded]) -> None:
    hook = Collected("http://127.0.0.1:9/hook")
    server = embed(hook)
    express = server.call("StartSyncExecution", stateMachineArn=server.machine(PASS, "EXPRESS"))
    standard = server.run(server.machine(PASS))
    wait_until(lambda: len(hook.statuses(standard)) == 2, "the standard execution's events")
    assert hook.statuses(express["executionArn"]) == [] and len(hook.events) == 2


def test_back_off_doubles_from_half_a_second_to_a_minute_with_jitter() -> None:
    ceilings = [back_off(n, draw=lambda: 1.0) for n in range(1, 10)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert back_off(1, draw=lambda: 0.0) == FIRST_RETRY / 2
    assert back_off(1000, draw=lambda: 0.0) == LAST_RETRY / 2
