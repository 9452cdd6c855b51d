"""Step details on real histories: input/output, retries as attempts, and the data-flow stages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.console.execution_view import step_details
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def run(definition: dict[str, Any], execution_input: Any, **functions: Any) -> list[dict[str, Any]]:
    registry = FunctionRegistry()
    for name, function in functions.items():
        registry.register(name, function)
    result = LocalRunner(registry, wait_time_scale=0).run(parse_definition(definition), execution_input)
    return result.events


def flaky(failures: int) -> Any:
    """A function that fails ``failures`` times, then answers."""
    calls = {"n": 0}

    def call(event: Any, context: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise ConnectionError(f"try {calls['n']}")
        return {"tries": calls["n"]}

    return call


def stages(details: Any) -> dict[str, tuple[Any, str]]:
    return {
        s.name: (json.loads(s.value) if s.value is not None else None, s.source) for s in details.data_flow
    }


RETRYING = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": LAMBDA + "flaky",
            "Retry": [{"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "End": True,
        }
    },
}


def test_retries_show_as_attempts() -> None:
    events = run(RETRYING, {"x": 1}, flaky=flaky(2))
    details = step_details(RETRYING, events, "Call")
    assert details.status == "succeeded"
    assert [(a.number, a.outcome, a.error) for a in details.attempts] == [
        (1, "failed", "ConnectionError"),
        (2, "failed", "ConnectionError"),
        (3, "succeeded", None),
    ]
    assert all(a.input == '{"x":1}' and a.resource for a in details.attempts)
    assert json.loads(details.attempts[-1].output or "") == {"tries": 3}
    assert "try 2" in (details.attempts[1].cause or "")
    assert details.error == "ConnectionError"  # the latest error, retried
    assert details.event_ids == tuple(e["id"] for e in events[1:-1])
    assert json.loads(details.input or "") == {"x": 1} and json.loads(details.output or "") == {"tries": 3}
    assert details.duration_ms is not None and details.duration_ms >= 0
    assert details.definition["Type"] == "Task" and '"Retry"' in details.definition_text


def test_retries_exhausted_then_caught() -> None:
    call = {key: value for key, value in RETRYING["States"]["Call"].items() if key != "End"}  # type: ignore[attr-defined]
    call["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.error"}]
    call["Next"] = "Done"
    definition = {
        "StartAt": "Call",
        "States": {"Call": call, "Handle": {"Type": "Pass", "End": True}, "Done": {"Type": "Succeed"}},
    }
    events = run(definition, {"x": 1}, flaky=flaky(10))
    details = step_details(definition, events, "Call")
    assert details.status == "caught_error"
    assert [a.outcome for a in details.attempts] == ["failed"] * 4
    flow = stages(details)
    assert flow["result"] == ({"Error": "ConnectionError", "Cause": details.cause}, "recorded")
    assert flow["afterResultSelector"] == (None, "not_applicable")
    assert flow["output"][0] == {"x": 1, "error": {"Error": "ConnectionError", "Cause": details.cause}}


DATA_FLOW = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Task",
            "Resource": LAMBDA + "add",
            "InputPath": "$.order",
            "Parameters": {"a.$": "$.x", "b.$": "$.y", "label": "sum"},
            "ResultSelector": {"total.$": "$.sum", "kind": "computed"},
            "ResultPath": "$.result",
            "OutputPath": "$.result",
            "End": True,
        }
    },
}


def add(event: Any, context: Any) -> Any:
    return {"sum": event["a"] + event["b"], "label": event["label"]}


def test_jsonpath_data_flow_stages_of_a_task() -> None:
    events = run(DATA_FLOW, {"order": {"x": 2, "y": 3}, "other": True}, add=add)
    details = step_details(DATA_FLOW, events, "Shape")
    assert [s.name for s in details.data_flow] == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "output",
    ]
    assert stages(details) == {
        "input": ({"order": {"x": 2, "y": 3}, "other": True}, "recorded"),
        "afterInputPath": ({"x": 2, "y": 3}, "computed"),
        "afterParameters": ({"a": 2, "b": 3, "label": "sum"}, "recorded"),
        "result": ({"sum": 5, "label": "sum"}, "recorded"),
        "afterResultSelector": ({"total": 5, "kind": "computed"}, "computed"),
        # ResultPath places the selected result in the state's raw input, not the InputPath'd one.
        "afterResultPath": (
            {"order": {"x": 2, "y": 3}, "other": True, "result": {"total": 5, "kind": "computed"}},
            "computed",
        ),
        "output": ({"total": 5, "kind": "computed"}, "recorded"),
    }
    assert [s.label for s in details.data_flow][:3] == ["Input", "After InputPath", "After Parameters"]


def test_a_stage_that_reads_the_context_object_is_unknown() -> None:
    definition = json.loads(json.dumps(DATA_FLOW))
    definition["States"]["Shape"]["ResultSelector"] = {"total.$": "$.sum", "when.$": "$$.State.EnteredTime"}
    events = run(definition, {"order": {"x": 2, "y": 3}}, add=add)
    flow = {s.name: s for s in step_details(definition, events, "Shape").data_flow}
    assert flow["afterResultSelector"].source == "unknown"
    assert "context object" in flow["afterResultSelector"].note
    assert flow["afterResultPath"].source == "unknown"  # it needs the unknown stage
    assert flow["output"].source == "recorded" and json.loads(flow["output"].value or "")["total"] == 5


def test_pass_parallel_and_jsonata_stages() -> None:
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Pass",
                "Parameters": {"n.$": "$.n", "fixed": 1},
                "ResultPath": "$.p",
                "Next": "Fan",
            },
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Two", "States": {"Two": {"Type": "Pass", "End": True}}},
                ],
                "ResultPath": "$.both",
                "Next": "Sum",
            },
            "Sum": {
                "Type": "Task",
                "QueryLanguage": "JSONata",
                "Resource": LAMBDA + "add",
                "Arguments": {"a": "{% $states.input.n %}", "b": 1, "label": "j"},
                "Output": "{% $states.result.sum %}",
                "End": True,
            },
        },
    }
    events = run(definition, {"n": 4}, add=add)
    prepare = stages(step_details(definition, events, "Prepare"))
    assert prepare["afterParameters"] == ({"n": 4, "fixed": 1}, "computed")
    assert prepare["afterResultPath"] == ({"n": 4, "p": {"n": 4, "fixed": 1}}, "computed")
    fan = stages(step_details(definition, events, "Fan"))
    branch_input = {"n": 4, "p": {"n": 4, "fixed": 1}}
    assert fan["result"] == ([branch_input, branch_input], "computed")  # read back through ResultPath
    assert fan["afterResultPath"][0] == {**branch_input, "both": [branch_input, branch_input]}
    assert stages(step_details(definition, events, "Sum")) == {
        "input": ({**branch_input, "both": [branch_input, branch_input]}, "recorded"),
        "arguments": ({"a": 4, "b": 1, "label": "j"}, "recorded"),
        "result": ({"sum": 5, "label": "j"}, "recorded"),
        "output": (5, "recorded"),
    }
    one = step_details(definition, events, "Fan/0/One")
    assert one.status == "succeeded" and one.iteration == (("Fan", 0),)


def test_details_of_a_state_in_a_map_iteration() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {"Call": {"Type": "Task", "Resource": LAMBDA + "check", "End": True}},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
                "End": True,
            },
            "Handle": {"Type": "Pass", "End": True},
        },
    }

    def check(event: Any, context: Any) -> Any:
        if event < 0:
            raise ValueError("negative")
        return event

    events = run(definition, [1, -1, 2], check=check)
    worst = step_details(definition, events, "Each/0/Call")
    assert (worst.status, worst.error, worst.iteration, worst.visit_count) == (
        "failed",
        "ValueError",
        (("Each", 1),),
        2,
    )
    first = step_details(definition, events, "Each/0/Call", iteration=("Each", 0))
    assert (first.status, first.input, first.output, first.visit_count) == ("succeeded", "1", "1", 1)
    never = step_details(definition, events, "Each/0/Call", iteration=("Each", 2))
    assert never.status == "not_run" and never.attempts == () and never.data_flow == ()
    with pytest.raises(KeyError):
        step_details(definition, events, "Nope")
