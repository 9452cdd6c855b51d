"""InputPath / OutputPath null in every state type that has them.

ASL: "If the value of InputPath is null, that means that the raw input is discarded, and the
effective input for the state is an empty JSON object, {}" and "If the value of OutputPath is null,
that means the input and result are discarded, and the effective output from the state is an empty
JSON object, {}" (reference §2.8: ``InputPath: null`` ⇒ ``{}``; ``OutputPath: null`` ⇒ ``{}``).
"""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate import validate_definition
from stepwell.engine.commands import Finish
from tests.engine.driver import LAMBDA_ARN, Run, machine_of, task

INPUT = {"a": 1, "items": [1, 2]}
PASS_END = {"Type": "Pass", "End": True}
ECHO = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}


def _states(kind: str, **fields: Any) -> dict[str, Any]:
    """A one-state machine of ``kind`` carrying ``fields``, ending (through a Succeed if needed)."""
    if kind == "Choice":
        rule = {"Variable": "$$.State.Name", "IsPresent": True, "Next": "Done"}
        return {"S": {"Type": "Choice", "Choices": [rule], **fields}, "Done": {"Type": "Succeed"}}
    bodies: dict[str, dict[str, Any]] = {
        "Pass": {"Type": "Pass", "End": True},
        "Wait": {"Type": "Wait", "Seconds": 0, "End": True},
        "Succeed": {"Type": "Succeed"},
        "Parallel": {"Type": "Parallel", "Branches": [ECHO], "End": True},
        "Map": {"Type": "Map", "ItemProcessor": ECHO, "End": True},
        "Task": task(LAMBDA_ARN),
    }
    return {"S": {**bodies[kind], **fields}}


KINDS = ["Pass", "Wait", "Succeed", "Choice", "Parallel", "Task"]


@pytest.mark.parametrize("kind", [*KINDS, "Map"])
@pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
def test_null_paths_are_valid(kind: str, field: str) -> None:
    assert validate_definition(machine_of(_states(kind, **{field: None}), "S")) == []


@pytest.mark.parametrize("kind", KINDS)
def test_output_path_null_gives_an_empty_object(kind: str) -> None:
    run = Run(machine_of(_states(kind, OutputPath=None), "S"), INPUT)
    if kind == "Task":
        run.succeed(output={"r": 1})
    assert run.finish == Finish("SUCCEEDED", output={})


@pytest.mark.parametrize("kind", ["Pass", "Wait", "Succeed", "Choice"])
def test_input_path_null_gives_an_empty_effective_input(kind: str) -> None:
    run = Run(machine_of(_states(kind, InputPath=None), "S"), INPUT)
    assert run.finish == Finish("SUCCEEDED", output={})


def test_input_path_null_reaches_a_task_and_every_parallel_branch() -> None:
    run = Run(machine_of(_states("Task", InputPath=None, ResultPath="$.r"), "S"), INPUT)
    assert run.invocations()[0].payload == {}
    run.succeed(output=7)
    assert run.finish == Finish("SUCCEEDED", output={"a": 1, "items": [1, 2], "r": 7})
    parallel = Run(machine_of(_states("Parallel", InputPath=None), "S"), INPUT)
    assert parallel.finish == Finish("SUCCEEDED", output=[{}])


def test_input_path_null_leaves_a_map_nothing_to_iterate() -> None:
    # The effective input {} is not an array: the Map fails as for any object input.
    run = Run(machine_of(_states("Map", InputPath=None), "S"), INPUT)
    assert run.finish is not None and run.finish.status == "FAILED"
    ok = Run(machine_of(_states("Map", ItemsPath="$.items", OutputPath=None), "S"), INPUT)
    assert ok.finish == Finish("SUCCEEDED", output={})
