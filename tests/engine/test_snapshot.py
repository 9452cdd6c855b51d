"""The snapshot between steps: typed work per frame, JSON format 2, and format 1 read after an upgrade.

A running execution saved by the engine before format 2 (snapshots_format1.json, captured from it)
must go on after the upgrade exactly as that engine would have gone on: same history, same end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.engine import events as ev
from stepwell.engine.advance import advance
from stepwell.engine.snapshot import (
    FORMAT,
    Frame,
    MapWork,
    ParallelWork,
    Snapshot,
    SnapshotFormatError,
    TaskWork,
    TimerWork,
    snapshot_from_json,
    snapshot_to_json,
)
from stepwell.errors import StepwellError
from tests.engine.driver import ACTIVITY_ARN, LAMBDA_ARN, START, Run, machine_of, task

FIXTURE = Path(__file__).with_name("snapshots_format1.json").read_text(encoding="utf-8")
CASES = json.loads(FIXTURE)["cases"]


def saved(name: str) -> dict[str, Any]:
    """A fresh copy of a captured format-1 snapshot (a snapshot read from JSON owns its lists)."""
    case: dict[str, Any] = next(c for c in json.loads(FIXTURE)["cases"] if c["name"] == name)
    return case["snapshot"]


EVENT_TYPES: dict[str, type[ev.Event]] = {
    cls.__name__: cls
    for cls in (
        ev.TaskStarted,
        ev.TaskSubmitted,
        ev.TaskSucceeded,
        ev.TaskFailed,
        ev.TaskHeartbeat,
        ev.TimerFired,
        ev.StopRequested,
    )
}


def reloaded(snapshot: Snapshot) -> Snapshot:
    """Through JSON text and back, as a store keeps it."""
    return snapshot_from_json(json.loads(json.dumps(snapshot_to_json(snapshot))))


def event_of(data: dict[str, Any]) -> ev.Event:
    values = dict(data)
    return EVENT_TYPES[values.pop("type")](**values)


# ---- format 1, written before the upgrade --------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_an_execution_saved_in_format_1_goes_on_as_before(case: dict[str, Any]) -> None:
    machine = parse_definition(case["definition"])
    snapshot = snapshot_from_json(saved(case["name"]))
    history: list[dict[str, Any]] = []
    for data in case["then"]:
        step = advance(machine, snapshot, event_of(data))
        history.extend(step.events)
        snapshot = reloaded(step.snapshot)
    assert json.loads(json.dumps(history)) == case["events"]
    assert (snapshot.status, snapshot.output) == (case["status"], case["output"])


def test_format_1_work_dicts_become_typed_work() -> None:
    def works(name: str) -> dict[str, Any]:
        snapshot = snapshot_from_json(saved(name))
        return {frame.id: frame.work for frame in snapshot.frames.values()}

    assert works("task-heartbeat") == {"f0": TaskWork("t1", heartbeat_seconds=10, hb=2)}
    assert works("parallel") == {
        "f0": ParallelWork(children=["f1", "f2", "f3"], results=[None, None, None], remaining=3),
        "f1": TaskWork("t4"),
        "f2": TaskWork("t5"),
        "f3": TimerWork("w6"),
    }
    mapped = works("map")
    assert mapped["f0"] == MapWork(
        items=[10, 20, 30, 40],
        selector_input={"key": "K", "items": [10, 20, 30, 40]},
        results=[{"r": 10}, None, None, None],
        limit=2,
        tolerated_count=1,
        next=3,
        running=2,
        finished=1,
        children=["f1", "f2", "f5"],
        last_iteration_event=14,
    )
    # a retry's back-off kept the failed attempt's task beside its timer: the timer is what counts
    assert works("retry") == {"f0": TimerWork("w2")}
    assert works("wait") == {"f0": TimerWork("w1")}


def test_a_format_1_snapshot_reads_as_the_new_engine_would_have_written_it() -> None:
    snapshot = snapshot_from_json(saved("retry"))
    frame = snapshot.frames["f0"]
    assert frame.retry_counts == {0: 1} and frame.waiting == "retry"
    assert frame.input_json is None  # an entered state's input text: nothing reads it again
    assert reloaded(snapshot) == snapshot


def test_format_2_is_smaller_than_format_1() -> None:
    for case in CASES:
        old = json.dumps(case["snapshot"], separators=(",", ":"))
        new = json.dumps(snapshot_to_json(snapshot_from_json(saved(case["name"]))), separators=(",", ":"))
        assert len(new) < len(old), case["name"]
    waiting = saved("task-heartbeat")  # a two-state machine waiting in its Task
    new = json.dumps(snapshot_to_json(snapshot_from_json(waiting)), separators=(",", ":"))
    assert len(new) < 0.6 * len(json.dumps(waiting, separators=(",", ":")))


# ---- format 2 --------------------------------------------------------------------------------
def test_snapshots_carry_their_format_and_leave_defaults_out() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}), {"n": 1})
    data = snapshot_to_json(run.snap)
    assert data["format"] == FORMAT == 2
    (frame,) = data["frames"]
    assert frame == {
        "id": "f0",
        "program": "",
        "state": "T",
        "input": {"n": 1},
        "entered": True,
        "entered_event_id": 2,
        "entered_time": START,
        "last_event_id": 4,
        "waiting": "task",
        "work": {"kind": "task", "task_id": "t1"},
    }
    # nor at the top: no output yet, the default history limit, nothing paused
    assert not {"output", "error", "cause", "history_limit", "runnable"} & set(data)


def test_every_kind_of_work_round_trips() -> None:
    snapshot = Snapshot(execution=ev.ExecutionInfo("arn:e", "e", "arn:m", "m"), history_limit=None)
    works = [
        None,
        TaskWork("t1", heartbeat_seconds=30, hb=4),
        TimerWork("w2"),
        ParallelWork(["f1", "f2"], [{"a": 1}, None], 1),
        MapWork([1, 2, 3], {"x": 1}, [None, 2, None], 2, 1, 50.0, 3, 1, 2, 1, ["f5", "f6"], 12),
    ]
    for index, work in enumerate(works):
        frame = Frame(id=f"f{index}", program="", work=work, map_item=(index, {"v": index}))
        frame.retry_counts = {0: 2, 3: 1}
        snapshot.frames[frame.id] = frame
    again = reloaded(snapshot)
    assert again == snapshot
    assert again.history_limit is None
    assert again.frames["f1"].map_item == (1, {"v": 1})


def test_every_step_of_an_execution_reloads_to_the_same_snapshot() -> None:
    definition = machine_of(
        {
            "Fan": {
                "Type": "Parallel",
                "Next": "Each",
                "Branches": [
                    {"StartAt": "A", "States": {"A": task(ACTIVITY_ARN, HeartbeatSeconds=5)}},
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": True}}},
                ],
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$[0].items",
                "MaxConcurrency": 1,
                "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "StartAt": "L",
                    "States": {"L": task(LAMBDA_ARN, Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}])},
                },
                "End": True,
            },
        }
    )
    run = Run(definition, {})
    checked = 0

    def check() -> None:
        nonlocal checked
        assert run.last is not None
        assert run.snap == run.last.snapshot  # the driver keeps the reloaded copy
        checked += 1

    activity = run.invocations()[0].task_id
    run.started(activity, worker_name="w")
    check()
    run.heartbeat(activity, now=START + 2)
    check()
    run.fire(run.timers()[-2])  # the Wait's timer (the heartbeat's is the latest)
    check()
    run.succeed(activity, {"items": [1, 2]})
    check()
    run.fail(error="Flaky")
    check()
    top = run.snap.frames["f0"].work
    assert isinstance(top, MapWork)  # the iteration waits for its retry
    assert isinstance(run.snap.frames[top.children[0]].work, TimerWork)
    run.fire()
    check()
    run.succeed(output=1)
    check()
    run.succeed(output=2)
    check()
    assert run.status == "SUCCEEDED" and checked == 8


# ---- formats this version does not read -------------------------------------------------------
@pytest.mark.parametrize("found", [3, 99, 0, "2", True, None, 2.0])
def test_an_unknown_format_is_a_clear_error(found: Any) -> None:
    data = snapshot_to_json(Run(machine_of({"T": task(LAMBDA_ARN)})).snap) | {"format": found}
    with pytest.raises(SnapshotFormatError) as raised:
        snapshot_from_json(data)
    assert str(raised.value) == f"The snapshot is in format {found!r}; this stepwell reads formats 1 and 2."
    assert raised.value.found == found
    assert isinstance(raised.value, StepwellError)


def test_a_snapshot_that_is_not_what_its_format_says_is_a_clear_error() -> None:
    data = snapshot_to_json(Run(machine_of({"T": task(LAMBDA_ARN)})).snap)
    data["frames"][0]["work"] = {"kind": "telepathy"}
    with pytest.raises(
        SnapshotFormatError, match=r"^The snapshot does not read as format 2: KeyError\('telepathy'\)"
    ):
        snapshot_from_json(data)
    with pytest.raises(SnapshotFormatError, match=r"^The snapshot does not read as format 1: "):
        snapshot_from_json({"frames": []})  # no execution
