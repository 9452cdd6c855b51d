"""GetExecutionHistory sends the engine's events as they are, so they must already be wire-shaped.

``api.encode`` skips the member-by-member walk for history events (it was most of the call's
cost). These tests hold the engine to the promise that makes that safe: every event it writes
encodes to itself (no undeclared member, no None member, numbers where the model has timestamps).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.api.encode import encoder_for, structural_encoder
from stepwell.asl.parse import parse_definition
from stepwell.errors import DefinitionError
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner
from tests.conformance import shared

WALK = structural_encoder("HistoryEventList")


def _history(definition: Any, value: Any, functions: FunctionRegistry | None = None) -> list[Any]:
    machine = parse_definition(
        definition if isinstance(definition, str) else json.dumps(definition), "STANDARD"
    )
    result = LocalRunner(functions, wait_time_scale=0).run(
        machine,
        value,
        machine_name="m",
        execution_name="e",
        machine_type="STANDARD",
        input_text=json.dumps(value),
    )
    return result.events


def _fail(event: Any, context: Any) -> Any:
    raise ValueError("no")


RICH = {
    "StartAt": "Map",
    "States": {
        "Map": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Wait",
                "States": {"Wait": {"Type": "Wait", "Seconds": 1, "End": True}},
            },
            "Next": "Parallel",
        },
        "Parallel": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
            "Next": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "fail", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Choice"}],
            "Next": "Done",
        },
        "Choice": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
            "Default": "Fail",
        },
        "Done": {"Type": "Succeed"},
        "Fail": {"Type": "Fail", "Error": "E", "Cause": "C"},
    },
}


def test_the_engines_events_are_already_what_the_api_sends() -> None:
    functions = FunctionRegistry()
    functions.register("fail", _fail)
    events = _history(RICH, {"items": [1, 2]}, functions)
    assert {e["type"] for e in events} >= {
        "MapIterationStarted",
        "ParallelStateSucceeded",
        "TaskFailed",
        "FailStateEntered",
        "ExecutionFailed",
    }
    assert WALK(events) == events


def test_history_lists_skip_the_walk_and_other_shapes_do_not() -> None:
    assert encoder_for("HistoryEventList")([{"undeclared": 1}]) == [{"undeclared": 1}]
    assert encoder_for("DescribeExecutionOutput")({"status": "RUNNING", "undeclared": 1, "name": None}) == {
        "status": "RUNNING"
    }


@pytest.mark.skipif(not shared.available(), reason="../shared/conformance is not present")
def test_every_conformance_history_is_wire_shaped() -> None:
    checked = 0
    for case in shared.load_cases("cases"):
        try:
            events = _history(case["definition"], case.get("input", {}))
        except DefinitionError:  # definitions AWS refused are not this test's subject
            continue
        assert WALK(events) == events, case["id"]
        checked += 1
    assert checked > 500
