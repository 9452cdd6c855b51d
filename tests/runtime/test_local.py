"""The in-process runner: real timers, scaled waits, task threads and deadlines."""

from __future__ import annotations

import time
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.engine.commands import Finish
from stepwell.runtime.batch import Batch
from stepwell.runtime.executor import Executor
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner, execution_info, machine_record
from stepwell.runtime.mocks import MockedResponse, MockReturn, MockThrow
from stepwell.runtime.mocks import TestCase as MockTestCase
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.memory import MemoryStore


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> Any:
    return parse_definition({"StartAt": start, "States": states, **top})


def test_wait_really_waits_scaled_by_wait_time_scale() -> None:
    m = machine({"A": {"Type": "Wait", "Seconds": 2, "End": True}})
    start = time.monotonic()
    result = LocalRunner(wait_time_scale=0.05).run(m, {})
    elapsed = time.monotonic() - start
    assert result.status == "SUCCEEDED"
    assert 0.08 <= elapsed < 1.5


def test_retry_backoff_then_success() -> None:
    calls = []

    def flaky(event: Any, context: Any) -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise TimeoutError("try again")
        return "ok"

    functions = FunctionRegistry()
    functions.register("flaky", flaky)
    m = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [{"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 1, "BackoffRate": 2}],
                "End": True,
            }
        }
    )
    result = LocalRunner(functions, wait_time_scale=0.01).run(m, {})
    assert result.status == "SUCCEEDED" and result.output == "ok"
    assert len(calls) == 3
    types = [e["type"] for e in result.events]
    assert types.count("LambdaFunctionFailed") == 2 and types.count("LambdaFunctionSucceeded") == 1


def slow_task(seconds: float) -> tuple[Any, FunctionRegistry]:
    """A Task with TimeoutSeconds 1 calling a function that sleeps ``seconds``."""
    functions = FunctionRegistry()
    functions.register("slow", lambda event, context: time.sleep(seconds) or "late")
    resource = "arn:aws:lambda:us-east-1:123456789012:function:slow"
    return machine({"A": {"Type": "Task", "Resource": resource, "TimeoutSeconds": 1, "End": True}}), functions


def test_task_timeout_is_a_deadline_that_wait_time_scale_does_not_shrink() -> None:
    m, functions = slow_task(0.6)
    result = LocalRunner(functions, wait_time_scale=0).run(m, {})
    assert result.status == "SUCCEEDED", result.cause  # 0.6 s < 1 s: the scale does not apply


def test_task_timeout_fails_with_states_timeout() -> None:
    m, functions = slow_task(2)
    result = LocalRunner(functions).run(m, {})
    assert result.status == "FAILED" and result.error == "States.Timeout"
    assert [e["type"] for e in result.events][-2:] == ["LambdaFunctionTimedOut", "ExecutionFailed"]


def test_map_of_tasks_runs_them_concurrently() -> None:
    functions = FunctionRegistry()
    functions.register("nap", lambda event, context: time.sleep(0.3) or event)
    m = machine(
        {
            "A": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:1:function:nap",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        }
    )
    start = time.monotonic()
    result = LocalRunner(functions).run(m, [1, 2, 3, 4])
    assert result.output == [1, 2, 3, 4]
    assert time.monotonic() - start < 1.0


def test_execution_timeout() -> None:
    m = machine({"A": {"Type": "Wait", "Seconds": 30, "End": True}}, TimeoutSeconds=1)
    result = LocalRunner(wait_time_scale=1).run(m, {})
    assert result.status == "TIMED_OUT"
    assert result.events[-1]["type"] == "ExecutionTimedOut"


# ---- one driver: the runner runs through Batch and the executor's loop ---------------------------
ACCOUNT = "arn:aws:states:us-east-1:123456789012"


def test_execution_timeout_is_recorded_at_start_plus_timeout_seconds_as_in_the_server() -> None:
    """Before: the in-process runner recorded ExecutionTimedOut when its timer thread got to it
    (start + 1.015 s); the server records AWS's stopDate, exactly start + TimeoutSeconds."""
    m = machine({"A": {"Type": "Wait", "Seconds": 30, "End": True}}, TimeoutSeconds=1)
    result = LocalRunner(wait_time_scale=1).run(m, {})
    started, ended = result.events[0], result.events[-1]
    assert ended["type"] == "ExecutionTimedOut"
    assert ended["timestamp"] - started["timestamp"] == pytest.approx(1.0, abs=0.0015)


def test_nested_executions_in_process_go_to_the_invokers_as_before() -> None:
    """The runner's store holds no other machine: states:startExecution is the invokers' (which
    refuse it; a callable bound to the resource stands in), not a child in the runner's store."""
    resource = "arn:aws:states:::states:startExecution"
    m = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": {"StateMachineArn": f"{ACCOUNT}:stateMachine:x"},
                "End": True,
            }
        }
    )
    refused = LocalRunner().run(m, {})
    assert (refused.status, refused.error) == ("FAILED", "States.TaskFailed")
    assert refused.cause == f"stepwell is not configured to call the resource '{resource}'."
    functions = FunctionRegistry()
    functions.register(resource, lambda event, context: {"ExecutionArn": "child"})
    assert LocalRunner(functions).run(m, {}).output == {"ExecutionArn": "child"}


