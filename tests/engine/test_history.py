"""History as AWS writes it: the event envelope, the 256 KiB payload limit and the 25,000-event
history limit (reference §6.1, §6.2, §8.2)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.engine.commands import Finish
from tests.engine.driver import ACTIVITY_ARN, INVOKE_ARN, LAMBDA_ARN, START, Run, machine_of, task

PASS_END = {"Type": "Pass", "End": True}
LIMIT = 262_144  # bytes of UTF-8


# ---- the envelope --------------------------------------------------------------------------
NO_DETAILS = {
    "LambdaFunctionStarted",
    "TaskStateAborted",
    "WaitStateAborted",
    "MapStateAborted",
    "ParallelStateAborted",
    "ParallelStateStarted",
    "ParallelStateSucceeded",
    "ParallelStateFailed",
    "MapStateSucceeded",
    "MapStateFailed",
}


def details_member(event_type: str) -> str:
    for suffix in ("StateEntered", "StateExited"):
        if event_type.endswith(suffix) and event_type != "MapStateStarted":
            return "stateEnteredEventDetails" if suffix == "StateEntered" else "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def check_envelopes(run: Run) -> None:
    for event in run.history:
        assert {"timestamp", "type", "id", "previousEventId"} <= set(event), event
        extra = set(event) - {"timestamp", "type", "id", "previousEventId"}
        if event["type"] in NO_DETAILS:
            assert not extra, event
        else:
            assert extra == {details_member(event["type"])}, event


def test_every_event_has_aws_envelope_and_details_member() -> None:
    definition = machine_of(
        {
            "Start": {"Type": "Pass", "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": task(LAMBDA_ARN)}},
                    {"StartAt": "S", "States": {"S": task(INVOKE_ARN, Parameters={"FunctionName": "f"})}},
                    {"StartAt": "A", "States": {"A": task(ACTIVITY_ARN)}},
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemsPath": "$.xs",
                                "ItemProcessor": {
                                    "StartAt": "W",
                                    "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}},
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "Next": "Choose",
            },
            "Choose": {
                "Type": "Choice",
                "Choices": [{"Variable": "$[0]", "IsPresent": True, "Next": "Done"}],
            },
            "Done": {"Type": "Succeed"},
        }
    )
    run = Run(definition, {"xs": [1]})
    calls = {call.state_name: call.task_id for call in run.invocations()}
    run.started(calls["A"], worker_name="w")
    for name in ("L", "S", "A"):
        run.succeed(calls[name], output=name)
    run.fire()
    assert run.status == "SUCCEEDED"
    check_envelopes(run)
    run.check_ids()
    assert run.details("ExecutionStarted") == {
        "input": '{"xs":[1]}',
        "inputDetails": {"truncated": False},
        "roleArn": run.snap.execution.role_arn,
    }
    assert run.details("ExecutionSucceeded")["output"] == '["L","S","A",[1]]'


def test_failure_events_have_envelopes() -> None:
    definition = machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": task(LAMBDA_ARN)}},
                "End": True,
            }
        }
    )
    run = Run(definition, [1, 2])
    run.fail(run.invocations()[0].task_id, error="E", cause="c")
    check_envelopes(run)
    run.check_ids()


def test_execution_started_is_event_1_and_first_state_points_to_0() -> None:
    run = Run(machine_of({"P": PASS_END}), {"a": "é"})
    assert run.chain() == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    assert run.details("PassStateEntered") == {
        "name": "P",
        "input": '{"a":"é"}',
        "inputDetails": {"truncated": False},
    }
    assert all(e["timestamp"] == START for e in run.history)


# ---- the 256 KiB payload limit -------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("x" * (LIMIT - 2), True),  # JSON text "xxx…" is exactly 262,144 bytes
        ("x" * (LIMIT - 1), False),
        ("é" * ((LIMIT - 2) // 2), True),  # 2 bytes per character in UTF-8
        ("é" * ((LIMIT - 2) // 2 + 1), False),
    ],
)
def test_state_output_limit_counts_utf8_bytes(text: str, fits: bool) -> None:
    run = Run(machine_of({"P": {"Type": "Pass", "Result": text, "End": True}}))
    assert run.finish is not None
    if fits:
        assert run.finish.status == "SUCCEEDED"
    else:
        assert run.finish.status == "FAILED" and run.finish.error == "States.DataLimitExceeded"
        assert run.types() == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
        assert "'P'" in (run.finish.cause or "")


def test_oversized_task_result_without_catch_fails_the_execution() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}))
    run.succeed(output="a" * LIMIT)
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.finish.error == "States.DataLimitExceeded"
    assert run.types()[-1] == "ExecutionFailed"
    assert "LambdaFunctionSucceeded" not in run.types()


def test_oversized_map_result_fails_the_map() -> None:
    item = "y" * (100 * 1024)
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    run = Run(machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}), [item, item, item])
    assert run.finish is not None and run.finish.error == "States.DataLimitExceeded"


# ---- the history limit ---------------------------------------------------------------------
LOOP = machine_of(
    {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
            "Default": "A",
        },
        "E": {"Type": "Succeed"},
    }
)
TWO_PASSES = machine_of({"A": {"Type": "Pass", "Next": "B"}, "B": PASS_END})  # 6 events


def test_an_endless_loop_fails_at_the_history_limit() -> None:
    run = Run(LOOP, history_limit=50)
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.types()[-1] == "ExecutionFailed"
    assert 50 <= len(run.history) <= 52
    assert run.snap.open_tasks == {} and run.snap.open_timers == {}


def test_an_execution_that_fits_the_history_limit_succeeds() -> None:
    run = Run(TWO_PASSES, history_limit=6)
    assert run.finish == Finish("SUCCEEDED", output={})
    assert len(run.history) == 6


def test_no_history_limit() -> None:
    definition = machine_of(
        {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 7000, "Next": "E"}],
                "Default": "Count",
            },
            "E": {"Type": "Succeed"},
        }
    )
    run = Run(definition, {"n": 0}, history_limit=None)
    assert run.finish == Finish("SUCCEEDED", output={"n": 7000})
    assert len(run.history) > 25_000


@pytest.mark.parametrize("limit", [3, 4, 5])
def test_history_never_exceeds_the_limit_and_ends_with_execution_failed(limit: int) -> None:
    full = Run(TWO_PASSES).history
    run = Run(TWO_PASSES, history_limit=limit)
    assert len(run.history) == limit
    assert run.types()[:-1] == [e["type"] for e in full[: limit - 1]]
    assert run.types()[-1] == "ExecutionFailed"
    assert run.finish is not None and run.finish.status == "FAILED"


def test_history_limit_applies_to_events_written_by_task_results() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN, Next="P"), "P": PASS_END}), history_limit=5)
    assert run.status == "RUNNING"
    run.succeed(output=1)
    assert len(run.history) <= 5
    assert run.finish is not None and run.finish.status == "FAILED"


def test_history_limit_failure_cancels_open_work() -> None:
    processor: dict[str, Any] = {"StartAt": "T", "States": {"T": task(LAMBDA_ARN)}}
    definition = machine_of(
        {
            "M": {"Type": "Map", "ItemProcessor": processor, "ResultPath": None, "Next": "Loop"},
            "Loop": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "End"}],
                "Default": "M",
            },
            "End": {"Type": "Succeed"},
        }
    )
    run = Run(definition, [1, 2, 3], history_limit=12)
    assert run.status == "FAILED"
    assert sorted(run.cancels()) == sorted(call.task_id for call in run.invocations())
    assert run.snap.open_tasks == {}
