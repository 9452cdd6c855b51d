"""The in-process runner: real timers, scaled waits, task threads and deadlines."""

from __future__ import annotations

import time
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner


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