def test_an_activity_fails_at_once_in_process_unless_a_callable_stands_in() -> None:
    """No activity workers in process (Runtime.callbacks is False): the task does not wait."""
    activity = f"{ACCOUNT}:activity:review"
    m = machine({"A": {"Type": "Task", "Resource": activity, "End": True}})
    started = time.monotonic()
    failed = LocalRunner().run(m, {})
    assert time.monotonic() - started < 1.0
    assert (failed.status, failed.error) == ("FAILED", "States.TaskFailed")
    assert failed.cause == (
        f"The in-process runner has no activity workers for '{activity}': mock the state "
        "(--mock-config), or run it with stepwell serve."
    )
    functions = FunctionRegistry()
    functions.register(activity, lambda event, context: "reviewed")
    assert LocalRunner(functions).run(m, {}).output == "reviewed"


def test_a_given_test_case_is_looked_up_as_the_server_looks_one_up() -> None:
    """The runner's TestCase answers by the run's machine name, its invocations counted from the
    task rows as in the server (a retried mocked state gets its next response)."""
    case = MockTestCase(
        "any-name",
        "Flaky",
        {"T": MockedResponse("R", (MockThrow("Boom", "first"), MockReturn({"second": True})))},
    )
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}],
                "End": True,
            }
        },
        start="T",
    )
    result = LocalRunner(wait_time_scale=0, test_case=case).run(m, {}, machine_name="Orders")
    assert result.status == "SUCCEEDED" and result.output == {"second": True}


def test_snapshots_kept_as_objects_run_as_the_json_round_trip_does() -> None:
    """The runner keeps its executions' snapshots as objects (Runtime.snapshots); a driver
    without that cache encodes and decodes them through the store. Same execution either way."""
    functions = FunctionRegistry()
    functions.register("echo", lambda event, context: event)
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:1:function:echo",
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    runs = []
    caches: tuple[dict[str, Any] | None, ...] = ({}, None)
    for snapshots in caches:
        m = parse_definition(definition)
        info = execution_info("M", f"e-{snapshots is None}", start_time=time.time())
        finished: list[Finish] = []
        runtime = Runtime(
            wait_time_scale=0,
            functions=functions,
            callbacks=False,
            nested_executions=False,
            on_finish=lambda arn, finish, into=finished: into.append(finish),  # type: ignore[misc]
            snapshots=snapshots,
        )
        runtime.pin("r", m)
        store = MemoryStore()
        executor = Executor(store, runtime)

        def start(batch: Batch, m: Any = m, info: Any = info) -> None:
            batch.db.insert_machine(machine_record(info, "r"))
            batch.start(info, m, [1, 2], input_text=None, definition="", revision_id="r")

        executor.enqueue(start)
        executor.run_here(lambda finished=finished: bool(finished))  # type: ignore[misc]
        runtime.release_threads()
        events = store.reader.history(info.execution_arn, 0, 1000, False)
        runs.append((finished[0].output, [e["type"] for e in events]))
    assert runs[0] == runs[1] and runs[0][0] == [1, 2]


def test_callbacks_are_a_capability_of_the_driver_not_of_its_store() -> None:
    """The same driver on the same kind of store: with Runtime.callbacks an activity task waits
    for a worker (the server); without, it fails at once with the refusal (the runner)."""
    activity = f"{ACCOUNT}:activity:review"
    m = machine({"A": {"Type": "Task", "Resource": activity, "End": True}})
    for callbacks in (True, False):
        info = execution_info("M", f"e-{callbacks}", start_time=time.time())
        finished: list[Finish] = []
        runtime = Runtime(
            wait_time_scale=0,
            callbacks=callbacks,
            on_finish=lambda arn, finish, into=finished: into.append(finish),  # type: ignore[misc]
        )
        runtime.pin("r", m)
        store = MemoryStore()
        executor = Executor(store, runtime)

        def start(batch: Batch, info: Any = info) -> None:
            batch.db.insert_machine(machine_record(info, "r"))
            batch.start(info, m, {}, input_text=None, definition="", revision_id="r")

        executor.enqueue(start)
        if callbacks:
            with pytest.raises(RuntimeError, match="waiting for nothing"):  # nothing here polls
                executor.run_here(lambda finished=finished: bool(finished))  # type: ignore[misc]
            assert [t.status for t in store.reader.activity_backlog(activity)] == ["scheduled"]
        else:
            executor.run_here(lambda finished=finished: bool(finished))  # type: ignore[misc]
            assert finished[0].status == "FAILED" and "no activity workers" in (finished[0].cause or "")
            assert store.reader.activity_backlog(activity) == []
        runtime.release_threads()


def test_a_snapshot_that_resumes_at_once_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step that uses up its budget leaves its snapshot in Runtime.hot_snapshots: the next step
    takes it from there (no decode), and an ended execution leaves nothing behind."""
    import stepwell.runtime.batch as batch_module

    decoded: list[object] = []
    real = batch_module.snapshot_from_json

    def counting(value: Any) -> Any:
        decoded.append(value)
        return real(value)

    monkeypatch.setattr(batch_module, "snapshot_from_json", counting)
    loop = parse_definition(
        {
            "StartAt": "Count",
            "States": {
                "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More"},
                "More": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericLessThan": 600, "Next": "Count"}],
                    "Default": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )
    info = execution_info("M", "loop", start_time=time.time())
    finished: list[Finish] = []
    runtime = Runtime(
        callbacks=False,
        nested_executions=False,
        on_finish=lambda arn, finish: finished.append(finish),
        history_limit=None,
    )
    runtime.pin("r", loop)
    executor = Executor(MemoryStore(), runtime)

    def start(batch: Batch) -> None:
        batch.db.insert_machine(machine_record(info, "r"))
        batch.start(info, loop, {"n": 0}, input_text=None, definition="", revision_id="r")

    executor.enqueue(start)
    executor.run_here(lambda: bool(finished))
    runtime.release_threads()
    assert finished[0].output == {"n": 600}
    assert decoded == []  # 1,200 states, four resumes, each from memory
    assert runtime.hot_snapshots == {}
